// Password hashing (argon2id, libargon2 with per-thread memory) and the password policy: length 12..128 code
// points, a zxcvbn score floor, no email or company name inside, no reuse of recent passwords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::identity {

using platform::Result;
using platform::Status;

struct HashParameters {
  std::uint64_t opslimit = 2;
  std::size_t memlimit = 64 * 1024 * 1024;
};

class PasswordHasher {
 public:
  explicit PasswordHasher(HashParameters params);
  // The encoded argon2id string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
  [[nodiscard]] Result<std::string> hash(std::string_view password) const;
  // Constant-time verification against an encoded hash. False for malformed hashes.
  [[nodiscard]] bool verify(std::string_view encoded, std::string_view password) const;
  // True when `encoded` was made with weaker (or different) parameters than configured.
  [[nodiscard]] bool needs_rehash(std::string_view encoded) const;
  // Spends the same time as a real verification, for unknown accounts (no timing oracle).
  void verify_dummy(std::string_view password) const;

 private:
  HashParameters params_;
  std::string dummy_hash_;
};

struct StrengthReport {
  int score = 0;            // 0..4, zxcvbn scale
  double entropy_bits = 0;  // zxcvbn's estimate
  std::vector<std::string> feedback;
};

// zxcvbn estimate, with the user's own words (email, company) as a dictionary.
[[nodiscard]] StrengthReport estimate_strength(std::string_view password, const std::vector<std::string>& user_words);

struct PasswordPolicy {
  int min_length = 12;
  int max_length = 128;
  int min_score = 3;
};

// Checks a new password; VALIDATION_FAILED with field "password" and rule too_short, too_long,
// too_weak (details: score, feedback) or contains_personal_data.
[[nodiscard]] Status check_password(const PasswordPolicy& policy, std::string_view password, std::string_view email,
                                    std::string_view company_name);

// Unicode code points in UTF-8 text (invalid bytes count one each).
[[nodiscard]] std::size_t utf8_length(std::string_view text);

}  // namespace eyewear::identity
