// Rate limiting over HTTP against the real server, with the in-process limiter and with Redis:
// per client address on mutating routes, per API key, per account for sign-in failures, shared
// between two nodes on one Redis, and what happens when Redis is unreachable.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "identity/service.hpp"
#include "storage/redis.hpp"
#include "support/identity_client.hpp"
#include "support/test_server.hpp"

namespace eyewear::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class RateLimitTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      const auto url = redis_test_url();
      if (!url) {
        if (redis_required()) FAIL() << "Redis tests are required but EYEWEAR_TEST_REDIS_URL is not set";
        GTEST_SKIP() << "Redis not available";
      }
      redis_url_ = *url;
      prefix_ = unique_redis_prefix();
    }
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

  std::unique_ptr<TestServer> server(std::function<void(platform::Config&)> configure) {
    TestServerOptions o;
    o.clock = clock_;
    o.data_dir = data_.path();
    o.configure = [this, configure](platform::Config& c) {
      c.rate_limit.redis_url = redis_url_;
      c.rate_limit.redis_prefix = prefix_;
      configure(c);
    };
    return std::make_unique<TestServer>(o);
  }

  static HttpResponse strength(HttpClient& c, HeaderList headers = {}) {
    return c.post("/api/v1/auth/password/strength", {{"password", "Acetate-Hinge-Bridge-52"}}, std::move(headers));
  }

  std::shared_ptr<platform::ManualClock> clock_ =
      std::make_shared<platform::ManualClock>(platform::from_unix_ms(1'800'000'000'000));
  TempDir data_;
  std::string redis_url_;
  std::string prefix_;
};

TEST_P(RateLimitTest, MutatingRequestsPerAddressAreRefusedWithAnExactRetryAfter) {
  auto s = server([](platform::Config& c) { c.rate_limit.ip = {60, 60s, 2}; });  // one a second, three at once
  auto c = s->client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(strength(*c).status, 200) << i;
  const auto refused = strength(*c);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.error_code(), "RATE_LIMITED");
  EXPECT_EQ(refused.header("retry-after"), "1");
  const auto details = refused.json()["error"]["details"];
  EXPECT_EQ(details["scope"], "client_address");
  EXPECT_EQ(details["limit"], 3);
  EXPECT_EQ(details["retry_after_ms"], 1000);
  EXPECT_FALSE(refused.header("x-request-id").empty()) << "a refusal still passes through the edge's headers";
  // Reads are not limited per address.
  EXPECT_EQ(c->get("/api/v1/status").status, 200);
  EXPECT_EQ(c->get("/health/live").status, 200);
  clock_->advance(999ms);
  EXPECT_EQ(strength(*c).status, 429);
  clock_->advance(1ms);
  EXPECT_EQ(strength(*c).status, 200);
  const auto metrics = c->get("/metrics").body;
  EXPECT_NE(metrics.find(R"(eyewear_rate_limit_decisions_total{scope="client_address",outcome="limited"} 2)"),
            std::string::npos)
      << metrics;
}

TEST_P(RateLimitTest, ForwardedForCountsOnlyFromATrustedProxy) {
  {
    auto s = server([](platform::Config& c) { c.rate_limit.ip = {60, 60s, 0}; });
    auto c = s->client();
    EXPECT_EQ(strength(*c, {{"X-Forwarded-For", "203.0.113.1"}}).status, 200);
    EXPECT_EQ(strength(*c, {{"X-Forwarded-For", "203.0.113.2"}}).status, 429)
        << "an untrusted peer cannot pick a fresh address per request";
  }
  auto s = server([](platform::Config& c) {
    c.rate_limit.ip = {60, 60s, 0};
    c.http.trusted_proxies = {"127.0.0.1"};
  });
  auto c = s->client();
  EXPECT_EQ(strength(*c, {{"X-Forwarded-For", "203.0.113.10"}}).status, 200);
  EXPECT_EQ(strength(*c, {{"X-Forwarded-For", "203.0.113.11"}}).status, 200) << "another client behind the proxy";
  EXPECT_EQ(strength(*c, {{"X-Forwarded-For", "203.0.113.10"}}).status, 429);
}

TEST_P(RateLimitTest, EachApiKeyHasItsOwnBudget) {
  auto s = server([](platform::Config& c) { c.rate_limit.api_key = {60, 60s, 1}; });
  auto c = s->client();
  ASSERT_TRUE(s->app().identity().provision_account("keys@example.com", kPassword, "Key Optics", "professional", {}));
  const auto t = sign_in(*c, "keys@example.com");
  auto make_key = [&](const std::string& name) -> std::string {
    const auto r = c->post("/api/v1/api-keys", {{"name", name}, {"scopes", {"upload_products"}}}, {bearer(t.access)});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["key"];
  };
  const auto first = make_key("erp");
  const auto second = make_key("pim");
  EXPECT_EQ(c->get("/api/v1/me/features", {bearer(first)}).status, 200);
  EXPECT_EQ(c->get("/api/v1/me/features", {bearer(first)}).status, 200);
  const auto refused = c->get("/api/v1/me/features", {bearer(first)});
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.json()["error"]["details"]["scope"], "api_key");
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(c->get("/api/v1/me/features", {bearer(second)}).status, 200) << "another key is not affected";
  EXPECT_EQ(c->get("/api/v1/me/features", {bearer(t.access)}).status, 200) << "nor the signed-in owner";
}

