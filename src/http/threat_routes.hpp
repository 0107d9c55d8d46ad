// The threat history API: the caller's own summary (GET /api/v1/security/threats) and the
// platform-wide view with filters for administrators (GET /api/v1/admin/security/threats).
#pragma once

#include "http/router.hpp"
#include "security/threat_history.hpp"

namespace eyewear::http {

void add_threat_routes(Router& router, security::ThreatHistory& history);

}  // namespace eyewear::http
