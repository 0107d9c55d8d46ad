// The identity module's records, as the store hands them over. Times are Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/audit.hpp"

namespace eyewear::identity {

enum class AccountStatus { kPendingVerification, kActive, kDisabled, kErased };
[[nodiscard]] const char* to_string(AccountStatus s);
[[nodiscard]] AccountStatus account_status_from(std::string_view s);

struct Account {
  std::string id;
  std::string email;
  std::string password_hash;
  AccountStatus status = AccountStatus::kPendingVerification;
  std::vector<std::string> roles;  // e.g. platform_admin
  std::optional<std::int64_t> email_verified_at;
  bool mfa_enabled = false;
  std::string mfa_secret;          // sealed
  std::string mfa_pending_secret;  // sealed
  std::int64_t mfa_last_step = 0;
  std::int64_t created_at = 0;
  // The manufacturer the account belongs to (owner membership).
  std::string manufacturer_id;
  std::string company_name;
  std::string tier;
  std::string manufacturer_status;
  std::string membership_role;
};

struct EmailToken {
  std::string id;
  std::string account_id;
  std::string purpose;  // verify_email | password_reset | magic_link
  std::string token_hash;
  std::int64_t expires_at = 0;
  std::int64_t created_at = 0;
};

struct OutboxMail {
  std::string id;
  std::string to;
  std::string subject;
  std::string body;
  std::string template_name;
  std::int64_t created_at = 0;
};

// Mails and audit entries written in the same transaction as the change they belong to.
struct SideEffects {
  std::vector<OutboxMail> mails;
  std::vector<platform::AuditEvent> audit;
};

struct Session {
  std::string id;
  std::string account_id;
  std::string manufacturer_id;
  std::string ip;
  std::string user_agent;
  std::string auth_method;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t idle_expires_at = 0;
  std::int64_t absolute_expires_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::string revoked_reason;
};

struct LockoutState {
  int failures = 0;
  std::int64_t locked_until = 0;
};

struct LoginAttempt {
  std::string email_hash;
  std::string account_id;
  std::string ip;
  std::string user_agent;
  std::string outcome;  // success | failure | locked | mfa_required | throttled
  std::string reason;
  std::int64_t at = 0;
};

struct MfaChallenge {
  std::string id;
  std::string account_id;
  std::string token_hash;
  std::string auth_method;
  std::string ip;
  std::string user_agent;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
  int failures = 0;
  std::int64_t created_at = 0;
};

struct TrustedDevice {
  std::string id;
  std::string account_id;
  std::string token_hash;
  std::string label;
  std::string ip;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> revoked_at;
};

struct AuditRecord {
  std::int64_t id = 0;
  platform::AuditEvent event;
};

}  // namespace eyewear::identity
