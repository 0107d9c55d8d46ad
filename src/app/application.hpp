// The composition root: the only place that knows every module. It builds the process from a
// Config (logger, metrics, database, migrations, domain services, routes, middleware, server),
// starts it, and tears it down in the reverse order.
#pragma once

#include <functional>
#include <memory>

#include "http/router.hpp"
#include "platform/clock.hpp"
#include "platform/config.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"
#include "storage/database.hpp"

namespace eyewear::identity {
class IdentityService;
class KeyRing;
}  // namespace eyewear::identity
namespace eyewear::mail {
class OutboxDispatcher;
}
namespace eyewear::catalog {
class CatalogService;
}
namespace eyewear::security {
class ThreatRecorder;
}
namespace eyewear::security {
class Keyring;
class ProfileService;
}  // namespace eyewear::security

namespace eyewear::app {

struct AppOptions {
  platform::Config config;
  std::shared_ptr<platform::LogSink> log_sink;  // default: asynchronous stdout
  std::shared_ptr<platform::Clock> clock;       // default: the system clock
  // Extra routes added after the service's own (tests use it to add misbehaving handlers).
  std::function<void(http::Router&)> extra_routes;
};

class Application {
 public:
  // Opens the database, applies migrations when configured, wires every module. Does not listen.
  [[nodiscard]] static platform::Result<std::unique_ptr<Application>> create(AppOptions options);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  [[nodiscard]] platform::Status start();
  // Graceful: stop accepting, drain, stop workers, close the database. Idempotent.
  void stop();
  [[nodiscard]] std::uint16_t port() const;

  [[nodiscard]] platform::Logger& logger();
  [[nodiscard]] platform::Registry& metrics();
  [[nodiscard]] storage::Database& database();
  [[nodiscard]] identity::IdentityService& identity();
  [[nodiscard]] identity::KeyRing& signing_keys();
  [[nodiscard]] mail::OutboxDispatcher& outbox();
  [[nodiscard]] catalog::CatalogService& catalog();
  [[nodiscard]] security::ThreatRecorder& threat_recorder();
  [[nodiscard]] security::Keyring& keyring();
  [[nodiscard]] security::ProfileService& profiles();
  [[nodiscard]] const platform::Config& config() const;

  struct Parts;

 private:
  explicit Application(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// Opens the configured database without starting anything else (migrate, backup, admin commands).
[[nodiscard]] platform::Result<std::unique_ptr<storage::Database>> open_configured_database(
    const platform::Config& config, platform::Logger& logger);

}  // namespace eyewear::app
