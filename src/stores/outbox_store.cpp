#include "stores/outbox_store.hpp"

namespace eyewear::stores {

namespace {

using platform::Result;
using platform::Status;

// A claimed message is leased for a minute: if the claiming node dies mid-send, another node
// retries it after the lease.
constexpr std::int64_t kLeaseMs = 60'000;

class SqlOutboxStore final : public mail::OutboxStore {
 public:
  explicit SqlOutboxStore(storage::Database& db) : db_(db) {}

  Result<std::vector<mail::Message>> claim_due(std::int64_t now, int limit) override {
    return db_.transact(storage::TxMode::kWrite, [&](storage::Connection& c) -> Result<std::vector<mail::Message>> {
      const char* sql =
          c.dialect() == storage::Dialect::kPostgres
              ? "UPDATE email_outbox SET next_attempt_at = CAST($1 AS BIGINT) + CAST($3 AS BIGINT) WHERE id IN (SELECT id FROM email_outbox "
                "WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 "
                "FOR UPDATE SKIP LOCKED) RETURNING id, to_address, subject, body_text, template, attempts"
              : "UPDATE email_outbox SET next_attempt_at = CAST($1 AS BIGINT) + CAST($3 AS BIGINT) WHERE id IN (SELECT id FROM email_outbox "
                "WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2) "
                "RETURNING id, to_address, subject, body_text, template, attempts";
      EW_ASSIGN_OR_RETURN(auto rows, c.query(sql, {now, limit, kLeaseMs}));
      std::vector<mail::Message> out;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto r = rows[i];
        out.push_back(mail::Message{r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), static_cast<int>(r.i64(5))});
      }
      return out;
    });
  }

  Status mark_sent(const std::string& id, std::int64_t now) override {
    return db_.transact(storage::TxMode::kWrite, [&](storage::Connection& c) -> Status {
      EW_TRY(c.execute("UPDATE email_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1",
                       {id, now}));
      return {};
    });
  }

  Status mark_failed(const std::string& id, const std::string& error, std::int64_t next_attempt, bool give_up) override {
    return db_.transact(storage::TxMode::kWrite, [&](storage::Connection& c) -> Status {
      EW_TRY(c.execute("UPDATE email_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, "
                       "status = CASE WHEN $4 = 1 THEN 'failed' ELSE 'pending' END WHERE id = $1",
                       {id, error, next_attempt, give_up ? 1 : 0}));
      return {};
    });
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<mail::OutboxStore> make_outbox_store(storage::Database& db) {
  return std::make_unique<SqlOutboxStore>(db);
}

}  // namespace eyewear::stores
