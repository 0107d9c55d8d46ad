#include "security/keyring_format.hpp"

#include <sodium.h>

#include <charconv>
#include <cstring>

#include "platform/crypto.hpp"

namespace eyewear::security {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

unsigned char* out_bytes(std::string& s, std::size_t offset = 0) {
  return reinterpret_cast<unsigned char*>(s.data() + offset);
}
const unsigned char* in_bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

constexpr std::size_t nonce_size(Algorithm a) {
  return a == Algorithm::kAes256Gcm ? crypto_aead_aes256gcm_NPUBBYTES : crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
}
constexpr std::size_t tag_size(Algorithm a) {
  return a == Algorithm::kAes256Gcm ? crypto_aead_aes256gcm_ABYTES : crypto_aead_xchacha20poly1305_ietf_ABYTES;
}

bool is_base64url(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::kXChaCha20Poly1305:
      return "xchacha20poly1305";
    case Algorithm::kAes256Gcm:
      return "aes256gcm";
  }
  return "xchacha20poly1305";
}

std::optional<Algorithm> algorithm_from_name(std::string_view name) {
  if (name == "xchacha20poly1305") return Algorithm::kXChaCha20Poly1305;
  if (name == "aes256gcm") return Algorithm::kAes256Gcm;
  return std::nullopt;
}

std::string_view algorithm_token(Algorithm a) {
  switch (a) {
    case Algorithm::kXChaCha20Poly1305:
      return "xchacha";
    case Algorithm::kAes256Gcm:
      return "aesgcm";
  }
  return "xchacha";
}

std::optional<Algorithm> algorithm_from_token(std::string_view token) {
  if (token == "xchacha") return Algorithm::kXChaCha20Poly1305;
  if (token == "aesgcm") return Algorithm::kAes256Gcm;
  return std::nullopt;
}

bool algorithm_available(Algorithm a) {
  if (a == Algorithm::kXChaCha20Poly1305) return true;
  if (sodium_init() < 0) return false;
  return crypto_aead_aes256gcm_is_available() != 0;
}

std::string_view failure_name(OpenFailure f) {
  switch (f) {
    case OpenFailure::kMalformed:
      return "malformed";
    case OpenFailure::kUnsupportedFormat:
      return "unsupported_format";
    case OpenFailure::kUnsupportedAlgorithm:
      return "unsupported_algorithm";
    case OpenFailure::kTruncated:
      return "truncated";
    case OpenFailure::kKeyVersionRetired:
      return "key_version_retired";
    case OpenFailure::kUnknownKey:
      return "unknown_key";
    case OpenFailure::kWrongTenant:
      return "wrong_tenant";
    case OpenFailure::kAuthenticationFailed:
      return "authentication_failed";
    case OpenFailure::kAlgorithmUnavailable:
      return "algorithm_unavailable";
    case OpenFailure::kWrongMasterKey:
      return "wrong_master_key";
  }
  return "malformed";
}

Error decryption_error(OpenFailure f, std::string message) {
  return Error(ErrorCode::kDecryptionFailed, std::move(message), {{"reason", std::string(failure_name(f))}});
}

std::optional<OpenFailure> open_failure_of(const Error& e) {
  if (e.code != ErrorCode::kDecryptionFailed) return std::nullopt;
  const auto* reason = e.detail("reason");
  const auto* text = reason ? std::get_if<std::string>(reason) : nullptr;
  if (text == nullptr) return std::nullopt;
  for (int i = 0; i <= static_cast<int>(OpenFailure::kWrongMasterKey); ++i) {
    if (failure_name(static_cast<OpenFailure>(i)) == *text) return static_cast<OpenFailure>(i);
  }
  return std::nullopt;
}

