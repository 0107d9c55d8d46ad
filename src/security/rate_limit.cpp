#include "security/rate_limit.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_map>

#include "platform/string_map.hpp"

namespace eyewear::security {

std::int64_t RateLimit::interval_us() const noexcept {
  if (!enabled()) return 1;
  return std::max<std::int64_t>(1, period.count() * 1000 / count);
}

std::int64_t RateLimit::tolerance_us() const noexcept { return interval_us() * (burst + 1); }

std::int64_t now_us(const platform::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.now().time_since_epoch()).count();
}

namespace {

std::int64_t ceil_ms(std::int64_t us) { return us <= 0 ? 0 : (us + 999) / 1000; }

}  // namespace

GcraStep gcra(std::int64_t stored_tat_us, std::int64_t now, const RateLimit& limit, std::int64_t quantity) {
  GcraStep step;
  auto& d = step.decision;
  if (!limit.enabled()) {
    d.allowed = true;
    d.limit = 0;
    return step;
  }
  const std::int64_t t = limit.interval_us();
  const std::int64_t dvt = limit.tolerance_us();
  d.limit = limit.capacity();
  const std::int64_t tat = std::max(stored_tat_us, now);
  const std::int64_t increment = t * std::max<std::int64_t>(quantity, 0);
  // Asking for nothing is asking whether one more request would pass.
  const std::int64_t probe = std::max<std::int64_t>(increment, t);
  const std::int64_t allow_at = tat + probe - dvt;
  if (now < allow_at) {
    d.allowed = false;
    // A request larger than the whole burst can never pass; say so with the longest wait.
    d.retry_after_ms = probe > dvt ? ceil_ms(tat - now + probe) : ceil_ms(allow_at - now);
    d.remaining = std::max<std::int64_t>(0, (dvt - (tat - now)) / t);
    d.reset_after_ms = ceil_ms(tat - now);
    step.new_tat_us = stored_tat_us;
    return step;
  }
  const std::int64_t new_tat = tat + increment;
  d.allowed = true;
  d.remaining = std::max<std::int64_t>(0, (dvt - (new_tat - now)) / t);
  d.reset_after_ms = ceil_ms(new_tat - now);
  step.new_tat_us = new_tat;
  return step;
}

namespace {

class LocalRateLimiter final : public RateLimiter {
 public:
  LocalRateLimiter(const platform::Clock& clock, std::size_t max_keys)
      : clock_(clock), max_per_shard_(std::max<std::size_t>(16, max_keys / kShards)) {}

  Result<RateDecision> acquire(std::string_view key, const RateLimit& limit, std::int64_t quantity) override {
    if (!limit.enabled()) return gcra(0, 0, limit, quantity).decision;
    const std::int64_t now = now_us(clock_);
    auto& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.tats.find(key);
    const std::int64_t stored = it == shard.tats.end() ? 0 : it->second;
    const auto step = gcra(stored, now, limit, quantity);
    if (step.decision.allowed && quantity > 0) {
      if (it != shard.tats.end()) {
        it->second = step.new_tat_us;
      } else {
        if (shard.tats.size() >= max_per_shard_) sweep(shard, now);
        shard.tats.emplace(std::string(key), step.new_tat_us);
      }
    }
    return step.decision;
  }

  std::string_view backend() const override { return "local"; }

 private:
  static constexpr std::size_t kShards = 32;

  struct Shard {
    std::mutex mutex;
    platform::StringMap<std::int64_t> tats;
  };

  // Drops keys whose TAT has passed (they are indistinguishable from new keys); if the shard is
  // still full, the half that frees up soonest.
  void sweep(Shard& shard, std::int64_t now) {
    std::erase_if(shard.tats, [now](const auto& kv) { return kv.second <= now; });
    if (shard.tats.size() < max_per_shard_) return;
    std::vector<std::int64_t> tats;
    tats.reserve(shard.tats.size());
    for (const auto& kv : shard.tats) tats.push_back(kv.second);
    auto mid = tats.begin() + static_cast<std::ptrdiff_t>(tats.size() / 2);
    std::nth_element(tats.begin(), mid, tats.end());
    const std::int64_t cut = *mid;
    std::erase_if(shard.tats, [cut](const auto& kv) { return kv.second <= cut; });
  }

  const platform::Clock& clock_;
  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace

std::unique_ptr<RateLimiter> make_local_rate_limiter(const platform::Clock& clock, std::size_t max_keys) {
  return std::make_unique<LocalRateLimiter>(clock, max_keys);
}

}  // namespace eyewear::security
