// Sign-up, verification, sign-in, lockout, tokens and sessions over HTTP, on both databases.
#include <nlohmann/json.hpp>

#include "integration/identity_fixture.hpp"
#include "platform/crypto.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

class IdentityAuthTest : public IdentityTest {};

TEST_P(IdentityAuthTest, SignUpVerifySignInAndMe) {
  auto& c = *client_;
  const auto r = c.post("/api/v1/auth/register",
                        {{"email", "Owner@Acme-Optics.com"}, {"password", kPassword}, {"company_name", "Acme Optics"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json()["status"], "accepted");
  EXPECT_EQ(scalar("SELECT status FROM accounts WHERE email = $1", {"owner@acme-optics.com"}), "pending_verification");
  EXPECT_EQ(scalar("SELECT m.tier FROM manufacturers m JOIN memberships ms ON ms.manufacturer_id = m.id "
                   "JOIN accounts a ON a.id = ms.account_id WHERE a.email = $1 AND ms.role = 'owner'",
                   {"owner@acme-optics.com"}),
            "free");

  const auto early = c.post("/api/v1/auth/login", {{"email", "owner@acme-optics.com"}, {"password", kPassword}});
  EXPECT_EQ(early.status, 403);
  EXPECT_EQ(early.error_code(), "EMAIL_NOT_VERIFIED");

  const auto mails = wait_for_mail(server_->data_dir(), "owner@acme-optics.com", "Confirm your email");
  ASSERT_EQ(mails.size(), 1u);
  const auto token = token_in(mails[0].body);
  ASSERT_EQ(token.size(), 43u) << "256-bit token, base64url";
  EXPECT_EQ(count("SELECT COUNT(*) FROM email_tokens WHERE token_hash = $1", {token}), 0) << "stored hashed";
  EXPECT_EQ(c.post("/api/v1/auth/verify-email", {{"token", token}}).status, 200);
  const auto reused = c.post("/api/v1/auth/verify-email", {{"token", token}});
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(reused.error_code(), "TOKEN_INVALID");
  EXPECT_EQ(scalar("SELECT status FROM accounts WHERE email = $1", {"owner@acme-optics.com"}), "active");

  const auto t = sign_in(c, "OWNER@acme-optics.com");
  const auto m = me(t.access);
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.json()["account"]["email"], "owner@acme-optics.com");
  EXPECT_EQ(m.json()["account"]["email_verified"], true);
  EXPECT_EQ(m.json()["manufacturer"]["company_name"], "Acme Optics");
  EXPECT_EQ(m.json()["manufacturer"]["tier"], "free");
  EXPECT_EQ(m.json()["manufacturer"]["role"], "owner");
  for (const char* type : {"account_registered", "email_verified", "login_succeeded"}) {
    EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = $1", {type}), 1) << type;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts WHERE outcome = 'success'"), 1);
}

TEST_P(IdentityAuthTest, RegisteringAnExistingEmailAnswersTheSameAndWarnsTheOwner) {
  auto& c = *client_;
  const json body = {{"email", "dup@acme.example"}, {"password", kPassword}, {"company_name", "Acme"}};
  const auto first = c.post("/api/v1/auth/register", body);
  const auto second = c.post("/api/v1/auth/register", body);
  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(second.status, first.status);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(wait_for_mail(server_->data_dir(), "dup@acme.example", "Someone tried to sign up").size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE email = $1", {"dup@acme.example"}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM manufacturers"), 1) << "no second tenant";

  const auto known = c.post("/api/v1/auth/verify-email/resend", {{"email", "dup@acme.example"}});
  const auto unknown = c.post("/api/v1/auth/verify-email/resend", {{"email", "nobody@acme.example"}});
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.body, known.body);
  const auto forgot_known = c.post("/api/v1/auth/password/forgot", {{"email", "dup@acme.example"}});
  const auto forgot_unknown = c.post("/api/v1/auth/password/forgot", {{"email", "nobody@acme.example"}});
  EXPECT_EQ(forgot_known.status, 202);
  EXPECT_EQ(forgot_unknown.body, forgot_known.body);
}

