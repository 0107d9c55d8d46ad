// Runs a storage test against each backend: SQLite in a temporary file and PostgreSQL on the
// server scripts/test starts (skipped without it unless EYEWEAR_TEST_REQUIRE_PG=1).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/open.hpp"
#include "support/environment.hpp"

namespace eyewear::testing {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      pg_ = std::make_unique<PgTestDatabase>();
      if (!pg_->available()) {
        if (postgres_required()) FAIL() << "EYEWEAR_TEST_PG_URL is not set but PostgreSQL tests are required";
        GTEST_SKIP() << "PostgreSQL not available (set EYEWEAR_TEST_PG_URL)";
      }
      url_ = pg_->url();
    } else {
      url_ = "sqlite:" + dir_.file("test.db");
    }
    db_ = open(url_);
  }

  std::unique_ptr<storage::Database> open(const std::string& url, std::size_t pool = 8) {
    storage::DatabaseOptions o;
    o.url = url;
    o.pool_size = pool;
    o.connect_timeout = std::chrono::seconds(10);
    auto db = storage::open_database(o);
    if (!db) throw std::runtime_error("open failed: " + db.error().internal);
    return std::move(*db);
  }

  bool is_pg() const { return GetParam() == "postgres"; }
  std::string blob_type() const { return is_pg() ? "BYTEA" : "BLOB"; }

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string url_;
  std::unique_ptr<storage::Database> db_;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace eyewear::testing
