// SQL implementation of security::ThreatStore over storage::Database (SQLite and PostgreSQL).
#pragma once

#include <memory>

#include "security/threat_store.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<security::ThreatStore> make_threat_store(storage::Database& db);

}  // namespace eyewear::stores
