// Builds the keyring's options from the configuration: the master key from EYEWEAR_MASTER_KEY,
// EYEWEAR_MASTER_KEY_FILE, or <secrets-dir>/secrets/master.key (EYEWEAR_SECRETS_DIR, default the
// data dir; created on first use, 0600), and
// the algorithm of new data keys. Shared by the composition root and the `keys` CLI. Also the
// identity::SecretSealer over the keyring that replaces identity's interim sealer.
#pragma once

#include <memory>

#include "identity/sealer.hpp"
#include "platform/config.hpp"
#include "platform/logging.hpp"
#include "platform/random.hpp"
#include "security/keyring.hpp"

namespace eyewear::app {

[[nodiscard]] platform::Result<security::KeyringOptions> keyring_options(const platform::Config& config,
                                                                         platform::Random& random,
                                                                         platform::Logger& logger);

// Identity's bindings "<table>.<column>:<row id>" are records of accounts, which belong to the
// platform tenant (a person may be a member of several manufacturers).
[[nodiscard]] std::unique_ptr<identity::SecretSealer> make_keyring_sealer(security::Keyring& keyring);

}  // namespace eyewear::app
