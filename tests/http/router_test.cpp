#include "http/router.hpp"

#include <gtest/gtest.h>

namespace eyewear::http {
namespace {

HandlerResult ok(Exchange&) { return Response::no_content(); }

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router r;
  r.add(Method::kGet, "/api/v1/products", ok);
  r.add(Method::kGet, "/api/v1/products/{id}", ok);
  r.add(Method::kPatch, "/api/v1/products/{id}", ok);
  r.add(Method::kGet, "/api/v1/products/stats", ok);

  auto m = r.match(Method::kGet, "/api/v1/products/abc%20def");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/products/{id}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "abc def");

  auto stats = r.match(Method::kGet, "/api/v1/products/stats");
  ASSERT_NE(stats.route, nullptr);
  EXPECT_EQ(stats.route->pattern, "/api/v1/products/stats") << "literal segments win over parameters";
}

TEST(RouterTest, WrongMethodListsAllowedMethodsFromTheTable) {
  Router r;
  r.add(Method::kGet, "/things/{id}", ok);
  r.add(Method::kDelete, "/things/{id}", ok);
  auto m = r.match(Method::kPost, "/things/1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_found);
  EXPECT_EQ(allow_header(m.allowed), "GET, HEAD, DELETE, OPTIONS");
}

TEST(RouterTest, UnknownPathsAndHead) {
  Router r;
  r.add(Method::kGet, "/a/b", ok);
  EXPECT_FALSE(r.match(Method::kGet, "/a").path_found);
  EXPECT_FALSE(r.match(Method::kGet, "/a/b/c").path_found);
  EXPECT_NE(r.match(Method::kHead, "/a/b").route, nullptr) << "HEAD is served by the GET route";
  EXPECT_NE(r.match(Method::kGet, "//a//b").route, nullptr);
}

TEST(RouterTest, MalformedParameterEncodingIsFlagged) {
  Router r;
  r.add(Method::kGet, "/x/{id}", ok);
  EXPECT_TRUE(r.match(Method::kGet, "/x/%zz").bad_encoding);
  EXPECT_TRUE(r.match(Method::kGet, "/x/%4").bad_encoding);
}

TEST(RouterTest, DuplicateRoutesAreRejectedAtStartup) {
  Router r;
  r.add(Method::kGet, "/x/{id}", ok);
  EXPECT_THROW(r.add(Method::kGet, "/x/{id}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::kGet, "/x/{other}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::kGet, "relative", ok), std::logic_error);
}

TEST(RouterTest, QueryStringsAreDecoded) {
  const auto q = parse_query("q=sun+glasses&brand=Ray%2DBan&empty=&bad=%G1&=novalue&flag");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"q", "sun glasses"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"brand", "Ray-Ban"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"flag", ""}));
}

}  // namespace
}  // namespace eyewear::http
