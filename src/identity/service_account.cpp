// IdentityService: the signed-in account — profile, MFA management, trusted devices, password
// lifecycle, erasure and its audit trail.
#include <nlohmann/json.hpp>

#include "identity/mail_templates.hpp"
#include "identity/service.hpp"
#include "identity/totp.hpp"
#include "platform/crypto.hpp"

namespace eyewear::identity {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

namespace {
Error wrong_password() { return Error(ErrorCode::kInvalidCredentials, "the current password is not correct"); }
}  // namespace

Result<Account> IdentityService::me(const Caller& caller) {
  std::optional<Account> account;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(account, require_account(tx, caller));
    return {};
  }));
  return std::move(*account);
}

Result<MfaSetup> IdentityService::mfa_setup(const Caller& caller) {
  const auto now = now_ms();
  MfaSetup setup;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    if (account.mfa_enabled) {
      return fail(Error(ErrorCode::kConflict, "two-factor authentication is already on; disable it first",
                        {{"field", "mfa"}}));
    }
    auto secret = d_.random.bytes(20);  // 160 bits, as RFC 4226 recommends
    EW_ASSIGN_OR_RETURN(auto sealed, d_.sealer.seal(secret, "accounts.mfa_secret:" + account.id));
    EW_TRY(tx.set_mfa_pending(account.id, sealed, now));
    setup.secret_base32 = platform::base32_encode(secret);
    setup.otpauth_uri = otpauth_uri("Eyewear", account.email, secret);
    setup.qr_svg = qr_svg(setup.otpauth_uri);
    platform::secure_wipe(secret);
    return tx.append_audit(audit_event("mfa_setup_started", &account, caller.meta));
  }));
  return setup;
}

Result<std::vector<std::string>> IdentityService::new_backup_codes(IdentityTx& tx, const Account& account) {
  // 10 codes of 10 base32 characters (50 bits each), shown once, stored as keyed hashes.
  std::vector<std::string> codes;
  std::vector<std::pair<std::string, std::string>> rows;
  for (int i = 0; i < 10; ++i) {
    const auto raw = platform::base32_encode(d_.random.bytes(7)).substr(0, 10);
    codes.push_back(raw.substr(0, 5) + "-" + raw.substr(5));
    rows.emplace_back(new_id(), keyed_hash("backup", raw));
  }
  EW_TRY(tx.replace_backup_codes(account.id, rows, now_ms()));
  return codes;
}

Result<std::vector<std::string>> IdentityService::mfa_confirm(const Caller& caller, std::string_view code) {
  const auto now = now_ms();
  std::vector<std::string> codes;
  std::optional<Error> refusal;
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    if (account.mfa_enabled) {
      refusal = Error(ErrorCode::kConflict, "two-factor authentication is already on", {{"field", "mfa"}});
      return {};
    }
    if (account.mfa_pending_secret.empty()) {
      refusal = Error(ErrorCode::kConflict, "start the setup first", {{"field", "mfa"}});
      return {};
    }
    EW_ASSIGN_OR_RETURN(auto secret, d_.sealer.open(account.mfa_pending_secret, "accounts.mfa_secret:" + account.id));
    const auto step = verify_totp(secret, code, d_.clock.now());
    platform::secure_wipe(secret);
    if (!step) {
      refusal = Error(ErrorCode::kMfaInvalid, "the code is not valid");
      return tx.append_audit(audit_event("mfa_confirm_failed", &account, caller.meta, "failure"));
    }
    EW_TRY(tx.enable_mfa(account.id, account.mfa_pending_secret, *step, now));
    EW_ASSIGN_OR_RETURN(codes, new_backup_codes(tx, account));
    const auto m = templates::mfa_changed(true);
    EW_TRY(tx.enqueue_mail(mail_to(account.email, "mfa_enabled", m.subject, m.body)));
    mail = true;
    return tx.append_audit(audit_event("mfa_enabled", &account, caller.meta));
  }));
  if (refusal) return fail(*refusal);
  after_commit(mail);
  return codes;
}

Status IdentityService::mfa_disable(const Caller& caller, std::string_view password, std::string_view code) {
  std::optional<Account> account;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(account, require_account(tx, caller));
    return {};
  }));
  if (!account->mfa_enabled) return fail(Error(ErrorCode::kConflict, "two-factor authentication is off", {{"field", "mfa"}}));
  if (!d_.hasher.verify(account->password_hash, password)) return fail(wrong_password());
  const auto now = now_ms();
  std::optional<Error> refusal;
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    SideEffects effects;
    EW_ASSIGN_OR_RETURN(auto method, check_second_factor(tx, *account, code, "", effects, caller.meta));
    if (method.empty()) {
      refusal = Error(ErrorCode::kMfaInvalid, "the code is not valid");
      return tx.apply(effects);
    }
    EW_TRY(tx.disable_mfa(account->id, now));
    EW_TRY(tx.revoke_trusted_devices_of(account->id, now));
    const auto m = templates::mfa_changed(false);
    effects.mails.push_back(mail_to(account->email, "mfa_disabled", m.subject, m.body));
    effects.audit.push_back(audit_event("mfa_disabled", &*account, caller.meta));
    mail = true;
    return tx.apply(effects);
  }));
  if (refusal) return fail(*refusal);
  after_commit(mail);
  return {};
}

