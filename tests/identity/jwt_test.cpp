#include "identity/jwt.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "platform/crypto.hpp"
#include "support/environment.hpp"

namespace eyewear::identity {
namespace {

using platform::ErrorCode;

class JwtTest : public ::testing::TestWithParam<JwtAlgorithm> {
 protected:
  void SetUp() override {
    KeyRingOptions o;
    o.directory = dir.path() + "/jwt";
    o.algorithm = GetParam();
    o.token_ttl = std::chrono::minutes(15);
    auto ring = KeyRing::open(o, clock, random);
    ASSERT_TRUE(ring.has_value()) << ring.error().internal;
    keys = std::move(*ring);
    tokens = std::make_unique<TokenService>(*keys, clock, "https://eyewear.test", "eyewear-api");
  }

  AccessClaims claims() {
    AccessClaims c;
    c.subject = "acc-1";
    c.manufacturer_id = "man-1";
    c.tier = "free";
    c.roles = {"owner"};
    c.session_id = "ses-1";
    c.token_id = "jti-1";
    c.issued_at = platform::to_unix_seconds(clock.now());
    c.expires_at = c.issued_at + 900;
    return c;
  }

  std::string reason_of(const platform::Result<AccessClaims>& r) {
    if (r) return "accepted";
    const auto* reason = r.error().detail("reason");
    return reason ? std::get<std::string>(*reason) : "?";
  }

  // Re-signs a token's header and payload with an arbitrary HMAC key (for forgery attempts).
  static std::string forge(const nlohmann::json& header, const nlohmann::json& payload, const std::string& key) {
    const auto input = platform::base64url_encode(header.dump()) + "." + platform::base64url_encode(payload.dump());
    return input + "." + platform::base64url_encode(platform::hmac_sha256(key, input));
  }

  static nlohmann::json part(const std::string& token, int index) {
    std::size_t start = 0;
    for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
    const auto end = token.find('.', start);
    return nlohmann::json::parse(*platform::base64url_decode(token.substr(start, end - start)));
  }

  testing::TempDir dir;
  platform::ManualClock clock{platform::from_unix_ms(1'800'000'000'000)};
  platform::SecureRandom random;
  std::unique_ptr<KeyRing> keys;
  std::unique_ptr<TokenService> tokens;
};

TEST_P(JwtTest, IssuedTokensVerifyWithEveryClaim) {
  auto token = tokens->issue(claims());
  ASSERT_TRUE(token.has_value());
  const auto header = part(*token, 0);
  EXPECT_EQ(header["typ"], "at+jwt");
  EXPECT_EQ(header["kid"], keys->current_kid());
  const auto payload = part(*token, 1);
  for (const char* claim : {"iss", "aud", "sub", "mid", "tier", "roles", "sid", "jti", "iat", "exp", "typ"}) {
    EXPECT_TRUE(payload.contains(claim)) << claim;
  }
  auto verified = tokens->verify(*token);
  ASSERT_TRUE(verified.has_value()) << reason_of(verified);
  EXPECT_EQ(verified->subject, "acc-1");
  EXPECT_EQ(verified->manufacturer_id, "man-1");
  EXPECT_EQ(verified->session_id, "ses-1");
  EXPECT_EQ(verified->roles, std::vector<std::string>{"owner"});
}

TEST_P(JwtTest, ExpiredAndNotYetValidTokensAreRefused) {
  auto token = *tokens->issue(claims());
  ASSERT_TRUE(tokens->verify(token).has_value());  // also cached now
  clock.advance(std::chrono::minutes(15));
  auto expired = tokens->verify(token);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::kTokenExpired);

