// IdentityService: construction, helpers, sign-up and email verification, token checks.
#include "identity/service.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "identity/mail_templates.hpp"
#include "platform/crypto.hpp"
#include "security/validation.hpp"

namespace eyewear::identity {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

IdentityService::IdentityService(IdentityDeps deps) : d_(std::move(deps)) {
  policy_.min_score = d_.config.password_min_score;
}

std::int64_t IdentityService::now_ms() const { return platform::to_unix_ms(d_.clock.now()); }
std::string IdentityService::new_id() { return platform::new_uuid_v7(d_.clock, d_.random); }
std::string IdentityService::new_token() { return platform::base64url_encode(d_.random.bytes(32)); }

std::string IdentityService::hash_token(std::string_view token) const {
  return platform::to_hex(platform::sha256(token));
}

std::string IdentityService::keyed_hash(std::string_view purpose, std::string_view value) const {
  std::string input(purpose);
  input += ':';
  input += value;
  return platform::to_hex(platform::hmac_sha256(d_.token_pepper, input));
}

// The rules live in the security module's validator (RFC 5321 lengths, one @, a domain with
// well-formed labels); identity keeps the name for its callers.
Result<std::string> IdentityService::normalize_email(std::string_view raw) { return security::validate_email(raw); }

platform::AuditEvent IdentityService::audit_event(std::string type, const Account* account, const RequestMeta& meta,
                                                  std::string outcome, std::string details) const {
  platform::AuditEvent e;
  e.type = std::move(type);
  if (account != nullptr) {
    e.account_id = account->id;
    e.manufacturer_id = account->manufacturer_id;
  }
  e.ip = meta.ip;
  e.user_agent = meta.user_agent.substr(0, 512);
  e.request_id = meta.request_id;
  e.outcome = std::move(outcome);
  e.details = std::move(details);
  e.at_ms = now_ms();
  return e;
}

OutboxMail IdentityService::mail_to(std::string to, std::string template_name, std::string subject, std::string body) {
  OutboxMail m;
  m.id = new_id();
  m.to = std::move(to);
  m.template_name = std::move(template_name);
  m.subject = std::move(subject);
  m.body = std::move(body);
  m.created_at = now_ms();
  return m;
}

void IdentityService::after_commit(bool mail) {
  if (mail && d_.mail_enqueued) d_.mail_enqueued();
}

// ---------------------------------------------------------------------------------------------
// Sign-up and verification

Status IdentityService::register_account(std::string_view raw_email, std::string_view password,
                                         std::string_view raw_company_name, const RequestMeta& meta) {
  EW_ASSIGN_OR_RETURN(const auto email, normalize_email(raw_email));
  EW_ASSIGN_OR_RETURN(const auto company_name, security::validate_company_name(raw_company_name));
  EW_TRY(check_password(policy_, password, email, company_name));
  // Hash before looking the email up, so both outcomes take the same time.
  EW_ASSIGN_OR_RETURN(const auto hash, d_.hasher.hash(password));
  const auto now = now_ms();
  const auto token = new_token();
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto existing, tx.account_by_email(email));
    if (existing) {
      // Enumeration-safe: the same answer, and the owner learns about the attempt.
      const auto m = templates::already_registered(d_.public_url + "/sign-in", d_.public_url + "/forgot-password");
      EW_TRY(tx.enqueue_mail(mail_to(email, "already_registered", m.subject, m.body)));
      EW_TRY(tx.append_audit(audit_event("register_existing_email", &*existing, meta, "denied")));
      mail = true;
      return {};
    }
    Account account;
    account.id = new_id();
    account.email = email;
    account.password_hash = hash;
    account.status = AccountStatus::kPendingVerification;
    account.manufacturer_id = new_id();
    EW_TRY(tx.insert_manufacturer(account.manufacturer_id, company_name, "free", now));
    EW_TRY(tx.insert_account(account, now));
    EW_TRY(tx.insert_membership(account.id, account.manufacturer_id, "owner", now));
    EW_TRY(tx.add_password_history(account.id, hash, now));
    EW_TRY(tx.insert_email_token(EmailToken{new_id(), account.id, "verify_email", hash_token(token),
                                            now + d_.config.verify_token_ttl.count(), now}));
    const auto m = templates::verify_email(d_.public_url + "/verify-email?token=" + token, std::string(company_name));
    EW_TRY(tx.enqueue_mail(mail_to(email, "verify_email", m.subject, m.body)));
    EW_TRY(tx.append_audit(audit_event("account_registered", &account, meta, "success",
                                       nlohmann::json({{"company_name", company_name}}).dump())));
    mail = true;
    return {};
  }));
  after_commit(mail);
  return {};
}

