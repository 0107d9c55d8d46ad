// The identity API under /api/v1/auth and /api/v1/me, and the JWKS document.
#pragma once

#include "http/router.hpp"
#include "identity/jwt.hpp"
#include "identity/service.hpp"

namespace eyewear::http {

void add_identity_routes(Router& router, identity::IdentityService& identity, identity::KeyRing& keys);

}  // namespace eyewear::http
