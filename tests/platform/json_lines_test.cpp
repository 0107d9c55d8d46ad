#include "platform/json_lines.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eyewear::platform {
namespace {

struct Seen {
  std::size_t line = 0;
  std::size_t offset = 0;
  int depth = 0;
  std::string dump;  // "-" when the line is not JSON
};

std::vector<Seen> read_all(std::string_view body) {
  std::vector<Seen> out;
  for_each_json_line(body, [&](const JsonLine& l) {
    std::string dump = "-";
    if (l.value) {
      dump.clear();
      l.value->dump(dump);
    }
    out.push_back(Seen{l.line, l.offset, l.depth, dump});
    return true;
  });
  return out;
}

TEST(JsonLinesTest, VisitsNonBlankLinesWithTheirLineNumberAndOffset) {
  const std::string body = "\xEF\xBB\xBF{\"a\":1}\r\n\n  \t\r\n[1,2]  \nnot json\n{\"b\":\"x\\ny\"}";
  const auto lines = read_all(body);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].line, 1u);
  EXPECT_EQ(lines[0].offset, 3u);  // after the byte order mark
  EXPECT_EQ(lines[0].dump, "{\"a\":1}");
  EXPECT_EQ(lines[0].depth, 1);
  EXPECT_EQ(lines[1].line, 4u);  // blank lines are counted
  EXPECT_EQ(lines[1].offset, body.find("[1,2]"));
  EXPECT_EQ(lines[1].dump, "[1,2]");
  EXPECT_EQ(lines[2].line, 5u);
  EXPECT_EQ(lines[2].dump, "-");
  EXPECT_EQ(lines[2].offset, body.find("not json"));
  EXPECT_EQ(lines[3].line, 6u);
  EXPECT_EQ(lines[3].dump, "{\"b\":\"x\\ny\"}");
}

TEST(JsonLinesTest, CountsDepthUpToTheCapAndStillParses) {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  const std::string deeper = std::string(100, '[') + std::string(100, ']');
  const auto lines = read_all(deep + "\n" + deeper + "\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].depth, 40);
  EXPECT_EQ(lines[0].dump, deep);
  EXPECT_EQ(lines[1].depth, kJsonLineDepthCap + 1);
  EXPECT_EQ(lines[1].dump, deeper);
}

TEST(JsonLinesTest, EmptyAndBlankBodiesHaveNoLines) {
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\n\r\n \t \n").empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF").empty());
}

// Each line is read on its own: a line after a long one, an invalid one or one nlohmann reads
// and simdjson does not (a 20-digit integer) is read as if it came first.
TEST(JsonLinesTest, LinesDoNotLeakIntoEachOther) {
  const std::string longer = "{\"a\":\"" + std::string(5000, 'x') + "\"}";
  const std::string body = longer + "\n{\"b\":2}\n{\"c\":\n{\"d\":123456789012345678901}\n[true]\n";
  const auto lines = read_all(body);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].dump, longer);
  EXPECT_EQ(lines[1].dump, "{\"b\":2}");
  EXPECT_EQ(lines[2].dump, "-");
  EXPECT_EQ(lines[3].dump, nlohmann::json::parse("{\"d\":123456789012345678901}").dump());
  EXPECT_EQ(lines[4].dump, "[true]");
}

TEST(JsonLinesTest, StopsWhenTheVisitorSaysSo) {
  std::size_t visited = 0;
  for_each_json_line("1\n2\n3\n4\n", [&](const JsonLine&) { return ++visited < 2; });
  EXPECT_EQ(visited, 2u);
}

}  // namespace
}  // namespace eyewear::platform
