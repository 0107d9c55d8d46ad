#include "stores/redis_rate_limiter.hpp"

#include <mutex>

namespace eyewear::stores {

namespace {

using platform::Result;

// KEYS[1]: the cell. ARGV: now, increment, probe (both T * quantity, probe at least T), tolerance,
// all in microseconds. Returns the TAT found (0 for a new cell); stores the new TAT only when the
// request passes and charges something. Lua numbers are doubles: microsecond timestamps stay
// below 2^53, so the arithmetic is exact.
constexpr std::string_view kScript = R"lua(
local tat = tonumber(redis.call('GET', KEYS[1])) or 0
local now = tonumber(ARGV[1])
local increment = tonumber(ARGV[2])
local probe = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4])
local base = tat
if base < now then base = now end
if now < base + probe - tolerance then return tat end
if increment > 0 then
  local new_tat = base + increment
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.floor((new_tat - now) / 1000) + 1)
end
return tat
)lua";

class RedisRateLimiter final : public security::RateLimiter {
 public:
  RedisRateLimiter(storage::Redis& redis, const platform::Clock& clock, std::string prefix)
      : redis_(redis), clock_(clock), prefix_(std::move(prefix)) {}

  Result<security::RateDecision> acquire(std::string_view key, const security::RateLimit& limit,
                                         std::int64_t quantity) override {
    if (!limit.enabled()) return security::gcra(0, 0, limit, quantity).decision;
    const std::int64_t now = security::now_us(clock_);
    const std::int64_t t = limit.interval_us();
    const std::int64_t increment = t * std::max<std::int64_t>(quantity, 0);
    const std::string cell = prefix_ + std::string(key);
    const std::string now_s = std::to_string(now), inc_s = std::to_string(increment),
                      probe_s = std::to_string(std::max(increment, t)), tol_s = std::to_string(limit.tolerance_us());
    EW_ASSIGN_OR_RETURN(const auto sha, script_sha());
    auto reply = redis_.command({"EVALSHA", sha, "1", cell, now_s, inc_s, probe_s, tol_s});
    if (!reply && reply.error().internal.starts_with("NOSCRIPT")) {
      // The server lost its script cache (a restart): load it again.
      forget_sha();
      EW_ASSIGN_OR_RETURN(const auto again, script_sha());
      reply = redis_.command({"EVALSHA", again, "1", cell, now_s, inc_s, probe_s, tol_s});
    }
    if (!reply) return std::unexpected(reply.error());
    if (reply->kind != storage::RedisReply::Kind::kInteger) {
      return platform::fail(platform::Error::unavailable("redis", "rate-limit script returned a non-integer"));
    }
    return security::gcra(reply->integer, now, limit, quantity).decision;
  }

  std::string_view backend() const override { return "redis"; }

 private:
  Result<std::string> script_sha() {
    {
      std::lock_guard lock(mutex_);
      if (!sha_.empty()) return sha_;
    }
    EW_ASSIGN_OR_RETURN(auto reply, redis_.command({"SCRIPT", "LOAD", kScript}));
    if (reply.kind != storage::RedisReply::Kind::kString) {
      return platform::fail(platform::Error::unavailable("redis", "SCRIPT LOAD returned no digest"));
    }
    std::lock_guard lock(mutex_);
    sha_ = reply.text;
    return sha_;
  }
  void forget_sha() {
    std::lock_guard lock(mutex_);
    sha_.clear();
  }

  storage::Redis& redis_;
  const platform::Clock& clock_;
  const std::string prefix_;
  std::mutex mutex_;
  std::string sha_;
};

}  // namespace

std::unique_ptr<security::RateLimiter> make_redis_rate_limiter(storage::Redis& redis, const platform::Clock& clock,
                                                               std::string prefix) {
  return std::make_unique<RedisRateLimiter>(redis, clock, std::move(prefix));
}

}  // namespace eyewear::stores
