#include "authz/tier_cache.hpp"

namespace eyewear::authz {

TierCache::TierCache(AuthzStore& store, const platform::Clock& clock, platform::Logger& logger,
                     std::chrono::milliseconds poll)
    : store_(store), clock_(clock), logger_(logger), poll_(poll), watermark_(platform::to_unix_ms(clock.now())) {}

TierCache::~TierCache() { stop(); }

Result<ManufacturerState> TierCache::get(std::string_view manufacturer_id) {
  {
    std::shared_lock lock(mu_);
    if (auto it = entries_.find(std::string(manufacturer_id)); it != entries_.end()) return it->second;
  }
  std::optional<ManufacturerState> state;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(state, tx.manufacturer(manufacturer_id));
    return {};
  }));
  if (!state) return platform::fail(platform::Error::not_found("manufacturer"));
  put(*state);
  return *state;
}

void TierCache::put(const ManufacturerState& state) {
  std::unique_lock lock(mu_);
  entries_[state.id] = state;
}

void TierCache::start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        std::unique_lock lock(thread_mu_);
        cv_.wait_for(lock, poll_, [this] { return stop_; });
        if (stop_) return;
      }
      try {
        poll_once();
      } catch (const std::exception& e) {
        logger_.error("tier cache poll failed", {{"error", e.what()}});
      }
    }
  });
}

void TierCache::stop() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TierCache::poll_once() {
  std::int64_t since;
  {
    std::shared_lock lock(mu_);
    since = watermark_ - 1;  // same-millisecond changes are read again; harmless
  }
  std::vector<ManufacturerState> changed;
  auto st = store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(changed, tx.manufacturers_changed_since(since));
    return {};
  });
  if (!st) {
    logger_.warn("tier cache poll failed", {{"detail", st.error().internal}});
    return;
  }
  std::unique_lock lock(mu_);
  for (const auto& m : changed) {
    watermark_ = std::max(watermark_, m.updated_at);
    if (auto it = entries_.find(m.id); it != entries_.end()) it->second = m;
  }
}

}  // namespace eyewear::authz
