#include "identity/session_registry.hpp"

#include <vector>

namespace eyewear::identity {

SessionRegistry::SessionRegistry(IdentityStore& store, const platform::Clock& clock, platform::Logger& logger,
                                 Options options)
    : store_(store), clock_(clock), logger_(logger), options_(options) {}

SessionRegistry::~SessionRegistry() { stop(); }

Status SessionRegistry::load() {
  const auto now = platform::to_unix_ms(clock_.now());
  std::vector<std::pair<std::string, std::int64_t>> rows;
  EW_TRY(store_.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(rows, tx.sessions_revoked_since(now - options_.remember.count()));
    return {};
  }));
  std::unique_lock lock(revoked_mu_);
  for (auto& [id, at] : rows) {
    watermark_ = std::max(watermark_, at);
    revoked_.emplace(std::move(id), at);
  }
  if (watermark_ == 0) watermark_ = now - options_.remember.count();
  return {};
}

void SessionRegistry::start() {
  thread_ = std::thread([this] { run(); });
}

void SessionRegistry::stop() {
  {
    std::lock_guard lock(thread_mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  poll_once();  // last-seen times recorded since the last poll
}

bool SessionRegistry::is_revoked(std::string_view session_id) const {
  std::shared_lock lock(revoked_mu_);
  return revoked_.find(std::string(session_id)) != revoked_.end();
}

void SessionRegistry::mark_revoked(const std::string& session_id, std::int64_t at) {
  std::unique_lock lock(revoked_mu_);
  revoked_.emplace(session_id, at);
}

void SessionRegistry::touch(std::string_view session_id) {
  const auto now = platform::to_unix_ms(clock_.now());
  std::lock_guard lock(touch_mu_);
  std::string id(session_id);
  if (auto it = last_written_.find(id); it != last_written_.end() && now - it->second < options_.touch_granularity.count()) {
    return;
  }
  pending_touch_[std::move(id)] = now;
}

void SessionRegistry::poll_once() {
  const auto now = platform::to_unix_ms(clock_.now());
  // New revocations from any node. Rows revoked in the same millisecond as the watermark are
  // read again next time; inserting them twice is harmless.
  std::int64_t since;
  {
    std::shared_lock lock(revoked_mu_);
    since = watermark_ - 1;
  }
  std::vector<std::pair<std::string, std::int64_t>> rows;
  auto st = store_.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(rows, tx.sessions_revoked_since(since));
    return {};
  });
  if (!st) {
    logger_.warn("session revocation poll failed", {{"detail", st.error().internal}});
  } else {
    std::unique_lock lock(revoked_mu_);
    for (auto& [id, at] : rows) {
      watermark_ = std::max(watermark_, at);
      revoked_.emplace(std::move(id), at);
    }
    // Tokens of sessions revoked longer ago than an access token lives have all expired.
    const auto horizon = now - options_.remember.count() - 60'000;
    std::erase_if(revoked_, [&](const auto& kv) { return kv.second < horizon; });
  }
  std::unordered_map<std::string, std::int64_t> batch;
  {
    std::lock_guard lock(touch_mu_);
    batch.swap(pending_touch_);
    for (const auto& [id, at] : batch) last_written_[id] = at;
    if (last_written_.size() > 100'000) last_written_.clear();
  }
  if (batch.empty()) return;
  std::vector<std::pair<std::string, std::int64_t>> seen(batch.begin(), batch.end());
  if (auto t = store_.touch_sessions(seen, options_.idle_timeout.count()); !t) {
    logger_.warn("recording session activity failed", {{"detail", t.error().internal}});
  }
}

void SessionRegistry::run() {
  for (;;) {
    {
      std::unique_lock lock(thread_mu_);
      cv_.wait_for(lock, options_.poll, [this] { return stop_; });
      if (stop_) return;
    }
    try {
      poll_once();
    } catch (const std::exception& e) {
      logger_.error("session registry poll failed", {{"error", e.what()}});
    }
  }
}

}  // namespace eyewear::identity
