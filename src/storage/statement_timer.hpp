// Times statements for the database histogram and the slow-operation log (internal to backends).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/perf_monitor.hpp"

namespace eyewear::storage {

class StatementTimer {
 public:
  StatementTimer(platform::PerfMonitor* monitor, std::string_view backend) : monitor_(monitor), backend_(backend) {}

  // The operation for a statement, created on first use and cached by SQL text.
  platform::PerfMonitor::Operation* operation_for(std::string_view sql);

  void record(platform::PerfMonitor::Operation* op, std::chrono::steady_clock::time_point start) {
    if (op != nullptr) monitor_->record(*op, std::chrono::steady_clock::now() - start);
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  platform::PerfMonitor* monitor_;
  std::string backend_;
  std::mutex mu_;
  std::unordered_map<std::string, platform::PerfMonitor::Operation*, Hash, std::equal_to<>> cache_;
};

}  // namespace eyewear::storage
