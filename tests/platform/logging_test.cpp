#include "platform/logging.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "platform/request_context.hpp"

namespace eyewear::platform {
namespace {

TEST(LoggingTest, LinesAreValidJsonWithFields) {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger(sink, LogLevel::kInfo);
  logger.info("hello \"world\"\n", {{"count", 3}, {"ratio", 0.5}, {"ok", true}, {"name", "a\x01" "b"}});
  logger.debug("hidden");
  const auto lines = sink->lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "hello \"world\"\n");
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["name"], "a\x01" "b");
  EXPECT_TRUE(j.contains("ts"));
}

TEST(LoggingTest, CurrentRequestIdIsAttached) {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger(sink, LogLevel::kInfo);
  {
    RequestScope scope("req-123");
    logger.warn("inside");
  }
  logger.warn("outside");
  const auto lines = sink->lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["request_id"], "req-123");
  EXPECT_FALSE(nlohmann::json::parse(lines[1]).contains("request_id"));
}

}  // namespace
}  // namespace eyewear::platform
