// Seals small secrets at rest (TOTP secrets): authenticated encryption bound to the record it
// belongs to, so a sealed value copied to another account does not open. The composition root
// implements it over the security module's keyring (app/keyring_setup.hpp): identity knows only
// this seam, not the keys.
#pragma once

#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace eyewear::identity {

class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  // `binding` names the record as "<table>.<column>:<row id>" (e.g. "accounts.mfa_secret:<account id>").
  [[nodiscard]] virtual platform::Result<std::string> seal(std::string_view plaintext, std::string_view binding) = 0;
  [[nodiscard]] virtual platform::Result<std::string> open(std::string_view sealed, std::string_view binding) = 0;
};

}  // namespace eyewear::identity
