// Readiness follows the real PostgreSQL server: 503 with the reason while it is down, 200 again
// once it is back, without restarting the service.
#include <gtest/gtest.h>

#include "support/test_server.hpp"

namespace eyewear::testing {
namespace {

TEST(AvailabilityTest, ReadinessGoes503AndBackWhenPostgresStopsAndStarts) {
  if (!postgres_required() && !postgres_admin_url()) GTEST_SKIP() << "PostgreSQL not available";
  PgCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.log();
  TestServer server({.configure = [](platform::Config& c) { c.database.pool_size = 3; },
                     .database_url = cluster.url()});
  auto c = server.client();
  auto ready = c->get("/health/ready");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(c->get("/health/db").json()["backend"], "postgres");

  ASSERT_TRUE(cluster.stop()) << cluster.log();
  const auto down = c->get("/health/ready");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.json()["checks"]["database"]["status"], "unavailable");
  EXPECT_EQ(down.json()["error"]["message"], "database unreachable");
  EXPECT_EQ(down.error_code(), "UNAVAILABLE");
  EXPECT_EQ(c->get("/health/live").status, 200) << "liveness does not depend on the database";

  ASSERT_TRUE(cluster.start()) << cluster.log();
  EXPECT_TRUE(eventually([&] { return c->get("/health/ready").status == 200; }, std::chrono::seconds(20)));
}

TEST(AvailabilityTest, StartupRetriesUntilPostgresAnswers) {
  if (!postgres_required() && !postgres_admin_url()) GTEST_SKIP() << "PostgreSQL not available";
  PgCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.log();
  ASSERT_TRUE(cluster.stop());
  TempDir dir;
  const int port = free_port();
  Process serve({eyewear_binary(), "serve", "--port", std::to_string(port), "--data-dir", dir.path()},
                {{"EYEWEAR_DATABASE_URL", cluster.url()}, {"EYEWEAR_DB_CONNECT_TIMEOUT", "60s"}},
                dir.file("serve.log"));
  EXPECT_TRUE(eventually([&] { return serve.output().find("retrying") != std::string::npos; }))
      << serve.output();
  ASSERT_TRUE(cluster.start()) << cluster.log();
  HttpClient c("http://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(eventually([&] { return c.get("/health/ready").status == 200; }, std::chrono::seconds(30)))
      << serve.output();
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(std::chrono::seconds(20)), 0);
}

}  // namespace
}  // namespace eyewear::testing
