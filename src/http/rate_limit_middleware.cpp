#include "http/rate_limit_middleware.hpp"

#include <atomic>

namespace eyewear::http {

namespace {

using platform::Error;
using platform::ErrorCode;

bool mutating(Method m) {
  return m == Method::kPost || m == Method::kPut || m == Method::kPatch || m == Method::kDelete;
}

class RateLimitMiddleware final : public Middleware {
 public:
  RateLimitMiddleware(security::RateLimiter& limiter, RateLimitSettings settings, platform::Logger& logger,
                      platform::Registry& registry)
      : limiter_(limiter),
        settings_(settings),
        logger_(logger),
        scope_name_(settings.scope == RateScope::kClientAddress ? "client_address" : "api_key"),
        decisions_(registry.counter("eyewear_rate_limit_decisions_total",
                                    "Rate-limit decisions by scope and outcome (allowed, limited, error)",
                                    {"scope", "outcome"})) {}

  std::string_view name() const override { return "rate_limit"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    if (!settings_.limit.enabled() || ex.route == nullptr || ex.route->options.operational) return std::nullopt;
    std::string key;
    if (settings_.scope == RateScope::kClientAddress) {
      if (!mutating(ex.request.method)) return std::nullopt;
      key = "rl:ip:" + ex.client_ip;
    } else {
      if (!ex.principal || ex.principal->kind != Principal::Kind::kApiKey) return std::nullopt;
      key = "rl:key:" + ex.principal->api_key_id;
    }
    auto decision = limiter_.acquire(key, settings_.limit, 1);
    if (!decision) {
      decisions_.with({scope_name_, "error"}).inc();
      // One line per outage burst, not one per request.
      if (!warned_.exchange(true)) {
        logger_.warn("rate limiter unavailable", {{"backend", std::string(limiter_.backend())},
                                                  {"detail", decision.error().internal},
                                                  {"fail_open", settings_.fail_open}});
      }
      if (settings_.fail_open) return std::nullopt;
      return std::unexpected(Error::unavailable("rate limiting", decision.error().internal));
    }
    warned_.store(false);
    if (decision->allowed) {
      decisions_.with({scope_name_, "allowed"}).inc();
      return std::nullopt;
    }
    decisions_.with({scope_name_, "limited"}).inc();
    const auto& d = *decision;
    return std::unexpected(Error(
        ErrorCode::kRateLimited, "too many requests; slow down and retry later",
        {{"scope", scope_name_},
         {"limit", d.limit},
         {"period_seconds", static_cast<std::int64_t>(settings_.limit.period.count() / 1000)},
         {"rate", settings_.limit.count},
         {"retry_after_seconds", std::max<std::int64_t>(1, (d.retry_after_ms + 999) / 1000)},
         {"retry_after_ms", d.retry_after_ms}}));
  }

 private:
  security::RateLimiter& limiter_;
  const RateLimitSettings settings_;
  platform::Logger& logger_;
  const std::string scope_name_;
  platform::Family<platform::Counter>& decisions_;
  std::atomic<bool> warned_{false};
};

}  // namespace

std::unique_ptr<Middleware> make_rate_limit(security::RateLimiter& limiter, RateLimitSettings settings,
                                            platform::Logger& logger, platform::Registry& registry) {
  return std::make_unique<RateLimitMiddleware>(limiter, settings, logger, registry);
}

}  // namespace eyewear::http
