// MFA, the password lifecycle, magic links, erasure, the audit trail and real SMTP delivery.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "identity/totp.hpp"
#include "integration/identity_fixture.hpp"
#include "platform/crypto.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

class IdentityMfaTest : public IdentityTest {
 protected:
  // Turns MFA on for the signed-in account; returns (raw secret, backup codes).
  std::pair<std::string, std::vector<std::string>> enable_mfa(const Tokens& t) {
    const auto setup = client_->post("/api/v1/auth/mfa/totp/setup", nullptr, {bearer(t.access)});
    EXPECT_EQ(setup.status, 200) << setup.body;
    const std::string b32 = setup.json()["secret"];
    const auto secret = *platform::base32_decode(b32);
    const auto confirm = client_->post("/api/v1/auth/mfa/totp/confirm", {{"code", code_at(secret, 0)}}, {bearer(t.access)});
    EXPECT_EQ(confirm.status, 200) << confirm.body;
    return {secret, confirm.json()["backup_codes"].get<std::vector<std::string>>()};
  }

  std::string code_at(const std::string& secret, int step_offset) {
    return identity::totp(secret, platform::to_unix_seconds(clock_->now()) + 30 * step_offset);
  }

  std::string mfa_token_for(const std::string& email, const json& extra = json::object()) {
    json body = {{"email", email}, {"password", kPassword}};
    body.update(extra);
    const auto r = client_->post("/api/v1/auth/login", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["status"], "mfa_required");
    return r.json().value("mfa_token", "");
  }
};

TEST_P(IdentityMfaTest, TotpSetupConfirmSignInAndReplay) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "mfa@acme.example");
  const auto setup = c.post("/api/v1/auth/mfa/totp/setup", nullptr, {bearer(t.access)});
  ASSERT_EQ(setup.status, 200);
  const auto j = setup.json();
  const std::string b32 = j["secret"];
  EXPECT_EQ(b32.size(), 32u) << "160-bit secret";
  EXPECT_TRUE(j["otpauth_uri"].get<std::string>().starts_with("otpauth://totp/Eyewear:mfa%40acme.example?secret=" + b32));
  EXPECT_TRUE(j["qr_svg"].get<std::string>().starts_with("<svg"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE mfa_enabled = 1"), 0) << "pending until confirmed";
  const auto secret = *platform::base32_decode(b32);

  const auto wrong = c.post("/api/v1/auth/mfa/totp/confirm", {{"code", "000000"}}, {bearer(t.access)});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.error_code(), "MFA_INVALID");
  const auto ok = c.post("/api/v1/auth/mfa/totp/confirm", {{"code", code_at(secret, 0)}}, {bearer(t.access)});
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_EQ(ok.json()["backup_codes"].size(), 10u);
  const std::string sealed = scalar("SELECT mfa_secret FROM accounts WHERE email = $1", {"mfa@acme.example"});
  EXPECT_TRUE(sealed.starts_with("ew1:v1:xchacha:")) << "sealed at rest by the keyring";
  EXPECT_EQ(sealed.find(b32), std::string::npos);

  // The code that confirmed MFA has been used: the same code cannot sign in (replay).
  auto mfa_token = mfa_token_for("mfa@acme.example");
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token}, {"code", code_at(secret, 0)}}).error_code(),
            "MFA_INVALID");
  clock_->advance(std::chrono::seconds(30));
  const auto signed_in = c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token}, {"code", code_at(secret, 0)}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(me(signed_in.json()["access_token"]).status, 200);
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token}, {"code", code_at(secret, 1)}}).error_code(),
            "TOKEN_INVALID") << "an mfa_token is single-use";

  const auto again = mfa_token_for("mfa@acme.example");
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", again}, {"code", code_at(secret, 0)}}).error_code(),
            "MFA_INVALID") << "a code accepted once is never accepted again";
  clock_->advance(std::chrono::minutes(5));
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", again}, {"code", code_at(secret, 0)}}).error_code(),
            "TOKEN_INVALID") << "mfa_token lives 5 minutes";
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'mfa_enabled'"), 1);
  EXPECT_GE(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'mfa_failed'"), 1);
}

