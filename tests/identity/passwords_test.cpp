#include "identity/passwords.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <thread>

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

// The hashes are the standard PHC strings: what libsodium's crypto_pwhash wrote (the hasher before
// this one, so rows stored then) verifies, and what the hasher writes verifies with libsodium.
TEST(PasswordsTest, HashesInterchangeWithLibsodium) {
  ASSERT_GE(sodium_init(), 0);
  PasswordHasher hasher({1, 8 * 1024 * 1024});
  char sodium_hash[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(sodium_hash, "Acetate-Hinge-Bridge-52", 23, 1, 8 * 1024 * 1024,
                                  crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_TRUE(hasher.verify(sodium_hash, "Acetate-Hinge-Bridge-52"));
  EXPECT_FALSE(hasher.verify(sodium_hash, "Acetate-Hinge-Bridge-53"));
  EXPECT_FALSE(hasher.needs_rehash(sodium_hash));

  const auto ours = hasher.hash("Acetate-Hinge-Bridge-52");
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ(crypto_pwhash_str_verify(ours->c_str(), "Acetate-Hinge-Bridge-52", 23), 0);
  EXPECT_NE(crypto_pwhash_str_verify(ours->c_str(), "Acetate-Hinge-Bridge-53", 23), 0);
  // A fresh 16-byte salt every time.
  EXPECT_NE(*ours, *hasher.hash("Acetate-Hinge-Bridge-52"));
}

TEST(PasswordsTest, MalformedOrHostileHashesDoNotVerify) {
  PasswordHasher hasher({1, 8 * 1024 * 1024});
  const auto good = *hasher.hash("correct horse battery staple");
  const auto params_end = good.find('$', std::string("$argon2id$v=19$").size());
  const auto tail = good.substr(params_end);  // "$salt$tag"
  for (const std::string& bad : std::vector<std::string>{
           "$argon2i$v=19$m=8192,t=1,p=1" + tail,    // another variant
           "$argon2id$v=16$m=8192,t=1,p=1" + tail,   // another version
           "$argon2id$v=19$m=8192,t=1" + tail,       // a parameter missing
           "$argon2id$v=19$m=08192,t=1,p=1" + tail,  // leading zero
           "$argon2id$v=19$m=8192,t=0,p=1" + tail,   // zero passes
           "$argon2id$v=19$m=8192,t=1,p=-1" + tail,  // sign
           "$argon2id$v=19$m=4194304,t=1,p=1" + tail,  // 4 GiB: refused before any work
           "$argon2id$v=19$m=8192,t=1000,p=1" + tail,  // too many passes
           "$argon2id$v=19$m=8192,t=1,p=1,x=2" + tail,
           "$argon2id$v=19$m=8192,t=1,p=1$$" + good.substr(good.rfind('$') + 1),  // empty salt
           good.substr(0, good.rfind('$')),                                        // no tag
           good + "=",                                                             // padding
           good + "$extra",
       }) {
    EXPECT_FALSE(hasher.verify(bad, "correct horse battery staple")) << bad;
    EXPECT_TRUE(hasher.needs_rehash(bad)) << bad;
  }
  EXPECT_TRUE(hasher.verify(good, "correct horse battery staple"));
}

// Each hashing thread keeps its own memory: hashes on several threads at once all verify.
TEST(PasswordsTest, ConcurrentHashingOnSeveralThreads) {
  PasswordHasher hasher({1, 8 * 1024 * 1024});
  std::vector<std::string> hashes(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) hashes[i] = *hasher.hash("password number " + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    EXPECT_TRUE(hasher.verify(hashes[i], "password number " + std::to_string(i)));
    EXPECT_FALSE(hasher.verify(hashes[i], "password number " + std::to_string(i + 1)));
  }
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
