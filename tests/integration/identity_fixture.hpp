// Runs an identity test against the real service on SQLite and on PostgreSQL, with a manual
// clock so lockout windows, token expiry and TOTP steps move without sleeping.
#pragma once

#include <gtest/gtest.h>

#include <iostream>

#include "support/identity_client.hpp"
#include "support/test_server.hpp"

namespace eyewear::testing {

class IdentityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      pg_ = std::make_unique<PgTestDatabase>();
      if (!pg_->available()) {
        if (postgres_required()) FAIL() << "PostgreSQL tests are required but EYEWEAR_TEST_PG_URL is not set";
        GTEST_SKIP() << "PostgreSQL not available";
      }
    }
    start();
  }

  void TearDown() override {
    // On failure, show what the server logged about failed requests (the 500s' details).
    if (!HasFailure() || !server_) return;
    for (const auto& line : server_->logs().lines()) {
      if (line.find("\"level\":\"error\"") != std::string::npos || line.find("\"level\":\"warn\"") != std::string::npos) {
        std::cerr << "server: " << line << "\n";
      }
    }
  }

  void start(std::function<void(platform::Config&)> configure = {}) {
    server_.reset();
    TestServerOptions o;
    o.clock = clock_;
    o.configure = [this, configure](platform::Config& c) {
      if (configure) configure(c);
      if (extra_config_) extra_config_(c);
    };
    if (pg_) o.database_url = pg_->url();
    o.data_dir = data_.path();
    o.routes = routes_;
    server_ = std::make_unique<TestServer>(o);
    client_ = server_->client();
  }

  // The number of rows a query returns (for asserting what is in the database).
  std::int64_t count(const std::string& sql, std::initializer_list<storage::Param> params = {}) {
    auto rows = server_->app().database().transact(storage::TxMode::kRead, [&](storage::Connection& c) {
      return c.query(sql, params);
    });
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().internal);
    return rows ? (*rows)[0].i64(0) : -1;
  }
  std::string scalar(const std::string& sql, std::initializer_list<storage::Param> params = {}) {
    auto rows = server_->app().database().transact(storage::TxMode::kRead, [&](storage::Connection& c) {
      return c.query(sql, params);
    });
    return rows && !rows->empty() ? (*rows)[0].str(0) : std::string("<none>");
  }

  HttpResponse me(const std::string& access) { return client_->get("/api/v1/me", {bearer(access)}); }

  std::shared_ptr<platform::ManualClock> clock_ =
      std::make_shared<platform::ManualClock>(platform::from_unix_ms(1'800'000'000'000));
  std::function<void(platform::Config&)> extra_config_;
  std::function<void(http::Router&)> routes_;
  TempDir data_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

inline std::string backend_label(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace eyewear::testing
