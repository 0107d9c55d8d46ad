#include "stores/keyring_store.hpp"
#include "stores/sql_common.hpp"

#include <charconv>

namespace eyewear::stores {

namespace {

using platform::Result;
using platform::Status;
using security::DataKeyRecord;
using security::KeyringTx;
using storage::Connection;
using storage::Dialect;
using storage::Param;

// Every column that holds sealed values, with the SQL that reaches it. A module adding a secret
// field adds its column here, so that rewrap and status cover it.
struct ColumnSql {
  security::SealedColumn column;
  bool platform_tenant;      // the tenant is the platform, not a column of the row
  const char* scan;          // (row, tenant, value) after $1, at most $2 rows
  const char* replace;       // $1 row, $2 old value, $3 new value
  const char* count_sqlite;  // (version token, algorithm token, kid, count)
  const char* count_postgres;
};

// clang-format off: one row per sealed column, SQL kept readable
#define EW_SEALED_SQL(table, id, tenant, col)                                                                       \
  "SELECT " id ", " tenant ", " col " FROM " table " WHERE " id " > $1 AND " col " IS NOT NULL AND " col            \
  " <> '' ORDER BY " id " LIMIT $2",                                                                                \
      "UPDATE " table " SET " col " = $3 WHERE " id " = $1 AND " col " = $2",                                       \
      "WITH v AS (SELECT substr(" col ", 5) AS r FROM " table " WHERE " col                                         \
      " LIKE 'ew1:%'), "                                                                                            \
      "a AS (SELECT substr(r, 1, instr(r, ':') - 1) AS ver, substr(r, instr(r, ':') + 1) AS r2 FROM v), "           \
      "b AS (SELECT ver, substr(r2, 1, instr(r2, ':') - 1) AS alg, substr(r2, instr(r2, ':') + 1) AS r3 FROM a) "   \
      "SELECT ver, alg, substr(r3, 1, instr(r3, ':') - 1), COUNT(*) FROM b GROUP BY 1, 2, 3 "                       \
      "UNION ALL SELECT 'v0', '', '', COUNT(*) FROM " table " WHERE " col " IS NOT NULL AND " col " <> '' AND " col \
      " NOT LIKE 'ew1:%'",                                                                                          \
      "SELECT split_part(" col ", ':', 2), split_part(" col ", ':', 3), split_part(" col                            \
      ", ':', 4), COUNT(*) "                                                                                        \
      "FROM " table " WHERE " col                                                                                   \
      " LIKE 'ew1:%' GROUP BY 1, 2, 3 "                                                                             \
      "UNION ALL SELECT 'v0', '', '', COUNT(*) FROM " table " WHERE " col " IS NOT NULL AND " col " <> '' AND " col \
      " NOT LIKE 'ew1:%'"

const std::vector<ColumnSql>& column_sql() {
  static const std::vector<ColumnSql> columns = {
      {{"accounts.mfa_secret", "accounts", "mfa_secret"}, true, EW_SEALED_SQL("accounts", "id", "''", "mfa_secret")},
      // The pending secret becomes mfa_secret on confirmation, so it is bound to that column.
      {{"accounts.mfa_pending_secret", "accounts", "mfa_secret"},
       true,
       EW_SEALED_SQL("accounts", "id", "''", "mfa_pending_secret")},
      {{"manufacturer_profiles.phone", "manufacturer_profiles", "phone"},
       false,
       EW_SEALED_SQL("manufacturer_profiles", "manufacturer_id", "manufacturer_id", "phone_sealed")},
      {{"manufacturer_profiles.tax_id", "manufacturer_profiles", "tax_id"},
       false,
       EW_SEALED_SQL("manufacturer_profiles", "manufacturer_id", "manufacturer_id", "tax_id_sealed")},
      {{"manufacturer_profiles.licence_number", "manufacturer_profiles", "licence_number"},
       false,
       EW_SEALED_SQL("manufacturer_profiles", "manufacturer_id", "manufacturer_id", "licence_number_sealed")},
  };
  return columns;
}

// clang-format on
#undef EW_SEALED_SQL

std::vector<security::SealedColumn> plain_columns() {
  std::vector<security::SealedColumn> out;
  for (const auto& c : column_sql()) out.push_back(c.column);
  return out;
}

constexpr const char* kDataKeyColumns =
    "SELECT kid, tenant_id, key_version, algorithm, wrapped_key, state, created_at, retired_at FROM data_keys ";

DataKeyRecord data_key_from(const storage::Row& r) {
  DataKeyRecord k;
  k.kid = r.str(0);
  k.tenant = r.str(1);
  k.version = static_cast<int>(r.i64(2));
  k.algorithm = security::algorithm_from_name(r.text(3)).value_or(security::Algorithm::kXChaCha20Poly1305);
  k.wrapped_key = r.str(4);
  k.active = r.text(5) == "active";
  k.created_at = r.i64(6);
  k.retired_at = r.opt_i64(7);
  return k;
}

int version_of(std::string_view token) {
  int v = 0;
  if (token.size() < 2 || token[0] != 'v') return 0;
  const auto res = std::from_chars(token.data() + 1, token.data() + token.size(), v);
  return res.ec == std::errc() && res.ptr == token.data() + token.size() ? v : 0;
}

class SqlKeyringTx final : public KeyringTx {
 public:
  SqlKeyringTx(Connection& c, const std::vector<security::SealedColumn>& columns) : c_(c), columns_(columns) {}

