// Per-operation latency monitoring. Every monitored operation (an HTTP route, a database
// statement kind, a password hash, ...) has a latency histogram and a threshold; a run over its
// threshold writes one structured "slow" log line (operation, duration, request id; never SQL
// parameters or payloads) and increments a counter. The admin performance report reads report().
// Each kind has its own histogram family: kind "db.query" is eyewear_db_query_duration_seconds,
// kind "http.request" is eyewear_http_request_duration_seconds, both labelled by operation.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.hpp"
#include "platform/config.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"

namespace eyewear::platform {

class PerfMonitor {
 public:
  class Operation {
   public:
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const std::string& kind() const { return kind_; }
    [[nodiscard]] std::chrono::milliseconds threshold() const { return threshold_; }

   private:
    friend class PerfMonitor;
    std::string name_;
    std::string kind_;
    std::chrono::milliseconds threshold_{};
    Histogram* histogram_ = nullptr;
    Counter* slow_ = nullptr;
    // Breaches per minute over the last day: ring of (minute number, count).
    mutable std::mutex ring_mu_;
    std::array<std::pair<std::int64_t, std::uint32_t>, 1440> ring_{};
  };

  struct Report {
    std::string name;
    std::string kind;
    std::int64_t threshold_ms;
    std::uint64_t count;
    double p50_ms;
    double p95_ms;
    double p99_ms;
    double mean_ms;
    std::uint64_t breaches_total;
    std::uint64_t breaches_last_hour;
    std::uint64_t breaches_last_day;
  };

  PerfMonitor(PerfConfig config, Registry& registry, Logger& logger, const Clock& clock);

  // The operation named `name` of family `kind` (e.g. kind "http.request", name "GET /api/v1/me").
  // The threshold is the configured one for `name`, else for `kind`, else the default. The
  // returned reference lives as long as the monitor; hot paths should keep it.
  Operation& operation(std::string_view kind, std::string_view name);

  void record(Operation& op, std::chrono::nanoseconds elapsed);

  [[nodiscard]] std::vector<Report> report() const;

  // Times a scope and records it on destruction.
  class Timer {
   public:
    Timer(PerfMonitor& monitor, Operation& op)
        : monitor_(monitor), op_(op), start_(std::chrono::steady_clock::now()) {}
    ~Timer() { monitor_.record(op_, std::chrono::steady_clock::now() - start_); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

   private:
    PerfMonitor& monitor_;
    Operation& op_;
    std::chrono::steady_clock::time_point start_;
  };

 private:
  PerfConfig config_;
  Logger& logger_;
  const Clock& clock_;
  Registry& registry_;
  Family<Counter>& slow_counters_;
  std::map<std::string, Family<Histogram>*, std::less<>> families_;  // per kind
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Operation>, std::less<>> operations_;
};

}  // namespace eyewear::platform
