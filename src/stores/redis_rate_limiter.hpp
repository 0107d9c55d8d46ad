// security::RateLimiter over Redis: one Lua script applies the GCRA step atomically on the
// server, so every app node charges the same cell. The script returns the TAT it found and the
// caller recomputes the same decision with security::gcra(), so the arithmetic exists once in
// C++ and once (the comparison only) in the script.
#pragma once

#include <memory>
#include <string>

#include "platform/clock.hpp"
#include "security/rate_limit.hpp"
#include "storage/redis.hpp"

namespace eyewear::stores {

// `prefix` namespaces the keys (e.g. "eyewear:rl:").
[[nodiscard]] std::unique_ptr<security::RateLimiter> make_redis_rate_limiter(storage::Redis& redis,
                                                                             const platform::Clock& clock,
                                                                             std::string prefix);

}  // namespace eyewear::stores
