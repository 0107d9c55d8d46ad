// Rate limiting at the HTTP edge (GCRA, security::RateLimiter): per client address on mutating
// routes, before the body is read, and per API key on every route, after authentication. A
// refusal is 429 RATE_LIMITED with an exact Retry-After. When the limiter's store is
// unreachable the request is allowed (fail open, the default) or refused with 503.
#pragma once

#include <memory>

#include "http/middleware.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"
#include "security/rate_limit.hpp"

namespace eyewear::http {

enum class RateScope { kClientAddress, kApiKey };

struct RateLimitSettings {
  RateScope scope = RateScope::kClientAddress;
  security::RateLimit limit;
  bool fail_open = true;
};

[[nodiscard]] std::unique_ptr<Middleware> make_rate_limit(security::RateLimiter& limiter, RateLimitSettings settings,
                                                          platform::Logger& logger, platform::Registry& registry);

}  // namespace eyewear::http