Result<std::vector<std::string>> IdentityService::regenerate_backup_codes(const Caller& caller, std::string_view code) {
  std::vector<std::string> codes;
  std::optional<Error> refusal;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    if (!account.mfa_enabled) {
      refusal = Error(ErrorCode::kConflict, "two-factor authentication is off", {{"field", "mfa"}});
      return {};
    }
    SideEffects effects;
    EW_ASSIGN_OR_RETURN(auto method, check_second_factor(tx, account, code, "", effects, caller.meta));
    if (method.empty()) {
      refusal = Error(ErrorCode::kMfaInvalid, "the code is not valid");
      return tx.apply(effects);
    }
    EW_ASSIGN_OR_RETURN(codes, new_backup_codes(tx, account));
    effects.audit.push_back(audit_event("backup_codes_regenerated", &account, caller.meta));
    return tx.apply(effects);
  }));
  if (refusal) return fail(*refusal);
  return codes;
}

Result<std::vector<TrustedDevice>> IdentityService::devices(const Caller& caller) {
  std::vector<TrustedDevice> out;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.trusted_devices_of(caller.account_id, now_ms()));
    return {};
  }));
  return out;
}

Status IdentityService::revoke_device(const Caller& caller, std::string_view device_id) {
  bool found = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    EW_ASSIGN_OR_RETURN(found, tx.revoke_trusted_device(caller.account_id, device_id, now_ms()));
    if (!found) return {};
    return tx.append_audit(audit_event("device_revoked", &account, caller.meta, "success",
                                       nlohmann::json({{"device_id", device_id}}).dump()));
  }));
  if (!found) return fail(Error::not_found("device"));
  return {};
}

StrengthReport IdentityService::strength(std::string_view password, std::string_view email,
                                         std::string_view company_name) const {
  std::vector<std::string> words;
  if (!email.empty()) words.emplace_back(email.substr(0, email.find('@')));
  if (!company_name.empty()) words.emplace_back(company_name);
  return estimate_strength(password, words);
}

Status IdentityService::check_new_password(IdentityTx* tx, const Account& account, std::string_view password) {
  EW_TRY(check_password(policy_, password, account.email, account.company_name));
  if (tx == nullptr || d_.config.password_history <= 0) return {};
  EW_ASSIGN_OR_RETURN(auto previous, tx->recent_password_hashes(account.id, d_.config.password_history));
  for (const auto& h : previous) {
    if (d_.hasher.verify(h, password)) {
      return fail(Error(ErrorCode::kValidationFailed,
                        "choose a password you have not used for your last " +
                            std::to_string(d_.config.password_history) + " passwords",
                        {{"field", "password"}, {"rule", "recently_used"}}));
    }
  }
  return {};
}

Status IdentityService::change_password(const Caller& caller, std::string_view current, std::string_view replacement) {
  std::optional<Account> account;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(account, require_account(tx, caller));
    return check_new_password(&tx, *account, replacement);
  }));
  if (!d_.hasher.verify(account->password_hash, current)) return fail(wrong_password());
  EW_ASSIGN_OR_RETURN(const auto hash, d_.hasher.hash(replacement));
  const auto now = now_ms();
  std::vector<std::string> revoked;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_TRY(tx.update_password(account->id, hash, now));
    EW_TRY(tx.add_password_history(account->id, hash, now));
    EW_ASSIGN_OR_RETURN(revoked, tx.revoke_sessions_of(account->id, now, "password_changed", caller.session_id));
    const auto m = templates::password_changed();
    EW_TRY(tx.enqueue_mail(mail_to(account->email, "password_changed", m.subject, m.body)));
    return tx.append_audit(audit_event("password_changed", &*account, caller.meta, "success",
                                       nlohmann::json({{"other_sessions_revoked", revoked.size()}}).dump()));
  }));
  for (const auto& id : revoked) d_.sessions.mark_revoked(id, now);
  after_commit(true);
  return {};
}

Status IdentityService::forgot_password(std::string_view raw_email, const RequestMeta& meta) {
  EW_ASSIGN_OR_RETURN(const auto email, normalize_email(raw_email));
  const auto now = now_ms();
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_email(email));
    if (!account || account->status == AccountStatus::kErased || account->status == AccountStatus::kDisabled) return {};
    EW_ASSIGN_OR_RETURN(auto recent, tx.count_email_tokens_since(account->id, "password_reset", now - 3'600'000));
    if (recent >= 5) return {};
    const auto token = new_token();
    EW_TRY(tx.insert_email_token(EmailToken{new_id(), account->id, "password_reset", hash_token(token),
                                            now + d_.config.reset_token_ttl.count(), now}));
    const auto m = templates::password_reset(d_.public_url + "/reset-password?token=" + token);
    EW_TRY(tx.enqueue_mail(mail_to(email, "password_reset", m.subject, m.body)));
    EW_TRY(tx.append_audit(audit_event("password_reset_requested", &*account, meta)));
    mail = true;
    return {};
  }));
  after_commit(mail);
  return {};
}

