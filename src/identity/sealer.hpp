// Seals small secrets at rest (TOTP secrets): authenticated encryption bound to the record it
// belongs to, so a sealed value copied to another account does not open. The interim
// implementation uses one XChaCha20-Poly1305 key from EYEWEAR_MFA_KEY or the data directory;
// the security module's keyring can replace it behind this interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace eyewear::identity {

class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  // `binding` names the record (e.g. "accounts.mfa_secret:<account id>").
  [[nodiscard]] virtual platform::Result<std::string> seal(std::string_view plaintext, std::string_view binding) = 0;
  [[nodiscard]] virtual platform::Result<std::string> open(std::string_view sealed, std::string_view binding) = 0;
};

// key: 32 raw bytes.
[[nodiscard]] std::unique_ptr<SecretSealer> make_local_sealer(std::string key);

}  // namespace eyewear::identity