Status IdentityService::verify_email(std::string_view token, const RequestMeta& meta) {
  if (token.empty() || token.size() > 256) {
    return fail(Error::validation("token", "required", "token is required"));
  }
  const auto now = now_ms();
  bool ok = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account_id, tx.consume_email_token(hash_token(token), "verify_email", now));
    if (!account_id) return {};
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_id(*account_id));
    if (!account || account->status == AccountStatus::kErased) return {};
    EW_TRY(tx.mark_email_verified(*account_id, now));
    EW_TRY(tx.append_audit(audit_event("email_verified", &*account, meta)));
    ok = true;
    return {};
  }));
  if (!ok) {
    return fail(Error(ErrorCode::kTokenInvalid, "the verification link is invalid, used or expired",
                      {{"reason", "invalid_link"}}));
  }
  return {};
}

Status IdentityService::resend_verification(std::string_view raw_email, const RequestMeta& meta) {
  EW_ASSIGN_OR_RETURN(const auto email, normalize_email(raw_email));
  const auto now = now_ms();
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_email(email));
    if (!account || account->status != AccountStatus::kPendingVerification) return {};
    // At most 5 verification emails per account and hour; beyond that the answer is the same
    // but nothing is sent.
    EW_ASSIGN_OR_RETURN(auto recent, tx.count_email_tokens_since(account->id, "verify_email", now - 3'600'000));
    if (recent >= 5) {
      EW_TRY(tx.append_audit(audit_event("verification_resend_throttled", &*account, meta, "denied")));
      return {};
    }
    const auto token = new_token();
    EW_TRY(tx.insert_email_token(EmailToken{new_id(), account->id, "verify_email", hash_token(token),
                                            now + d_.config.verify_token_ttl.count(), now}));
    const auto m = templates::verify_email(d_.public_url + "/verify-email?token=" + token, account->company_name);
    EW_TRY(tx.enqueue_mail(mail_to(email, "verify_email", m.subject, m.body)));
    mail = true;
    return {};
  }));
  after_commit(mail);
  return {};
}

Result<AccessClaims> IdentityService::authenticate(std::string_view access_token) {
  EW_ASSIGN_OR_RETURN(auto claims, d_.tokens.verify(access_token));
  if (d_.sessions.is_revoked(claims.session_id)) {
    return fail(Error(ErrorCode::kTokenInvalid, "the session has ended", {{"reason", "revoked"}}));
  }
  d_.sessions.touch(claims.session_id);
  return claims;
}

Result<std::string> IdentityService::provision_account(std::string_view raw_email, std::string_view password,
                                                       std::string_view raw_company_name, std::string_view tier,
                                                       const std::vector<std::string>& roles) {
  EW_ASSIGN_OR_RETURN(const auto email, normalize_email(raw_email));
  EW_ASSIGN_OR_RETURN(const auto company_name, security::validate_company_name(raw_company_name));
  EW_TRY(check_password(policy_, password, email, company_name));
  EW_ASSIGN_OR_RETURN(const auto hash, d_.hasher.hash(password));
  const auto now = now_ms();
  std::string id;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto existing, tx.account_by_email(email));
    if (existing) {
      return fail(Error(ErrorCode::kConflict, "an account with this email already exists", {{"field", "email"}}));
    }
    Account account;
    account.id = new_id();
    account.email = email;
    account.password_hash = hash;
    account.status = AccountStatus::kActive;
    account.roles = roles;
    account.manufacturer_id = new_id();
    EW_TRY(tx.insert_manufacturer(account.manufacturer_id, company_name, tier, now));
    EW_TRY(tx.insert_account(account, now));
    EW_TRY(tx.mark_email_verified(account.id, now));
    EW_TRY(tx.insert_membership(account.id, account.manufacturer_id, "owner", now));
    EW_TRY(tx.add_password_history(account.id, hash, now));
    EW_TRY(tx.append_audit(audit_event("account_provisioned", &account, RequestMeta{"", "eyewear cli", ""}, "success",
                                       nlohmann::json({{"roles", roles}, {"tier", tier}}).dump())));
    id = account.id;
    return {};
  }));
  return id;
}

Result<Account> IdentityService::require_account(IdentityTx& tx, const Caller& caller) {
  EW_ASSIGN_OR_RETURN(auto account, tx.account_by_id(caller.account_id));
  if (!account || account->status == AccountStatus::kErased) {
    return fail(Error(ErrorCode::kUnauthenticated, "the account no longer exists"));
  }
  return std::move(*account);
}

}  // namespace eyewear::identity
