// Identity use cases: sign-up and email verification, sign-in with lockout and throttling, MFA
// (TOTP, backup codes, trusted devices), sessions with rotating refresh tokens, the password
// lifecycle, magic links, account erasure and the audit trail. Each use case is one transaction
// through IdentityStore; passwords are hashed by the caller's worker thread (routes that reach
// hashing run on the worker pool, never on an I/O thread).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "identity/jwt.hpp"
#include "identity/model.hpp"
#include "identity/passwords.hpp"
#include "identity/sealer.hpp"
#include "identity/session_registry.hpp"
#include "identity/store.hpp"
#include "platform/audit.hpp"
#include "platform/clock.hpp"
#include "platform/config.hpp"
#include "platform/logging.hpp"
#include "platform/random.hpp"

namespace eyewear::identity {

using platform::RequestMeta;

// Limits sign-in failures per account over time (GCRA), beside the consecutive-failure lockout:
// a slow guesser who stays under the lockout threshold still runs out of attempts. Keyed by the
// email's keyed hash, so it counts whether or not the account exists. Backed by Redis when
// several nodes run, so every node sees the same budget.
class FailureLimiter {
 public:
  virtual ~FailureLimiter() = default;
  // Milliseconds until another sign-in may be tried for this email; 0 when one may be now.
  [[nodiscard]] virtual std::int64_t blocked_for(std::string_view email_hash) = 0;
  // Charges one failure.
  virtual void charge(std::string_view email_hash) = 0;
};

struct IdentityDeps {
  IdentityStore& store;
  PasswordHasher& hasher;
  TokenService& tokens;
  SecretSealer& sealer;
  SessionRegistry& sessions;
  const platform::Clock& clock;
  platform::Random& random;
  platform::Logger& logger;
  platform::IdentityConfig config;
  std::string public_url;
  std::string token_pepper;  // keys the hashes of short secrets (backup codes, email hashes)
  std::function<void()> mail_enqueued;  // wakes the outbox dispatcher after a commit
  FailureLimiter* failure_limiter = nullptr;  // optional
};

// The caller of an authenticated use case.
struct Caller {
  std::string account_id;
  std::string manufacturer_id;
  std::string session_id;
  RequestMeta meta;
};

struct TokenPair {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  std::string refresh_token;
  std::string session_id;
  std::string device_token;  // set when the device was remembered
};

struct LoginOutcome {
  bool mfa_required = false;
  std::string mfa_token;
  std::int64_t mfa_expires_in = 0;
  TokenPair tokens;
};

struct MfaSetup {
  std::string secret_base32;
  std::string otpauth_uri;
  std::string qr_svg;
};

struct AuthenticatedSession {
  AccessClaims claims;
};

class IdentityService {
 public:
  explicit IdentityService(IdentityDeps deps);

  // Sign-up. Always succeeds for well-formed input (an existing email gets an email instead),
  // so the answer does not reveal whether an account exists.
  [[nodiscard]] Status register_account(std::string_view email, std::string_view password,
                                        std::string_view company_name, const RequestMeta& meta);
  [[nodiscard]] Status verify_email(std::string_view token, const RequestMeta& meta);
  [[nodiscard]] Status resend_verification(std::string_view email, const RequestMeta& meta);

  [[nodiscard]] Result<LoginOutcome> login(std::string_view email, std::string_view password,
                                           std::string_view device_token, const RequestMeta& meta);
  [[nodiscard]] Result<LoginOutcome> login_mfa(std::string_view mfa_token, std::string_view code,
                                               std::string_view backup_code, bool remember_device,
                                               const RequestMeta& meta);
  [[nodiscard]] Result<TokenPair> refresh(std::string_view refresh_token, const RequestMeta& meta);
  [[nodiscard]] Status logout(const Caller& caller);
  [[nodiscard]] Status logout_all(const Caller& caller);
  [[nodiscard]] Result<std::vector<Session>> sessions(const Caller& caller);
  [[nodiscard]] Status revoke_session(const Caller& caller, std::string_view session_id);

