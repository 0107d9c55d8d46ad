#include "stores/identity_store.hpp"
#include "stores/sql_common.hpp"

#include <algorithm>

namespace eyewear::stores {

namespace {

using identity::Account;
using identity::AccountStatus;
using identity::IdentityTx;
using platform::Result;
using platform::Status;
using storage::Connection;
using storage::Param;
using storage::Row;

std::vector<std::string> split_roles(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto comma = s.find(',', start);
    const auto piece = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!piece.empty()) out.emplace_back(piece);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string join_roles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

constexpr const char* kAccountColumns =
    "SELECT a.id, a.email, COALESCE(a.password_hash, ''), a.status, a.roles, a.email_verified_at, a.mfa_enabled, "
    "COALESCE(a.mfa_secret, ''), COALESCE(a.mfa_pending_secret, ''), a.mfa_last_step, a.created_at, "
    "COALESCE(m.id, ''), COALESCE(m.company_name, ''), COALESCE(m.tier, ''), COALESCE(m.status, ''), "
    "COALESCE(ms.role, '') "
    "FROM accounts a "
    "LEFT JOIN memberships ms ON ms.account_id = a.id "
    "LEFT JOIN manufacturers m ON m.id = ms.manufacturer_id ";

Account account_from(const Row& r) {
  Account a;
  a.id = r.str(0);
  a.email = r.str(1);
  a.password_hash = r.str(2);
  a.status = identity::account_status_from(r.text(3));
  a.roles = split_roles(r.text(4));
  a.email_verified_at = r.opt_i64(5);
  a.mfa_enabled = r.boolean(6);
  a.mfa_secret = r.str(7);
  a.mfa_pending_secret = r.str(8);
  a.mfa_last_step = r.i64(9);
  a.created_at = r.i64(10);
  a.manufacturer_id = r.str(11);
  a.company_name = r.str(12);
  a.tier = r.str(13);
  a.manufacturer_status = r.str(14);
  a.membership_role = r.str(15);
  return a;
}

constexpr const char* kSessionColumns =
    "SELECT id, account_id, manufacturer_id, ip, user_agent, auth_method, created_at, last_seen_at, "
    "idle_expires_at, absolute_expires_at, revoked_at, COALESCE(revoked_reason, '') FROM sessions ";

identity::Session session_from(const Row& r) {
  identity::Session s;
  s.id = r.str(0);
  s.account_id = r.str(1);
  s.manufacturer_id = r.str(2);
  s.ip = r.str(3);
  s.user_agent = r.str(4);
  s.auth_method = r.str(5);
  s.created_at = r.i64(6);
  s.last_seen_at = r.i64(7);
  s.idle_expires_at = r.i64(8);
  s.absolute_expires_at = r.i64(9);
  s.revoked_at = r.opt_i64(10);
  s.revoked_reason = r.str(11);
  return s;
}

constexpr const char* kDeviceColumns =
    "SELECT id, account_id, token_hash, label, ip, created_at, last_used_at, expires_at, revoked_at "
    "FROM trusted_devices ";

identity::TrustedDevice device_from(const Row& r) {
  identity::TrustedDevice d;
  d.id = r.str(0);
  d.account_id = r.str(1);
  d.token_hash = r.str(2);
  d.label = r.str(3);
  d.ip = r.str(4);
  d.created_at = r.i64(5);
  d.last_used_at = r.opt_i64(6);
  d.expires_at = r.i64(7);
  d.revoked_at = r.opt_i64(8);
  return d;
}

class SqlIdentityTx final : public IdentityTx {
 public:
  explicit SqlIdentityTx(Connection& c) : c_(c) {}

