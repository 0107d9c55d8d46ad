// The real service, built by the composition root and listening on a free loopback port inside
// the test process, so tests can inject a ManualClock and extra routes and still talk real HTTP.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/application.hpp"
#include "platform/clock.hpp"
#include "platform/logging.hpp"
#include "support/environment.hpp"
#include "support/http_client.hpp"

namespace eyewear::testing {

struct TestServerOptions {
  std::function<void(platform::Config&)> configure;
  std::function<void(http::Router&)> routes;
  std::shared_ptr<platform::Clock> clock;
  std::string database_url;  // empty: SQLite in the data dir
  bool start = true;
  std::string data_dir;      // empty: a fresh temporary directory
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();

  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] std::unique_ptr<HttpClient> client() const { return std::make_unique<HttpClient>(base_url()); }
  [[nodiscard]] app::Application& app() { return *app_; }
  [[nodiscard]] platform::CaptureSink& logs() { return *sink_; }
  [[nodiscard]] const std::string& data_dir() const { return data_dir_; }
  [[nodiscard]] int port() const { return app_->port(); }
  void stop() { app_->stop(); }

 private:
  TempDir dir_;
  std::string data_dir_;
  std::shared_ptr<platform::CaptureSink> sink_;
  std::unique_ptr<app::Application> app_;
};

// The default test configuration: loopback, any port, 2 I/O threads, cheap password hashing
// (argon2id with 1 pass over 8 MiB instead of 2 over 64 MiB).
[[nodiscard]] platform::Config test_config(const std::string& data_dir);

}  // namespace eyewear::testing
