#include "platform/logging.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "platform/request_context.hpp"
#include "support/mixed_bytes.hpp"

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

// append_json_string checks eight bytes at a time: every byte value at every offset of strings
// of 1 to 24 bytes (three words), against a byte-by-byte reference (kLog) and nlohmann's dump (kDump).
std::string reference_escape(std::string_view s, JsonEscape style) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    char buf[8];
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (style == JsonEscape::kDump && c == '\b') {
      out += "\\b";
    } else if (style == JsonEscape::kDump && c == '\f') {
      out += "\\f";
    } else if (c < 0x20 || (c == 0x7f && style == JsonEscape::kLog)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

TEST(LoggingTest, JsonStringsEscapeEveryByteAtEveryOffset) {
  for (const auto style : {JsonEscape::kLog, JsonEscape::kDump}) {
    for (int byte = 0; byte < 256; ++byte) {
      for (std::size_t len = 1; len <= 24; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
          std::string s(len, 'a');
          s[at] = static_cast<char>(byte);
          std::string out;
          append_json_string(out, s, style);
          ASSERT_EQ(out, reference_escape(s, style)) << "byte " << byte << " at " << at << " of " << len;
          if (style == JsonEscape::kDump && byte < 0x80) {
            ASSERT_EQ(out, nlohmann::json(s).dump()) << byte;
          }
        }
      }
    }
  }
  // Mixed strings: escapes next to bytes of 0x80 and above, several to a word.
  testing::MixedBytes mixed(42);
  for (int n = 0; n < 20'000; ++n) {
    const auto s = mixed.next(64, 4);
    for (const auto style : {JsonEscape::kLog, JsonEscape::kDump}) {
      std::string out;
      append_json_string(out, s, style);
      ASSERT_EQ(out, reference_escape(s, style)) << n;
    }
  }
  std::string empty;
  append_json_string(empty, "");
  EXPECT_EQ(empty, "\"\"");
  const std::string prose = "Café — \"round\" acetate\tframe, 52□18-140\\ ok\x7f";
  std::string out;
  append_json_string(out, prose, JsonEscape::kDump);
  EXPECT_EQ(out, nlohmann::json(prose).dump());
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
