// SQL implementation of security::KeyringStore over storage::Database (SQLite and PostgreSQL),
// including the list of every sealed column the keyring's rewrap and status reach.
#pragma once

#include <memory>

#include "security/keyring_store.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<security::KeyringStore> make_keyring_store(storage::Database& db);

}  // namespace eyewear::stores