TEST_P(IdentityMfaTest, OathtoolCodesForTheIssuedSecretAreAccepted) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "oath@acme.example");
  const auto setup = c.post("/api/v1/auth/mfa/totp/setup", nullptr, {bearer(t.access)});
  const std::string b32 = setup.json()["secret"];
  const auto now = std::to_string(platform::to_unix_seconds(clock_->now()));
  auto [code, out] = run_command({"oathtool", "--totp", "--base32", "--now=@" + now, b32});
  ASSERT_EQ(code, 0) << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  ASSERT_EQ(out.size(), 6u) << out;
  const auto confirm = c.post("/api/v1/auth/mfa/totp/confirm", {{"code", out}}, {bearer(t.access)});
  EXPECT_EQ(confirm.status, 200) << confirm.body;
}

TEST_P(IdentityMfaTest, BackupCodesAreSingleUseAndRegenerable) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "backup@acme.example");
  auto [secret, codes] = enable_mfa(t);
  EXPECT_EQ(count("SELECT COUNT(*) FROM backup_codes WHERE code_hash = $1", {codes[0]}), 0) << "stored hashed";
  const auto ok = c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token_for("backup@acme.example")},
                                                    {"backup_code", codes[0]}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto reused = c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token_for("backup@acme.example")},
                                                        {"backup_code", codes[0]}});
  EXPECT_EQ(reused.error_code(), "MFA_INVALID");
  const auto lower = codes[1];
  std::string typed;
  for (char ch : lower) typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token_for("backup@acme.example")}, {"backup_code", typed}})
                .status,
            200) << "codes are case-insensitive";
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'backup_code_used'"), 2);

  const std::string access = ok.json()["access_token"];
  EXPECT_EQ(c.post("/api/v1/auth/mfa/backup-codes/regenerate", {{"code", "123456"}}, {bearer(access)}).error_code(),
            "MFA_INVALID");
  clock_->advance(std::chrono::seconds(30));
  const auto fresh = c.post("/api/v1/auth/mfa/backup-codes/regenerate", {{"code", code_at(secret, 0)}}, {bearer(access)});
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.json()["backup_codes"].size(), 10u);
  EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token_for("backup@acme.example")}, {"backup_code", codes[2]}})
                .error_code(),
            "MFA_INVALID") << "old codes died with the regeneration";
}

TEST_P(IdentityMfaTest, TrustedDevicesSkipMfaForThatAccountOnly) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "device@acme.example");
  auto [secret, codes] = enable_mfa(t);
  (void)sign_up(c, server_->data_dir(), "stranger@acme.example", "Stranger Optics");
  auto stranger_t = sign_in(c, "stranger@acme.example");
  (void)enable_mfa(stranger_t);
  clock_->advance(std::chrono::seconds(30));
  const auto remembered = c.post("/api/v1/auth/login/mfa", {{"mfa_token", mfa_token_for("device@acme.example")},
                                                            {"code", code_at(secret, 0)},
                                                            {"remember_device", true}},
                                 {{"User-Agent", "Frame Studio/1.0"}});
  ASSERT_EQ(remembered.status, 200) << remembered.body;
  const std::string device = remembered.json()["device_token"];
  EXPECT_TRUE(device.starts_with("ewd_"));

  const auto skipped = c.post("/api/v1/auth/login", {{"email", "device@acme.example"}, {"password", kPassword}, {"device_token", device}});
  ASSERT_EQ(skipped.status, 200);
  EXPECT_EQ(skipped.json()["status"], "authenticated");
  (void)mfa_token_for("stranger@acme.example", {{"device_token", device}});  // another account still needs MFA

  const std::string access = skipped.json()["access_token"];
  const auto list = c.get("/api/v1/auth/devices", {bearer(access)});
  ASSERT_EQ(list.json()["devices"].size(), 1u);
  EXPECT_EQ(list.json()["devices"][0]["label"], "Frame Studio/1.0");
  const std::string device_id = list.json()["devices"][0]["id"];
  EXPECT_EQ(c.del("/api/v1/auth/devices/" + device_id, {bearer(access)}).status, 204);
  EXPECT_EQ(c.del("/api/v1/auth/devices/" + device_id, {bearer(access)}).status, 404);
  (void)mfa_token_for("device@acme.example", {{"device_token", device}});
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type IN ('device_trusted', 'device_revoked')"), 2);
}