  Result<std::optional<Account>> account_by_email(std::string_view email) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kAccountColumns) +
                                                "WHERE a.email = $1 ORDER BY ms.created_at LIMIT 1",
                                            {email}));
    if (rows.empty()) return std::optional<Account>();
    return std::optional<Account>(account_from(rows.front()));
  }

  Result<std::optional<Account>> account_by_id(std::string_view id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kAccountColumns) +
                                                "WHERE a.id = $1 ORDER BY ms.created_at LIMIT 1",
                                            {id}));
    if (rows.empty()) return std::optional<Account>();
    return std::optional<Account>(account_from(rows.front()));
  }

  Status insert_manufacturer(std::string_view id, std::string_view company, std::string_view tier,
                             std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO manufacturers (id, company_name, tier, status, created_at, updated_at) "
                      "VALUES ($1, $2, $3, 'active', $4, $4)",
                      {id, company, tier, now}));
    return {};
  }

  Status insert_account(const Account& a, std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO accounts (id, email, password_hash, status, roles, password_changed_at, "
                      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6)",
                      {a.id, a.email, a.password_hash, identity::to_string(a.status), join_roles(a.roles), now}));
    return {};
  }

  Status insert_membership(std::string_view account_id, std::string_view manufacturer_id, std::string_view role,
                           std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO memberships (account_id, manufacturer_id, role, created_at) VALUES ($1, $2, $3, $4)",
                      {account_id, manufacturer_id, role, now}));
    return {};
  }

  Status mark_email_verified(std::string_view account_id, std::int64_t now) override {
    EW_TRY(c_.execute(
        "UPDATE accounts SET email_verified_at = COALESCE(email_verified_at, $2), "
        "status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END, updated_at = $2 "
        "WHERE id = $1",
        {account_id, now}));
    return {};
  }

  Status update_password(std::string_view account_id, std::string_view hash, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE accounts SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1",
                      {account_id, hash, now}));
    return {};
  }

  Status add_password_history(std::string_view account_id, std::string_view hash, std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)",
                      {account_id, hash, now}));
    return {};
  }

  Result<std::vector<std::string>> recent_password_hashes(std::string_view account_id, int limit) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT password_hash FROM password_history WHERE account_id = $1 "
                                            "ORDER BY created_at DESC, id DESC LIMIT $2",
                                            {account_id, limit}));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(rows[i].str(0));
    return out;
  }

  Status set_mfa_pending(std::string_view account_id, std::string_view sealed, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE accounts SET mfa_pending_secret = $2, updated_at = $3 WHERE id = $1",
                      {account_id, sealed, now}));
    return {};
  }

  Status enable_mfa(std::string_view account_id, std::string_view sealed, std::int64_t step, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE accounts SET mfa_enabled = 1, mfa_secret = $2, mfa_pending_secret = NULL, "
                      "mfa_last_step = $3, updated_at = $4 WHERE id = $1",
                      {account_id, sealed, step, now}));
    return {};
  }

  Status disable_mfa(std::string_view account_id, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE accounts SET mfa_enabled = 0, mfa_secret = NULL, mfa_pending_secret = NULL, "
                      "updated_at = $2 WHERE id = $1",
                      {account_id, now}));
    EW_TRY(c_.execute("DELETE FROM backup_codes WHERE account_id = $1", {account_id}));
    return {};
  }

  Result<bool> advance_mfa_step(std::string_view account_id, std::int64_t step) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE accounts SET mfa_last_step = $2 WHERE id = $1 AND mfa_last_step < $2",
                                           {account_id, step}));
    return n == 1;
  }

  Status erase_account(std::string_view id, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE sessions SET revoked_at = $2, revoked_reason = 'account_erased' "
                      "WHERE account_id = $1 AND revoked_at IS NULL",
                      {id, now}));
    EW_TRY(c_.execute("UPDATE sessions SET ip = '', user_agent = '' WHERE account_id = $1", {id}));
    EW_TRY(c_.execute("DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE account_id = $1)",
                      {id}));
    for (const char* sql : {"DELETE FROM backup_codes WHERE account_id = $1",
                            "DELETE FROM trusted_devices WHERE account_id = $1",
                            "DELETE FROM mfa_challenges WHERE account_id = $1",
                            "DELETE FROM email_tokens WHERE account_id = $1",
                            "DELETE FROM password_history WHERE account_id = $1",
                            "UPDATE login_attempts SET ip = '', user_agent = '' WHERE account_id = $1"}) {
      EW_TRY(c_.execute(sql, {id}));
    }
    EW_TRY(c_.execute("UPDATE accounts SET email = 'erased+' || id || '@invalid', password_hash = NULL, "
                      "status = 'erased', roles = '', mfa_enabled = 0, mfa_secret = NULL, mfa_pending_secret = NULL, "
                      "updated_at = $2 WHERE id = $1",
                      {id, now}));
    return {};
  }

  Status set_manufacturer_status(std::string_view manufacturer_id, std::string_view status, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE manufacturers SET status = $2, updated_at = $3 WHERE id = $1",
                      {manufacturer_id, status, now}));
    return {};
  }

  Result<std::int64_t> count_members(std::string_view manufacturer_id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT COUNT(*) FROM memberships ms JOIN accounts a ON a.id = ms.account_id "
                                            "WHERE ms.manufacturer_id = $1 AND a.status <> 'erased'",
                                            {manufacturer_id}));
    return rows.front().i64(0);
  }

  Status insert_email_token(const identity::EmailToken& t) override {
    EW_TRY(c_.execute("INSERT INTO email_tokens (id, account_id, purpose, token_hash, expires_at, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6)",
                      {t.id, t.account_id, t.purpose, t.token_hash, t.expires_at, t.created_at}));
    return {};
  }

  Result<std::int64_t> count_email_tokens_since(std::string_view account_id, std::string_view purpose,
                                                std::int64_t since) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT COUNT(*) FROM email_tokens WHERE account_id = $1 AND purpose = $2 "
                                            "AND created_at > $3",
                                            {account_id, purpose, since}));
    return rows.front().i64(0);
  }

  Result<std::optional<std::string>> consume_email_token(std::string_view token_hash, std::string_view purpose,
                                                         std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 "
                                            "AND used_at IS NULL AND expires_at > $3 RETURNING account_id",
                                            {token_hash, purpose, now}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows.front().str(0));
  }

  Status spend_email_tokens(std::string_view account_id, std::string_view purpose, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE email_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
                      {account_id, purpose, now}));
    return {};
  }

  Status insert_session(const identity::Session& s) override {
    EW_TRY(c_.execute("INSERT INTO sessions (id, account_id, manufacturer_id, ip, user_agent, auth_method, created_at, "
                      "last_seen_at, idle_expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                      {s.id, s.account_id, s.manufacturer_id, s.ip, s.user_agent, s.auth_method, s.created_at,
                       s.last_seen_at, s.idle_expires_at, s.absolute_expires_at}));
    return {};
  }

  Result<std::optional<identity::Session>> session_by_id(std::string_view id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kSessionColumns) + "WHERE id = $1", {id}));
    if (rows.empty()) return std::optional<identity::Session>();
    return std::optional<identity::Session>(session_from(rows.front()));
  }

  Status insert_refresh_token(std::string_view token_hash, std::string_view session_id, std::int64_t now) override {
    EW_TRY(c_.execute("INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                      {token_hash, session_id, now}));
    return {};
  }

  Result<std::pair<identity::RefreshUse, std::string>> use_refresh_token(std::string_view token_hash,
                                                                        std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto used, c_.query("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 "
                                            "AND used_at IS NULL RETURNING session_id",
                                            {token_hash, now}));
    if (!used.empty()) return std::make_pair(identity::RefreshUse::kUsedNow, used.front().str(0));
    EW_ASSIGN_OR_RETURN(auto known, c_.query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", {token_hash}));
    if (!known.empty()) return std::make_pair(identity::RefreshUse::kAlreadyUsed, known.front().str(0));
    return std::make_pair(identity::RefreshUse::kUnknown, std::string());
  }

  Status touch_session(std::string_view id, std::int64_t now, std::int64_t idle_expires_at) override {
    EW_TRY(c_.execute("UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1",
                      {id, now, idle_expires_at}));
    return {};
  }

  Result<bool> revoke_session(std::string_view id, std::int64_t now, std::string_view reason) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE sessions SET revoked_at = $2, revoked_reason = $3 "
                                           "WHERE id = $1 AND revoked_at IS NULL",
                                           {id, now, reason}));
    return n == 1;
  }

  Result<std::vector<std::string>> revoke_sessions_of(std::string_view account_id, std::int64_t now,
                                                      std::string_view reason, std::string_view keep) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("UPDATE sessions SET revoked_at = $2, revoked_reason = $3 "
                                            "WHERE account_id = $1 AND revoked_at IS NULL AND id <> $4 RETURNING id",
                                            {account_id, now, reason, keep}));
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < rows.size(); ++i) ids.push_back(rows[i].str(0));
    return ids;
  }

  Result<std::vector<identity::Session>> active_sessions_of(std::string_view account_id, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kSessionColumns) +
                                                "WHERE account_id = $1 AND revoked_at IS NULL AND absolute_expires_at > $2 "
                                                "AND idle_expires_at > $2 ORDER BY created_at DESC",
                                            {account_id, now}));
    std::vector<identity::Session> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(session_from(rows[i]));
    return out;
  }

  Result<std::vector<std::pair<std::string, std::int64_t>>> sessions_revoked_since(std::int64_t since) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT id, revoked_at FROM sessions WHERE revoked_at > $1 "
                                            "ORDER BY revoked_at LIMIT 10000",
                                            {since}));
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows[i].str(0), rows[i].i64(1));
    return out;
  }

  Result<identity::LockoutState> lockout(std::string_view email_hash) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT failures, locked_until FROM login_lockouts WHERE email_hash = $1",
                                            {email_hash}));
    if (rows.empty()) return identity::LockoutState{};
    return identity::LockoutState{static_cast<int>(rows.front().i64(0)), rows.front().i64(1)};
  }

  Result<identity::LockoutState> record_failure(std::string_view email_hash, std::int64_t now, int threshold,
                                                std::int64_t lock_ms) override {
    // A lock that has run out restarts the count; reaching the threshold sets a new lock.
    EW_ASSIGN_OR_RETURN(
        auto rows,
        c_.query("INSERT INTO login_lockouts (email_hash, failures, last_failure_at, locked_until) "
                 "VALUES ($1, 1, CAST($2 AS BIGINT), "
                 "  CASE WHEN 1 >= CAST($3 AS INTEGER) THEN CAST($2 AS BIGINT) + CAST($4 AS BIGINT) ELSE 0 END) "
                 "ON CONFLICT (email_hash) DO UPDATE SET "
                 "failures = CASE WHEN login_lockouts.locked_until <> 0 AND login_lockouts.locked_until <= CAST($2 AS BIGINT) "
                 "  THEN 1 ELSE login_lockouts.failures + 1 END, "
                 "last_failure_at = CAST($2 AS BIGINT), "
                 "locked_until = CASE WHEN (CASE WHEN login_lockouts.locked_until <> 0 "
                 "  AND login_lockouts.locked_until <= CAST($2 AS BIGINT) THEN 1 ELSE login_lockouts.failures + 1 END) "
                 "  >= CAST($3 AS INTEGER) THEN CAST($2 AS BIGINT) + CAST($4 AS BIGINT) ELSE 0 END "
                 "RETURNING failures, locked_until",
                 {email_hash, now, threshold, lock_ms}));
    return identity::LockoutState{static_cast<int>(rows.front().i64(0)), rows.front().i64(1)};
  }

  Status clear_lockout(std::string_view email_hash) override {
    EW_TRY(c_.execute("DELETE FROM login_lockouts WHERE email_hash = $1", {email_hash}));
    return {};
  }

  Status insert_login_attempt(const identity::LoginAttempt& a) override {
    EW_TRY(c_.execute("INSERT INTO login_attempts (email_hash, account_id, ip, user_agent, outcome, reason, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      {a.email_hash, a.account_id.empty() ? Param() : Param(a.account_id), a.ip, a.user_agent, a.outcome,
                       a.reason, a.at}));
    return {};
  }

  Result<std::int64_t> count_ip_failures_since(std::string_view ip, std::int64_t since) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND created_at > $2 "
                                            "AND outcome = 'failure'",
                                            {ip, since}));
    return rows.front().i64(0);
  }

  Status insert_mfa_challenge(const identity::MfaChallenge& m) override {
    EW_TRY(c_.execute("INSERT INTO mfa_challenges (id, account_id, token_hash, auth_method, ip, user_agent, expires_at, "
                      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                      {m.id, m.account_id, m.token_hash, m.auth_method, m.ip, m.user_agent, m.expires_at, m.created_at}));
    return {};
  }

  Result<std::optional<identity::MfaChallenge>> mfa_challenge_by_hash(std::string_view token_hash) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT id, account_id, token_hash, auth_method, ip, user_agent, expires_at, "
                                            "used_at, failures, created_at FROM mfa_challenges WHERE token_hash = $1",
                                            {token_hash}));
    if (rows.empty()) return std::optional<identity::MfaChallenge>();
    const auto r = rows.front();
    identity::MfaChallenge m;
    m.id = r.str(0);
    m.account_id = r.str(1);
    m.token_hash = r.str(2);
    m.auth_method = r.str(3);
    m.ip = r.str(4);
    m.user_agent = r.str(5);
    m.expires_at = r.i64(6);
    m.used_at = r.opt_i64(7);
    m.failures = static_cast<int>(r.i64(8));
    m.created_at = r.i64(9);
    return std::optional<identity::MfaChallenge>(std::move(m));
  }

  Result<bool> consume_mfa_challenge(std::string_view id, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE mfa_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
                                           {id, now}));
    return n == 1;
  }

  Result<int> fail_mfa_challenge(std::string_view id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("UPDATE mfa_challenges SET failures = failures + 1 WHERE id = $1 "
                                            "RETURNING failures",
                                            {id}));
    return rows.empty() ? 0 : static_cast<int>(rows.front().i64(0));
  }

  Status replace_backup_codes(std::string_view account_id, const std::vector<std::pair<std::string, std::string>>& codes,
                              std::int64_t now) override {
    EW_TRY(c_.execute("DELETE FROM backup_codes WHERE account_id = $1", {account_id}));
    for (const auto& [id, hash] : codes) {
      EW_TRY(c_.execute("INSERT INTO backup_codes (id, account_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
                        {id, account_id, hash, now}));
    }
    return {};
  }

  Result<bool> use_backup_code(std::string_view account_id, std::string_view code_hash, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE backup_codes SET used_at = $3 WHERE account_id = $1 "
                                           "AND code_hash = $2 AND used_at IS NULL",
                                           {account_id, code_hash, now}));
    return n >= 1;
  }

  Result<std::int64_t> count_unused_backup_codes(std::string_view account_id) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT COUNT(*) FROM backup_codes WHERE account_id = $1 AND used_at IS NULL",
                                            {account_id}));
    return rows.front().i64(0);
  }

  Status insert_trusted_device(const identity::TrustedDevice& d) override {
    EW_TRY(c_.execute("INSERT INTO trusted_devices (id, account_id, token_hash, label, ip, created_at, expires_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      {d.id, d.account_id, d.token_hash, d.label, d.ip, d.created_at, d.expires_at}));
    return {};
  }

  Result<std::optional<identity::TrustedDevice>> trusted_device_by_hash(std::string_view token_hash) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kDeviceColumns) + "WHERE token_hash = $1", {token_hash}));
    if (rows.empty()) return std::optional<identity::TrustedDevice>();
    return std::optional<identity::TrustedDevice>(device_from(rows.front()));
  }

  Status touch_trusted_device(std::string_view id, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE trusted_devices SET last_used_at = $2 WHERE id = $1", {id, now}));
    return {};
  }

  Result<std::vector<identity::TrustedDevice>> trusted_devices_of(std::string_view account_id,
                                                                  std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string(kDeviceColumns) +
                                                "WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
                                                "ORDER BY created_at DESC",
                                            {account_id, now}));
    std::vector<identity::TrustedDevice> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(device_from(rows[i]));
    return out;
  }

  Result<bool> revoke_trusted_device(std::string_view account_id, std::string_view id, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE trusted_devices SET revoked_at = $3 WHERE id = $2 AND account_id = $1 "
                                           "AND revoked_at IS NULL",
                                           {account_id, id, now}));
    return n == 1;
  }

  Status revoke_trusted_devices_of(std::string_view account_id, std::int64_t now) override {
    EW_TRY(c_.execute("UPDATE trusted_devices SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
                      {account_id, now}));
    return {};
  }

  Status enqueue_mail(const identity::OutboxMail& m) override {
    EW_TRY(c_.execute("INSERT INTO email_outbox (id, to_address, subject, body_text, template, status, attempts, "
                      "next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
                      {m.id, m.to, m.subject, m.body, m.template_name, m.created_at}));
    return {};
  }

  Status append_audit(const platform::AuditEvent& e) override { return insert_audit_event(c_, e); }

  Result<std::vector<identity::AuditRecord>> audit_of(std::string_view account_id, std::int64_t before,
                                                      int limit) override {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query("SELECT id, event_type, COALESCE(account_id, ''), COALESCE(manufacturer_id, ''), "
                                 "COALESCE(actor_account_id, ''), ip, user_agent, request_id, outcome, details, created_at "
                                 "FROM security_audit_log WHERE account_id = $1 AND (CAST($2 AS BIGINT) = 0 OR id < CAST($2 AS BIGINT)) "
                                 "ORDER BY id DESC LIMIT $3",
                                 {account_id, before, limit}));
    std::vector<identity::AuditRecord> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      identity::AuditRecord rec;
      rec.id = r.i64(0);
      rec.event.type = r.str(1);
      rec.event.account_id = r.str(2);
      rec.event.manufacturer_id = r.str(3);
      rec.event.actor_account_id = r.str(4);
      rec.event.ip = r.str(5);
      rec.event.user_agent = r.str(6);
      rec.event.request_id = r.str(7);
      rec.event.outcome = r.str(8);
      rec.event.details = r.str(9);
      rec.event.at_ms = r.i64(10);
      out.push_back(std::move(rec));
    }
    return out;
  }

 private:
  Connection& c_;
};

