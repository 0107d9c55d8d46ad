#include "storage/migrations.hpp"

#include <chrono>

#include "platform/crypto.hpp"

namespace eyewear::storage {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

// PostgreSQL advisory lock key for migrations ("EYEW" in ASCII).
constexpr std::int64_t kMigrationLock = 0x45594557;

Result<bool> table_exists(Connection& conn) {
  if (conn.dialect() == Dialect::kSqlite) {
    EW_ASSIGN_OR_RETURN(auto rows, conn.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                                              {"schema_migrations"}));
    return !rows.empty();
  }
  EW_ASSIGN_OR_RETURN(auto rows, conn.query("SELECT to_regclass($1) IS NOT NULL", {"schema_migrations"}));
  return !rows.empty() && rows[0].boolean(0);
}

Result<int> current_version(Connection& conn) {
  EW_ASSIGN_OR_RETURN(auto exists, table_exists(conn));
  if (!exists) return 0;
  EW_ASSIGN_OR_RETURN(auto rows, conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
  return static_cast<int>(rows[0].i64(0));
}

std::string checksum_of(const Migration& m) { return platform::to_hex(platform::sha256(m.sql)); }

}  // namespace

const std::vector<Migration>& migrations_for(Dialect dialect) {
  return dialect == Dialect::kSqlite ? embedded_sqlite_migrations() : embedded_postgres_migrations();
}

Result<SchemaStatus> schema_status_with(Database& db, const std::vector<Migration>& migrations) {
  EW_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kRead));
  EW_ASSIGN_OR_RETURN(int current, current_version(tx.conn()));
  SchemaStatus status;
  status.current = current;
  for (const auto& m : migrations) {
    status.latest = std::max(status.latest, m.version);
    if (m.version > current) status.pending.push_back(m.version);
  }
  EW_TRY(tx.commit());
  return status;
}

Result<SchemaStatus> schema_status(Database& db) { return schema_status_with(db, migrations_for(db.dialect())); }

Result<std::vector<int>> migrate_with(Database& db, const std::vector<Migration>& migrations,
                                      platform::Logger* logger) {
  std::vector<int> applied;
  int latest = 0;
  for (const auto& m : migrations) latest = std::max(latest, m.version);
  {
    auto tx = db.begin(TxMode::kWrite);
    if (!tx) return std::unexpected(tx.error());
    if (db.dialect() == Dialect::kPostgres) {
      EW_TRY(tx->conn().query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock}));
    }
    EW_TRY(tx->conn().execute_script(kCreateTable));
    EW_TRY(tx->commit());
  }
  // Verify that what was applied before is what this binary would apply.
  {
    EW_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kRead));
    EW_ASSIGN_OR_RETURN(auto rows, tx.conn().query("SELECT version, checksum FROM schema_migrations", {}));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto version = static_cast<int>(rows[i].i64(0));
      if (version > latest) {
        return fail(ErrorCode::kUnavailable,
                    "the database schema is at version " + std::to_string(version) +
                        ", newer than this binary knows (" + std::to_string(latest) +
                        "); run a newer eyewear binary",
                    {{"schema_version", static_cast<std::int64_t>(version)},
                     {"binary_version", static_cast<std::int64_t>(latest)}});
      }
      for (const auto& m : migrations) {
        if (m.version == version && rows[i].text(1) != checksum_of(m) && logger != nullptr) {
          logger->warn("applied migration differs from this binary's copy",
                       {{"version", version}, {"name", m.name}});
        }
      }
    }
    EW_TRY(tx.commit());
  }
  for (const auto& m : migrations) {
    EW_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kWrite));
    if (db.dialect() == Dialect::kPostgres) {
      EW_TRY(tx.conn().query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock}));
    }
    // Re-read under the lock: another process may have applied it meanwhile.
    EW_ASSIGN_OR_RETURN(auto done, tx.conn().query("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version}));
    if (!done.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    if (auto st = tx.conn().execute_script(m.sql); !st) {
      auto err = st.error();
      err.internal = "migration " + std::to_string(m.version) + "_" + m.name + " failed: " + err.internal;
      return fail(std::move(err));
    }
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EW_TRY(tx.conn().execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        {m.version, m.name, checksum_of(m), static_cast<std::int64_t>(now_ms)}));
    EW_TRY(tx.commit());
    applied.push_back(m.version);
    if (logger != nullptr) {
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      logger->info("migration applied", {{"version", m.version}, {"name", m.name}, {"duration_ms", ms}});
    }
  }
  return applied;
}

Result<std::vector<int>> migrate(Database& db, platform::Logger* logger) {
  return migrate_with(db, migrations_for(db.dialect()), logger);
}

}  // namespace eyewear::storage
