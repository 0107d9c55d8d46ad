#include "stores/threat_store.hpp"
#include "stores/sql_common.hpp"

namespace eyewear::stores {

namespace {

using platform::Result;
using platform::Status;
using security::Severity;
using security::StoredThreat;
using security::ThreatRecord;
using storage::Connection;
using storage::Param;

constexpr const char* kColumns =
    "SELECT id, COALESCE(manufacturer_id, ''), COALESCE(account_id, ''), COALESCE(api_key_id, ''), ip, user_agent, "
    "request_id, route, threat_type, severity, confidence, field, detector, evidence, value_hash, blocked, created_at "
    "FROM security_threats ";

// The admin filters; empty strings and zero times match everything, so the text stays constant.
constexpr const char* kFilter =
    "WHERE ($1 = '' OR threat_type = $1) AND ($2 = '' OR severity = $2) AND ($3 = '' OR manufacturer_id = $3) "
    "AND created_at >= CAST($4 AS BIGINT) AND (CAST($5 AS BIGINT) = 0 OR created_at <= CAST($5 AS BIGINT)) ";

StoredThreat threat_from(const storage::Row& r) {
  StoredThreat t;
  t.id = r.i64(0);
  auto& x = t.record;
  x.manufacturer_id = r.str(1);
  x.account_id = r.str(2);
  x.api_key_id = r.str(3);
  x.ip = r.str(4);
  x.user_agent = r.str(5);
  x.request_id = r.str(6);
  x.route = r.str(7);
  x.type = security::threat_type_from(r.text(8)).value_or(security::ThreatType::kSqlInjection);
  x.severity = security::severity_from(r.text(9)).value_or(Severity::kHigh);
  x.confidence = r.f64(10);
  x.field = r.str(11);
  x.detector = r.str(12);
  x.evidence = r.str(13);
  x.value_hash = r.str(14);
  x.blocked = r.i64(15) != 0;
  x.at_ms = r.i64(16);
  return t;
}

Param opt(const std::string& s) { return s.empty() ? Param() : Param(s); }

class SqlThreatStore final : public security::ThreatStore {
 public:
  explicit SqlThreatStore(storage::Database& db) : db_(db) {}

  Status append(const std::vector<ThreatRecord>& records, const std::vector<platform::AuditEvent>& audit) override {
    return db_.transact(storage::TxMode::kWrite, [&](Connection& c) -> Status {
      for (const auto& r : records) {
        EW_TRY(
            c.execute("INSERT INTO security_threats (manufacturer_id, account_id, api_key_id, ip, user_agent, "
                      "request_id, route, threat_type, severity, confidence, field, detector, evidence, value_hash, "
                      "blocked, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                      "$16)",
                      {opt(r.manufacturer_id), opt(r.account_id), opt(r.api_key_id), r.ip, r.user_agent, r.request_id,
                       r.route, security::name_of(r.type), security::name_of(r.severity), r.confidence, r.field,
                       r.detector, r.evidence, r.value_hash, r.blocked ? 1 : 0, r.at_ms}));
      }
      for (const auto& e : audit) {
        EW_TRY(insert_audit_event(c, e));
      }
      return {};
    });
  }

  Result<security::ThreatCounts> counts(std::string_view manufacturer_id, std::int64_t window_start_ms,
                                        int latest) override {
    return db_.transact(storage::TxMode::kRead, [&](Connection& c) -> Result<security::ThreatCounts> {
      security::ThreatCounts out;
      EW_ASSIGN_OR_RETURN(auto by_type, c.query("SELECT threat_type, COUNT(*) FROM security_threats "
                                                "WHERE manufacturer_id = $1 GROUP BY threat_type",
                                                {manufacturer_id}));
      for (std::size_t i = 0; i < by_type.size(); ++i) {
        if (auto t = security::threat_type_from(by_type[i].text(0))) {
          out.by_type[static_cast<std::size_t>(*t)] = by_type[i].i64(1);
        }
      }
      EW_ASSIGN_OR_RETURN(auto by_severity,
                          c.query("SELECT severity, COUNT(*), SUM(CASE WHEN created_at >= CAST($2 AS BIGINT) THEN 1 "
                                  "ELSE 0 END), SUM(blocked) FROM security_threats WHERE manufacturer_id = $1 "
                                  "GROUP BY severity",
                                  {manufacturer_id, window_start_ms}));
      for (std::size_t i = 0; i < by_severity.size(); ++i) {
        const auto row = by_severity[i];
        if (auto s = security::severity_from(row.text(0))) {
          out.by_severity[static_cast<std::size_t>(*s)] = row.i64(1);
          out.recent_severity[static_cast<std::size_t>(*s)] = row.i64(2);
        }
        out.blocked += row.i64(3);
      }
      EW_ASSIGN_OR_RETURN(
          auto rows,
          c.query(std::string(kColumns) + "WHERE manufacturer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                  {manufacturer_id, latest}));
      for (std::size_t i = 0; i < rows.size(); ++i) out.latest.push_back(threat_from(rows[i]));
      return out;
    });
  }

  Result<security::ThreatPage> search(const security::ThreatQuery& q) override {
    return db_.transact(storage::TxMode::kRead, [&](Connection& c) -> Result<security::ThreatPage> {
      security::ThreatPage page;
      EW_ASSIGN_OR_RETURN(auto total, c.query(std::string("SELECT COUNT(*) FROM security_threats ") + kFilter,
                                              {q.type, q.severity, q.manufacturer_id, q.from_ms, q.to_ms}));
      page.total = total.front().i64(0);
      EW_ASSIGN_OR_RETURN(
          auto rows, c.query(std::string(kColumns) + kFilter + "ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7",
                             {q.type, q.severity, q.manufacturer_id, q.from_ms, q.to_ms, q.limit, q.offset}));
      for (std::size_t i = 0; i < rows.size(); ++i) page.items.push_back(threat_from(rows[i]));
      return page;
    });
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<security::ThreatStore> make_threat_store(storage::Database& db) {
  return std::make_unique<SqlThreatStore>(db);
}

}  // namespace eyewear::stores
