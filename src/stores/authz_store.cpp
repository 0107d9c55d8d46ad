#include "stores/authz_store.hpp"
#include "stores/sql_common.hpp"

#include <algorithm>
#include <cctype>

namespace eyewear::stores {

namespace {

using authz::AuthzTx;
using authz::Permission;
using authz::Resource;
using platform::Result;
using platform::Status;
using storage::Connection;
using storage::Param;

std::string scopes_text(const std::vector<Permission>& scopes) {
  std::string out;
  for (auto p : scopes) {
    if (!out.empty()) out += ',';
    out += authz::name_of(p);
  }
  return out;
}

std::vector<Permission> scopes_from(std::string_view text) {
  std::vector<Permission> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const auto name = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (auto p = authz::permission_from(name)) out.push_back(*p);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

authz::ManufacturerState manufacturer_from(const storage::Row& r) {
  authz::ManufacturerState m;
  m.id = r.str(0);
  m.tier = authz::tier_from(r.text(1)).value_or(authz::Tier::kFree);
  m.status = r.str(2);
  m.updated_at = r.i64(3);
  return m;
}

constexpr const char* kKeyColumns =
    "SELECT id, manufacturer_id, created_by, name, prefix, key_hash, scopes, created_at, expires_at, first_used_at, "
    "last_used_at, revoked_at FROM api_keys ";

authz::ApiKey key_from(const storage::Row& r) {
  authz::ApiKey k;
  k.id = r.str(0);
  k.manufacturer_id = r.str(1);
  k.created_by = r.str(2);
  k.name = r.str(3);
  k.prefix = r.str(4);
  k.key_hash = r.str(5);
  k.scopes = scopes_from(r.text(6));
  k.created_at = r.i64(7);
  k.expires_at = r.opt_i64(8);
  k.first_used_at = r.opt_i64(9);
  k.last_used_at = r.opt_i64(10);
  k.revoked_at = r.opt_i64(11);
  return k;
}

class SqlAuthzTx final : public AuthzTx {
 public:
  explicit SqlAuthzTx(Connection& c) : c_(c) {}

  Result<std::optional<authz::ManufacturerState>> manufacturer(std::string_view id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT id, tier, status, updated_at FROM manufacturers WHERE id = $1", {id}));
    if (rows.empty()) return std::optional<authz::ManufacturerState>();
    return std::optional<authz::ManufacturerState>(manufacturer_from(rows.front()));
  }

  Result<std::vector<authz::ManufacturerState>> manufacturers_changed_since(std::int64_t since) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT id, tier, status, updated_at FROM manufacturers "
                                            "WHERE updated_at > $1 ORDER BY updated_at LIMIT 10000",
                                            {since}));
    std::vector<authz::ManufacturerState> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(manufacturer_from(rows[i]));
    return out;
  }

