// The manufacturer business profile API: GET and PUT /api/v1/manufacturer/profile (an account
// session of the manufacturer's owner or an admin member; API keys are refused).
#pragma once

#include "http/router.hpp"
#include "security/profile.hpp"

namespace eyewear::http {

void add_profile_routes(Router& router, security::ProfileService& profiles);

}  // namespace eyewear::http
