// SQL implementation of authz::AuthzStore over storage::Database (SQLite and PostgreSQL).
#pragma once

#include <memory>

#include "authz/store.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<authz::AuthzStore> make_authz_store(storage::Database& db);

}  // namespace eyewear::stores
