// The identity module's persistence seam. The service runs each use case as one unit of work:
// IdentityStore::write/read open a transaction and hand the use case an IdentityTx, whose
// operations are the only way identity touches storage. The SQL implementation lives in
// src/storage/identity_store.cpp; contract tests run it on SQLite and PostgreSQL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/model.hpp"
#include "platform/error.hpp"

namespace eyewear::identity {

using platform::Result;
using platform::Status;

enum class RefreshUse {
  kUsedNow,      // the token was valid and is now spent
  kAlreadyUsed,  // a spent token came back: reuse
  kUnknown,
};

class IdentityTx {
 public:
  virtual ~IdentityTx() = default;

  // Accounts and manufacturers
  [[nodiscard]] virtual Result<std::optional<Account>> account_by_email(std::string_view email) = 0;
  [[nodiscard]] virtual Result<std::optional<Account>> account_by_id(std::string_view id) = 0;
  [[nodiscard]] virtual Status insert_manufacturer(std::string_view id, std::string_view company_name,
                                                   std::string_view tier, std::int64_t now) = 0;
  [[nodiscard]] virtual Status insert_account(const Account& account, std::int64_t now) = 0;
  [[nodiscard]] virtual Status insert_membership(std::string_view account_id, std::string_view manufacturer_id,
                                                 std::string_view role, std::int64_t now) = 0;
  // Marks the email verified and a pending account active.
  [[nodiscard]] virtual Status mark_email_verified(std::string_view account_id, std::int64_t now) = 0;
  [[nodiscard]] virtual Status update_password(std::string_view account_id, std::string_view hash, std::int64_t now) = 0;
  [[nodiscard]] virtual Status add_password_history(std::string_view account_id, std::string_view hash,
                                                    std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::vector<std::string>> recent_password_hashes(std::string_view account_id,
                                                                               int limit) = 0;
  [[nodiscard]] virtual Status set_mfa_pending(std::string_view account_id, std::string_view sealed, std::int64_t now) = 0;
  [[nodiscard]] virtual Status enable_mfa(std::string_view account_id, std::string_view sealed, std::int64_t step,
                                          std::int64_t now) = 0;
  [[nodiscard]] virtual Status disable_mfa(std::string_view account_id, std::int64_t now) = 0;
  // Accepts a TOTP step only if it is later than the last accepted one (replay protection).
  [[nodiscard]] virtual Result<bool> advance_mfa_step(std::string_view account_id, std::int64_t step) = 0;
  // Scrubs personal data, ends sessions and removes MFA material; the row stays as a tombstone.
  [[nodiscard]] virtual Status erase_account(std::string_view account_id, std::int64_t now) = 0;
  [[nodiscard]] virtual Status set_manufacturer_status(std::string_view manufacturer_id, std::string_view status,
                                                       std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_members(std::string_view manufacturer_id) = 0;

  // Email tokens
  [[nodiscard]] virtual Status insert_email_token(const EmailToken& token) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_email_tokens_since(std::string_view account_id,
                                                                      std::string_view purpose, std::int64_t since) = 0;
  // Spends an unused, unexpired token; returns its account.
  [[nodiscard]] virtual Result<std::optional<std::string>> consume_email_token(std::string_view token_hash,
                                                                               std::string_view purpose,
                                                                               std::int64_t now) = 0;
  [[nodiscard]] virtual Status spend_email_tokens(std::string_view account_id, std::string_view purpose,
                                                  std::int64_t now) = 0;

  // Sessions and refresh tokens
  [[nodiscard]] virtual Status insert_session(const Session& session) = 0;
  [[nodiscard]] virtual Result<std::optional<Session>> session_by_id(std::string_view id) = 0;
  [[nodiscard]] virtual Status insert_refresh_token(std::string_view token_hash, std::string_view session_id,
                                                    std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::pair<RefreshUse, std::string>> use_refresh_token(std::string_view token_hash,
                                                                                    std::int64_t now) = 0;
  [[nodiscard]] virtual Status touch_session(std::string_view id, std::int64_t now, std::int64_t idle_expires_at) = 0;
  // True when it was active.
  [[nodiscard]] virtual Result<bool> revoke_session(std::string_view id, std::int64_t now, std::string_view reason) = 0;
  // Revokes every active session of an account except `keep`; returns the revoked ids.
  [[nodiscard]] virtual Result<std::vector<std::string>> revoke_sessions_of(std::string_view account_id,
                                                                            std::int64_t now, std::string_view reason,
                                                                            std::string_view keep) = 0;
  [[nodiscard]] virtual Result<std::vector<Session>> active_sessions_of(std::string_view account_id,
                                                                        std::int64_t now) = 0;
  // (id, revoked_at) of sessions revoked after `since`, oldest first.
  [[nodiscard]] virtual Result<std::vector<std::pair<std::string, std::int64_t>>> sessions_revoked_since(
      std::int64_t since) = 0;

  // Lockout and sign-in records
  [[nodiscard]] virtual Result<LockoutState> lockout(std::string_view email_hash) = 0;
  // Counts a failure; locks for `lock_ms` once `threshold` consecutive failures are reached.
  [[nodiscard]] virtual Result<LockoutState> record_failure(std::string_view email_hash, std::int64_t now,
                                                            int threshold, std::int64_t lock_ms) = 0;
  [[nodiscard]] virtual Status clear_lockout(std::string_view email_hash) = 0;
  [[nodiscard]] virtual Status insert_login_attempt(const LoginAttempt& attempt) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_ip_failures_since(std::string_view ip, std::int64_t since) = 0;

  // MFA
  [[nodiscard]] virtual Status insert_mfa_challenge(const MfaChallenge& challenge) = 0;
  [[nodiscard]] virtual Result<std::optional<MfaChallenge>> mfa_challenge_by_hash(std::string_view token_hash) = 0;
  [[nodiscard]] virtual Result<bool> consume_mfa_challenge(std::string_view id, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<int> fail_mfa_challenge(std::string_view id) = 0;
  [[nodiscard]] virtual Status replace_backup_codes(std::string_view account_id,
                                                    const std::vector<std::pair<std::string, std::string>>& id_hashes,
                                                    std::int64_t now) = 0;
  [[nodiscard]] virtual Result<bool> use_backup_code(std::string_view account_id, std::string_view code_hash,
                                                     std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_unused_backup_codes(std::string_view account_id) = 0;
  [[nodiscard]] virtual Status insert_trusted_device(const TrustedDevice& device) = 0;
  [[nodiscard]] virtual Result<std::optional<TrustedDevice>> trusted_device_by_hash(std::string_view token_hash) = 0;
  [[nodiscard]] virtual Status touch_trusted_device(std::string_view id, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::vector<TrustedDevice>> trusted_devices_of(std::string_view account_id,
                                                                              std::int64_t now) = 0;
  [[nodiscard]] virtual Result<bool> revoke_trusted_device(std::string_view account_id, std::string_view id,
                                                           std::int64_t now) = 0;
  [[nodiscard]] virtual Status revoke_trusted_devices_of(std::string_view account_id, std::int64_t now) = 0;

  // Mail and audit
  [[nodiscard]] virtual Status enqueue_mail(const OutboxMail& mail) = 0;
  [[nodiscard]] virtual Status append_audit(const platform::AuditEvent& event) = 0;
  // The account's events newest first, with id < before (0: from the newest).
  [[nodiscard]] virtual Result<std::vector<AuditRecord>> audit_of(std::string_view account_id, std::int64_t before,
                                                                  int limit) = 0;

  // Writes a use case's side effects.
  [[nodiscard]] Status apply(const SideEffects& effects) {
    for (const auto& m : effects.mails) EW_TRY(enqueue_mail(m));
    for (const auto& a : effects.audit) EW_TRY(append_audit(a));
    return {};
  }
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;
  // Runs `work` in a write transaction, committing when it returns success.
  [[nodiscard]] virtual Status write(const std::function<Status(IdentityTx&)>& work) = 0;
  // Runs `work` in a read-only transaction.
  [[nodiscard]] virtual Status read(const std::function<Status(IdentityTx&)>& work) = 0;
  // Records last-seen times of sessions in one transaction (batched by the session registry).
  [[nodiscard]] virtual Status touch_sessions(const std::vector<std::pair<std::string, std::int64_t>>& seen,
                                              std::int64_t idle_ms) = 0;
};

}  // namespace eyewear::identity
