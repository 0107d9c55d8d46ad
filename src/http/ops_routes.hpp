// Operational endpoints: liveness, readiness (a real database round trip and the migration
// state), start-up, database details, Prometheus metrics, and a small status document.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/router.hpp"
#include "platform/health.hpp"
#include "platform/metrics.hpp"

namespace eyewear::http {

// What the probes need to know about the database, without knowing storage.
class DatabaseProbe {
 public:
  virtual ~DatabaseProbe() = default;
  [[nodiscard]] virtual platform::HealthResult ping() = 0;
  [[nodiscard]] virtual std::string backend() const = 0;
  // (current, latest) schema versions; nullopt when the database cannot say.
  [[nodiscard]] virtual std::optional<std::pair<int, int>> schema_versions() = 0;
  // (size, in use) of the connection pool.
  [[nodiscard]] virtual std::pair<std::size_t, std::size_t> pool() const = 0;
};

struct OpsContext {
  DatabaseProbe* database = nullptr;
  std::vector<platform::HealthCheck*> extra_checks;  // e.g. Redis
  platform::Registry* registry = nullptr;
  std::function<bool()> started;   // start-up finished
  std::function<bool()> draining;  // shutting down
  std::chrono::steady_clock::time_point process_start = std::chrono::steady_clock::now();
  std::string version;
};

void add_ops_routes(Router& router, OpsContext context);

}  // namespace eyewear::http
