// IdentityService: sign-in (password, magic link, second factor), lockout, sessions and
// refresh-token rotation.
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

Error invalid_credentials() {
  return Error(ErrorCode::kInvalidCredentials, "the email or password is not correct");
}

Error locked(std::int64_t until, std::int64_t now) {
  const std::int64_t seconds = std::max<std::int64_t>(1, (until - now + 999) / 1000);
  return Error(ErrorCode::kTooManyAttempts, "too many failed sign-in attempts; try again later",
               {{"retry_after_seconds", seconds}});
}

std::string label_of(const RequestMeta& meta) {
  if (meta.user_agent.empty()) return "unknown device";
  return meta.user_agent.substr(0, 120);
}

}  // namespace

Result<std::string> IdentityService::issue_access(const Account& account, const Session& session) {
  const auto now_s = platform::to_unix_seconds(d_.clock.now());
  AccessClaims c;
  c.subject = account.id;
  c.manufacturer_id = account.manufacturer_id;
  c.tier = account.tier;
  c.roles = account.roles;
  if (!account.membership_role.empty()) c.roles.push_back(account.membership_role);
  c.session_id = session.id;
  c.token_id = platform::base64url_encode(d_.random.bytes(16));
  c.issued_at = now_s;
  c.not_before = now_s;
  // An access token never outlives its session.
  c.expires_at = std::min<std::int64_t>(now_s + d_.config.access_token_ttl.count() / 1000,
                                        session.absolute_expires_at / 1000);
  return d_.tokens.issue(c);
}

Result<TokenPair> IdentityService::open_session(IdentityTx& tx, const Account& account, std::string_view auth_method,
                                                const RequestMeta& meta) {
  const auto now = now_ms();
  Session s;
  s.id = new_id();
  s.account_id = account.id;
  s.manufacturer_id = account.manufacturer_id;
  s.ip = meta.ip;
  s.user_agent = meta.user_agent.substr(0, 512);
  s.auth_method = std::string(auth_method);
  s.created_at = now;
  s.last_seen_at = now;
  s.idle_expires_at = now + d_.config.session_idle_timeout.count();
  s.absolute_expires_at = now + d_.config.session_max_lifetime.count();
  EW_TRY(tx.insert_session(s));
  TokenPair pair;
  pair.refresh_token = "ewr_" + new_token();
  EW_TRY(tx.insert_refresh_token(hash_token(pair.refresh_token), s.id, now));
  EW_ASSIGN_OR_RETURN(pair.access_token, issue_access(account, s));
  pair.expires_in = std::min<std::int64_t>(d_.config.access_token_ttl.count(), s.absolute_expires_at - now) / 1000;
  pair.session_id = s.id;
  return pair;
}

