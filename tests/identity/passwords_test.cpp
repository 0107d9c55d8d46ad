#include "identity/passwords.hpp"

#include <gtest/gtest.h>

#include "identity/service.hpp"

namespace eyewear::identity {
namespace {

using platform::ErrorCode;

std::string rule_of(const Status& s) {
  if (s) return "ok";
  return std::get<std::string>(*s.error().detail("rule"));
}

TEST(PasswordsTest, Argon2idHashesVerifyAndUpgrade) {
  PasswordHasher weak({1, 8 * 1024 * 1024});
  auto hash = weak.hash("correct horse battery staple");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8192,t=1,p=1$"));
  EXPECT_TRUE(weak.verify(*hash, "correct horse battery staple"));
  EXPECT_FALSE(weak.verify(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(weak.verify("not a hash", "x"));
  EXPECT_FALSE(weak.verify("", "x"));
  EXPECT_FALSE(weak.needs_rehash(*hash));
  PasswordHasher stronger({2, 16 * 1024 * 1024});
  EXPECT_TRUE(stronger.needs_rehash(*hash)) << "a stronger configuration upgrades old hashes";
  EXPECT_TRUE(stronger.verify(*hash, "correct horse battery staple")) << "old hashes still verify";
}

TEST(PasswordsTest, PolicyNamesTheRuleThatFailed) {
  const PasswordPolicy policy;
  EXPECT_EQ(rule_of(check_password(policy, "short1!", "a@b.example", "Acme")), "too_short");
  EXPECT_EQ(rule_of(check_password(policy, std::string(129, 'x'), "a@b.example", "Acme")), "too_long");
  EXPECT_EQ(rule_of(check_password(policy, "passwordpassword", "a@b.example", "Acme")), "too_weak");
  EXPECT_EQ(rule_of(check_password(policy, "123456789012", "a@b.example", "Acme")), "too_weak");
  EXPECT_EQ(rule_of(check_password(policy, "jane.doe-Kx8#mQ2vLp", "jane.doe@b.example", "Acme")),
            "contains_personal_data");
  EXPECT_EQ(rule_of(check_password(policy, "Lens-Vision-Optics-42!", "a@b.example", "Vision Optics")), "ok");
  EXPECT_EQ(rule_of(check_password(policy, "Acetate-Hinge-Bridge-52", "a@b.example", "Acme")), "ok");
  // 12 code points of non-ASCII text count as 12, not as their byte length.
  EXPECT_EQ(rule_of(check_password(policy, "ääääääääääö", "a@b.example", "Acme")), "too_short");
}

TEST(PasswordsTest, StrengthGivesScoreAndFeedback) {
  const auto weak = estimate_strength("qwertyuiop", {});
  EXPECT_LE(weak.score, 1);
  EXPECT_FALSE(weak.feedback.empty());
  const auto strong = estimate_strength("Tortoiseshell-Aviator-Hinge-77", {});
  EXPECT_GE(strong.score, 3);
  const auto personal = estimate_strength("acmeoptics2026", {"acmeoptics"});
  EXPECT_LT(personal.score, 3);
}

TEST(PasswordsTest, EmailNormalisationAndValidation) {
  EXPECT_EQ(*IdentityService::normalize_email("  Owner@Acme-Optics.COM "), "owner@acme-optics.com");
  for (const char* bad : {"", "no-at-sign", "two@@ats.com", "@nolocal.com", "user@nodot", "user@.dot.com",
                          "user@dot.", "sp ace@x.com", "a@b..com", "quote\"@x.com"}) {
    auto r = IdentityService::normalize_email(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(std::get<std::string>(*r.error().detail("field")), "email");
    }
  }
  EXPECT_FALSE(IdentityService::normalize_email(std::string(65, 'a') + "@x.com").has_value());
}

}  // namespace
}  // namespace eyewear::identity