TEST_P(IdentityMfaTest, WrongCodesCountTowardsTheLockout) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "brute@acme.example");
  (void)enable_mfa(t);
  for (int i = 0; i < 5; ++i) {
    const auto token = mfa_token_for("brute@acme.example");
    EXPECT_EQ(c.post("/api/v1/auth/login/mfa", {{"mfa_token", token}, {"code", "000000"}}).error_code(), "MFA_INVALID");
  }
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "brute@acme.example"}, {"password", kPassword}}).status, 429);
}

TEST_P(IdentityMfaTest, DisablingNeedsPasswordAndCode) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "off@acme.example");
  auto [secret, codes] = enable_mfa(t);
  clock_->advance(std::chrono::seconds(30));
  EXPECT_EQ(c.post("/api/v1/auth/mfa/totp/disable", {{"password", "Wrong-Password-1"}, {"code", code_at(secret, 0)}},
                   {bearer(t.access)}).error_code(),
            "INVALID_CREDENTIALS");
  EXPECT_EQ(c.post("/api/v1/auth/mfa/totp/disable", {{"password", kPassword}, {"code", "111111"}}, {bearer(t.access)})
                .error_code(),
            "MFA_INVALID");
  EXPECT_EQ(c.post("/api/v1/auth/mfa/totp/disable", {{"password", kPassword}, {"code", code_at(secret, 0)}}, {bearer(t.access)})
                .status,
            204);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE mfa_enabled = 1"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM backup_codes"), 0);
  const auto plain = c.post("/api/v1/auth/login", {{"email", "off@acme.example"}, {"password", kPassword}});
  EXPECT_EQ(plain.json()["status"], "authenticated");
  EXPECT_EQ(wait_for_mail(server_->data_dir(), "off@acme.example", "turned off").size(), 1u);
}

TEST_P(IdentityMfaTest, PasswordChangeRevokesOtherSessionsAndRefusesReuse) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "change@acme.example");
  const auto other = sign_in(c, "change@acme.example");
  const std::string next = "Rimless-Titanium-Hinge-31";
  EXPECT_EQ(c.post("/api/v1/auth/password/change", {{"current_password", "Nope-Nope-Nope-1"}, {"new_password", next}},
                   {bearer(t.access)}).error_code(),
            "INVALID_CREDENTIALS");
  const auto reuse = c.post("/api/v1/auth/password/change", {{"current_password", kPassword}, {"new_password", kPassword}},
                            {bearer(t.access)});
  EXPECT_EQ(reuse.status, 422);
  EXPECT_EQ(reuse.json()["error"]["details"]["rule"], "recently_used");
  ASSERT_EQ(c.post("/api/v1/auth/password/change", {{"current_password", kPassword}, {"new_password", next}},
                   {bearer(t.access)}).status,
            204);
  EXPECT_EQ(me(t.access).status, 200) << "the session that changed it stays";
  EXPECT_EQ(me(other.access).status, 401) << "other sessions end";
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "change@acme.example"}, {"password", kPassword}}).status, 401);
  (void)sign_in(c, "change@acme.example", next);
  EXPECT_EQ(wait_for_mail(server_->data_dir(), "change@acme.example", "password was changed").size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM password_history"), 2);
}