Result<LoginOutcome> IdentityService::login(std::string_view raw_email, std::string_view password,
                                            std::string_view device_token, const RequestMeta& meta) {
  auto normalized = normalize_email(raw_email);
  if (!normalized) {
    // A malformed email cannot belong to an account; answer like a wrong password (after the
    // same work) so the shape of the input reveals nothing either.
    d_.hasher.verify_dummy(password);
    return fail(invalid_credentials());
  }
  const auto email = *normalized;
  if (password.empty() || password.size() > 4096) {
    d_.hasher.verify_dummy("x");
    return fail(invalid_credentials());
  }
  const auto email_hash = keyed_hash("email", email);
  const auto now = now_ms();

  // Throttles first: they answer without looking at the password at all. The per-account
  // failure budget is asked outside the transaction (it may be a network round trip).
  std::optional<Account> account;
  std::optional<Error> refusal;
  if (d_.failure_limiter != nullptr) {
    if (const auto wait_ms = d_.failure_limiter->blocked_for(email_hash); wait_ms > 0) {
      EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
        return tx.insert_login_attempt({email_hash, "", meta.ip, meta.user_agent, "throttled", "account_rate", now});
      }));
      return fail(Error(ErrorCode::kRateLimited, "too many failed sign-ins for this account; try again later",
                        {{"scope", std::string("account")},
                         {"retry_after_seconds", std::max<std::int64_t>(1, (wait_ms + 999) / 1000)},
                         {"retry_after_ms", wait_ms}}));
    }
  }
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto ip_failures, tx.count_ip_failures_since(meta.ip, now - d_.config.ip_failure_window.count()));
    if (ip_failures >= d_.config.ip_max_failures) {
      refusal = Error(ErrorCode::kRateLimited, "too many failed sign-ins from this address; try again later",
                      {{"retry_after_seconds", std::int64_t{d_.config.ip_failure_window.count() / 1000}}});
      return tx.insert_login_attempt({email_hash, "", meta.ip, meta.user_agent, "throttled", "ip_throttle", now});
    }
    EW_ASSIGN_OR_RETURN(auto lock, tx.lockout(email_hash));
    if (lock.locked_until > now) {
      refusal = locked(lock.locked_until, now);
      return tx.insert_login_attempt({email_hash, "", meta.ip, meta.user_agent, "locked", "locked", now});
    }
    EW_ASSIGN_OR_RETURN(account, tx.account_by_email(email));
    return {};
  }));
  if (refusal) return fail(*refusal);

  const bool usable = account && account->status != AccountStatus::kErased && !account->password_hash.empty();
  bool password_ok = false;
  if (usable) {
    password_ok = d_.hasher.verify(account->password_hash, password);
  } else {
    d_.hasher.verify_dummy(password);  // same cost as a real check
  }

  if (!password_ok) {
    bool mail = false;
    EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
      EW_ASSIGN_OR_RETURN(auto state, tx.record_failure(email_hash, now, d_.config.lockout_threshold,
                                                        d_.config.lockout_duration.count()));
      const Account* subject = usable ? &*account : nullptr;
      EW_TRY(tx.insert_login_attempt({email_hash, subject ? subject->id : "", meta.ip, meta.user_agent, "failure",
                                      usable ? "wrong_password" : "unknown_email", now}));
      EW_TRY(tx.append_audit(audit_event("login_failed", subject, meta, "failure",
                                         nlohmann::json({{"reason", usable ? "wrong_password" : "unknown_email"},
                                                         {"consecutive_failures", state.failures}})
                                             .dump())));
      if (state.locked_until > now && state.failures == d_.config.lockout_threshold) {
        EW_TRY(tx.append_audit(audit_event("account_locked", subject, meta, "success",
                                           nlohmann::json({{"locked_until", state.locked_until}}).dump())));
        if (subject != nullptr) {
          const auto m = templates::account_locked(state.failures,
                                                   static_cast<int>(d_.config.lockout_duration.count() / 60000),
                                                   d_.public_url + "/forgot-password");
          EW_TRY(tx.enqueue_mail(mail_to(subject->email, "account_locked", m.subject, m.body)));
          mail = true;
        }
      }
      return {};
    }));
    after_commit(mail);
    if (d_.failure_limiter != nullptr) d_.failure_limiter->charge(email_hash);
    return fail(invalid_credentials());
  }

  // The password is right.
  if (account->status == AccountStatus::kDisabled || account->manufacturer_status == "suspended") {
    return fail(Error(ErrorCode::kAccountDisabled, "this account is disabled"));
  }
  if (account->status == AccountStatus::kPendingVerification) {
    return fail(Error(ErrorCode::kEmailNotVerified, "confirm your email address first; a new link can be requested",
                      {{"resend", "/api/v1/auth/verify-email/resend"}}));
  }
  // Upgrade the stored hash when stronger parameters are configured.
  std::optional<std::string> rehash;
  if (d_.hasher.needs_rehash(account->password_hash)) {
    if (auto h = d_.hasher.hash(password)) rehash = *h;
  }

  LoginOutcome outcome;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    if (rehash) EW_TRY(tx.update_password(account->id, *rehash, now));
    bool skip_mfa = false;
    if (account->mfa_enabled && !device_token.empty()) {
      EW_ASSIGN_OR_RETURN(auto device, tx.trusted_device_by_hash(hash_token(device_token)));
      skip_mfa = device && device->account_id == account->id && !device->revoked_at && device->expires_at > now;
      if (skip_mfa) EW_TRY(tx.touch_trusted_device(device->id, now));
    }
    if (account->mfa_enabled && !skip_mfa) {
      const auto token = new_token();
      MfaChallenge ch;
      ch.id = new_id();
      ch.account_id = account->id;
      ch.token_hash = hash_token(token);
      ch.auth_method = "password";
      ch.ip = meta.ip;
      ch.user_agent = meta.user_agent.substr(0, 512);
      ch.expires_at = now + d_.config.mfa_challenge_ttl.count();
      ch.created_at = now;
      EW_TRY(tx.insert_mfa_challenge(ch));
      EW_TRY(tx.insert_login_attempt({email_hash, account->id, meta.ip, meta.user_agent, "mfa_required", "password_ok", now}));
      outcome.mfa_required = true;
      outcome.mfa_token = token;
      outcome.mfa_expires_in = d_.config.mfa_challenge_ttl.count() / 1000;
      return {};
    }
    // Only a completed sign-in resets the failure count: a right password with the second
    // factor still pending does not.
    EW_TRY(tx.clear_lockout(email_hash));
    const std::string method = skip_mfa ? "password+trusted_device" : "password";
    EW_ASSIGN_OR_RETURN(outcome.tokens, open_session(tx, *account, method, meta));
    EW_TRY(tx.insert_login_attempt({email_hash, account->id, meta.ip, meta.user_agent, "success", method, now}));
    EW_TRY(tx.append_audit(audit_event("login_succeeded", &*account, meta, "success",
                                       nlohmann::json({{"method", method}, {"session_id", outcome.tokens.session_id}}).dump())));
    return {};
  }));
  return outcome;
}

