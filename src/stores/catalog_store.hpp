// SQL implementation of catalog::CatalogStore over storage::Database (SQLite and PostgreSQL).
#pragma once

#include <memory>

#include "catalog/store.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<catalog::CatalogStore> make_catalog_store(storage::Database& db);

}  // namespace eyewear::stores
