#include "platform/metrics.hpp"

#include <gtest/gtest.h>

namespace eyewear::platform {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesInExpositionFormat) {
  Registry r;
  auto& requests = r.counter("eyewear_test_total", "Test counter", {"method", "status"});
  requests.with({"GET", "200"}).inc();
  requests.with({"GET", "200"}).inc(2);
  requests.with({"POST", "4\"0\\4"}).inc();
  r.gauge("eyewear_test_gauge", "Test gauge").with({}).set(2.5);
  const auto text = r.render();
  EXPECT_NE(text.find("# TYPE eyewear_test_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_total{method=\"GET\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_total{method=\"POST\",status=\"4\\\"0\\\\4\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_gauge 2.5\n"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("eyewear_test_seconds", "Test histogram", {"op"}, {0.1, 1.0}).with({"x"});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5.0);
  const auto text = r.render();
  EXPECT_NE(text.find("eyewear_test_seconds_bucket{op=\"x\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("eyewear_test_seconds_bucket{op=\"x\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_seconds_bucket{op=\"x\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_seconds_count{op=\"x\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("eyewear_test_seconds_sum{op=\"x\"} 5.55\n"), std::string::npos);
}

TEST(MetricsTest, QuantilesInterpolateWithinBuckets) {
  Histogram h({1.0, 2.0, 4.0});
  for (int i = 0; i < 50; ++i) h.observe(0.5);
  for (int i = 0; i < 50; ++i) h.observe(1.5);
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.quantile(0.5), 1.0);
  EXPECT_NEAR(s.quantile(0.99), 1.98, 1e-9);
  EXPECT_EQ(Histogram({1.0}).snapshot().quantile(0.5), 0.0);
}

TEST(MetricsTest, CollectorsAppendAtScrapeTime) {
  Registry r;
  int calls = 0;
  r.add_collector([&](std::string& out) {
    ++calls;
    out += "custom_metric 1\n";
  });
  EXPECT_NE(r.render().find("custom_metric 1"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace eyewear::platform
