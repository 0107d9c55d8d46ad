// Writes threat findings to the history without putting the database on the request path: the
// middleware queues records (a clean request queues nothing), a background thread writes them
// in batches, one transaction per batch, with the audit entries of refused requests. The queue
// is bounded: a flood of hostile requests cannot grow memory, and what does not fit is dropped
// and counted (eyewear_threat_records_dropped_total). A failed write is retried on the next
// cycle. flush() writes what is queued at once; readers of the history call it first, so a
// node's own findings are visible to the next request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "platform/logging.hpp"
#include "security/threat_store.hpp"

namespace eyewear::security {

class ThreatRecorder {
 public:
  struct Options {
    std::size_t queue_limit = 10'000;  // records
    std::chrono::milliseconds flush_interval{200};
  };
  ThreatRecorder(ThreatStore& store, platform::Logger& logger, Options options);
  ~ThreatRecorder();
  ThreatRecorder(const ThreatRecorder&) = delete;
  ThreatRecorder& operator=(const ThreatRecorder&) = delete;

  // Queues one request's records (and its audit entry, for a refusal). Never blocks on the
  // database; false when the queue had no room (the records are dropped and counted; the audit
  // entry of a refusal is still kept).
  bool record(std::vector<ThreatRecord> records, std::optional<platform::AuditEvent> audit = std::nullopt);
  // Writes everything queued before the call.
  [[nodiscard]] Status flush();

  void start();
  // Stops the thread and writes what is left.
  void stop();

  [[nodiscard]] std::uint64_t dropped() const;
  [[nodiscard]] std::size_t pending() const;

 private:
  ThreatStore& store_;
  platform::Logger& logger_;
  Options options_;
  mutable std::mutex mu_;  // guards the queues and the counters
  std::deque<ThreatRecord> records_;
  std::deque<platform::AuditEvent> audit_;
  std::uint64_t dropped_ = 0;
  std::mutex write_mu_;  // one writer at a time keeps the batches in order
  std::condition_variable cv_;
  bool stop_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace eyewear::security
