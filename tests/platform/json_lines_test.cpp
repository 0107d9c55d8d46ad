#include "platform/json_lines.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace eyewear::platform {
namespace {

TEST(JsonLinesTest, KeepsNonBlankLinesWithTheirLineNumberAndOffset) {
  const std::string body = "\xEF\xBB\xBF{\"a\":1}\r\n\n  \t\r\n[1,2]  \nnot json\n{\"b\":\"x\\ny\"}";
  const auto parsed = parse_json_lines(body);
  EXPECT_TRUE(parsed.rest.empty());
  const auto& lines = parsed.lines;
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
  const auto lines = parse_json_lines(deep + "\n" + deeper + "\n").lines;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].depth, 40);
  EXPECT_FALSE(lines[0].value.is_discarded());
  EXPECT_EQ(lines[1].depth, kJsonLineDepthCap + 1);
  EXPECT_FALSE(lines[1].value.is_discarded());
}

TEST(JsonLinesTest, EmptyAndBlankBodiesHaveNoLines) {
  EXPECT_TRUE(parse_json_lines("").lines.empty());
  EXPECT_TRUE(parse_json_lines("\n\r\n \t \n").lines.empty());
  EXPECT_TRUE(parse_json_lines("\xEF\xBB\xBF").lines.empty());
  EXPECT_TRUE(parse_json_lines("\n\n", 0).rest.empty()) << "nothing but blank lines: nothing left over";
}

// Lines past `keep` are not held: the rest is read one line at a time, with the same numbers and
// offsets as if it had been kept.
TEST(JsonLinesTest, LinesPastKeepAreReadOneAtATimeAlike) {
  const std::string body = "\xEF\xBB\xBF{\"a\":1}\n\n[2]\r\nnope\n  \n{\"d\":4}\n";
  const auto all = parse_json_lines(body);
  ASSERT_EQ(all.lines.size(), 4u);
  for (std::size_t keep = 0; keep <= 5; ++keep) {
    const auto some = parse_json_lines(body, keep);
    EXPECT_EQ(some.lines.size(), std::min<std::size_t>(keep, 4)) << keep;
    EXPECT_EQ(some.rest.empty(), keep >= 4) << keep;
    std::vector<JsonLine> seen(some.lines.begin(), some.lines.end());
    for_each_rest_line(some, [&](const JsonLine& l) {
      seen.push_back(l);
      return true;
    });
    ASSERT_EQ(seen.size(), all.lines.size()) << keep;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i].line, all.lines[i].line) << keep << " " << i;
      EXPECT_EQ(seen[i].offset, all.lines[i].offset) << keep << " " << i;
      EXPECT_EQ(seen[i].depth, all.lines[i].depth) << keep << " " << i;
      EXPECT_EQ(seen[i].value.is_discarded(), all.lines[i].value.is_discarded()) << keep << " " << i;
      if (!seen[i].value.is_discarded()) {
        EXPECT_EQ(seen[i].value, all.lines[i].value) << keep << " " << i;
      }
    }
  }
  std::size_t visited = 0;
  for_each_rest_line(parse_json_lines(body, 0), [&](const JsonLine&) { return ++visited < 2; });
  EXPECT_EQ(visited, 2u) << "stops when the visitor says so";
}

}  // namespace
}  // namespace eyewear::platform
