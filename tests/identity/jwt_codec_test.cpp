#include "identity/jwt_codec.hpp"

#include <gtest/gtest.h>

namespace eyewear::identity::jwt_codec {
namespace {

TEST(JwtCodecTest, RoundTripsTheDialect) {
  const Object o = {{"sub", std::string("acc \"1\"\\\n")},
                    {"exp", std::int64_t{1800000000}},
                    {"neg", std::int64_t{-5}},
                    {"ok", true},
                    {"roles", std::vector<std::string>{"owner", "platform_admin"}},
                    {"unicode", std::string("Brillenträger 👓")}};
  const auto text = serialize(o);
  const auto back = parse(text);
  ASSERT_TRUE(back.has_value()) << text;
  EXPECT_EQ(*back, o);
}

TEST(JwtCodecTest, ReadsEscapesLikeJson) {
  const auto o = parse(R"( {"a" : "\u00e4\ud83d\udc53\/\t", "b":[] , "c":0} )");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(*get_string(*o, "a"), "ä👓/\t");
  EXPECT_EQ(get_int(*o, "c"), 0);
  EXPECT_EQ(get_string(*o, "c"), nullptr);
  EXPECT_FALSE(get_int(*o, "missing").has_value());
}

TEST(JwtCodecTest, RejectsEverythingOutsideTheDialect) {
  for (const char* bad : {"", "[]", "{", "{}x", R"({"a":1,})", R"({"a":1 "b":2})", R"({"a":{"nested":1}})",
                          R"({"a":1.5})", R"({"a":1e3})", R"({"a":01})", R"({"a":-})", R"({"a":"\x"})",
                          R"({"a":"\ud83d"})", R"({"a":"\udc53"})", "{\"a\":\"tab\there\"}", R"({"a":1,"a":2})",
                          R"({"a":[1,2]})", R"({"a":null})", R"({"a":tru})", R"({"a":12345678901234567890})",
                          R"({a:1})", R"({"a":"unterminated})"}) {
    EXPECT_FALSE(parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace eyewear::identity::jwt_codec
