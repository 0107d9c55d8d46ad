// The GCRA step, and the two limiters that apply it (in-process and Redis) against one
// contract: the same answers for the same sequence of requests and times.
#include "security/rate_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/redis.hpp"
#include "stores/redis_rate_limiter.hpp"
#include "support/environment.hpp"

namespace eyewear::security {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kSecond = 1'000'000;  // µs

RateLimit per_minute(std::int64_t count, std::int64_t burst) {
  RateLimit l;
  l.count = count;
  l.period = 60s;
  l.burst = burst;
  return l;
}

TEST(Gcra, AFreshKeyTakesTheBurstAndOneMoreThenRefusesWithTheExactWait) {
  const auto limit = per_minute(60, 4);  // one a second, five at once
  std::int64_t tat = 0;
  const std::int64_t now = 1'000 * kSecond;
  for (int i = 0; i < 5; ++i) {
    const auto step = gcra(tat, now, limit, 1);
    ASSERT_TRUE(step.decision.allowed) << i;
    EXPECT_EQ(step.decision.limit, 5);
    EXPECT_EQ(step.decision.remaining, 4 - i);
    tat = step.new_tat_us;
  }
  const auto refused = gcra(tat, now, limit, 1);
  EXPECT_FALSE(refused.decision.allowed);
  EXPECT_EQ(refused.decision.remaining, 0);
  EXPECT_EQ(refused.decision.retry_after_ms, 1000);
  EXPECT_EQ(refused.decision.reset_after_ms, 5000);
  EXPECT_EQ(refused.new_tat_us, tat) << "a refusal charges nothing";
  // One microsecond early is still too early; on time it passes.
  EXPECT_FALSE(gcra(tat, now + kSecond - 1, limit, 1).decision.allowed);
  EXPECT_TRUE(gcra(tat, now + kSecond, limit, 1).decision.allowed);
}

TEST(Gcra, SteadyRateIsSustainedAndIdleTimeRefillsToCapacityOnly) {
  const auto limit = per_minute(60, 2);
  std::int64_t tat = 0;
  std::int64_t now = 5'000 * kSecond;
  for (int i = 0; i < 100; ++i, now += kSecond) {
    const auto step = gcra(tat, now, limit, 1);
    ASSERT_TRUE(step.decision.allowed) << i;
    tat = step.new_tat_us;
  }
  // A long pause refills to the capacity (3), never beyond.
  now += 3600 * kSecond;
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    const auto step = gcra(tat, now, limit, 1);
    if (!step.decision.allowed) break;
    tat = step.new_tat_us;
    ++allowed;
  }
  EXPECT_EQ(allowed, 3);
}

TEST(Gcra, QuantityZeroProbesWithoutChargingAndOversizedRequestsNeverPass) {
  const auto limit = per_minute(60, 1);
  const std::int64_t now = 10 * kSecond;
  const auto probe = gcra(0, now, limit, 0);
  EXPECT_TRUE(probe.decision.allowed);
  EXPECT_EQ(probe.new_tat_us, now) << "nothing charged";
  auto s1 = gcra(0, now, limit, 2);  // the whole capacity at once
  ASSERT_TRUE(s1.decision.allowed);
  EXPECT_FALSE(gcra(s1.new_tat_us, now, limit, 0).decision.allowed);
  const auto big = gcra(0, now, limit, 3);
  EXPECT_FALSE(big.decision.allowed);
  EXPECT_GT(big.decision.retry_after_ms, 0);
}

TEST(Gcra, ADisabledLimitAlwaysAllows) {
  RateLimit off;
  EXPECT_FALSE(off.enabled());
  EXPECT_TRUE(gcra(0, 0, off, 1'000'000).decision.allowed);
}

// ---- the limiters, one contract for both backends

class LimiterContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      const auto url = testing::redis_test_url();
      if (!url) {
        if (testing::redis_required()) FAIL() << "Redis tests are required but EYEWEAR_TEST_REDIS_URL is not set";
        GTEST_SKIP() << "Redis not available";
      }
      storage::RedisOptions o;
      o.url = *url;
      redis_ = storage::Redis::open(o).value();
      prefix_ = testing::unique_redis_prefix();
      limiter_ = stores::make_redis_rate_limiter(*redis_, clock_, prefix_);
    } else {
      limiter_ = make_local_rate_limiter(clock_, 4096);
    }
  }
  void TearDown() override {
    if (redis_) {
      auto keys = redis_->command({"KEYS", prefix_ + "*"});
      if (keys) {
        for (const auto& k : keys->elements) (void)redis_->command({"DEL", k.text});
      }
    }
  }
  std::unique_ptr<RateLimiter> another_node() {
    if (!redis_) return nullptr;
    return stores::make_redis_rate_limiter(*redis_, clock_, prefix_);
  }

  platform::ManualClock clock_{platform::from_unix_ms(1'800'000'000'000)};
  std::unique_ptr<storage::Redis> redis_;
  std::string prefix_;
  std::unique_ptr<RateLimiter> limiter_;
};