class SqlIdentityStore final : public identity::IdentityStore {
 public:
  explicit SqlIdentityStore(storage::Database& db) : db_(db) {}

  Status write(const std::function<Status(IdentityTx&)>& work) override {
    return db_.transact(storage::TxMode::kWrite, [&](Connection& c) -> Status {
      SqlIdentityTx tx(c);
      return work(tx);
    });
  }

  Status read(const std::function<Status(IdentityTx&)>& work) override {
    return db_.transact(storage::TxMode::kRead, [&](Connection& c) -> Status {
      SqlIdentityTx tx(c);
      return work(tx);
    });
  }

  Status touch_sessions(const std::vector<std::pair<std::string, std::int64_t>>& seen, std::int64_t idle_ms) override {
    return db_.transact(storage::TxMode::kWrite, [&](Connection& c) -> Status {
      for (const auto& [id, at] : seen) {
        // Never move last_seen backwards (another node may have seen it later).
        EW_TRY(c.execute("UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 "
                         "WHERE id = $1 AND last_seen_at < $2 AND revoked_at IS NULL",
                         {id, at, at + idle_ms}));
      }
      return Status{};
    });
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<identity::IdentityStore> make_identity_store(storage::Database& db) {
  return std::make_unique<SqlIdentityStore>(db);
}

}  // namespace eyewear::stores