  auto c = claims();
  c.not_before = c.issued_at + 600;
  auto early = tokens->verify(*tokens->issue(c));
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(reason_of(early), "not_yet_valid");
}

TEST_P(JwtTest, WrongIssuerAudienceTypeAndTamperingAreRefused) {
  auto c = claims();
  c.issuer = "https://evil.example";
  EXPECT_EQ(reason_of(tokens->verify(*tokens->issue(c))), "issuer");
  c = claims();
  c.audience = "another-api";
  EXPECT_EQ(reason_of(tokens->verify(*tokens->issue(c))), "audience");

  const auto token = *tokens->issue(claims());
  auto payload = part(token, 1);
  payload["sub"] = "someone-else";
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  const auto tampered = token.substr(0, dot1) + "." + platform::base64url_encode(payload.dump()) + token.substr(dot2);
  EXPECT_EQ(reason_of(tokens->verify(tampered)), "signature");

  auto flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(reason_of(tokens->verify(flipped)), "signature");

  EXPECT_EQ(reason_of(tokens->verify("not.a.jwt")), "malformed");
  EXPECT_EQ(reason_of(tokens->verify("onlyone")), "malformed");
  EXPECT_EQ(reason_of(tokens->verify("a.b.c.d")), "malformed");
  EXPECT_EQ(reason_of(tokens->verify("")), "malformed");
}

TEST_P(JwtTest, AlgNoneAndAlgorithmConfusionAreRefused) {
  const auto token = *tokens->issue(claims());
  auto header = part(token, 0);
  const auto payload = part(token, 1);

  header["alg"] = "none";
  const auto none = platform::base64url_encode(header.dump()) + "." + platform::base64url_encode(payload.dump()) + ".";
  EXPECT_EQ(reason_of(tokens->verify(none)), "algorithm");

  // HS256 keyed with what an attacker can see (the published JWKS) must not pass for ES256,
  // and an HS256 deployment refuses ES256-labelled tokens.
  header["alg"] = GetParam() == JwtAlgorithm::kES256 ? "HS256" : "ES256";
  EXPECT_EQ(reason_of(tokens->verify(forge(header, payload, keys->jwks_json()))), "algorithm");

  header = part(token, 0);
  header["typ"] = "JWT";
  EXPECT_EQ(reason_of(tokens->verify(forge(header, payload, "k"))), "type");

  header = part(token, 0);
  header["kid"] = "no-such-key";
  EXPECT_EQ(reason_of(tokens->verify(forge(header, payload, "k"))), "unknown_key");
}

TEST_P(JwtTest, RotationKeepsOldTokensValidUntilTheyExpire) {
  const auto old_kid = keys->current_kid();
  const auto old_token = *tokens->issue(claims());
  auto rotated = keys->rotate();
  ASSERT_TRUE(rotated.has_value());
  EXPECT_NE(*rotated, old_kid);
  const auto new_token = *tokens->issue(claims());
  EXPECT_EQ(part(new_token, 0)["kid"], *rotated);
  EXPECT_TRUE(tokens->verify(old_token).has_value()) << "tokens of the retired key still verify";
  EXPECT_TRUE(tokens->verify(new_token).has_value());
  if (GetParam() == JwtAlgorithm::kES256) {
    EXPECT_EQ(nlohmann::json::parse(keys->jwks_json())["keys"].size(), 2u);
    clock.advance(std::chrono::minutes(16));
    const auto jwks = nlohmann::json::parse(keys->jwks_json());
    ASSERT_EQ(jwks["keys"].size(), 1u) << "the retired key leaves the JWKS once its tokens expired";
    EXPECT_EQ(jwks["keys"][0]["kid"], *rotated);
  } else {
    EXPECT_EQ(nlohmann::json::parse(keys->jwks_json())["keys"].size(), 0u) << "symmetric keys are never published";
  }
}

TEST_P(JwtTest, AnotherProcessSeesARotationOnItsNextUnknownKid) {
  KeyRingOptions o;
  o.directory = dir.path() + "/jwt";
  o.algorithm = GetParam();
  auto other = KeyRing::open(o, clock, random);
  ASSERT_TRUE(other.has_value());
  TokenService other_tokens(**other, clock, "https://eyewear.test", "eyewear-api");
  ASSERT_TRUE((*other)->rotate().has_value());  // e.g. `eyewear keys rotate-signing`
  const auto token = *other_tokens.issue(claims());
  EXPECT_TRUE(tokens->verify(token).has_value()) << "the first ring reloads the manifest on an unknown kid";
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtTest, ::testing::Values(JwtAlgorithm::kES256, JwtAlgorithm::kHS256),
                         [](const ::testing::TestParamInfo<JwtAlgorithm>& param_info) {
                           return std::string(param_info.param == JwtAlgorithm::kES256 ? "ES256" : "HS256");
                         });

TEST(JwtKeysTest, Es256JwksHasCoordinatesOfP256) {
  testing::TempDir dir;
  platform::SystemClock clock;
  platform::SecureRandom random;
  KeyRingOptions o;
  o.directory = dir.path();
  auto ring = KeyRing::open(o, clock, random);
  ASSERT_TRUE(ring.has_value());
  const auto jwks = nlohmann::json::parse((*ring)->jwks_json());
  ASSERT_EQ(jwks["keys"].size(), 1u);
  const auto& k = jwks["keys"][0];
  EXPECT_EQ(k["kty"], "EC");
  EXPECT_EQ(k["crv"], "P-256");
  EXPECT_EQ(platform::base64url_decode(k["x"].get<std::string>())->size(), 32u);
  EXPECT_EQ(platform::base64url_decode(k["y"].get<std::string>())->size(), 32u);
  EXPECT_EQ(k.find("d"), k.end()) << "never the private part";
}

}  // namespace
}  // namespace eyewear::identity
