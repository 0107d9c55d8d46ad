// Authentication: turns `Authorization: Bearer <token>` into the exchange's Principal for routes
// that ask for it (RouteOptions::auth). Access tokens are verified by the identity module
// (signature, claims, live session); API keys (ewk_...) by the authorization module when wired.
#pragma once

#include <functional>
#include <memory>

#include "http/middleware.hpp"
#include "identity/service.hpp"

namespace eyewear::http {

// Resolves an API key into a principal; null when API keys are not available.
using ApiKeyResolver = std::function<platform::Result<Principal>(std::string_view key, Exchange& ex)>;

[[nodiscard]] std::unique_ptr<Middleware> make_authentication(identity::IdentityService& identity,
                                                              ApiKeyResolver api_keys = {});

// The identity module's view of who is calling, from an authenticated exchange.
[[nodiscard]] identity::Caller caller_of(const Exchange& ex);
[[nodiscard]] platform::RequestMeta meta_of(const Exchange& ex);

}  // namespace eyewear::http