  Result<std::optional<security::KeyringState>> state() override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT primary_version, min_decryption_version, epoch, updated_at "
                                            "FROM keyring_state WHERE id = 1"));
    if (rows.empty()) return std::optional<security::KeyringState>();
    const auto r = rows.front();
    return std::optional<security::KeyringState>(
        security::KeyringState{static_cast<int>(r.i64(0)), static_cast<int>(r.i64(1)), r.i64(2), r.i64(3)});
  }

  Result<bool> insert_state(const security::KeyringState& s) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("INSERT INTO keyring_state (id, primary_version, min_decryption_version, "
                                           "epoch, updated_at) VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                                           {s.primary_version, s.min_decryption_version, s.epoch, s.updated_at}));
    return n == 1;
  }

  Result<bool> update_state(const security::KeyringState& s, std::int64_t expected_epoch) override {
    EW_ASSIGN_OR_RETURN(
        auto n, c_.execute("UPDATE keyring_state SET primary_version = $1, min_decryption_version = $2, "
                           "epoch = $3, updated_at = $4 WHERE id = 1 AND epoch = $5",
                           {s.primary_version, s.min_decryption_version, s.epoch, s.updated_at, expected_epoch}));
    return n == 1;
  }

  Result<std::vector<security::KeyVersionRecord>> versions() override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT version, wrapped_key, master_fingerprint, created_at "
                                            "FROM keyring_versions ORDER BY version"));
    std::vector<security::KeyVersionRecord> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      out.push_back(security::KeyVersionRecord{static_cast<int>(r.i64(0)), r.str(1), r.str(2), r.i64(3)});
    }
    return out;
  }

  Result<bool> insert_version(const security::KeyVersionRecord& v) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("INSERT INTO keyring_versions (version, wrapped_key, master_fingerprint, "
                                           "created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING",
                                           {v.version, v.wrapped_key, v.master_fingerprint, v.created_at}));
    return n == 1;
  }

  Result<std::optional<DataKeyRecord>> active_data_key(std::string_view tenant) override {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query(std::string(kDataKeyColumns) + "WHERE tenant_id = $1 AND state = 'active'", {tenant}));
    if (rows.empty()) return std::optional<DataKeyRecord>();
    return std::optional<DataKeyRecord>(data_key_from(rows.front()));
  }

  Result<std::optional<DataKeyRecord>> data_key(std::string_view kid) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kDataKeyColumns) + "WHERE kid = $1", {kid}));
    if (rows.empty()) return std::optional<DataKeyRecord>();
    return std::optional<DataKeyRecord>(data_key_from(rows.front()));
  }

  Status replace_active_data_key(const DataKeyRecord& k, std::string_view previous_kid, std::int64_t now) override {
    if (!previous_kid.empty()) {
      EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE data_keys SET state = 'retired', retired_at = $3 "
                                             "WHERE kid = $1 AND tenant_id = $2 AND state = 'active'",
                                             {previous_kid, k.tenant, now}));
      if (n != 1) return platform::fail(platform::ErrorCode::kConflict, "the tenant's data key changed meanwhile");
    }
    EW_TRY(
        c_.execute("INSERT INTO data_keys (kid, tenant_id, key_version, algorithm, wrapped_key, state, created_at) "
                   "VALUES ($1, $2, $3, $4, $5, 'active', $6)",
                   {k.kid, k.tenant, k.version, security::algorithm_name(k.algorithm), k.wrapped_key, k.created_at}));
    return {};
  }

  Result<std::vector<std::pair<int, std::int64_t>>> data_keys_per_version() override {
    EW_ASSIGN_OR_RETURN(
        auto rows, c_.query("SELECT key_version, COUNT(*) FROM data_keys GROUP BY key_version ORDER BY key_version"));
    std::vector<std::pair<int, std::int64_t>> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.emplace_back(static_cast<int>(rows[i].i64(0)), rows[i].i64(1));
    return out;
  }

  Result<std::vector<DataKeyRecord>> data_keys_of(std::string_view tenant) override {
    EW_ASSIGN_OR_RETURN(
        auto rows, c_.query(std::string(kDataKeyColumns) + "WHERE tenant_id = $1 ORDER BY created_at, kid", {tenant}));
    std::vector<DataKeyRecord> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(data_key_from(rows[i]));
    return out;
  }

  Result<std::vector<DataKeyRecord>> active_data_keys() override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kDataKeyColumns) + "WHERE state = 'active'"));
    std::vector<DataKeyRecord> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(data_key_from(rows[i]));
    return out;
  }

  Result<bool> tenant_exists(std::string_view tenant) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT 1 FROM manufacturers WHERE id = $1", {tenant}));
    return !rows.empty();
  }

  const std::vector<security::SealedColumn>& sealed_columns() const override { return columns_; }

  Result<std::vector<security::SealedRow>> scan_sealed(std::size_t index, std::string_view after, int limit) override {
    const auto& sql = column_sql().at(index);
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(sql.scan, {after, limit}));
    std::vector<security::SealedRow> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      out.push_back(security::SealedRow{
          r.str(0), sql.platform_tenant ? std::string(security::kPlatformTenant) : r.str(1), r.str(2)});
    }
    return out;
  }

  Result<bool> replace_sealed(std::size_t index, std::string_view row, std::string_view old_value,
                              std::string_view new_value) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute(column_sql().at(index).replace, {row, old_value, new_value}));
    return n == 1;
  }

  Result<std::vector<security::HeaderCount>> count_sealed(std::size_t index) override {
    const auto& sql = column_sql().at(index);
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query(c_.dialect() == Dialect::kPostgres ? sql.count_postgres : sql.count_sqlite));
    std::vector<security::HeaderCount> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      if (r.i64(3) == 0) continue;
      out.push_back(security::HeaderCount{version_of(r.text(0)), r.str(1), r.str(2), r.i64(3)});
    }
    return out;
  }

  Result<std::optional<security::RewrapProgress>> rewrap_progress(std::string_view column) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT column_name, epoch, last_row, rewrapped, completed_at, updated_at "
                                            "FROM keyring_rewrap_progress WHERE column_name = $1",
                                            {column}));
    if (rows.empty()) return std::optional<security::RewrapProgress>();
    const auto r = rows.front();
    return std::optional<security::RewrapProgress>(
        security::RewrapProgress{r.str(0), r.i64(1), r.str(2), r.i64(3), r.opt_i64(4), r.i64(5)});
  }

  Status save_rewrap_progress(const security::RewrapProgress& p) override {
    EW_TRY(
        c_.execute("INSERT INTO keyring_rewrap_progress (column_name, epoch, last_row, rewrapped, completed_at, "
                   "updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (column_name) DO UPDATE SET "
                   "epoch = excluded.epoch, last_row = excluded.last_row, rewrapped = excluded.rewrapped, "
                   "completed_at = excluded.completed_at, updated_at = excluded.updated_at",
                   {p.column, p.epoch, p.cursor, p.rewrapped, p.completed_at, p.updated_at}));
    return {};
  }

  Status append_audit(const platform::AuditEvent& e) override { return insert_audit_event(c_, e); }

 private:
  Connection& c_;
  const std::vector<security::SealedColumn>& columns_;
};

class SqlKeyringStore final : public security::KeyringStore {
 public:
  explicit SqlKeyringStore(storage::Database& db) : db_(db), columns_(plain_columns()) {}
  Status write(const std::function<Status(KeyringTx&)>& work) override {
    return db_.transact(storage::TxMode::kWrite, [&](Connection& c) -> Status {
      SqlKeyringTx tx(c, columns_);
      return work(tx);
    });
  }
  Status read(const std::function<Status(KeyringTx&)>& work) override {
    return db_.transact(storage::TxMode::kRead, [&](Connection& c) -> Status {
      SqlKeyringTx tx(c, columns_);
      return work(tx);
    });
  }

 private:
  storage::Database& db_;
  std::vector<security::SealedColumn> columns_;
};

}  // namespace

std::unique_ptr<security::KeyringStore> make_keyring_store(storage::Database& db) {
  return std::make_unique<SqlKeyringStore>(db);
}

}  // namespace eyewear::stores