Result<std::string> IdentityService::check_second_factor(IdentityTx& tx, const Account& account, std::string_view code,
                                                         std::string_view backup_code, SideEffects& effects,
                                                         const RequestMeta& meta) {
  const auto now = now_ms();
  if (!code.empty()) {
    EW_ASSIGN_OR_RETURN(auto secret, d_.sealer.open(account.mfa_secret, "accounts.mfa_secret:" + account.id));
    auto step = verify_totp(secret, code, d_.clock.now());
    platform::secure_wipe(secret);
    if (!step) return std::string();
    // A code is accepted once: its step must be later than the last one accepted.
    EW_ASSIGN_OR_RETURN(auto fresh, tx.advance_mfa_step(account.id, *step));
    if (!fresh) {
      effects.audit.push_back(audit_event("mfa_code_replayed", &account, meta, "denied"));
      return std::string();
    }
    return std::string("totp");
  }
  if (!backup_code.empty()) {
    std::string normalized;
    for (char c : backup_code) {
      if (c != '-' && c != ' ') normalized.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    EW_ASSIGN_OR_RETURN(auto used, tx.use_backup_code(account.id, keyed_hash("backup", normalized), now));
    if (!used) return std::string();
    EW_ASSIGN_OR_RETURN(auto left, tx.count_unused_backup_codes(account.id));
    effects.audit.push_back(audit_event("backup_code_used", &account, meta, "success",
                                        nlohmann::json({{"remaining", left}}).dump()));
    return std::string("backup_code");
  }
  return fail(Error::validation("code", "required", "a code or a backup_code is required"));
}

Result<LoginOutcome> IdentityService::login_mfa(std::string_view mfa_token, std::string_view code,
                                                std::string_view backup_code, bool remember_device,
                                                const RequestMeta& meta) {
  if (mfa_token.empty() || mfa_token.size() > 256) return fail(Error::validation("mfa_token", "required", "mfa_token is required"));
  if (code.empty() && backup_code.empty()) {
    return fail(Error::validation("code", "required", "a code or a backup_code is required"));
  }
  const auto now = now_ms();
  LoginOutcome outcome;
  std::optional<Error> refusal;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto ch, tx.mfa_challenge_by_hash(hash_token(mfa_token)));
    if (!ch || ch->used_at || ch->expires_at <= now) {
      refusal = Error(ErrorCode::kTokenInvalid, "the sign-in step has expired; sign in again", {{"reason", "mfa_token"}});
      return {};
    }
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_id(ch->account_id));
    if (!account || !account->mfa_enabled || account->status != AccountStatus::kActive) {
      refusal = Error(ErrorCode::kTokenInvalid, "the sign-in step has expired; sign in again", {{"reason", "mfa_token"}});
      return {};
    }
    const auto email_hash = keyed_hash("email", account->email);
    EW_ASSIGN_OR_RETURN(auto lock, tx.lockout(email_hash));
    if (lock.locked_until > now) {
      refusal = locked(lock.locked_until, now);
      return {};
    }
    SideEffects effects;
    EW_ASSIGN_OR_RETURN(auto method, check_second_factor(tx, *account, code, backup_code, effects, meta));
    if (method.empty()) {
      // Wrong code: counts towards the email's lockout; five wrong codes end the challenge.
      EW_ASSIGN_OR_RETURN(auto failures, tx.fail_mfa_challenge(ch->id));
      if (failures >= 5) EW_TRY(tx.consume_mfa_challenge(ch->id, now));
      EW_ASSIGN_OR_RETURN(auto state, tx.record_failure(email_hash, now, d_.config.lockout_threshold,
                                                        d_.config.lockout_duration.count()));
      EW_TRY(tx.insert_login_attempt({email_hash, account->id, meta.ip, meta.user_agent, "failure", "wrong_mfa_code", now}));
      effects.audit.push_back(audit_event("mfa_failed", &*account, meta, "failure",
                                          nlohmann::json({{"consecutive_failures", state.failures}}).dump()));
      if (state.locked_until > now && state.failures == d_.config.lockout_threshold) {
        effects.audit.push_back(audit_event("account_locked", &*account, meta));
      }
      EW_TRY(tx.apply(effects));
      refusal = Error(ErrorCode::kMfaInvalid, "the code is not valid");
      return {};
    }
    EW_ASSIGN_OR_RETURN(auto consumed, tx.consume_mfa_challenge(ch->id, now));
    if (!consumed) {
      refusal = Error(ErrorCode::kTokenInvalid, "the sign-in step has expired; sign in again", {{"reason", "mfa_token"}});
      return {};
    }
    EW_TRY(tx.clear_lockout(email_hash));
    const std::string auth_method = ch->auth_method + "+" + method;
    EW_ASSIGN_OR_RETURN(outcome.tokens, open_session(tx, *account, auth_method, meta));
    if (remember_device) {
      const auto device_token = "ewd_" + new_token();
      TrustedDevice d;
      d.id = new_id();
      d.account_id = account->id;
      d.token_hash = hash_token(device_token);
      d.label = label_of(meta);
      d.ip = meta.ip;
      d.created_at = now;
      d.expires_at = now + d_.config.trusted_device_ttl.count();
      EW_TRY(tx.insert_trusted_device(d));
      outcome.tokens.device_token = device_token;
      effects.audit.push_back(audit_event("device_trusted", &*account, meta, "success",
                                          nlohmann::json({{"device_id", d.id}}).dump()));
    }
    EW_TRY(tx.insert_login_attempt({email_hash, account->id, meta.ip, meta.user_agent, "success", auth_method, now}));
    effects.audit.push_back(audit_event("login_succeeded", &*account, meta, "success",
                                        nlohmann::json({{"method", auth_method}, {"session_id", outcome.tokens.session_id}}).dump()));
    return tx.apply(effects);
  }));
  if (refusal) return fail(*refusal);
  return outcome;
}

