// Access tokens: JWTs signed ES256 (default; P-256 keys generated into the data dir, `kid` in
// the header, public keys served as a JWKS) or HS256. Verification accepts only the configured
// algorithm with a known key id (no `none`, no algorithm confusion), checks signature, iss, aud,
// typ, exp and nbf, and caches verified tokens so each token's signature is checked once.
// Revocation is not checked here: see SessionRegistry.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/clock.hpp"
#include "platform/error.hpp"
#include "platform/random.hpp"

namespace eyewear::identity {

using platform::Result;
using platform::Status;

struct AccessClaims {
  std::string issuer;
  std::string audience;
  std::string subject;  // account id
  std::string manufacturer_id;
  std::string tier;
  std::vector<std::string> roles;
  std::string session_id;
  std::string token_id;  // jti
  std::int64_t issued_at = 0;
  std::int64_t not_before = 0;
  std::int64_t expires_at = 0;
};

enum class JwtAlgorithm { kES256, kHS256 };

struct KeyRingOptions {
  std::string directory;  // <data-dir>/keys/jwt
  JwtAlgorithm algorithm = JwtAlgorithm::kES256;
  std::string hs256_secret;  // when set (HS256), used instead of generated keys
  std::chrono::milliseconds token_ttl{15 * 60 * 1000};
};

// The signing keys: one current key signs, every key still needed to verify unexpired tokens is
// published. Backed by files: <dir>/manifest.json and one key file per key id.
class KeyRing {
 public:
  // Loads the ring, generating a first key when the directory has none.
  [[nodiscard]] static Result<std::unique_ptr<KeyRing>> open(KeyRingOptions options, const platform::Clock& clock,
                                                             platform::Random& random);
  ~KeyRing();

  // Adds a new signing key and retires the current one (it stays published until tokens it
  // signed have expired). Returns the new key id.
  [[nodiscard]] Result<std::string> rotate();
  // Re-reads the manifest if it changed on disk (keys rotated by another process).
  void reload_if_changed();

  [[nodiscard]] Result<std::string> sign(std::string_view signing_input, std::string& kid) const;
  // nullopt: unknown key id; false: bad signature.
  [[nodiscard]] std::optional<bool> verify(std::string_view kid, std::string_view signing_input,
                                           std::string_view signature) const;
  [[nodiscard]] std::string jwks_json() const;
  [[nodiscard]] JwtAlgorithm algorithm() const { return options_.algorithm; }
  [[nodiscard]] std::string current_kid() const;
  [[nodiscard]] std::size_t published_keys() const;

  struct Key;

 private:
  KeyRing(KeyRingOptions options, const platform::Clock& clock, platform::Random& random);
  Status load();
  Status generate_and_add(bool make_current);

  KeyRingOptions options_;
  const platform::Clock& clock_;
  platform::Random& random_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Key>> keys_;
  std::string current_;
  std::int64_t manifest_mtime_ = 0;
};

class TokenService {
 public:
  TokenService(KeyRing& keys, const platform::Clock& clock, std::string issuer, std::string audience);

  [[nodiscard]] Result<std::string> issue(const AccessClaims& claims) const;
  // TOKEN_INVALID (malformed, bad signature, wrong iss/aud/typ/alg, not yet valid) or
  // TOKEN_EXPIRED, with details.reason.
  [[nodiscard]] Result<AccessClaims> verify(std::string_view token) const;
  // The full check without the cache of verified tokens (what a token's first use costs).
  [[nodiscard]] Result<AccessClaims> verify_uncached(std::string_view token) const;

 private:
  KeyRing& keys_;
  const platform::Clock& clock_;
  std::string issuer_;
  std::string audience_;
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kPerShard = 4096;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, AccessClaims> entries;
  };
  mutable Shard shards_[kShards];
};

}  // namespace eyewear::identity
