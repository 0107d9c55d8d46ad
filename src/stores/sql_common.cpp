#include "stores/sql_common.hpp"

namespace eyewear::stores {

platform::Status insert_audit_event(storage::Connection& c, const platform::AuditEvent& e) {
  auto opt = [](const std::string& s) { return s.empty() ? storage::Param() : storage::Param(s); };
  EW_TRY(c.execute("INSERT INTO security_audit_log (event_type, account_id, manufacturer_id, actor_account_id, ip, "
                   "user_agent, request_id, outcome, details, created_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                   {e.type, opt(e.account_id), opt(e.manufacturer_id), opt(e.actor_account_id), e.ip, e.user_agent,
                    e.request_id, e.outcome, e.details, e.at_ms}));
  return {};
}

}  // namespace eyewear::stores
