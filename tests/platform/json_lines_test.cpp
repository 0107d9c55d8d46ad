#include "platform/json_lines.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "platform/json_depth.hpp"

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
    out.push_back(Seen{l.line, l.offset, l.depth(), dump});
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

// The depth is counted from the parsed document when it holds the whole line, else from the
// text: either way it is what the bracket count of the text says.
TEST(JsonLinesTest, DepthIsTheTextsBracketCountWhicheverWayItIsCounted) {
  const std::string nest40 = std::string(40, '[') + std::string(40, ']');
  const std::vector<std::string> lines = {
      "1",
      "\"[[{\"",
      "{}",
      "[[], [[]], {\"a\": [[[1]]]}]",
      "{\"a\": 1, \"a\": [[[[2]]]]}",  // the duplicate nlohmann drops is counted
      "{\"a\": [[[[2]]]], \"a\": 1}",
      "{\"n\": 123456789012345678901, \"a\": [[[1]]], \"a\": 2}",  // read through nlohmann's dump
      "{\"s\": \"]]]}}}\\\"[[[\", \"t\": [{}]}",
      "{\"m\": " + nest40 + "}",
      std::string(64, '[') + std::string(64, ']'),
      std::string(65, '[') + std::string(65, ']'),
      std::string(900, '[') + std::string(900, ']'),
      "[[[ not json",
      "{\"a\": [1, 2}",
  };
  std::string body;
  for (const auto& l : lines) body += l + "\n";
  std::size_t i = 0;
  std::size_t from_document = 0;
  for_each_json_line(body, [&](const JsonLine& l) {
    EXPECT_EQ(l.text, lines[i]);
    EXPECT_EQ(l.depth(), json_nesting_depth(lines[i], kJsonLineDepthCap)) << lines[i];
    from_document += l.value && l.value_is_text ? 1 : 0;
    ++i;
    return true;
  });
  EXPECT_EQ(i, lines.size());
  EXPECT_EQ(from_document, lines.size() - 3) << "all but the two broken lines and the 21-digit one";
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