  Status set_tier(std::string_view id, authz::Tier tier, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE manufacturers SET tier = $2, updated_at = $3 WHERE id = $1",
                      {id, authz::name_of(tier), now}));
    return {};
  }

  Result<std::pair<std::vector<authz::ManufacturerSummary>, std::int64_t>> search_manufacturers(
      std::string_view query, std::int64_t offset, int limit) override {
    std::string pattern = "%";
    for (char ch : query) {
      if (ch == '%' || ch == '_' || ch == '\\') pattern.push_back('\\');
      pattern.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
    pattern += "%";
    EW_ASSIGN_OR_RETURN(auto total, c_.query("SELECT COUNT(*) FROM manufacturers m WHERE LOWER(m.company_name) LIKE $1 "
                                             "ESCAPE '\\' OR m.id = $2",
                                             {pattern, query}));
    EW_ASSIGN_OR_RETURN(
        auto rows,
        c_.query("SELECT m.id, m.company_name, m.tier, m.status, m.created_at, "
                 "COALESCE((SELECT a.email FROM memberships ms JOIN accounts a ON a.id = ms.account_id "
                 "  WHERE ms.manufacturer_id = m.id AND ms.role = 'owner' ORDER BY ms.created_at LIMIT 1), ''), "
                 "(SELECT COUNT(*) FROM memberships ms WHERE ms.manufacturer_id = m.id) "
                 "FROM manufacturers m WHERE LOWER(m.company_name) LIKE $1 ESCAPE '\\' OR m.id = $2 "
                 "ORDER BY m.created_at DESC, m.id LIMIT $3 OFFSET $4",
                 {pattern, query, limit, offset}));
    std::vector<authz::ManufacturerSummary> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      out.push_back(authz::ManufacturerSummary{r.str(0), r.str(1), r.str(2), r.str(3), r.str(5), r.i64(6), r.i64(4)});
    }
    return std::make_pair(std::move(out), total.front().i64(0));
  }

  Status ensure_counter(std::string_view m, Resource r, std::string_view period, std::int64_t now) {
    EW_TRY(c_.execute("INSERT INTO usage_counters (manufacturer_id, resource, period, used, updated_at) "
                      "VALUES ($1, $2, $3, 0, $4) ON CONFLICT (manufacturer_id, resource, period) DO NOTHING",
                      {m, authz::name_of(r), period, now}));
    return {};
  }

  Result<std::optional<std::int64_t>> consume(std::string_view m, Resource r, std::string_view period,
                                              std::int64_t amount, std::int64_t limit, std::int64_t now) override {
    // One conditional upsert: the check and the increment cannot be separated by another
    // request, on one node or many. The first use of a period inserts the row (if the amount
    // fits at all); later uses add to it only while the sum stays within the limit.
    EW_ASSIGN_OR_RETURN(
        auto rows,
        c_.query("INSERT INTO usage_counters (manufacturer_id, resource, period, used, updated_at) "
                 "SELECT $1, $2, $3, CAST($4 AS BIGINT), $6 "
                 "WHERE CAST($5 AS BIGINT) < 0 OR CAST($4 AS BIGINT) <= CAST($5 AS BIGINT) "
                 "ON CONFLICT (manufacturer_id, resource, period) DO UPDATE "
                 "SET used = usage_counters.used + CAST($4 AS BIGINT), updated_at = $6 "
                 "WHERE CAST($5 AS BIGINT) < 0 OR usage_counters.used + CAST($4 AS BIGINT) <= CAST($5 AS BIGINT) "
                 "RETURNING used",
                 {m, authz::name_of(r), period, amount, limit, now}));
    if (rows.empty()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(rows.front().i64(0));
  }

  Result<std::pair<std::int64_t, std::int64_t>> consume_up_to(std::string_view m, Resource r, std::string_view period,
                                                              std::int64_t amount, std::int64_t limit,
                                                              std::int64_t now) override {
    EW_TRY(ensure_counter(m, r, period, now));
    // Read and lock the counter (PostgreSQL row lock; SQLite's write transaction already holds
    // the database lock), then grant what fits.
    const char* select = c_.dialect() == storage::Dialect::kPostgres
                             ? "SELECT used FROM usage_counters WHERE manufacturer_id = $1 AND resource = $2 "
                               "AND period = $3 FOR UPDATE"
                             : "SELECT used FROM usage_counters WHERE manufacturer_id = $1 AND resource = $2 "
                               "AND period = $3";
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(select, {m, authz::name_of(r), period}));
    const auto used_before = rows.front().i64(0);
    const std::int64_t granted =
        limit < 0 ? amount : std::clamp<std::int64_t>(limit - used_before, 0, amount);
    if (granted > 0) {
      EW_TRY(c_.execute("UPDATE usage_counters SET used = used + CAST($4 AS BIGINT), updated_at = $5 "
                        "WHERE manufacturer_id = $1 AND resource = $2 AND period = $3",
                        {m, authz::name_of(r), period, granted, now}));
    }
    return std::make_pair(granted, used_before + granted);
  }

  Status refund(std::string_view m, Resource r, std::string_view period, std::int64_t amount, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE usage_counters SET used = CASE WHEN used >= CAST($4 AS BIGINT) THEN used - CAST($4 AS BIGINT) "
                      "ELSE 0 END, updated_at = $5 WHERE manufacturer_id = $1 AND resource = $2 AND period = $3",
                      {m, authz::name_of(r), period, amount, now}));
    return {};
  }

  Result<std::int64_t> used(std::string_view m, Resource r, std::string_view period) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT used FROM usage_counters WHERE manufacturer_id = $1 AND resource = $2 "
                                            "AND period = $3",
                                            {m, authz::name_of(r), period}));
    return rows.empty() ? 0 : rows.front().i64(0);
  }

  Status reset_usage(std::string_view m, std::string_view period, std::optional<Resource> r, std::int64_t now) override {
    if (r) {
      EW_TRY(c_.execute("UPDATE usage_counters SET used = 0, updated_at = $4 WHERE manufacturer_id = $1 AND period = $2 "
                        "AND resource = $3",
                        {m, period, authz::name_of(*r), now}));
    } else {
      EW_TRY(c_.execute("UPDATE usage_counters SET used = 0, updated_at = $3 WHERE manufacturer_id = $1 AND period = $2",
                        {m, period, now}));
    }
    return {};
  }

  Status record_usage(std::string_view m, Resource r, std::int64_t amount, std::string_view request_id,
                      std::string_view day, std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO usage_events (manufacturer_id, resource, amount, request_id, day, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6)",
                      {m, authz::name_of(r), amount, request_id, day, now}));
    return {};
  }

  Result<std::vector<std::pair<std::string, std::int64_t>>> daily_usage(std::string_view m, Resource r,
                                                                       std::string_view period) override {
    const std::string prefix = std::string(period) + "-%";
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT day, SUM(amount) FROM usage_events WHERE manufacturer_id = $1 "
                                            "AND resource = $2 AND day LIKE $3 GROUP BY day ORDER BY day",
                                            {m, authz::name_of(r), prefix}));
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows[i].str(0), rows[i].i64(1));
    return out;
  }

  Status record_denial(std::string_view m, Permission p, std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO feature_denials (manufacturer_id, permission, created_at) VALUES ($1, $2, $3)",
                      {m, authz::name_of(p), now}));
    return {};
  }

  Result<std::vector<Permission>> denials_since(std::string_view m, std::int64_t since) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT DISTINCT permission FROM feature_denials WHERE manufacturer_id = $1 "
                                            "AND created_at > $2",
                                            {m, since}));
    std::vector<Permission> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (auto p = authz::permission_from(rows[i].text(0))) out.push_back(*p);
    }
    return out;
  }

  Status insert_api_key(const authz::ApiKey& k) override {
    EW_TRY(c_.execute("INSERT INTO api_keys (id, manufacturer_id, created_by, name, prefix, key_hash, scopes, created_at, "
                      "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      {k.id, k.manufacturer_id, k.created_by, k.name, k.prefix, k.key_hash, scopes_text(k.scopes),
                       k.created_at, k.expires_at}));
    return {};
  }

  Result<std::optional<authz::ApiKey>> api_key_by_hash(std::string_view key_hash) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kKeyColumns) + "WHERE key_hash = $1", {key_hash}));
    if (rows.empty()) return std::optional<authz::ApiKey>();
    return std::optional<authz::ApiKey>(key_from(rows.front()));
  }

  Result<std::vector<authz::ApiKey>> api_keys_of(std::string_view m) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kKeyColumns) +
                                                "WHERE manufacturer_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
                                            {m}));
    std::vector<authz::ApiKey> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(key_from(rows[i]));
    return out;
  }

  Result<std::optional<authz::ApiKey>> revoke_api_key(std::string_view m, std::string_view id, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE api_keys SET revoked_at = $3 WHERE id = $2 AND manufacturer_id = $1 "
                                           "AND revoked_at IS NULL",
                                           {m, id, now}));
    if (n != 1) return std::optional<authz::ApiKey>();
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kKeyColumns) + "WHERE id = $1", {id}));
    return std::optional<authz::ApiKey>(key_from(rows.front()));
  }

  Result<bool> mark_api_key_used(std::string_view id, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto first, c_.execute("UPDATE api_keys SET first_used_at = $2, last_used_at = $2 WHERE id = $1 "
                                               "AND first_used_at IS NULL",
                                               {id, now}));
    if (first == 1) return true;
    EW_TRY(c_.execute("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", {id, now}));
    return false;
  }

  Result<std::int64_t> count_active_api_keys(std::string_view m, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT COUNT(*) FROM api_keys WHERE manufacturer_id = $1 AND revoked_at IS NULL "
                                            "AND (expires_at IS NULL OR expires_at > $2)",
                                            {m, now}));
    return rows.front().i64(0);
  }

  Status append_audit(const platform::AuditEvent& e) override { return insert_audit_event(c_, e); }

  Result<std::vector<authz::AuditEntry>> search_audit(const authz::AuditFilter& f) override {
    // Empty filters match everything; the statement stays constant (bound parameters only).
    EW_ASSIGN_OR_RETURN(
        auto rows,
        c_.query("SELECT id, event_type, COALESCE(account_id, ''), COALESCE(manufacturer_id, ''), "
                 "COALESCE(actor_account_id, ''), ip, user_agent, request_id, outcome, details, created_at "
                 "FROM security_audit_log WHERE ($1 = '' OR event_type = $1) AND ($2 = '' OR manufacturer_id = $2) "
                 "AND ($3 = '' OR account_id = $3 OR actor_account_id = $3) "
                 "AND created_at >= CAST($4 AS BIGINT) AND (CAST($5 AS BIGINT) = 0 OR created_at <= CAST($5 AS BIGINT)) "
                 "AND (CAST($6 AS BIGINT) = 0 OR id < CAST($6 AS BIGINT)) ORDER BY id DESC LIMIT $7",
                 {f.type, f.manufacturer_id, f.account_id, f.from_ms, f.to_ms, f.before_id, f.limit}));
    std::vector<authz::AuditEntry> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      authz::AuditEntry e;
      e.id = r.i64(0);
      e.event.type = r.str(1);
      e.event.account_id = r.str(2);
      e.event.manufacturer_id = r.str(3);
      e.event.actor_account_id = r.str(4);
      e.event.ip = r.str(5);
      e.event.user_agent = r.str(6);
      e.event.request_id = r.str(7);
      e.event.outcome = r.str(8);
      e.event.details = r.str(9);
      e.event.at_ms = r.i64(10);
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  Connection& c_;
};

using SqlAuthzStore = SqlStore<authz::AuthzStore, AuthzTx, SqlAuthzTx>;

}  // namespace

std::unique_ptr<authz::AuthzStore> make_authz_store(storage::Database& db) { return std::make_unique<SqlAuthzStore>(db); }

}  // namespace eyewear::stores
