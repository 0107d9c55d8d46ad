// SQL implementation of security::ProfileStore over storage::Database (SQLite and PostgreSQL).
#pragma once

#include <memory>

#include "security/profile.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<security::ProfileStore> make_profile_store(storage::Database& db);

}  // namespace eyewear::stores
