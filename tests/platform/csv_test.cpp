#include "platform/csv.hpp"

#include <gtest/gtest.h>

namespace eyewear::platform::csv {
namespace {

using Records = std::vector<std::vector<std::string>>;

Result<Records> read_all(std::string_view text, Limits limits = {}) {
  Reader reader(text, limits);
  Records out;
  std::vector<std::string> fields;
  while (true) {
    EW_ASSIGN_OR_RETURN(const bool more, reader.next(fields));
    if (!more) return out;
    out.push_back(fields);
  }
}

TEST(Csv, PlainRecordsWithLfAndCrlf) {
  auto r = read_all("sku,name\r\nA-1,Aviator\nA-2,Round");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Records{{"sku", "name"}, {"A-1", "Aviator"}, {"A-2", "Round"}}));
}

TEST(Csv, QuotedCommasQuotesAndNewlines) {
  auto r = read_all("a,b,c\n\"52,18\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1], (std::vector<std::string>{"52,18", "say \"hi\"", "two\nlines"}));
}

TEST(Csv, ByteOrderMarkIsSkippedAndEmptyFieldsKept) {
  auto r = read_all("\xEF\xBB\xBFsku,name,\n,,x\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Records{{"sku", "name", ""}, {"", "", "x"}}));
}

TEST(Csv, BlankLinesAreSkippedAndRecordLinesCountQuotedNewlines) {
  Reader reader("h\n\n\"a\nb\"\nc\n");
  std::vector<std::string> f;
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(reader.record_line(), 1u);
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(reader.record_line(), 3u);
  EXPECT_EQ(f[0], "a\nb");
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(reader.record_line(), 5u);
  EXPECT_FALSE(reader.next(f).value());
}

TEST(Csv, MalformedInputIsRefusedWithLineAndOffset) {
  for (std::string_view bad : {"a,b\n\"open", "a,b\nx\"y,z\n", "a,\"b\"c\n"}) {
    auto r = read_all(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(std::get<std::string>(*r.error().detail("rule")), "csv");
    EXPECT_NE(r.error().detail("line"), nullptr);
    EXPECT_NE(r.error().detail("offset"), nullptr);
  }
  auto r = read_all("a,b\nx\"y\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(std::get<std::int64_t>(*r.error().detail("line")), 2);
}

TEST(Csv, LimitsAreEnforced) {
  Limits limits;
  limits.max_field_bytes = 4;
  limits.max_fields = 3;
  EXPECT_FALSE(read_all("abcde\n", limits));
  EXPECT_FALSE(read_all("\"abcde\"\n", limits));
  EXPECT_FALSE(read_all("a,b,c,d\n", limits));
  EXPECT_TRUE(read_all("abcd,b,c\n", limits));
}

TEST(Csv, WriterRoundTripsThroughReader) {
  const std::vector<std::string> fields{"plain", "with,comma", "with \"quote\"", "multi\r\nline", " padded ", ""};
  std::string out;
  append_record(out, fields);
  append_record(out, {"x"});
  auto r = read_all(out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Records{fields, {"x"}}));
}

TEST(Csv, EdgeRecordsSurviveTheRoundTrip) {
  std::string out;
  append_record(out, {"\xEF\xBB\xBFstarts with a BOM", "x"});
  append_record(out, {""});
  append_record(out, {"last"});
  auto r = read_all(out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Records{{"\xEF\xBB\xBFstarts with a BOM", "x"}, {""}, {"last"}}));
}

TEST(Csv, ALoneCarriageReturnEndsALine) {
  Reader reader("a\rb\r\rc\r\n");
  std::vector<std::string> f;
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(reader.record_line(), 1u);
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(f[0], "b");
  EXPECT_EQ(reader.record_line(), 2u);
  ASSERT_TRUE(reader.next(f).value());
  EXPECT_EQ(f[0], "c");
  EXPECT_EQ(reader.record_line(), 4u);
}

TEST(Csv, FormulaCellsAreNeutralisedReversibly) {
  for (std::string_view cell : {"=SUM(A1)", "+1", "-20% off", "@cmd", "\tx", "\rx"}) {
    EXPECT_TRUE(looks_like_formula(cell)) << cell;
    const auto safe = neutralise_formula(cell);
    EXPECT_EQ(safe.front(), '\'');
    EXPECT_EQ(restore_formula(safe), cell);
  }
  for (std::string_view cell : {"Aviator", "52-18-140", "'quoted", "'", ""}) {
    EXPECT_FALSE(looks_like_formula(cell)) << cell;
    EXPECT_EQ(restore_formula(neutralise_formula(cell)), cell);
  }
  EXPECT_EQ(neutralise_formula("Aviator"), "Aviator");
}

}  // namespace
}  // namespace eyewear::platform::csv
