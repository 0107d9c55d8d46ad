#include "support/test_server.hpp"

#include <stdexcept>

namespace eyewear::testing {

platform::Config test_config(const std::string& data_dir) {
  platform::Config c;
  c.data_dir = data_dir;
  c.environment = "test";
  c.http.host = "127.0.0.1";
  c.http.port = 0;
  c.http.threads = 2;
  c.workers.threads = 2;
  c.log.level = "info";
  c.identity.argon2_opslimit = 1;
  c.identity.argon2_memlimit = 8 * 1024 * 1024;
  // Tests send many requests from one address quickly; the rate-limit tests turn limits on.
  c.rate_limit.ip.count = 0;
  c.rate_limit.api_key.count = 0;
  c.rate_limit.login_failures.count = 0;
  return c;
}

TestServer::TestServer(TestServerOptions options)
    : data_dir_(options.data_dir.empty() ? dir_.path() : options.data_dir),
      sink_(std::make_shared<platform::CaptureSink>()) {
  app::AppOptions app_options;
  app_options.config = test_config(data_dir_);
  if (!options.database_url.empty()) app_options.config.database.url = options.database_url;
  if (options.configure) options.configure(app_options.config);
  app_options.log_sink = sink_;
  app_options.clock = options.clock;
  app_options.extra_routes = options.routes;
  auto created = app::Application::create(std::move(app_options));
  if (!created) {
    throw std::runtime_error("test server: " + created.error().message + " " + created.error().internal);
  }
  app_ = std::move(*created);
  if (options.start) {
    if (auto st = app_->start(); !st) throw std::runtime_error("test server start: " + st.error().internal);
  }
}

TestServer::~TestServer() {
  if (app_) app_->stop();
}

std::string TestServer::base_url() const { return "http://127.0.0.1:" + std::to_string(app_->port()); }

}  // namespace eyewear::testing