TEST_P(IdentityAuthTest, RegistrationRefusesBadInputNamingTheField) {
  auto& c = *client_;
  auto refuse = [&](json body, const std::string& field, const std::string& rule) {
    const auto r = c.post("/api/v1/auth/register", body);
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.body;
    EXPECT_EQ(r.error_code(), "VALIDATION_FAILED");
    EXPECT_EQ(r.json()["error"]["details"]["field"], field) << r.body;
    EXPECT_EQ(r.json()["error"]["details"]["rule"], rule) << r.body;
  };
  refuse({{"password", kPassword}, {"company_name", "Acme"}}, "email", "required");
  refuse({{"email", "not-an-email"}, {"password", kPassword}, {"company_name", "Acme"}}, "email", "format");
  refuse({{"email", "a@b.example"}, {"password", "short"}, {"company_name", "Acme"}}, "password", "too_short");
  refuse({{"email", "a@b.example"}, {"password", "passwordpassword"}, {"company_name", "Acme"}}, "password", "too_weak");
  refuse({{"email", "a@b.example"}, {"password", "We-Are-Acme Optics-2026"}, {"company_name", "Acme Optics"}}, "password",
         "contains_personal_data");
  refuse({{"email", "a@b.example"}, {"password", kPassword}, {"company_name", "A"}}, "company_name", "length");
  refuse({{"email", "a@b.example"}, {"password", 12345}, {"company_name", "Acme"}}, "password", "type");
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts"), 0) << "nothing half-written";
}

TEST_P(IdentityAuthTest, UnknownEmailAndWrongPasswordAnswerIdentically) {
  auto& c = *client_;
  (void)sign_up(c, server_->data_dir(), "real@acme.example");
  const auto wrong = c.post("/api/v1/auth/login", {{"email", "real@acme.example"}, {"password", "Not-The-Password-1"}},
                            {{"X-Request-Id", "same"}});
  const auto unknown = c.post("/api/v1/auth/login", {{"email", "ghost@acme.example"}, {"password", "Not-The-Password-1"}},
                              {{"X-Request-Id", "same"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.error_code(), "INVALID_CREDENTIALS");
  EXPECT_EQ(unknown.status, wrong.status);
  EXPECT_EQ(unknown.body, wrong.body) << "byte-identical answers";
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts WHERE reason = 'unknown_email'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts WHERE reason = 'wrong_password'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts WHERE email_hash LIKE '%@%'"), 0) << "emails are hashed";
}

TEST_P(IdentityAuthTest, FiveFailuresLockTheEmailUntilTheLockExpires) {
  auto& c = *client_;
  (void)sign_up(c, server_->data_dir(), "locked@acme.example");
  const json wrong = {{"email", "locked@acme.example"}, {"password", "Wrong-Password-123"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", wrong).status, 401) << i;
  const auto locked = c.post("/api/v1/auth/login", {{"email", "locked@acme.example"}, {"password", kPassword}});
  EXPECT_EQ(locked.status, 429) << "even the right password is refused while locked";
  EXPECT_EQ(locked.error_code(), "TOO_MANY_ATTEMPTS");
  EXPECT_EQ(locked.header("retry-after"), "900");
  EXPECT_EQ(wait_for_mail(server_->data_dir(), "locked@acme.example", "was locked").size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'account_locked'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts WHERE outcome = 'locked'"), 1);

  clock_->advance(std::chrono::minutes(10));
  const auto still = c.post("/api/v1/auth/login", {{"email", "locked@acme.example"}, {"password", kPassword}});
  EXPECT_EQ(still.status, 429);
  EXPECT_EQ(still.header("retry-after"), "300");
  clock_->advance(std::chrono::minutes(5));
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "locked@acme.example"}, {"password", kPassword}}).status, 200)
      << "the lock expires by itself";
}

TEST_P(IdentityAuthTest, LockoutCountsUnknownEmailsAndSuccessResetsTheCount) {
  auto& c = *client_;
  const json ghost = {{"email", "ghost@acme.example"}, {"password", "Wrong-Password-123"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", ghost).status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/login", ghost).status, 429) << "no difference for emails without an account";

  (void)sign_up(c, server_->data_dir(), "reset@acme.example");
  const json wrong = {{"email", "reset@acme.example"}, {"password", "Wrong-Password-123"}};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", wrong).status, 401);
  (void)sign_in(c, "reset@acme.example");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", wrong).status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "reset@acme.example"}, {"password", kPassword}}).status, 200)
      << "the success in between reset the count";
}

TEST_P(IdentityAuthTest, PerIpThrottleOnFailures) {
  extra_config_ = [](platform::Config& cfg) { cfg.identity.ip_max_failures = 3; };
  start();
  auto& c = *client_;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "u" + std::to_string(i) + "@x.example"}, {"password", "Wrong-1234567"}}).status,
              401);
  }
  const auto throttled = c.post("/api/v1/auth/login", {{"email", "other@x.example"}, {"password", "Wrong-1234567"}});
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.error_code(), "RATE_LIMITED");
  EXPECT_EQ(throttled.header("retry-after"), "900");
}

