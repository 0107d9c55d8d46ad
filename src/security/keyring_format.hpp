// The wire format of sealed fields and the AEAD calls behind the keyring. A sealed field is
//
//   ew1:v<version>:<algorithm>:<kid>:<base64url(nonce || ciphertext || tag)>
//
// where `ew1` is the format, <version> the keyring version whose key wraps the data key, and <kid>
// the data key. The associated data is the header (everything before the payload) followed by
// the record the value belongs to (tenant, table, column, row id), each length-prefixed, so a
// value copied to another row, column or tenant, or with an edited header, does not authenticate.
// Pure functions: no storage, no state; the Keyring (keyring.hpp) decides which key to use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/error.hpp"
#include "platform/random.hpp"

namespace eyewear::security {

using platform::Result;
using platform::Status;

enum class Algorithm : std::uint8_t { kXChaCha20Poly1305, kAes256Gcm };

// "xchacha20poly1305" | "aes256gcm": configuration, metadata, status.
[[nodiscard]] std::string_view algorithm_name(Algorithm a);
[[nodiscard]] std::optional<Algorithm> algorithm_from_name(std::string_view name);
// The short token in the sealed header: "xchacha" | "aesgcm".
[[nodiscard]] std::string_view algorithm_token(Algorithm a);
[[nodiscard]] std::optional<Algorithm> algorithm_from_token(std::string_view token);
// AES-256-GCM needs AES-NI and CLMUL (libsodium refuses it otherwise); XChaCha20-Poly1305 always works.
[[nodiscard]] bool algorithm_available(Algorithm a);

// Why a sealed value did not open. Each is a DECRYPTION_FAILED error with details.reason.
enum class OpenFailure : std::uint8_t {
  kMalformed,             // not a sealed value, or its header or payload does not parse
  kUnsupportedFormat,     // a format other than ew1
  kUnsupportedAlgorithm,  // an unknown algorithm token
  kTruncated,             // the payload is shorter than nonce + tag
  kKeyVersionRetired,     // the version is below the minimum decryption version
  kUnknownKey,            // no such data key (or keyring version) in this keyring
  kWrongTenant,           // the data key belongs to another tenant than the record
  kAuthenticationFailed,  // tampered, moved to another record, or sealed under another key
  kAlgorithmUnavailable,  // AES-256-GCM on a CPU without AES-NI
  kWrongMasterKey,        // the configured master key does not open the stored keyring versions
};
[[nodiscard]] std::string_view failure_name(OpenFailure f);
[[nodiscard]] platform::Error decryption_error(OpenFailure f, std::string message);
// The failure of a DECRYPTION_FAILED error; nullopt for any other error.
[[nodiscard]] std::optional<OpenFailure> open_failure_of(const platform::Error& e);

// The record a sealed value belongs to. Views: the caller keeps the strings alive for the call.
struct FieldRef {
  std::string_view tenant;  // manufacturer id, or kPlatformTenant for platform-wide records
  std::string_view table;
  std::string_view column;
  std::string_view row;
};
// The tenant of records that belong to no manufacturer (accounts: a person may join several).
inline constexpr std::string_view kPlatformTenant = "platform";

struct SealedHeader {
  int version = 0;
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
  std::string_view kid;
  std::string_view header;   // "ew1:v3:xchacha:<kid>:" (part of the associated data)
  std::string_view payload;  // base64url
};

inline constexpr std::string_view kFormatPrefix = "ew1:";
inline constexpr std::size_t kKidLength = 16;  // hex of 8 random bytes

// Parses the header strictly (views into `sealed`).
[[nodiscard]] Result<SealedHeader> parse_sealed(std::string_view sealed);
[[nodiscard]] std::string format_header(int version, Algorithm a, std::string_view kid);
[[nodiscard]] std::string field_associated_data(std::string_view header, const FieldRef& ref);
[[nodiscard]] bool valid_kid(std::string_view kid);

// A 256-bit key, wiped on destruction.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;
  SecretKey() = default;
  explicit SecretKey(std::string_view raw);  // exactly kSize bytes
  ~SecretKey();
  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  [[nodiscard]] const unsigned char* data() const { return bytes_.data(); }
  [[nodiscard]] static SecretKey generate(platform::Random& random);

 private:
  std::array<unsigned char, kSize> bytes_{};
};

// AEAD with a fresh random nonce; returns nonce || ciphertext || tag.
[[nodiscard]] std::string aead_seal(Algorithm a, const SecretKey& key, std::string_view plaintext, std::string_view ad,
                                    platform::Random& random);
// Opens nonce || ciphertext || tag; false when it does not authenticate (or is too short).
[[nodiscard]] bool aead_open(Algorithm a, const SecretKey& key, std::string_view box, std::string_view ad,
                             std::string& plaintext);
[[nodiscard]] std::size_t aead_overhead(Algorithm a);

// Key wrapping (always XChaCha20-Poly1305): base64url(nonce || wrapped key || tag).
[[nodiscard]] std::string wrap_key(const SecretKey& kek, const SecretKey& key, std::string_view ad,
                                   platform::Random& random);
[[nodiscard]] std::optional<SecretKey> unwrap_key(const SecretKey& kek, std::string_view wrapped, std::string_view ad);

// A public fingerprint of the master key (keyed BLAKE2b of a constant), stored beside the
// versions it wraps so a wrong master key is named as such at start-up.
[[nodiscard]] std::string master_fingerprint(const SecretKey& master);

// Length-prefixed concatenation used for associated data: each part as 4-byte big-endian length + bytes.
void append_part(std::string& out, std::string_view part);

}  // namespace eyewear::security
