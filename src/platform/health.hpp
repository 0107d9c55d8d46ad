// A dependency the readiness probe asks about (the database, later Redis). Implemented by the
// module that owns the dependency; the HTTP layer only sees this interface.
#pragma once

#include <chrono>
#include <string>

namespace eyewear::platform {

struct HealthResult {
  bool ok = false;
  std::chrono::microseconds latency{0};
  std::string detail;  // reason when not ok; safe to show to operators
};

class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  // Performs a real round trip. Must not throw.
  [[nodiscard]] virtual HealthResult check() = 0;
};

}  // namespace eyewear::platform
