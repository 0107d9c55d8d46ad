#include "platform/crypto.hpp"

#include <sodium.h>

#include <cctype>

namespace eyewear::platform {

namespace {
const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes_of(data), data.size());
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&st, bytes_of(data), data.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&st, sizeof st);
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr,
                     &len, &end) != 0 ||
      end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

namespace {
std::string b64_encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}
std::optional<std::string> b64_decode(std::string_view text, int variant) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}
}  // namespace

std::string base64url_encode(std::string_view bytes) { return b64_encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::optional<std::string> base64url_decode(std::string_view text) {
  return b64_decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::string base64_encode(std::string_view bytes) { return b64_encode(bytes, sodium_base64_VARIANT_ORIGINAL); }
std::optional<std::string> base64_decode(std::string_view text) {
  return b64_decode(text, sodium_base64_VARIANT_ORIGINAL);
}

std::string base32_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(buffer >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == '=' || raw == ' ') continue;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

void secure_wipe(std::string& secret) noexcept {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace eyewear::platform
