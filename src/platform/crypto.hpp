// Small, audited building blocks over libsodium: constant-time comparison, hashing of secrets
// that are stored (tokens, codes), encodings. Anything that compares a secret goes through here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace eyewear::platform {

// Compares two byte strings in time independent of their contents (length is not secret).
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// SHA-256 of `data` as raw 32 bytes.
[[nodiscard]] std::string sha256(std::string_view data);
// HMAC-SHA-256 with a key, raw 32 bytes. Used to hash high-entropy tokens with a server pepper.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

[[nodiscard]] std::string to_hex(std::string_view bytes);
[[nodiscard]] std::optional<std::string> from_hex(std::string_view hex);
// RFC 4648 base64url without padding.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);
// RFC 4648 standard base64 with padding.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);
// The standard alphabet without '=' padding (the PHC string format of password hashes).
[[nodiscard]] std::string base64_unpadded_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64_unpadded_decode(std::string_view text);
// RFC 4648 base32 (upper case, no padding), as authenticator apps expect for TOTP secrets.
[[nodiscard]] std::string base32_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base32_decode(std::string_view text);

// Overwrites a secret in memory.
void secure_wipe(std::string& secret) noexcept;

}  // namespace eyewear::platform
