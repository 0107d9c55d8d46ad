#include "identity/passwords.hpp"

#include <sodium.h>
#include <zxcvbn.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace eyewear::identity {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

PasswordHasher::PasswordHasher(HashParameters params) : params_(params) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  auto dummy = hash("not a real password, only for timing");
  if (!dummy) throw std::runtime_error("argon2id parameters rejected by libsodium");
  dummy_hash_ = *dummy;
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.opslimit, params_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(Error::internal_error("argon2id hashing failed (out of memory?)"));
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view encoded, std::string_view password) const {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string copy(encoded);  // needs NUL termination
  return crypto_pwhash_str_verify(copy.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
  const std::string copy(encoded);
  return crypto_pwhash_str_needs_rehash(copy.c_str(), params_.opslimit, params_.memlimit) != 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const { (void)verify(dummy_hash_, password); }

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// zxcvbn's score from its guess estimate: log10(guesses) thresholds 3, 6, 8, 10.
int score_from_bits(double bits) {
  const double log10_guesses = bits * 0.30102999566;
  if (log10_guesses < 3) return 0;
  if (log10_guesses < 6) return 1;
  if (log10_guesses < 8) return 2;
  if (log10_guesses < 10) return 3;
  return 4;
}

}  // namespace

StrengthReport estimate_strength(std::string_view password, const std::vector<std::string>& user_words) {
  StrengthReport report;
  std::vector<const char*> dict;
  for (const auto& w : user_words) {
    if (!w.empty()) dict.push_back(w.c_str());
  }
  dict.push_back(nullptr);
  ZxcMatch_t* info = nullptr;
  const std::string pw(password);
  report.entropy_bits = ZxcvbnMatch(pw.c_str(), dict.data(), &info);
  report.score = score_from_bits(report.entropy_bits);
  bool dictionary = false, user = false, spatial = false, repeat = false, sequence = false, date = false;
  for (const ZxcMatch_t* m = info; m != nullptr; m = m->Next) {
    // Type may carry MULTIPLE_MATCH (32) on top of the kind.
    switch (static_cast<int>(m->Type) & 31) {
      case USER_MATCH:
      case USER_LEET_MATCH: user = true; break;
      case DICTIONARY_MATCH:
      case DICT_LEET_MATCH: dictionary = true; break;
      case SPATIAL_MATCH: spatial = true; break;
      case REPEATS_MATCH: repeat = true; break;
      case SEQUENCE_MATCH: sequence = true; break;
      case DATE_MATCH:
      case YEAR_MATCH: date = true; break;
      default: break;
    }
  }
  ZxcvbnFreeInfo(info);
  if (report.score >= 4) return report;
  if (utf8_length(password) < 12) report.feedback.emplace_back("Use at least 12 characters; longer is better.");
  if (user) report.feedback.emplace_back("Avoid your email address or company name.");
  if (dictionary) report.feedback.emplace_back("Avoid common words and passwords; a few unrelated words work well.");
  if (spatial) report.feedback.emplace_back("Avoid keyboard patterns such as qwerty or asdf.");
  if (repeat) report.feedback.emplace_back("Avoid repeated characters or words.");
  if (sequence) report.feedback.emplace_back("Avoid sequences such as abc or 1234.");
  if (date) report.feedback.emplace_back("Avoid dates and years.");
  if (report.feedback.empty()) report.feedback.emplace_back("Add more words or characters to make it harder to guess.");
  return report;
}

Status check_password(const PasswordPolicy& policy, std::string_view password, std::string_view email,
                      std::string_view company_name) {
  const auto length = utf8_length(password);
  if (length < static_cast<std::size_t>(policy.min_length)) {
    return fail(Error(ErrorCode::kValidationFailed,
                      "password must be at least " + std::to_string(policy.min_length) + " characters",
                      {{"field", "password"}, {"rule", "too_short"}, {"min", std::int64_t{policy.min_length}}}));
  }
  if (length > static_cast<std::size_t>(policy.max_length)) {
    return fail(Error(ErrorCode::kValidationFailed,
                      "password must be at most " + std::to_string(policy.max_length) + " characters",
                      {{"field", "password"}, {"rule", "too_long"}, {"max", std::int64_t{policy.max_length}}}));
  }
  const auto pw = lower(password);
  const auto at = email.find('@');
  const auto local = lower(email.substr(0, at));
  const auto company = lower(company_name);
  if ((local.size() >= 4 && pw.find(local) != std::string::npos) ||
      (!email.empty() && pw.find(lower(email)) != std::string::npos) ||
      (company.size() >= 4 && pw.find(company) != std::string::npos)) {
    return fail(Error(ErrorCode::kValidationFailed, "password must not contain your email address or company name",
                      {{"field", "password"}, {"rule", "contains_personal_data"}}));
  }
  std::vector<std::string> words;
  if (!local.empty()) words.push_back(local);
  if (!company.empty()) words.push_back(company);
  const auto strength = estimate_strength(password, words);
  if (strength.score < policy.min_score) {
    return fail(Error(ErrorCode::kValidationFailed, "password is too easy to guess",
                      {{"field", "password"},
                       {"rule", "too_weak"},
                       {"score", std::int64_t{strength.score}},
                       {"min_score", std::int64_t{policy.min_score}},
                       {"feedback", strength.feedback}}));
  }
  return {};
}

}  // namespace eyewear::identity
