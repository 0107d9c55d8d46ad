// Versioned schema migrations, one ordered list per dialect, embedded in the binary from
// migrations/<dialect>/NNNN_name.sql. Applied versions are recorded in schema_migrations with a
// checksum; each migration runs in its own transaction, serialised across processes (SQLite's
// write lock, PostgreSQL's advisory lock), so two nodes starting together apply it once.
#pragma once

#include <string>
#include <vector>

#include "platform/logging.hpp"
#include "storage/database.hpp"

namespace eyewear::storage {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& embedded_sqlite_migrations();
const std::vector<Migration>& embedded_postgres_migrations();
[[nodiscard]] const std::vector<Migration>& migrations_for(Dialect dialect);

struct SchemaStatus {
  int current = 0;  // highest applied version (0: empty database)
  int latest = 0;   // highest version this binary knows
  std::vector<int> pending;
  [[nodiscard]] bool up_to_date() const { return pending.empty() && current == latest; }
  [[nodiscard]] bool ahead() const { return current > latest; }
};

[[nodiscard]] Result<SchemaStatus> schema_status(Database& db);

// Applies pending migrations and returns the versions applied. Refuses (FAILED_PRECONDITION as
// UNAVAILABLE) when the database holds a newer schema than this binary knows.
[[nodiscard]] Result<std::vector<int>> migrate(Database& db, platform::Logger* logger);

// Like migrate(), but for a caller-supplied list; used by tests.
[[nodiscard]] Result<std::vector<int>> migrate_with(Database& db, const std::vector<Migration>& migrations,
                                                    platform::Logger* logger);
[[nodiscard]] Result<SchemaStatus> schema_status_with(Database& db, const std::vector<Migration>& migrations);

}  // namespace eyewear::storage