TEST_P(IdentityMfaTest, ForgotAndResetPassword) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "forgot@acme.example");
  ASSERT_EQ(c.post("/api/v1/auth/password/forgot", {{"email", "forgot@acme.example"}}).status, 202);
  const auto mails = wait_for_mail(server_->data_dir(), "forgot@acme.example", "Reset your password");
  ASSERT_EQ(mails.size(), 1u);
  const auto token = token_in(mails[0].body);
  const auto weak = c.post("/api/v1/auth/password/reset", {{"token", token}, {"password", "password123"}});
  EXPECT_EQ(weak.status, 422);
  const std::string next = "Bridge-Width-Eighteen-18";
  ASSERT_EQ(c.post("/api/v1/auth/password/reset", {{"token", token}, {"password", next}}).status, 204)
      << "a refused password did not spend the link";
  EXPECT_EQ(me(t.access).status, 401) << "a reset ends every session";
  EXPECT_EQ(c.post("/api/v1/auth/password/reset", {{"token", token}, {"password", "Another-Frame-Shape-9"}}).error_code(),
            "TOKEN_INVALID");
  (void)sign_in(c, "forgot@acme.example", next);

  ASSERT_EQ(c.post("/api/v1/auth/password/forgot", {{"email", "forgot@acme.example"}}).status, 202);
  const auto second = wait_for_mail(server_->data_dir(), "forgot@acme.example", "Reset your password", 2);
  ASSERT_EQ(second.size(), 2u);
  std::string fresh;
  for (const auto& m : second) {
    if (token_in(m.body) != token) fresh = token_in(m.body);
  }
  clock_->advance(std::chrono::minutes(61));
  EXPECT_EQ(c.post("/api/v1/auth/password/reset", {{"token", fresh}, {"password", "Another-Frame-Shape-9"}}).error_code(),
            "TOKEN_INVALID") << "reset links live one hour";
}

TEST_P(IdentityMfaTest, MagicLinksSignInOnceAndStillAskForMfa) {
  auto& c = *client_;
  (void)sign_up(c, server_->data_dir(), "magic@acme.example");
  ASSERT_EQ(c.post("/api/v1/auth/magic-link", {{"email", "magic@acme.example"}}).status, 202);
  auto mails = wait_for_mail(server_->data_dir(), "magic@acme.example", "sign-in link");
  ASSERT_EQ(mails.size(), 1u);
  const auto token = token_in(mails[0].body);
  const auto ok = c.post("/api/v1/auth/magic-link/consume", {{"token", token}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["status"], "authenticated");
  EXPECT_EQ(c.post("/api/v1/auth/magic-link/consume", {{"token", token}}).error_code(), "TOKEN_INVALID");

  (void)enable_mfa(Tokens{ok.json()["access_token"], "", ""});
  ASSERT_EQ(c.post("/api/v1/auth/magic-link", {{"email", "magic@acme.example"}}).status, 202);
  mails = wait_for_mail(server_->data_dir(), "magic@acme.example", "sign-in link", 2);
  std::string second;
  for (const auto& m : mails) {
    if (token_in(m.body) != token) second = token_in(m.body);
  }
  const auto mfa = c.post("/api/v1/auth/magic-link/consume", {{"token", second}});
  EXPECT_EQ(mfa.json()["status"], "mfa_required");
  clock_->advance(std::chrono::minutes(16));
  EXPECT_EQ(c.post("/api/v1/auth/magic-link/consume", {{"token", "expired-or-unknown"}}).error_code(), "TOKEN_INVALID");
}

TEST_P(IdentityMfaTest, ErasingTheAccountRemovesPersonalData) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "erase@acme.example");
  const auto other = sign_in(c, "erase@acme.example");
  EXPECT_EQ(c.request("DELETE", "/api/v1/me", json({{"password", "Wrong-Password-1"}}).dump(),
                      {bearer(t.access), {"Content-Type", "application/json"}}).error_code(),
            "INVALID_CREDENTIALS");
  EXPECT_EQ(c.request("DELETE", "/api/v1/me", json({{"password", kPassword}}).dump(),
                      {bearer(t.access), {"Content-Type", "application/json"}}).status,
            204);
  EXPECT_EQ(me(t.access).status, 401);
  EXPECT_EQ(me(other.access).status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "erase@acme.example"}, {"password", kPassword}}).status, 401);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE email = $1", {"erase@acme.example"}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE status = 'erased' AND password_hash IS NULL"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE ip <> ''"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM manufacturers WHERE status = 'deleted'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'account_erased'"), 1);
  // The address can be used again afterwards.
  EXPECT_EQ(c.post("/api/v1/auth/register", {{"email", "erase@acme.example"}, {"password", kPassword},
                                            {"company_name", "Reborn Optics"}}).status,
            202);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE email = $1", {"erase@acme.example"}), 1);
}

