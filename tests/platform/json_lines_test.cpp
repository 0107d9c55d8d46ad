#include "platform/json_lines.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eyewear::platform {
namespace {

TEST(JsonLinesTest, KeepsNonBlankLinesWithTheirLineNumberAndOffset) {
  const std::string body = "\xEF\xBB\xBF{\"a\":1}\r\n\n  \t\r\n[1,2]  \nnot json\n{\"b\":\"x\\ny\"}";
  const auto lines = parse_json_lines(body);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].line, 1u);
  EXPECT_EQ(lines[0].offset, 3u);  // after the byte order mark
  EXPECT_EQ(lines[0].value, nlohmann::json({{"a", 1}}));
  EXPECT_EQ(lines[0].depth, 1);
  EXPECT_EQ(lines[1].line, 4u);  // blank lines are counted
  EXPECT_EQ(lines[1].offset, body.find("[1,2]"));
  EXPECT_EQ(lines[1].value, nlohmann::json::array({1, 2}));
  EXPECT_EQ(lines[2].line, 5u);
  EXPECT_TRUE(lines[2].value.is_discarded());
  EXPECT_EQ(lines[2].offset, body.find("not json"));
  EXPECT_EQ(lines[3].line, 6u);
  EXPECT_EQ(lines[3].value["b"], "x\ny");
}

TEST(JsonLinesTest, CountsDepthUpToTheCapAndStillParses) {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  const std::string deeper = std::string(100, '[') + std::string(100, ']');
  const auto lines = parse_json_lines(deep + "\n" + deeper + "\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].depth, 40);
  EXPECT_FALSE(lines[0].value.is_discarded());
  EXPECT_EQ(lines[1].depth, kJsonLineDepthCap + 1);
  EXPECT_FALSE(lines[1].value.is_discarded());
}

TEST(JsonLinesTest, EmptyAndBlankBodiesHaveNoLines) {
  EXPECT_TRUE(parse_json_lines("").empty());
  EXPECT_TRUE(parse_json_lines("\n\r\n \t \n").empty());
  EXPECT_TRUE(parse_json_lines("\xEF\xBB\xBF").empty());
}

}  // namespace
}  // namespace eyewear::platform
