// Two app nodes on one PostgreSQL database and one Redis, as the scale-out design runs them:
// whatever one node decides (a lockout, quota units, a revoked session, a tier change, a
// rate-limit cell) holds on the other.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "identity/service.hpp"
#include "storage/redis.hpp"
#include "support/identity_client.hpp"
#include "support/test_server.hpp"

namespace eyewear::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

void add_metered_route(http::Router& r) {
  http::RouteOptions o;
  o.auth = http::Auth::kRequired;
  o.permission = "upload_products";
  o.quota_resource = "product_uploads";
  r.add(http::Method::kPost, "/test/metered",
        [](http::Exchange&) -> http::HandlerResult { return http::Response::json(201, {{"stored", true}}); }, o);
}

class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgTestDatabase>();
    const auto redis = redis_test_url();
    if (!pg_->available() || !redis) {
      if (postgres_required() || redis_required()) FAIL() << "PostgreSQL and Redis are required for these tests";
      GTEST_SKIP() << "needs PostgreSQL and Redis";
    }
    redis_url_ = *redis;
    prefix_ = unique_redis_prefix();
    a_ = node(data_a_);
    b_ = node(data_b_);
  }
  void TearDown() override {
    if (redis_url_.empty()) return;
    storage::RedisOptions o;
    o.url = redis_url_;
    auto redis = storage::Redis::open(o).value();
    if (auto keys = redis->command({"KEYS", prefix_ + "*"})) {
      for (const auto& k : keys->elements) (void)redis->command({"DEL", k.text});
    }
  }

  std::unique_ptr<TestServer> node(TempDir& data) {
    TestServerOptions o;
    o.clock = clock_;
    o.database_url = pg_->url();
    o.data_dir = data.path();
    o.routes = add_metered_route;
    o.configure = [this](platform::Config& c) {
      c.rate_limit.redis_url = redis_url_;
      c.rate_limit.redis_prefix = prefix_;
      c.rate_limit.ip = ip_limit_;
      c.authz.tier_limits = "free.product_uploads=10";
      c.identity.revocation_poll = 50ms;
      c.database.pool_size = 12;
      // One deployment's nodes share their signing keys and secrets (the token pepper keys the
      // lockout's email hashes: with a pepper per node each node would count its own failures).
      c.secrets_dir = secrets_.path();
    };
    return std::make_unique<TestServer>(o);
  }

  std::shared_ptr<platform::ManualClock> clock_ =
      std::make_shared<platform::ManualClock>(platform::from_unix_ms(1'800'000'000'000));
  std::unique_ptr<PgTestDatabase> pg_;
  std::string redis_url_, prefix_;
  platform::RateSpec ip_limit_{0, 60s, 0};  // off, but for the test of address budgets
  TempDir data_a_, data_b_, secrets_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_F(MultiNodeTest, ALockoutSetThroughOneNodeHoldsOnTheOther) {
  ASSERT_TRUE(a_->app().identity().provision_account("lock@example.com", kPassword, "Lock Optics", "free", {}));
  auto ca = a_->client();
  auto cb = b_->client();
  for (int i = 0; i < 5; ++i) {
    auto& c = i % 2 == 0 ? *ca : *cb;
    ASSERT_EQ(c.post("/api/v1/auth/login", {{"email", "lock@example.com"}, {"password", "Wrong-Password-1"}}).status, 401);
  }
  for (auto* c : {ca.get(), cb.get()}) {
    const auto r = c->post("/api/v1/auth/login", {{"email", "lock@example.com"}, {"password", kPassword}});
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.error_code(), "TOO_MANY_ATTEMPTS");
  }
}

TEST_F(MultiNodeTest, QuotaUnitsAreExactAcrossNodesUnderConcurrency) {
  ASSERT_TRUE(a_->app().identity().provision_account("race@example.com", kPassword, "Race Optics", "free", {}));
  auto ca = a_->client();
  const auto t = sign_in(*ca, "race@example.com");
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(i % 2 == 0 ? a_->base_url() : b_->base_url());
      const auto r = c.post("/test/metered", json::object(), {bearer(t.access), {"X-Forwarded-For", "1"}});
      if (r.status == 201) {
        ++ok;
      } else if (r.status == 429 && r.error_code() == "QUOTA_EXCEEDED") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 30);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(MultiNodeTest, ASessionRevokedOnOneNodeIsRefusedByTheOtherWithinTheRevocationPoll) {
  ASSERT_TRUE(a_->app().identity().provision_account("rev@example.com", kPassword, "Rev Optics", "free", {}));
  auto ca = a_->client();
  auto cb = b_->client();
  const auto t = sign_in(*ca, "rev@example.com");
  ASSERT_EQ(cb->get("/api/v1/me", {bearer(t.access)}).status, 200) << "a token issued by A is good on B";
  ASSERT_EQ(ca->post("/api/v1/auth/logout", json::object(), {bearer(t.access)}).status, 204);
  EXPECT_TRUE(eventually([&] { return cb->get("/api/v1/me", {bearer(t.access)}).status == 401; }, 5s));
}

TEST_F(MultiNodeTest, ATierChangeMadeOnOneNodeAppliesOnTheOther) {
  ASSERT_TRUE(a_->app().identity().provision_account("root@example.com", "Platform-Admin-Secret-99", "Eyewear operations",
                                                     "enterprise", {"platform_admin"}));
  ASSERT_TRUE(a_->app().identity().provision_account("tier@example.com", kPassword, "Tier Optics", "free", {}));
  auto ca = a_->client();
  auto cb = b_->client();
  const auto admin = sign_in(*ca, "root@example.com", "Platform-Admin-Secret-99");
  const auto t = sign_in(*cb, "tier@example.com");
  const std::string mid = cb->get("/api/v1/me", {bearer(t.access)}).json()["manufacturer"]["id"];
  auto tier_on_b = [&] { return cb->get("/api/v1/me/features", {bearer(t.access)}).json()["tier"]; };
  ASSERT_EQ(tier_on_b(), "free");
  ASSERT_EQ(ca->put("/api/v1/admin/manufacturers/" + mid + "/tier", {{"tier", "professional"}}, {bearer(admin.access)})
                .status,
            200);
  EXPECT_TRUE(eventually([&] { return tier_on_b() == "professional"; }, 5s));
}

TEST_F(MultiNodeTest, OneClientAddressHasOneBudgetWhicheverNodeAnswers) {
  a_.reset();
  b_.reset();
  ip_limit_ = {60, 60s, 3};
  a_ = node(data_a_);
  b_ = node(data_b_);
  auto ca = a_->client();
  auto cb = b_->client();
  auto post = [](HttpClient& c) { return c.post("/api/v1/auth/password/strength", {{"password", "x"}}).status; };
  EXPECT_EQ(post(*ca), 200);
  EXPECT_EQ(post(*cb), 200);
  EXPECT_EQ(post(*ca), 200);
  EXPECT_EQ(post(*cb), 200);
  EXPECT_EQ(post(*ca), 429);
  EXPECT_EQ(post(*cb), 429);
}

}  // namespace
}  // namespace eyewear::testing
