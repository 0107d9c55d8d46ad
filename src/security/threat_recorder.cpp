#include "security/threat_recorder.hpp"

namespace eyewear::security {

ThreatRecorder::ThreatRecorder(ThreatStore& store, platform::Logger& logger, Options options)
    : store_(store), logger_(logger), options_(options) {}

ThreatRecorder::~ThreatRecorder() { stop(); }

bool ThreatRecorder::record(std::vector<ThreatRecord> records, std::optional<platform::AuditEvent> audit) {
  bool fits = true;
  {
    std::lock_guard lock(mu_);
    if (records_.size() + records.size() > options_.queue_limit) {
      dropped_ += records.size();
      fits = false;
    } else {
      for (auto& r : records) records_.push_back(std::move(r));
    }
    // Refusals are few (each one cost the client a 400) and the audit log must not miss them.
    if (audit) audit_.push_back(std::move(*audit));
  }
  if (!fits) logger_.warn("threat records dropped: queue full", {{"queue_limit", options_.queue_limit}});
  return fits;
}

Status ThreatRecorder::flush() {
  std::lock_guard writer(write_mu_);
  std::vector<ThreatRecord> records;
  std::vector<platform::AuditEvent> audit;
  {
    std::lock_guard lock(mu_);
    records.assign(std::make_move_iterator(records_.begin()), std::make_move_iterator(records_.end()));
    audit.assign(std::make_move_iterator(audit_.begin()), std::make_move_iterator(audit_.end()));
    records_.clear();
    audit_.clear();
  }
  if (records.empty() && audit.empty()) return {};
  auto written = store_.append(records, audit);
  if (!written) {
    logger_.error("threat records not written; retrying",
                  {{"records", records.size()}, {"detail", written.error().internal}});
    std::lock_guard lock(mu_);
    // Put them back in front, as far as the bound allows.
    const auto room = options_.queue_limit > records_.size() ? options_.queue_limit - records_.size() : 0;
    if (records.size() > room) {
      dropped_ += records.size() - room;
      records.resize(room);
    }
    records_.insert(records_.begin(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
    audit_.insert(audit_.begin(), std::make_move_iterator(audit.begin()), std::make_move_iterator(audit.end()));
  }
  return written;
}

void ThreatRecorder::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stop_ = false;
  thread_ = std::thread([this] {
    while (true) {
      {
        std::unique_lock wait(mu_);
        cv_.wait_for(wait, options_.flush_interval, [this] { return stop_; });
        if (stop_) return;
      }
      (void)flush();  // failures are logged and retried
    }
  });
}

void ThreatRecorder::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mu_);
    running_ = false;
  }
  (void)flush();
}

std::uint64_t ThreatRecorder::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::size_t ThreatRecorder::pending() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace eyewear::security
