#include "http/errors.hpp"

#include <gtest/gtest.h>

namespace eyewear::http {
namespace {

TEST(ErrorsTest, EveryCodeHasAStatusAndAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kDecryptionFailed); ++c) {
    const auto code = static_cast<ErrorCode>(c);
    const int status = status_for(code);
    EXPECT_GE(status, 400) << platform::code_name(code);
    EXPECT_LT(status, 600);
    EXPECT_FALSE(platform::code_name(code).empty());
    EXPECT_NE(reason_phrase(status), "Unknown") << status;
  }
  EXPECT_EQ(status_for(ErrorCode::kValidationFailed), 422);
  EXPECT_EQ(status_for(ErrorCode::kInvalidJson), 400);
  EXPECT_EQ(status_for(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(status_for(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(status_for(ErrorCode::kTooManyAttempts), 429);
  EXPECT_EQ(status_for(ErrorCode::kInternal), 500);
  EXPECT_EQ(status_for(ErrorCode::kDecryptionFailed), 500);
}

TEST(ErrorsTest, BodyHasTheOneEnvelope) {
  const auto r = error_response(platform::Error::validation("email", "format", "email is not valid"), "rid-1");
  EXPECT_EQ(r.status, 422);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "VALIDATION_FAILED");
  EXPECT_EQ(j["error"]["message"], "email is not valid");
  EXPECT_EQ(j["error"]["details"]["field"], "email");
  EXPECT_EQ(j["error"]["details"]["rule"], "format");
  EXPECT_EQ(j["error"]["request_id"], "rid-1");
  EXPECT_EQ(j.size(), 1u);
}

TEST(ErrorsTest, InternalDetailNeverLeaks) {
  const auto r = error_response(platform::Error::internal_error("SELECT secret FROM vault"), "rid");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("vault"), std::string::npos);
}

TEST(ErrorsTest, RetryAfterAndWwwAuthenticate) {
  const auto limited = error_response(
      platform::Error(ErrorCode::kTooManyAttempts, "locked", {{"retry_after_seconds", std::int64_t{900}}}), "r");
  EXPECT_EQ(*limited.headers.get("Retry-After"), "900");
  const auto unauth = error_response(platform::Error(ErrorCode::kTokenExpired, "expired"), "r");
  EXPECT_EQ(unauth.status, 401);
  EXPECT_NE(unauth.headers.get("WWW-Authenticate")->find("invalid_token"), std::string_view::npos);
}

}  // namespace
}  // namespace eyewear::http
