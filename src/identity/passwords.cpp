#include "identity/passwords.hpp"

#include <argon2.h>
#include <sodium.h>
#include <zxcvbn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "platform/crypto.hpp"

namespace eyewear::identity {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

namespace {

// argon2id through the reference implementation (libargon2) with one memory region per hashing
// thread, kept for the thread's lifetime and wiped by libargon2 after every hash. libsodium's
// crypto_pwhash maps (MAP_POPULATE) and unmaps its 64 MiB on every call; the process-wide memory
// map lock that this takes stalled the HTTP I/O threads' own allocator calls for tens of
// milliseconds while a low-priority hashing thread held it (docs/IDENTITY.md, "Password hashing").
struct ThreadArena {
  std::uint8_t* memory = nullptr;
  std::size_t size = 0;
  ~ThreadArena() { std::free(memory); }
};
thread_local ThreadArena arena;

int arena_allocate(std::uint8_t** memory, std::size_t bytes) {
  if (arena.size < bytes) {
    std::free(arena.memory);
    arena.size = 0;
    arena.memory = static_cast<std::uint8_t*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
    if (arena.memory == nullptr) return ARGON2_MEMORY_ALLOCATION_ERROR;
    arena.size = bytes;
  }
  *memory = arena.memory;
  return ARGON2_OK;
}

void arena_release(std::uint8_t*, std::size_t) {}  // kept for the next hash on this thread

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

// Limits on parameters read back from a stored hash, so that a damaged or planted row cannot make
// one verification take minutes or gigabytes.
constexpr std::uint32_t kMaxMemoryKib = 1u << 20;  // 1 GiB
constexpr std::uint32_t kMaxPasses = 64;
constexpr std::uint32_t kMaxLanes = 16;

struct EncodedHash {
  std::uint32_t m_kib = 0;
  std::uint32_t t = 0;
  std::uint32_t p = 0;
  std::string salt;  // bytes
  std::string tag;   // bytes
};

std::optional<std::string> unb64(std::string_view text, std::size_t min, std::size_t max) {
  auto bytes = platform::base64_unpadded_decode(text);
  if (!bytes || bytes->size() < min || bytes->size() > max) return std::nullopt;
  return bytes;
}

// "<key>=<decimal>" with no sign, no leading zeros and a value in [1, max].
std::optional<std::uint32_t> parameter(std::string_view item, char key, std::uint32_t max) {
  if (item.size() < 3 || item[0] != key || item[1] != '=') return std::nullopt;
  const auto digits = item.substr(2);
  if (digits.size() > 10 || digits[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// The PHC string format argon2 uses: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>,
// salt and tag in unpadded standard base64. Only argon2id version 19 is accepted.
std::optional<EncodedHash> decode(std::string_view s) {
  constexpr std::string_view kPrefix = "$argon2id$v=19$";
  if (!s.starts_with(kPrefix) || s.size() > 512) return std::nullopt;
  s.remove_prefix(kPrefix.size());
  const auto params_end = s.find('$');
  if (params_end == std::string_view::npos) return std::nullopt;
  const auto params = s.substr(0, params_end);
  const auto rest = s.substr(params_end + 1);
  const auto salt_end = rest.find('$');
  if (salt_end == std::string_view::npos) return std::nullopt;
  const auto c1 = params.find(',');
  const auto c2 = c1 == std::string_view::npos ? c1 : params.find(',', c1 + 1);
  if (c2 == std::string_view::npos || params.find(',', c2 + 1) != std::string_view::npos) return std::nullopt;
  EncodedHash h;
  const auto m = parameter(params.substr(0, c1), 'm', kMaxMemoryKib);
  const auto t = parameter(params.substr(c1 + 1, c2 - c1 - 1), 't', kMaxPasses);
  const auto p = parameter(params.substr(c2 + 1), 'p', kMaxLanes);
  if (!m || !t || !p || *m < 8 * *p) return std::nullopt;
  auto salt = unb64(rest.substr(0, salt_end), ARGON2_MIN_SALT_LENGTH, 64);
  auto tag = unb64(rest.substr(salt_end + 1), 16, 64);
  if (!salt || !tag) return std::nullopt;
  h.m_kib = *m;
  h.t = *t;
  h.p = *p;
  h.salt = std::move(*salt);
  h.tag = std::move(*tag);
  return h;
}

// One argon2id computation into `tag` (its size is the output length).
bool compute(std::string_view password, const EncodedHash& params, std::string& tag) {
  argon2_context ctx{};
  ctx.out = reinterpret_cast<std::uint8_t*>(tag.data());
  ctx.outlen = static_cast<std::uint32_t>(tag.size());
  // libargon2 only reads the password (ARGON2_FLAG_CLEAR_PASSWORD is not set).
  ctx.pwd = reinterpret_cast<std::uint8_t*>(const_cast<char*>(password.data()));
  ctx.pwdlen = static_cast<std::uint32_t>(password.size());
  ctx.salt = reinterpret_cast<std::uint8_t*>(const_cast<char*>(params.salt.data()));
  ctx.saltlen = static_cast<std::uint32_t>(params.salt.size());
  ctx.t_cost = params.t;
  ctx.m_cost = params.m_kib;
  ctx.lanes = params.p;
  ctx.threads = 1;  // lanes are computed one after another on the calling thread
  ctx.version = ARGON2_VERSION_13;
  ctx.allocate_cbk = arena_allocate;
  ctx.free_cbk = arena_release;
  ctx.flags = ARGON2_DEFAULT_FLAGS;
  return argon2_ctx(&ctx, Argon2_id) == ARGON2_OK;
}

}  // namespace

PasswordHasher::PasswordHasher(HashParameters params) : params_(params) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  auto dummy = hash("not a real password, only for timing");
  if (!dummy) throw std::runtime_error("argon2id parameters rejected");
  dummy_hash_ = *dummy;
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  if (password.size() > ARGON2_MAX_PWD_LENGTH || params_.memlimit / 1024 > kMaxMemoryKib || params_.opslimit < 1 ||
      params_.opslimit > kMaxPasses || params_.memlimit < 8 * 1024) {
    return fail(Error::internal_error("argon2id parameters or password length out of range"));
  }
  EncodedHash h;
  h.m_kib = static_cast<std::uint32_t>(params_.memlimit / 1024);
  h.t = static_cast<std::uint32_t>(params_.opslimit);
  h.p = 1;
  h.salt.resize(kSaltBytes);
  randombytes_buf(h.salt.data(), h.salt.size());
  h.tag.resize(kTagBytes);
  if (!compute(password, h, h.tag)) return fail(Error::internal_error("argon2id hashing failed (out of memory?)"));
  auto out = "$argon2id$v=19$m=" + std::to_string(h.m_kib) + ",t=" + std::to_string(h.t) + ",p=" +
             std::to_string(h.p) + "$" + platform::base64_unpadded_encode(h.salt) + "$" +
             platform::base64_unpadded_encode(h.tag);
  platform::secure_wipe(h.tag);
  return out;
}

bool PasswordHasher::verify(std::string_view encoded, std::string_view password) const {
  const auto h = decode(encoded);
  if (!h || password.size() > ARGON2_MAX_PWD_LENGTH) return false;
  std::string tag(h->tag.size(), '\0');
  if (!compute(password, *h, tag)) return false;
  const bool equal = platform::constant_time_equal(tag, h->tag);
  platform::secure_wipe(tag);
  return equal;
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
  const auto h = decode(encoded);
  return !h || h->m_kib != params_.memlimit / 1024 || h->t != params_.opslimit || h->p != 1 ||
         h->salt.size() != kSaltBytes || h->tag.size() != kTagBytes;
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