TEST_P(LimiterContract, BurstThenExactRetryThenRecovery) {
  const auto limit = per_minute(6, 2);  // one per 10 s, three at once
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter_->acquire("k", limit).value().allowed) << i;
  const auto refused = limiter_->acquire("k", limit).value();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 10'000);
  clock_.advance(9'999ms);
  EXPECT_FALSE(limiter_->acquire("k", limit).value().allowed);
  clock_.advance(1ms);
  EXPECT_TRUE(limiter_->acquire("k", limit).value().allowed);
  // Other keys are independent.
  EXPECT_TRUE(limiter_->acquire("other", limit).value().allowed);
}

TEST_P(LimiterContract, ProbingDoesNotCharge) {
  const auto limit = per_minute(6, 0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter_->acquire("p", limit, 0).value().allowed);
  EXPECT_TRUE(limiter_->acquire("p", limit, 1).value().allowed);
  EXPECT_FALSE(limiter_->acquire("p", limit, 0).value().allowed);
}

TEST_P(LimiterContract, ExactUnderConcurrency) {
  const auto limit = per_minute(1, 24);  // 25 at once, then nothing for a minute
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (auto d = limiter_->acquire("hot", limit); d && d->allowed) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 25);
}

TEST_P(LimiterContract, TwoNodesShareOneBudget) {
  auto other = another_node();
  if (!other) GTEST_SKIP() << "only a shared store has nodes to share with";
  const auto limit = per_minute(1, 3);
  EXPECT_TRUE(limiter_->acquire("shared", limit).value().allowed);
  EXPECT_TRUE(other->acquire("shared", limit).value().allowed);
  EXPECT_TRUE(limiter_->acquire("shared", limit).value().allowed);
  EXPECT_TRUE(other->acquire("shared", limit).value().allowed);
  EXPECT_FALSE(limiter_->acquire("shared", limit).value().allowed);
  EXPECT_FALSE(other->acquire("shared", limit).value().allowed);
}

TEST_P(LimiterContract, SurvivesTheServerForgettingItsScripts) {
  if (!redis_) GTEST_SKIP() << "Redis only";
  const auto limit = per_minute(1, 1);
  ASSERT_TRUE(limiter_->acquire("s", limit).value().allowed);
  ASSERT_TRUE(redis_->command({"SCRIPT", "FLUSH"}).has_value());
  EXPECT_TRUE(limiter_->acquire("s", limit).value().allowed);
  EXPECT_FALSE(limiter_->acquire("s", limit).value().allowed);
}

INSTANTIATE_TEST_SUITE_P(Backends, LimiterContract, ::testing::Values("local", "redis"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(LocalLimiter, MemoryIsBoundedByMaxKeys) {
  platform::ManualClock clock(platform::from_unix_ms(1'000'000));
  auto limiter = make_local_rate_limiter(clock, 32 * 64);  // 64 keys per shard
  const auto limit = per_minute(1, 0);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(limiter->acquire("ip:" + std::to_string(i), limit).value().allowed);
  // The most recent key is still remembered (it was inserted after the last sweep).
  EXPECT_FALSE(limiter->acquire("ip:99999", limit).value().allowed);
}

TEST(RedisUrl, ParsesAndRefusesMalformedUrls) {
  auto ep = storage::parse_redis_url("redis://user:pw@cache.internal:6380/3").value();
  EXPECT_EQ(ep.host, "cache.internal");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.user, "user");
  EXPECT_EQ(ep.password, "pw");
  EXPECT_EQ(ep.database, 3);
  auto plain = storage::parse_redis_url("redis://127.0.0.1").value();
  EXPECT_EQ(plain.port, 6379);
  EXPECT_EQ(plain.database, 0);
  for (std::string_view bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/16", "redis://h:x"}) {
    auto r = storage::parse_redis_url(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, platform::ErrorCode::kValidationFailed);
    EXPECT_EQ(std::get<std::string>(*r.error().detail("field")), "EYEWEAR_REDIS_URL");
  }
}

TEST(RedisClient, AnUnreachableServerFailsFastAndTypedWithoutRetryingEveryCall) {
  storage::RedisOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(testing::free_port());
  o.timeout = 200ms;
  o.retry_interval = 60s;
  auto redis = storage::Redis::open(o).value();
  auto first = redis->command({"PING"});
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, platform::ErrorCode::kUnavailable);
  EXPECT_NE(first.error().internal.find("connect"), std::string::npos);
  auto second = redis->command({"PING"});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().internal.find("not retrying"), std::string::npos);
  EXPECT_FALSE(redis->ping().ok);
}

}  // namespace
}  // namespace eyewear::security
