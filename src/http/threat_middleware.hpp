// The request threat screen. Runs after authentication (so findings name the caller) and before
// authorization (so a refused request consumes no quota), on every routed request that carries
// user input: path parameters, the query string, a JSON body, and the body of upload routes (CSV,
// NDJSON, JSON).
// Each route's field policy (RouteOptions::threats) says which fields are secrets, file names or
// templates. A HIGH finding refuses the request in block mode with 400 THREAT_DETECTED, whose
// details name the field and the type and never the value; everything found is recorded in the
// threat history (asynchronously: a clean request costs no database round trip, and a dirty one
// waits for none) and counted in eyewear_threats_detected_total.
#pragma once

#include <memory>

#include "http/middleware.hpp"
#include "http/router.hpp"
#include "platform/clock.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"
#include "security/threat_recorder.hpp"
#include "security/threat_scan.hpp"

namespace eyewear::http {

struct ThreatScreenDeps {
  const Router& router;  // every route's field policy is compiled once, at construction
  const security::InputScanner& scanner;
  security::ThreatRecorder& recorder;
  const platform::Clock& clock;
  platform::Logger& logger;
  platform::Registry& metrics;
  bool block = true;  // EYEWEAR_THREAT_MODE=block
};

[[nodiscard]] std::unique_ptr<Middleware> make_threat_screen(ThreatScreenDeps deps);

}  // namespace eyewear::http