TEST_P(RateLimitTest, SignInFailuresPerAccountRunOutEvenBelowTheLockout) {
  auto s = server([](platform::Config& c) {
    c.rate_limit.login_failures = {1, 3600s, 2};  // three failures at once, then one an hour
    c.identity.lockout_threshold = 100;            // keep the lockout out of the way
  });
  auto c = s->client();
  ASSERT_TRUE(s->app().identity().provision_account("slow@example.com", kPassword, "Slow Optics", "free", {}));
  auto login = [&](const std::string& email, const std::string& password) {
    return c->post("/api/v1/auth/login", {{"email", email}, {"password", password}});
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(login("slow@example.com", "Wrong-Password-000").status, 401) << i;
  const auto refused = login("slow@example.com", kPassword);
  ASSERT_EQ(refused.status, 429) << "the right password does not help once the budget is spent";
  EXPECT_EQ(refused.error_code(), "RATE_LIMITED");
  EXPECT_EQ(refused.json()["error"]["details"]["scope"], "account");
  EXPECT_EQ(refused.header("retry-after"), "3600");
  // Unknown emails are counted the same way, so the answer reveals nothing.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(login("nobody@example.com", "Wrong-Password-000").status, 401);
  EXPECT_EQ(login("nobody@example.com", "Wrong-Password-000").status, 429);
  // Another account is unaffected; after the wait the owner signs in.
  ASSERT_TRUE(s->app().identity().provision_account("fine@example.com", kPassword, "Fine Optics", "free", {}));
  EXPECT_EQ(login("fine@example.com", kPassword).status, 200);
  clock_->advance(3600s);
  EXPECT_EQ(login("slow@example.com", kPassword).status, 200);
  auto rows = s->app().database().transact(storage::TxMode::kRead, [](storage::Connection& conn) {
    return conn.query("SELECT COUNT(*) FROM login_attempts WHERE reason = 'account_rate'", {});
  });
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].i64(0), 2);
}

TEST_P(RateLimitTest, TwoNodesOnOneRedisShareTheLimits) {
  if (redis_url_.empty()) GTEST_SKIP() << "in-process limits are per node by design";
  auto configure = [](platform::Config& c) { c.rate_limit.ip = {60, 60s, 2}; };
  auto a = server(configure);
  TempDir other_data;
  TestServerOptions o;
  o.clock = clock_;
  o.data_dir = other_data.path();
  o.configure = [&](platform::Config& c) {
    c.rate_limit.redis_url = redis_url_;
    c.rate_limit.redis_prefix = prefix_;
    configure(c);
  };
  TestServer b(o);
  auto ca = a->client();
  auto cb = b.client();
  EXPECT_EQ(strength(*ca).status, 200);
  EXPECT_EQ(strength(*cb).status, 200);
  EXPECT_EQ(strength(*ca).status, 200);
  EXPECT_EQ(strength(*cb).status, 429);
  EXPECT_EQ(strength(*ca).status, 429);
}

INSTANTIATE_TEST_SUITE_P(Limiters, RateLimitTest, ::testing::Values("local", "redis"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(RateLimitOutage, UnreachableRedisFailsOpenByDefaultAndClosedWhenConfigured) {
  TempDir data;
  const std::string dead = "redis://127.0.0.1:" + std::to_string(free_port());
  {
    TestServerOptions o;
    o.data_dir = data.path();
    o.configure = [&](platform::Config& c) {
      c.rate_limit.redis_url = dead;
      c.rate_limit.redis_timeout = 200ms;
      c.rate_limit.ip = {60, 60s, 0};
    };
    TestServer s(o);
    auto c = s.client();
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(c->post("/api/v1/auth/password/strength", {{"password", "x"}}).status, 200) << "fail open";
    }
    EXPECT_NE(c->get("/metrics").body.find(R"(eyewear_rate_limit_decisions_total{scope="client_address",outcome="error"} 3)"),
              std::string::npos);
    EXPECT_TRUE(eventually([&] {
      for (const auto& line : s.logs().lines()) {
        if (line.find("rate limiter unavailable") != std::string::npos) return true;
      }
      return false;
    }));
  }
  TestServerOptions o;
  o.data_dir = data.path();
  o.configure = [&](platform::Config& c) {
    c.rate_limit.redis_url = dead;
    c.rate_limit.redis_timeout = 200ms;
    c.rate_limit.ip = {60, 60s, 0};
    c.rate_limit.fail_open = false;
  };
  TestServer s(o);
  auto c = s.client();
  const auto r = c->post("/api/v1/auth/password/strength", {{"password", "x"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error_code(), "UNAVAILABLE");
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "the internal detail stays in the log";
}

}  // namespace
}  // namespace eyewear::testing