bool valid_kid(std::string_view kid) {
  if (kid.size() != kKidLength) return false;
  for (char c : kid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<SealedHeader> parse_sealed(std::string_view sealed) {
  const auto malformed = [](const char* why) {
    return fail(decryption_error(OpenFailure::kMalformed, std::string("the sealed value is malformed: ") + why));
  };
  const auto first = sealed.find(':');
  const auto format = sealed.substr(0, first == std::string_view::npos ? 0 : first);
  if (format != "ew1") {
    const bool other_format = format.size() > 2 && format.starts_with("ew") &&
                              format.substr(2).find_first_not_of("0123456789") == std::string_view::npos;
    if (other_format) {
      return fail(decryption_error(OpenFailure::kUnsupportedFormat, "the sealed value has an unsupported format"));
    }
    return malformed("not a sealed value");
  }
  std::array<std::string_view, 5> parts;
  std::size_t pos = 0;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const auto colon = sealed.find(':', pos);
    if (colon == std::string_view::npos) return malformed("incomplete header");
    parts[i] = sealed.substr(pos, colon - pos);
    pos = colon + 1;
  }
  parts[4] = sealed.substr(pos);
  SealedHeader h;
  const auto v = parts[1];
  if (v.size() < 2 || v.size() > 10 || v[0] != 'v' || v[1] == '0') return malformed("bad version");
  const auto res = std::from_chars(v.data() + 1, v.data() + v.size(), h.version);
  if (res.ec != std::errc() || res.ptr != v.data() + v.size() || h.version <= 0) return malformed("bad version");
  const auto alg = algorithm_from_token(parts[2]);
  if (!alg)
    return fail(decryption_error(OpenFailure::kUnsupportedAlgorithm, "the sealed value names an unknown algorithm"));
  h.algorithm = *alg;
  if (!valid_kid(parts[3])) return malformed("bad key id");
  if (parts[4].empty() || !is_base64url(parts[4])) return malformed("bad payload");
  h.kid = parts[3];
  h.header = sealed.substr(0, sealed.size() - parts[4].size());
  h.payload = parts[4];
  return h;
}

std::string format_header(int version, Algorithm a, std::string_view kid) {
  std::string out(kFormatPrefix);
  out += 'v';
  out += std::to_string(version);
  out += ':';
  out += algorithm_token(a);
  out += ':';
  out += kid;
  out += ':';
  return out;
}

void append_part(std::string& out, std::string_view part) {
  const auto n = static_cast<std::uint32_t>(part.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
  out.append(len, 4);
  out.append(part);
}

std::string field_associated_data(std::string_view header, const FieldRef& ref) {
  std::string ad = "eyewear.field.v1";
  ad.reserve(ad.size() + header.size() + ref.tenant.size() + ref.table.size() + ref.column.size() + ref.row.size() +
             20);
  append_part(ad, header);
  append_part(ad, ref.tenant);
  append_part(ad, ref.table);
  append_part(ad, ref.column);
  append_part(ad, ref.row);
  return ad;
}

SecretKey::SecretKey(std::string_view raw) {
  if (raw.size() == kSize) std::memcpy(bytes_.data(), raw.data(), kSize);
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::generate(platform::Random& random) {
  SecretKey k;
  random.fill(std::span<std::uint8_t>(k.bytes_.data(), k.bytes_.size()));
  return k;
}

std::size_t aead_overhead(Algorithm a) { return nonce_size(a) + tag_size(a); }

std::string aead_seal(Algorithm a, const SecretKey& key, std::string_view plaintext, std::string_view ad,
                      platform::Random& random) {
  const auto nonce_len = nonce_size(a);
  std::string out(nonce_len + plaintext.size() + tag_size(a), '\0');
  random.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), nonce_len));
  unsigned long long len = 0;
  if (a == Algorithm::kAes256Gcm) {
    crypto_aead_aes256gcm_encrypt(out_bytes(out, nonce_len), &len, in_bytes(plaintext), plaintext.size(), in_bytes(ad),
                                  ad.size(), nullptr, out_bytes(out), key.data());
  } else {
    crypto_aead_xchacha20poly1305_ietf_encrypt(out_bytes(out, nonce_len), &len, in_bytes(plaintext), plaintext.size(),
                                               in_bytes(ad), ad.size(), nullptr, out_bytes(out), key.data());
  }
  out.resize(nonce_len + len);
  return out;
}

bool aead_open(Algorithm a, const SecretKey& key, std::string_view box, std::string_view ad, std::string& plaintext) {
  const auto nonce_len = nonce_size(a);
  if (box.size() < nonce_len + tag_size(a)) return false;
  plaintext.assign(box.size() - nonce_len - tag_size(a), '\0');
  unsigned long long len = 0;
  const auto* nonce = in_bytes(box);
  const auto* cipher = in_bytes(box) + nonce_len;
  const auto cipher_len = box.size() - nonce_len;
  int rc;
  if (a == Algorithm::kAes256Gcm) {
    rc = crypto_aead_aes256gcm_decrypt(out_bytes(plaintext), &len, nullptr, cipher, cipher_len, in_bytes(ad), ad.size(),
                                       nonce, key.data());
  } else {
    rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out_bytes(plaintext), &len, nullptr, cipher, cipher_len,
                                                    in_bytes(ad), ad.size(), nonce, key.data());
  }
  if (rc != 0) {
    plaintext.clear();
    return false;
  }
  plaintext.resize(len);
  return true;
}

std::string wrap_key(const SecretKey& kek, const SecretKey& key, std::string_view ad, platform::Random& random) {
  const std::string_view raw(reinterpret_cast<const char*>(key.data()), SecretKey::kSize);
  auto box = aead_seal(Algorithm::kXChaCha20Poly1305, kek, raw, ad, random);
  return platform::base64url_encode(box);
}

std::optional<SecretKey> unwrap_key(const SecretKey& kek, std::string_view wrapped, std::string_view ad) {
  auto box = platform::base64url_decode(wrapped);
  if (!box) return std::nullopt;
  std::string raw;
  if (!aead_open(Algorithm::kXChaCha20Poly1305, kek, *box, ad, raw) || raw.size() != SecretKey::kSize) {
    platform::secure_wipe(raw);
    return std::nullopt;
  }
  SecretKey key(raw);
  platform::secure_wipe(raw);
  return key;
}

std::string master_fingerprint(const SecretKey& master) {
  static constexpr std::string_view kLabel = "eyewear master key fingerprint v1";
  std::string out(16, '\0');
  crypto_generichash(out_bytes(out), out.size(), in_bytes(kLabel), kLabel.size(), master.data(), SecretKey::kSize);
  return platform::to_hex(out);
}

}  // namespace eyewear::security
