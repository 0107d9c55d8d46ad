// One entry of the security audit log (table security_audit_log). Every module that changes
// something security-relevant writes one in the same transaction as the change. Details are a
// JSON object and must never hold secrets, tokens, passwords or sealed-field plaintext.
#pragma once

#include <cstdint>
#include <string>

namespace eyewear::platform {

struct AuditEvent {
  std::string type;             // e.g. "login_failed", "mfa_enabled", "tier_changed"
  std::string account_id;       // subject account, empty if none
  std::string manufacturer_id;  // tenant, empty if none
  std::string actor_account_id; // who acted, when not the subject (admins)
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string outcome = "success";  // success | failure | denied
  std::string details = "{}";       // JSON object
  std::int64_t at_ms = 0;
};

// Who performed a request, for audit entries and login records.
struct RequestMeta {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

}  // namespace eyewear::platform