TEST_P(IdentityAuthTest, AccessTokensAreCheckedOnEveryRequest) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "tokens@acme.example");
  const auto none = c.get("/api/v1/me");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.error_code(), "UNAUTHENTICATED");
  EXPECT_EQ(none.header("www-authenticate"), R"(Bearer realm="eyewear")");
  EXPECT_EQ(c.get("/api/v1/me", {{"Authorization", "Basic dXNlcjpwYXNz"}}).error_code(), "UNAUTHENTICATED");
  const auto garbage = me("not-a-token");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.error_code(), "TOKEN_INVALID");
  EXPECT_NE(garbage.header("www-authenticate").find("invalid_token"), std::string::npos);

  // alg:none with the same claims.
  const auto dot1 = t.access.find('.');
  const auto dot2 = t.access.find('.', dot1 + 1);
  auto header = json::parse(*platform::base64url_decode(t.access.substr(0, dot1)));
  header["alg"] = "none";
  const auto none_token = platform::base64url_encode(header.dump()) + t.access.substr(dot1, dot2 - dot1) + ".";
  EXPECT_EQ(me(none_token).error_code(), "TOKEN_INVALID");
  // A changed claim breaks the signature.
  auto payload = json::parse(*platform::base64url_decode(t.access.substr(dot1 + 1, dot2 - dot1 - 1)));
  payload["tier"] = "enterprise";
  const auto forged = t.access.substr(0, dot1) + "." + platform::base64url_encode(payload.dump()) + t.access.substr(dot2);
  EXPECT_EQ(me(forged).json()["error"]["details"]["reason"], "signature");

  EXPECT_EQ(me(t.access).status, 200);
  clock_->advance(std::chrono::minutes(15));
  const auto expired = me(t.access);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.error_code(), "TOKEN_EXPIRED");
}

TEST_P(IdentityAuthTest, RefreshRotatesAndReuseEndsTheSession) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "refresh@acme.example");
  ASSERT_TRUE(t.refresh.starts_with("ewr_"));
  const auto r1 = c.post("/api/v1/auth/refresh", {{"refresh_token", t.refresh}});
  ASSERT_EQ(r1.status, 200) << r1.body;
  const std::string second_refresh = r1.json()["refresh_token"];
  const std::string second_access = r1.json()["access_token"];
  EXPECT_NE(second_refresh, t.refresh);
  EXPECT_EQ(r1.json()["session_id"], t.session_id);
  EXPECT_EQ(me(second_access).status, 200);

  const auto replay = c.post("/api/v1/auth/refresh", {{"refresh_token", t.refresh}});
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(replay.error_code(), "TOKEN_INVALID");
  EXPECT_EQ(me(second_access).status, 401) << "reuse revoked the whole session at once";
  EXPECT_EQ(c.post("/api/v1/auth/refresh", {{"refresh_token", second_refresh}}).status, 401);
  EXPECT_EQ(scalar("SELECT revoked_reason FROM sessions WHERE id = $1", {t.session_id}), "refresh_token_reuse");
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'refresh_token_reuse_detected'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = $1", {t.refresh}), 0) << "stored hashed";
  EXPECT_EQ(c.post("/api/v1/auth/refresh", {{"refresh_token", "ewr_made-up"}}).error_code(), "TOKEN_INVALID");
}

TEST_P(IdentityAuthTest, SessionsEndWhenIdleOrTooOld) {
  extra_config_ = [](platform::Config& cfg) { cfg.identity.session_max_lifetime = std::chrono::minutes(50); };
  start();
  auto& c = *client_;
  auto t = sign_up(c, server_->data_dir(), "idle@acme.example");
  clock_->advance(std::chrono::minutes(31));
  const auto idle = c.post("/api/v1/auth/refresh", {{"refresh_token", t.refresh}});
  EXPECT_EQ(idle.status, 401);
  EXPECT_EQ(idle.error_code(), "TOKEN_EXPIRED");
  EXPECT_EQ(idle.json()["error"]["details"]["reason"], "idle");

  t = sign_in(c, "idle@acme.example");
  std::string refresh = t.refresh;
  for (int i = 0; i < 2; ++i) {  // active every 20 minutes: not idle
    clock_->advance(std::chrono::minutes(20));
    const auto r = c.post("/api/v1/auth/refresh", {{"refresh_token", refresh}});
    ASSERT_EQ(r.status, 200) << r.body;
    refresh = r.json()["refresh_token"];
    if (i == 1) {
      EXPECT_LE(r.json()["expires_in"].get<int>(), 600) << "access tokens never outlive the session";
    }
  }
  clock_->advance(std::chrono::minutes(11));
  const auto old = c.post("/api/v1/auth/refresh", {{"refresh_token", refresh}});
  EXPECT_EQ(old.error_code(), "TOKEN_EXPIRED");
  EXPECT_EQ(old.json()["error"]["details"]["reason"], "expired");
}