  // Verifies an access token and that its session is alive (no database round trip).
  [[nodiscard]] Result<AccessClaims> authenticate(std::string_view access_token);
  [[nodiscard]] Result<Account> me(const Caller& caller);

  [[nodiscard]] Result<MfaSetup> mfa_setup(const Caller& caller);
  [[nodiscard]] Result<std::vector<std::string>> mfa_confirm(const Caller& caller, std::string_view code);
  [[nodiscard]] Status mfa_disable(const Caller& caller, std::string_view password, std::string_view code);
  [[nodiscard]] Result<std::vector<std::string>> regenerate_backup_codes(const Caller& caller, std::string_view code);
  [[nodiscard]] Result<std::vector<TrustedDevice>> devices(const Caller& caller);
  [[nodiscard]] Status revoke_device(const Caller& caller, std::string_view device_id);

  [[nodiscard]] StrengthReport strength(std::string_view password, std::string_view email,
                                        std::string_view company_name) const;
  [[nodiscard]] Status change_password(const Caller& caller, std::string_view current, std::string_view replacement);
  [[nodiscard]] Status forgot_password(std::string_view email, const RequestMeta& meta);
  [[nodiscard]] Status reset_password(std::string_view token, std::string_view password, const RequestMeta& meta);
  [[nodiscard]] Status request_magic_link(std::string_view email, const RequestMeta& meta);
  [[nodiscard]] Result<LoginOutcome> consume_magic_link(std::string_view token, const RequestMeta& meta);

  [[nodiscard]] Status erase_account(const Caller& caller, std::string_view password, std::string_view code);
  [[nodiscard]] Result<std::vector<AuditRecord>> audit(const Caller& caller, std::int64_t before, int limit);

  // Clears the sign-in lockout of an account (platform administration); `actor` is the admin.
  [[nodiscard]] Status unlock_account(std::string_view account_id, const RequestMeta& meta, std::string_view actor);

  // An active, verified account created by an operator (the CLI's `admin create`, demo data).
  [[nodiscard]] Result<std::string> provision_account(std::string_view email, std::string_view password,
                                                      std::string_view company_name, std::string_view tier,
                                                      const std::vector<std::string>& roles);

  // Helpers shared with tests.
  [[nodiscard]] static Result<std::string> normalize_email(std::string_view email);
  [[nodiscard]] std::string hash_token(std::string_view token) const;

 private:
  std::int64_t now_ms() const;
  std::string new_id();
  std::string new_token();
  std::string keyed_hash(std::string_view purpose, std::string_view value) const;
  platform::AuditEvent audit_event(std::string type, const Account* account, const RequestMeta& meta,
                                   std::string outcome = "success", std::string details = "{}") const;
  OutboxMail mail_to(std::string to, std::string template_name, std::string subject, std::string body);
  void after_commit(bool mail);
  // Creates the session and its tokens inside `tx`.
  Result<TokenPair> open_session(IdentityTx& tx, const Account& account, std::string_view auth_method,
                                 const RequestMeta& meta);
  Result<std::string> issue_access(const Account& account, const Session& session);
  Status check_new_password(IdentityTx* tx, const Account& account, std::string_view password);
  // Checks a TOTP code (with replay protection) or a backup code for `account` inside `tx`.
  Result<std::string> check_second_factor(IdentityTx& tx, const Account& account, std::string_view code,
                                          std::string_view backup_code, SideEffects& effects, const RequestMeta& meta);
  Result<std::vector<std::string>> new_backup_codes(IdentityTx& tx, const Account& account);
  Result<Account> require_account(IdentityTx& tx, const Caller& caller);

  IdentityDeps d_;
  PasswordPolicy policy_;
};

}  // namespace eyewear::identity