Result<TokenPair> IdentityService::refresh(std::string_view refresh_token, const RequestMeta& meta) {
  if (refresh_token.empty() || refresh_token.size() > 256) {
    return fail(Error::validation("refresh_token", "required", "refresh_token is required"));
  }
  const auto now = now_ms();
  TokenPair pair;
  std::optional<Error> refusal;
  std::optional<std::string> revoked;
  const auto invalid = Error(ErrorCode::kTokenInvalid, "the refresh token is not valid", {{"reason", "refresh_token"}});
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto use, tx.use_refresh_token(hash_token(refresh_token), now));
    if (use.first == RefreshUse::kUnknown) {
      refusal = invalid;
      return {};
    }
    EW_ASSIGN_OR_RETURN(auto session, tx.session_by_id(use.second));
    if (!session) {
      refusal = invalid;
      return {};
    }
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_id(session->account_id));
    if (use.first == RefreshUse::kAlreadyUsed) {
      // A spent refresh token came back: someone holds a copy. End the whole session.
      EW_ASSIGN_OR_RETURN(auto was_active, tx.revoke_session(session->id, now, "refresh_token_reuse"));
      if (was_active) revoked = session->id;
      EW_TRY(tx.append_audit(audit_event("refresh_token_reuse_detected", account ? &*account : nullptr, meta, "denied",
                                         nlohmann::json({{"session_id", session->id}}).dump())));
      refusal = invalid;
      return {};
    }
    if (session->revoked_at) {
      refusal = invalid;
      return {};
    }
    std::string ended;
    if (now >= session->absolute_expires_at) ended = "expired";
    if (now >= session->last_seen_at + d_.config.session_idle_timeout.count()) ended = "idle";
    if (!account || account->status != AccountStatus::kActive) ended = "account_inactive";
    if (!ended.empty()) {
      EW_TRY(tx.revoke_session(session->id, now, ended));
      revoked = session->id;
      refusal = Error(ErrorCode::kTokenExpired, "the session has ended; sign in again", {{"reason", ended}});
      return {};
    }
    pair.refresh_token = "ewr_" + new_token();
    EW_TRY(tx.insert_refresh_token(hash_token(pair.refresh_token), session->id, now));
    EW_TRY(tx.touch_session(session->id, now, now + d_.config.session_idle_timeout.count()));
    EW_ASSIGN_OR_RETURN(pair.access_token, issue_access(*account, *session));
    pair.expires_in = std::min<std::int64_t>(d_.config.access_token_ttl.count(), session->absolute_expires_at - now) / 1000;
    pair.session_id = session->id;
    return {};
  }));
  if (revoked) d_.sessions.mark_revoked(*revoked, now);
  if (refusal) return fail(*refusal);
  return pair;
}

