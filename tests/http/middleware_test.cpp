#include "http/middleware.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace eyewear::http {
namespace {

TEST(MiddlewareTest, RequestIdValidation) {
  EXPECT_TRUE(is_valid_request_id("abc-123_x.y:z"));
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("new\nline"));
  EXPECT_FALSE(is_valid_request_id(std::string(129, 'a')));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'a')));
}

TEST(MiddlewareTest, AcceptEncodingNegotiation) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("identity"));
}

TEST(MiddlewareTest, GzipRoundTrip) {
  const std::string text(10000, 'x');
  auto z = gzip_compress(text);
  ASSERT_TRUE(z.has_value());
  EXPECT_LT(z->size(), text.size() / 10);
  EXPECT_EQ(*gzip_decompress(*z), text);
  EXPECT_FALSE(gzip_decompress("not gzip").has_value());
}

TEST(MiddlewareTest, JsonDepthIgnoresBracketsInStrings) {
  EXPECT_EQ(json_nesting_depth(R"({"a":[1,{"b":"[[[[\"]]"}]})", 100), 3);
  EXPECT_EQ(json_nesting_depth(std::string(1000, '['), 64), 65) << "stops counting past the limit";
  EXPECT_EQ(json_nesting_depth(R"(["a\\", ["b"]])", 100), 2) << "an even run of backslashes leaves the quote closing";
  EXPECT_EQ(json_nesting_depth(R"(["x\\\"[[", 1])", 100), 1) << "an odd run escapes it";
  EXPECT_EQ(json_nesting_depth(R"([["unterminated [[[)", 100), 2);
}

// The byte-at-a-time definition the quote-skipping implementation must agree with.
int reference_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

TEST(MiddlewareTest, JsonDepthAgreesWithTheByteLoopOnRandomText) {
  std::mt19937 rng(20261203);
  constexpr std::string_view kAlphabet = "{}[]\"\\\\a,";  // backslashes weighted up
  for (int round = 0; round < 20000; ++round) {
    std::string text(rng() % 64, ' ');
    for (auto& c : text) c = kAlphabet[rng() % kAlphabet.size()];
    const int limit = static_cast<int>(rng() % 8);
    ASSERT_EQ(json_nesting_depth(text, limit), reference_depth(text, limit)) << text << " limit " << limit;
  }
}

Exchange exchange_for(const Route* route, std::string body, std::string content_type) {
  Exchange ex;
  ex.route = route;
  ex.request.body = std::move(body);
  if (!content_type.empty()) ex.request.headers.add("Content-Type", std::move(content_type));
  return ex;
}

TEST(MiddlewareTest, BodyPolicyLimitsTypesAndJson) {
  Router router;
  RouteOptions json;
  json.body = BodyPolicy::kJson;
  const auto& route = router.add(Method::kPost, "/j", [](Exchange&) -> HandlerResult { return Response::no_content(); }, json);
  auto mw = make_body_policy(64, 1024);

  auto big = exchange_for(&route, std::string(65, ' '), "application/json");
  auto r = mw->before(big);
  ASSERT_TRUE(r && !r->has_value());
  EXPECT_EQ(r->error().code, ErrorCode::kPayloadTooLarge);

  auto wrong_type = exchange_for(&route, "{}", "text/plain");
  r = mw->before(wrong_type);
  ASSERT_TRUE(r && !r->has_value());
  EXPECT_EQ(r->error().code, ErrorCode::kUnsupportedMediaType);

  auto latin1 = exchange_for(&route, "{}", "application/json; charset=latin1");
  r = mw->before(latin1);
  ASSERT_TRUE(r && !r->has_value());
  EXPECT_EQ(r->error().code, ErrorCode::kUnsupportedMediaType);

  auto broken = exchange_for(&route, R"({"a": tru})", "application/json");
  r = mw->before(broken);
  ASSERT_TRUE(r && !r->has_value());
  EXPECT_EQ(r->error().code, ErrorCode::kInvalidJson);
  EXPECT_EQ(std::get<std::int64_t>(*r->error().detail("offset")), 10) << "1-based position of the offending byte";

  auto good = exchange_for(&route, R"({"a": true})", "Application/JSON; charset=UTF-8");
  EXPECT_FALSE(mw->before(good).has_value());
  ASSERT_TRUE(good.json.has_value());
  EXPECT_EQ((*good.json)["a"], true);
}

}  // namespace
}  // namespace eyewear::http
