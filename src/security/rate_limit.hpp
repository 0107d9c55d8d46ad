// Rate limiting with the generic cell rate algorithm (GCRA), as redis-cell does it: each key
// keeps one number, its theoretical arrival time (TAT). A limit of `count` per `period` spaces
// requests T = period / count apart; `burst` lets that many more arrive at once. A request is
// allowed when TAT - now <= T * burst, and the answer to a refusal is exact: the caller may retry
// after TAT - T * (burst + 1) + T * quantity - now.
//
// The arithmetic lives in gcra() once; the in-process limiter and the Redis limiter (one Lua
// script, so many app nodes share a key atomically) both apply it. Time comes from the caller's
// Clock, so windows move in tests without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "platform/clock.hpp"
#include "platform/error.hpp"

namespace eyewear::security {

using platform::Result;
using platform::Status;

struct RateLimit {
  std::int64_t count = 0;  // requests per period; 0 disables the limit
  std::chrono::milliseconds period{60'000};
  std::int64_t burst = 0;  // requests allowed at once beyond the steady rate

  [[nodiscard]] bool enabled() const noexcept { return count > 0 && period.count() > 0; }
  // Microseconds between requests at the steady rate (at least 1).
  [[nodiscard]] std::int64_t interval_us() const noexcept;
  // How long a full burst takes to drain, in microseconds: T * (burst + 1).
  [[nodiscard]] std::int64_t tolerance_us() const noexcept;
  // Requests that may arrive at once on a fresh key.
  [[nodiscard]] std::int64_t capacity() const noexcept { return burst + 1; }
};

struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;           // capacity (burst + 1)
  std::int64_t remaining = 0;       // requests that would still be allowed right now
  std::int64_t retry_after_ms = 0;  // when refused: wait at least this long (rounded up)
  std::int64_t reset_after_ms = 0;  // until the key is back to full capacity
};

struct GcraStep {
  RateDecision decision;
  std::int64_t new_tat_us = 0;  // the TAT to store when decision.allowed and quantity > 0
};

// One GCRA step. `stored_tat_us` is the key's TAT (0 for a key never seen); `quantity` 0 only
// asks whether one more request would pass, without charging.
[[nodiscard]] GcraStep gcra(std::int64_t stored_tat_us, std::int64_t now_us, const RateLimit& limit,
                            std::int64_t quantity);

// A limiter shared by every request thread. Implementations are thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Charges `quantity` units to `key` under `limit` (a disabled limit always allows).
  [[nodiscard]] virtual Result<RateDecision> acquire(std::string_view key, const RateLimit& limit,
                                                     std::int64_t quantity = 1) = 0;
  [[nodiscard]] virtual std::string_view backend() const = 0;
};

[[nodiscard]] std::int64_t now_us(const platform::Clock& clock);

// In-process limiter: a sharded map of TATs. Keys whose TAT has passed hold no information and
// are swept; at most `max_keys` are kept (when full, the oldest-expiring keys of a shard go
// first), so an address-spraying client cannot grow memory without bound.
[[nodiscard]] std::unique_ptr<RateLimiter> make_local_rate_limiter(const platform::Clock& clock,
                                                                   std::size_t max_keys = 1'000'000);

}  // namespace eyewear::security