Status IdentityService::logout(const Caller& caller) {
  const auto now = now_ms();
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    EW_TRY(tx.revoke_session(caller.session_id, now, "logout"));
    return tx.append_audit(audit_event("session_revoked", &account, caller.meta, "success",
                                       nlohmann::json({{"session_id", caller.session_id}, {"reason", "logout"}}).dump()));
  }));
  d_.sessions.mark_revoked(caller.session_id, now);
  return {};
}

Status IdentityService::logout_all(const Caller& caller) {
  const auto now = now_ms();
  std::vector<std::string> ids;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    EW_ASSIGN_OR_RETURN(ids, tx.revoke_sessions_of(caller.account_id, now, "logout_all", ""));
    return tx.append_audit(audit_event("session_revoked", &account, caller.meta, "success",
                                       nlohmann::json({{"sessions", ids.size()}, {"reason", "logout_all"}}).dump()));
  }));
  for (const auto& id : ids) d_.sessions.mark_revoked(id, now);
  return {};
}

Result<std::vector<Session>> IdentityService::sessions(const Caller& caller) {
  std::vector<Session> out;
  EW_TRY(d_.store.read([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.active_sessions_of(caller.account_id, now_ms()));
    return {};
  }));
  return out;
}

Status IdentityService::revoke_session(const Caller& caller, std::string_view session_id) {
  const auto now = now_ms();
  bool found = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, require_account(tx, caller));
    EW_ASSIGN_OR_RETURN(auto session, tx.session_by_id(session_id));
    // Another account's session is simply not found.
    if (!session || session->account_id != caller.account_id || session->revoked_at) return {};
    EW_TRY(tx.revoke_session(session->id, now, "revoked_by_user"));
    found = true;
    return tx.append_audit(audit_event("session_revoked", &account, caller.meta, "success",
                                       nlohmann::json({{"session_id", session->id}, {"reason", "revoked_by_user"}}).dump()));
  }));
  if (!found) return fail(Error::not_found("session"));
  d_.sessions.mark_revoked(std::string(session_id), now);
  return {};
}

