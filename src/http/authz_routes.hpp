// The authorization API: features and usage of the caller, API keys, platform administration.
#pragma once

#include "authz/service.hpp"
#include "http/router.hpp"

namespace eyewear::http {

struct AuthzRouteServices {
  authz::Authorizer& authorizer;
  authz::Quotas& quotas;
  authz::ApiKeys& api_keys;
  authz::Admin& admin;
};

void add_authz_routes(Router& router, AuthzRouteServices services);

}  // namespace eyewear::http