TEST_P(IdentityAuthTest, LogoutAndSessionManagement) {
  auto& c = *client_;
  const auto a = sign_up(c, server_->data_dir(), "multi@acme.example");
  const auto b = sign_in(c, "multi@acme.example");
  const auto other = sign_up(c, server_->data_dir(), "other@acme.example", "Other Optics");

  const auto list = c.get("/api/v1/auth/sessions", {bearer(a.access), {"User-Agent", "eyewear-tests"}});
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["sessions"].size(), 2u);
  int current = 0;
  const auto sessions = list.json();  // keep the document alive while iterating
  for (const auto& s : sessions["sessions"]) {
    current += s["current"].get<bool>() ? 1 : 0;
    EXPECT_EQ(s["ip"], "127.0.0.1");
    EXPECT_TRUE(s.contains("last_seen_at"));
  }
  EXPECT_EQ(current, 1);

  EXPECT_EQ(c.del("/api/v1/auth/sessions/" + other.session_id, {bearer(a.access)}).status, 404)
      << "another account's session is not ours to end";
  EXPECT_EQ(me(other.access).status, 200);
  EXPECT_EQ(c.del("/api/v1/auth/sessions/" + b.session_id, {bearer(a.access)}).status, 204);
  EXPECT_EQ(me(b.access).status, 401);
  EXPECT_EQ(me(a.access).status, 200);

  const auto c2 = sign_in(c, "multi@acme.example");
  EXPECT_EQ(c.post("/api/v1/auth/logout", nullptr, {bearer(a.access)}).status, 204);
  EXPECT_EQ(me(a.access).json()["error"]["details"]["reason"], "revoked");
  EXPECT_EQ(me(c2.access).status, 200);
  EXPECT_EQ(c.post("/api/v1/auth/logout-all", nullptr, {bearer(c2.access)}).status, 204);
  EXPECT_EQ(me(c2.access).status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/refresh", {{"refresh_token", c2.refresh}}).status, 401);
  EXPECT_GE(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'session_revoked'"), 3);
}

TEST_P(IdentityAuthTest, EverythingSurvivesARestart) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "durable@acme.example");
  const auto revoked = sign_in(c, "durable@acme.example");
  EXPECT_EQ(c.post("/api/v1/auth/logout", nullptr, {bearer(revoked.access)}).status, 204);
  const json wrong = {{"email", "durable@acme.example"}, {"password", "Wrong-Password-123"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", wrong).status, 401);

  start();  // a new process on the same data directory and database
  EXPECT_EQ(me(t.access).status, 200) << "signing keys and sessions are durable";
  EXPECT_EQ(me(revoked.access).status, 401) << "revocations are durable";
  EXPECT_EQ(client_->post("/api/v1/auth/login", {{"email", "durable@acme.example"}, {"password", kPassword}}).status, 429)
      << "lockouts are durable";
}

TEST_P(IdentityAuthTest, ARevocationOnOneNodeReachesAnotherWithinAPoll) {
  TestServerOptions o;
  o.clock = clock_;
  o.data_dir = data_.path();  // shares keys (and, for SQLite, the database file)
  if (pg_) o.database_url = pg_->url();
  TestServer node_b(o);
  auto b = node_b.client();
  const auto t = sign_up(*client_, server_->data_dir(), "nodes@acme.example");
  ASSERT_EQ(b->get("/api/v1/me", {bearer(t.access)}).status, 200);
  ASSERT_EQ(client_->post("/api/v1/auth/logout", nullptr, {bearer(t.access)}).status, 204);
  const auto revoked_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return b->get("/api/v1/me", {bearer(t.access)}).status == 401; },
                         std::chrono::seconds(5)));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at);
  RecordProperty("revocation_propagation_ms", static_cast<int>(took.count()));
}

TEST_P(IdentityAuthTest, JwksPublishesTheSigningKey) {
  const auto r = client_->get("/.well-known/jwks.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("cache-control"), "public, max-age=300");
  const auto keys = r.json()["keys"];
  ASSERT_EQ(keys.size(), 1u);
  const auto t = sign_up(*client_, server_->data_dir(), "jwks@acme.example");
  const auto header = json::parse(*platform::base64url_decode(t.access.substr(0, t.access.find('.'))));
  EXPECT_EQ(header["kid"], keys[0]["kid"]);
  EXPECT_EQ(header["alg"], "ES256");
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityAuthTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