Status IdentityService::unlock_account(std::string_view account_id, const RequestMeta& meta, std::string_view actor) {
  bool found = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_id(account_id));
    if (!account || account->status == AccountStatus::kErased) return {};
    found = true;
    EW_TRY(tx.clear_lockout(keyed_hash("email", account->email)));
    auto event = audit_event("account_unlocked", &*account, meta);
    event.actor_account_id = std::string(actor);
    return tx.append_audit(event);
  }));
  if (!found) return fail(Error::not_found("account"));
  return {};
}

// ---------------------------------------------------------------------------------------------
// Magic links

Status IdentityService::request_magic_link(std::string_view raw_email, const RequestMeta& meta) {
  EW_ASSIGN_OR_RETURN(const auto email, normalize_email(raw_email));
  const auto now = now_ms();
  bool mail = false;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account, tx.account_by_email(email));
    if (!account || account->status == AccountStatus::kErased || account->status == AccountStatus::kDisabled) return {};
    EW_ASSIGN_OR_RETURN(auto recent, tx.count_email_tokens_since(account->id, "magic_link", now - 3'600'000));
    if (recent >= 5) return {};
    const auto token = new_token();
    EW_TRY(tx.insert_email_token(EmailToken{new_id(), account->id, "magic_link", hash_token(token),
                                            now + d_.config.magic_link_ttl.count(), now}));
    const auto m = templates::magic_link(d_.public_url + "/magic-link?token=" + token);
    EW_TRY(tx.enqueue_mail(mail_to(email, "magic_link", m.subject, m.body)));
    EW_TRY(tx.append_audit(audit_event("magic_link_requested", &*account, meta)));
    mail = true;
    return {};
  }));
  after_commit(mail);
  return {};
}

Result<LoginOutcome> IdentityService::consume_magic_link(std::string_view token, const RequestMeta& meta) {
  if (token.empty() || token.size() > 256) return fail(Error::validation("token", "required", "token is required"));
  const auto now = now_ms();
  LoginOutcome outcome;
  std::optional<Error> refusal;
  EW_TRY(d_.store.write([&](IdentityTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto account_id, tx.consume_email_token(hash_token(token), "magic_link", now));
    std::optional<Account> account;
    if (account_id) {
      EW_ASSIGN_OR_RETURN(account, tx.account_by_id(*account_id));
    }
    if (!account || account->status == AccountStatus::kErased || account->status == AccountStatus::kDisabled) {
      refusal = Error(ErrorCode::kTokenInvalid, "the sign-in link is invalid, used or expired", {{"reason", "invalid_link"}});
      return {};
    }
    const auto email_hash = keyed_hash("email", account->email);
    EW_ASSIGN_OR_RETURN(auto lock, tx.lockout(email_hash));
    if (lock.locked_until > now) {
      refusal = locked(lock.locked_until, now);
      return {};
    }
    // The link proves control of the mailbox.
    if (account->status == AccountStatus::kPendingVerification) {
      EW_TRY(tx.mark_email_verified(account->id, now));
      account->status = AccountStatus::kActive;
    }
    if (account->mfa_enabled) {  // still subject to the second factor
      const auto mfa_token = new_token();
      MfaChallenge ch;
      ch.id = new_id();
      ch.account_id = account->id;
      ch.token_hash = hash_token(mfa_token);
      ch.auth_method = "magic_link";
      ch.ip = meta.ip;
      ch.user_agent = meta.user_agent.substr(0, 512);
      ch.expires_at = now + d_.config.mfa_challenge_ttl.count();
      ch.created_at = now;
      EW_TRY(tx.insert_mfa_challenge(ch));
      outcome.mfa_required = true;
      outcome.mfa_token = mfa_token;
      outcome.mfa_expires_in = d_.config.mfa_challenge_ttl.count() / 1000;
      return {};
    }
    EW_ASSIGN_OR_RETURN(outcome.tokens, open_session(tx, *account, "magic_link", meta));
    EW_TRY(tx.insert_login_attempt({email_hash, account->id, meta.ip, meta.user_agent, "success", "magic_link", now}));
    return tx.append_audit(audit_event("login_succeeded", &*account, meta, "success",
                                       nlohmann::json({{"method", "magic_link"}, {"session_id", outcome.tokens.session_id}}).dump()));
  }));
  if (refusal) return fail(*refusal);
  return outcome;
}

}  // namespace eyewear::identity
