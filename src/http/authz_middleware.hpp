// Authorization: after authentication, enforces what the route table declares for the route —
// an active manufacturer, the permission (against the manufacturer's current tier, and an API
// key's scopes) and one unit of the metered resource, given back when the request fails.
#pragma once

#include <memory>

#include "authz/service.hpp"
#include "http/auth_middleware.hpp"
#include "http/middleware.hpp"

namespace eyewear::http {

[[nodiscard]] std::unique_ptr<Middleware> make_authorization(authz::Authorizer& authorizer, authz::Quotas& quotas);

// Resolves API keys for the authentication middleware.
[[nodiscard]] ApiKeyResolver api_key_resolver(authz::ApiKeys& keys);

// Sets RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset for a quota state.
void set_rate_limit_headers(Headers& headers, const authz::QuotaState& state, std::int64_t now_ms);

}  // namespace eyewear::http
