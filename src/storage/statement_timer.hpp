// Times statements for the database histogram and the slow-operation log (internal to backends).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/perf_monitor.hpp"
#include "platform/string_map.hpp"

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
  platform::PerfMonitor* monitor_;
  std::string backend_;
  std::mutex mu_;
  platform::StringMap<platform::PerfMonitor::Operation*> cache_;
};

}  // namespace eyewear::storage
