#include "platform/perf_monitor.hpp"

#include <gtest/gtest.h>

namespace eyewear::platform {
namespace {

class PerfMonitorTest : public ::testing::Test {
 protected:
  std::shared_ptr<CaptureSink> sink = std::make_shared<CaptureSink>();
  Logger logger{sink, LogLevel::kInfo};
  Registry registry;
  ManualClock clock{from_unix_ms(1'800'000'000'000)};
};

TEST_F(PerfMonitorTest, OperationsOverThresholdAreLoggedCountedAndReported) {
  PerfConfig config;
  config.default_threshold = std::chrono::milliseconds(100);
  config.thresholds["db.query"] = std::chrono::milliseconds(10);
  config.thresholds["GET /special"] = std::chrono::milliseconds(1);
  PerfMonitor monitor(config, registry, logger, clock);

  auto& query = monitor.operation("db.query", "sqlite: SELECT accounts");
  auto& special = monitor.operation("http.request", "GET /special");
  auto& plain = monitor.operation("http.request", "GET /plain");
  EXPECT_EQ(query.threshold(), std::chrono::milliseconds(10));
  EXPECT_EQ(special.threshold(), std::chrono::milliseconds(1));
  EXPECT_EQ(plain.threshold(), std::chrono::milliseconds(100));

  monitor.record(query, std::chrono::milliseconds(5));
  EXPECT_FALSE(sink->contains("slow operation"));
  monitor.record(query, std::chrono::milliseconds(25));
  EXPECT_TRUE(sink->contains("\"msg\":\"slow operation\""));
  EXPECT_TRUE(sink->contains("\"operation\":\"sqlite: SELECT accounts\""));

  clock.advance(std::chrono::hours(2));
  monitor.record(query, std::chrono::milliseconds(30));

  const auto text = registry.render();
  EXPECT_NE(text.find("eyewear_slow_operations_total{kind=\"db.query\",operation=\"sqlite: SELECT accounts\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("eyewear_db_query_duration_seconds_count{operation=\"sqlite: SELECT accounts\"} 3"),
            std::string::npos);

  for (const auto& r : monitor.report()) {
    if (r.name != "sqlite: SELECT accounts") continue;
    EXPECT_EQ(r.count, 3u);
    EXPECT_EQ(r.breaches_total, 2u);
    EXPECT_EQ(r.breaches_last_hour, 1u);
    EXPECT_EQ(r.breaches_last_day, 2u);
    EXPECT_GT(r.p99_ms, r.p50_ms);
  }
}

TEST_F(PerfMonitorTest, SameOperationIsReturnedTwice) {
  PerfMonitor monitor(PerfConfig{}, registry, logger, clock);
  EXPECT_EQ(&monitor.operation("k", "a"), &monitor.operation("k", "a"));
  EXPECT_NE(&monitor.operation("k", "a"), &monitor.operation("j", "a"));
}

}  // namespace
}  // namespace eyewear::platform