TEST_P(IdentityMfaTest, TheAuditTrailListsOwnEventsNewestFirst) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "audit@acme.example");
  (void)sign_up(c, server_->data_dir(), "someone@acme.example", "Someone Else");
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "audit@acme.example"}, {"password", "Wrong-Password-1"}}).status, 401);
  const auto page1 = c.get("/api/v1/auth/audit?limit=2", {bearer(t.access)});
  ASSERT_EQ(page1.status, 200) << page1.body;
  const auto events = page1.json()["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "login_failed");
  EXPECT_GT(events[0]["id"].get<std::int64_t>(), events[1]["id"].get<std::int64_t>());
  const auto before = page1.json()["next_before"].get<std::int64_t>();
  const auto page2 = c.get("/api/v1/auth/audit?limit=100&before=" + std::to_string(before), {bearer(t.access)});
  std::vector<std::string> types;
  const auto page2_json = page2.json();  // keep the document alive while iterating
  for (const auto& e : page2_json["events"]) types.push_back(e["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"email_verified", "account_registered"}));
  EXPECT_EQ(events[1]["type"], "login_succeeded");
  EXPECT_EQ(page2.json()["next_before"], nullptr);
  EXPECT_EQ(c.get("/api/v1/auth/audit?limit=500", {bearer(t.access)}).status, 422);
  EXPECT_EQ(c.get("/api/v1/auth/audit?before=abc", {bearer(t.access)}).status, 422);
}

TEST_P(IdentityMfaTest, PasswordStrengthMeter) {
  auto& c = *client_;
  const auto weak = c.post("/api/v1/auth/password/strength", {{"password", "eyewear2026"}});
  ASSERT_EQ(weak.status, 200);
  EXPECT_LT(weak.json()["score"].get<int>(), 3);
  EXPECT_FALSE(weak.json()["feedback"].empty());
  EXPECT_EQ(weak.json()["acceptable"], false);
  const auto strong = c.post("/api/v1/auth/password/strength", {{"password", "Gradient-Lens-Polarised-48"}});
  EXPECT_GE(strong.json()["score"].get<int>(), 3);
  EXPECT_EQ(strong.json()["acceptable"], true);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityMfaTest, ::testing::Values("sqlite", "postgres"), backend_label);

// Real SMTP delivery: Debian's aiosmtpd receives the verification mail into a maildir; the test
// follows the link it contains.
TEST(IdentitySmtpTest, VerificationMailIsDeliveredOverSmtpAndItsLinkWorks) {
  TempDir maildir;
  const int port = free_port();
  Process smtpd({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port), "-c",
                 "aiosmtpd.handlers.Mailbox", maildir.path() + "/box"},
                {}, maildir.file("smtpd.log"));
  ASSERT_TRUE(eventually([&] { return RawSocket(port).connected(); })) << smtpd.output();
  TestServer server({.configure = [port](platform::Config& c) {
    c.mail.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
    c.mail.from = "Eyewear <no-reply@eyewear.test>";
  }});
  auto c = server.client();
  ASSERT_EQ(c->post("/api/v1/auth/register", {{"email", "smtp@acme.example"}, {"password", kPassword},
                                             {"company_name", "Mail Optics"}}).status,
            202);
  std::string message;
  ASSERT_TRUE(eventually([&] {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(maildir.path() + "/box/new", ec)) {
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      message = ss.str();
      return true;
    }
    return false;
  })) << smtpd.output() << server.logs().lines().size();
  EXPECT_NE(message.find("To: smtp@acme.example"), std::string::npos);
  EXPECT_NE(message.find("From: Eyewear <no-reply@eyewear.test>"), std::string::npos);
  EXPECT_NE(message.find("Subject: Confirm your email address"), std::string::npos);
  const auto token = token_in(message);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(c->post("/api/v1/auth/verify-email", {{"token", token}}).status, 200);
  (void)sign_in(*c, "smtp@acme.example");
  auto rows = server.app().database().transact(storage::TxMode::kRead, [](storage::Connection& conn) {
    return conn.query("SELECT status, attempts FROM email_outbox WHERE template = 'verify_email'");
  });
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ((*rows)[0].str(0), "sent");
}

}  // namespace
}  // namespace eyewear::testing