Status IdentityService::reset_password(std::string_view token, std::string_view password, const RequestMeta& meta) {
  if (token.empty() || token.size() > 256) return fail(Error::validation("token", "required", "token is required"));
  // Check the link before hashing anything; it is spent only once the new password is accepted.
  std::optional<Account> account;
  const auto token_hash = hash_token(token);
  const auto invalid = Error(ErrorCode::kTokenInvalid, "the reset link is invalid, used or expired", {{"reason", "invalid_link"}});
  const auto now = now_ms();
  std::optional<Error> refusal;
  std::string hash;
  std::vector<std::string> revoked;
  // First transaction: spend the token and learn the account (a reused token fails here).
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account_id, tx.consume_email_token(token_hash, "password_reset", now));
    if (!account_id) {
      refusal = invalid;
      return {};
    }
    EW_ASSIGN_OR_RETURN(account, tx.account_by_id(*account_id));
    if (!account || account->status == AccountStatus::kErased || account->status == AccountStatus::kDisabled) {
      refusal = invalid;
      return {};
    }
    // A password the policy refuses fails the transaction, so the link is not spent.
    return check_new_password(&tx, *account, password);
  }));
  if (refusal) return fail(*refusal);
  EW_ASSIGN_OR_RETURN(hash, d_.hasher.hash(password));
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_TRY(tx.update_password(account->id, hash, now));
    EW_TRY(tx.add_password_history(account->id, hash, now));
    EW_TRY(tx.spend_email_tokens(account->id, "password_reset", now));
    EW_ASSIGN_OR_RETURN(revoked, tx.revoke_sessions_of(account->id, now, "password_reset", ""));
    EW_TRY(tx.clear_lockout(keyed_hash("email", account->email)));
    // Proving control of the mailbox also verifies it.
    if (account->status == AccountStatus::kPendingVerification) EW_TRY(tx.mark_email_verified(account->id, now));
    const auto m = templates::password_changed();
    EW_TRY(tx.enqueue_mail(mail_to(account->email, "password_changed", m.subject, m.body)));
    return tx.append_audit(audit_event("password_reset", &*account, meta, "success",
                                       nlohmann::json({{"sessions_revoked", revoked.size()}}).dump()));
  }));
  for (const auto& id : revoked) d_.sessions.mark_revoked(id, now);
  after_commit(true);
  return {};
}

Status IdentityService::erase_account(const Caller& caller, std::string_view password, std::string_view code) {
  std::optional<Account> account;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(account, require_account(tx, caller));
    return {};
  }));
  if (!d_.hasher.verify(account->password_hash, password)) return fail(wrong_password());
  const auto now = now_ms();
  std::optional<Error> refusal;
  std::vector<std::string> sessions;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    SideEffects effects;
    if (account->mfa_enabled) {
      if (code.empty()) {
        refusal = Error::validation("code", "required", "a two-factor code is required to erase the account");
        return {};
      }
      EW_ASSIGN_OR_RETURN(auto method, check_second_factor(tx, *account, code, "", effects, caller.meta));
      if (method.empty()) {
        refusal = Error(ErrorCode::kMfaInvalid, "the code is not valid");
        return tx.apply(effects);
      }
    }
    EW_ASSIGN_OR_RETURN(auto active, tx.active_sessions_of(account->id, now));
    for (const auto& s : active) sessions.push_back(s.id);
    EW_TRY(tx.erase_account(account->id, now));
    EW_ASSIGN_OR_RETURN(auto members, tx.count_members(account->manufacturer_id));
    if (members == 0 && !account->manufacturer_id.empty()) {
      EW_TRY(tx.set_manufacturer_status(account->manufacturer_id, "deleted", now));
    }
    // The audit entry keeps the account id, never the erased personal data.
    auto event = audit_event("account_erased", &*account, caller.meta);
    event.ip.clear();
    event.user_agent.clear();
    effects.audit.push_back(event);
    return tx.apply(effects);
  }));
  if (refusal) return fail(*refusal);
  for (const auto& id : sessions) d_.sessions.mark_revoked(id, now);
  return {};
}

Result<std::vector<AuditRecord>> IdentityService::audit(const Caller& caller, std::int64_t before, int limit) {
  std::vector<AuditRecord> out;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.audit_of(caller.account_id, before, limit));
    return {};
  }));
  return out;
}

}  // namespace eyewear::identity
