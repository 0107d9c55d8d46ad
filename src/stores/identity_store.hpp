// SQL implementation of identity::IdentityStore over storage::Database (SQLite and PostgreSQL).
#pragma once

#include <memory>

#include "identity/store.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<identity::IdentityStore> make_identity_store(storage::Database& db);

}  // namespace eyewear::stores
