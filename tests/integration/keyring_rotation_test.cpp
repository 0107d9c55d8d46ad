// Key rotation as an operator does it, on SQLite and PostgreSQL: a populated database (hundreds
// of manufacturers with sealed profile fields, accounts with MFA secrets), the server running and
// decrypting throughout, and the real `eyewear keys status | rotate | rewrap | min-version |
// rotate-tenant` commands run as separate processes against the same database and master key.
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "identity/totp.hpp"
#include "integration/identity_fixture.hpp"
#include "platform/crypto.hpp"
#include "security/keyring.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

constexpr int kHttpManufacturers = 8;
constexpr int kMfaAccounts = 3;
constexpr int kBulkManufacturers = 300;

class KeyringRotationTest : public IdentityTest {
 protected:
  void SetUp() override {
    extra_config_ = [](platform::Config& c) { c.keyring.poll = std::chrono::milliseconds(50); };
    IdentityTest::SetUp();
  }

  // The CLI against the server's database and data directory (hence its master key file).
  std::pair<int, std::string> keys(std::vector<std::string> args) {
    std::vector<std::string> argv = {eyewear_binary(), "keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data-dir", server_->data_dir()});
    std::map<std::string, std::string> env = {{"EYEWEAR_LOG_LEVEL", "warn"}};
    if (pg_) env["EYEWEAR_DATABASE_URL"] = pg_->url();
    return run_command(argv, env);
  }

  json status() {
    auto [code, out] = keys({"status", "--json"});
    EXPECT_EQ(code, 0) << out;
    const auto start = out.find("{\n");
    return start == std::string::npos ? json() : json::parse(out.substr(start), nullptr, false);
  }

  void exec(const std::string& sql, std::initializer_list<storage::Param> params) {
    auto r = server_->app().database().transact(storage::TxMode::kWrite,
                                                [&](storage::Connection& c) { return c.execute(sql, params); });
    ASSERT_TRUE(r.has_value()) << r.error().internal;
  }

  // Manufacturers created directly (sign-up through HTTP costs a password hash each), their
  // fields sealed by the server's own keyring exactly as the profile service does.
  void add_bulk_manufacturers() {
    auto& ring = server_->app().keyring();
    for (int i = 0; i < kBulkManufacturers; ++i) {
      const auto mid = "bulk-" + std::to_string(1000 + i);
      exec(
          "INSERT INTO manufacturers (id, company_name, tier, status, created_at, updated_at) "
          "VALUES ($1, $2, 'free', 'active', 1, 1)",
          {mid, "Bulk Optics " + std::to_string(i)});
      std::string sealed[3];
      const char* columns[] = {"phone", "tax_id", "licence_number"};
      const std::string values[] = {"+4930901820", "DE811125440", "LIC-" + mid};
      for (int c = 0; c < 3; ++c) {
        sealed[c] = *ring.seal(security::FieldRef{mid, "manufacturer_profiles", columns[c], mid}, values[c]);
      }
      exec(
          "INSERT INTO manufacturer_profiles (manufacturer_id, phone_sealed, tax_id_sealed, licence_number_sealed, "
          "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1)",
          {mid, sealed[0], sealed[1], sealed[2]});
    }
  }

  std::string enable_mfa(const Tokens& t) {
    const auto setup = client_->post("/api/v1/auth/mfa/totp/setup", nullptr, {bearer(t.access)});
    EXPECT_EQ(setup.status, 200) << setup.body;
    const auto secret = *platform::base32_decode(setup.json()["secret"].get<std::string>());
    const auto code = identity::totp(secret, platform::to_unix_seconds(clock_->now()));
    EXPECT_EQ(client_->post("/api/v1/auth/mfa/totp/confirm", {{"code", code}}, {bearer(t.access)}).status, 200);
    return secret;
  }

  // Signs every MFA account in with password and TOTP (each a decryption of its sealed secret).
  void mfa_sign_ins(const std::string& when) {
    clock_->advance(std::chrono::seconds(31));  // a fresh TOTP step: codes are single-use
    for (std::size_t i = 0; i < mfa_secrets_.size(); ++i) {
      const auto email = "mfa" + std::to_string(i) + "@acme.example";
      const auto first = client_->post("/api/v1/auth/login", {{"email", email}, {"password", kPassword}});
      ASSERT_EQ(first.json()["status"], "mfa_required") << when << " " << first.body;
      const auto code = identity::totp(mfa_secrets_[i], platform::to_unix_seconds(clock_->now()));
      const auto second =
          client_->post("/api/v1/auth/login/mfa", {{"mfa_token", first.json()["mfa_token"]}, {"code", code}});
      EXPECT_EQ(second.status, 200) << when << " " << email << " " << second.body;
    }
  }

  // Profile reads (and one writer) hammering the server until stop().
  void start_traffic() {
    for (int r = 0; r < 2; ++r) {
      traffic_.emplace_back([this] {
        HttpClient c(server_->base_url());
        while (!stop_) {
          for (const auto& t : owners_) {
            const auto got = c.get("/api/v1/manufacturer/profile", {bearer(t.access)});
            if (got.status == 200 && got.json()["tax_id"] == "DE811125440") {
              ++reads_;
            } else {
              std::lock_guard lock(mu_);
              failures_.push_back(std::to_string(got.status) + " " + got.body);
            }
          }
        }
      });
    }
    traffic_.emplace_back([this] {
      HttpClient c(server_->base_url());
      int n = 0;
      while (!stop_) {
        last_phone_ = "+49309018" + std::to_string(10 + n++ % 80);
        auto body = profile_body();
        body["phone"] = last_phone_;
        const auto put = c.put("/api/v1/manufacturer/profile", body, {bearer(owners_[0].access)});
        if (put.status == 200) {
          ++writes_;
        } else {
          std::lock_guard lock(mu_);
          failures_.push_back("PUT " + std::to_string(put.status) + " " + put.body);
        }
      }
    });
  }
  void stop_traffic() {
    stop_ = true;
    for (auto& t : traffic_) t.join();
    traffic_.clear();
  }

  static json profile_body() {
    return {{"company_name", "Rotation Optics"}, {"phone", "+4930901820"}, {"tax_id", "DE811125440"},
            {"licence_number", "HRB 12345/B"},   {"country", "DE"},        {"product_count", 40}};
  }

  void populate() {
    for (int i = 0; i < kHttpManufacturers; ++i) {
      owners_.push_back(sign_up(*client_, server_->data_dir(), "owner" + std::to_string(i) + "@acme.example",
                                "Rotation Optics " + std::to_string(i)));
      ASSERT_EQ(client_->put("/api/v1/manufacturer/profile", profile_body(), {bearer(owners_.back().access)}).status,
                200);
    }
    for (int i = 0; i < kMfaAccounts; ++i) {
      const auto t = sign_up(*client_, server_->data_dir(), "mfa" + std::to_string(i) + "@acme.example");
      mfa_secrets_.push_back(enable_mfa(t));
    }
    const auto pending = sign_up(*client_, server_->data_dir(), "pending@acme.example");
    ASSERT_EQ(client_->post("/api/v1/auth/mfa/totp/setup", nullptr, {bearer(pending.access)}).status, 200);
    add_bulk_manufacturers();
  }

  static constexpr std::int64_t kFields = (kHttpManufacturers + kBulkManufacturers) * 3 + kMfaAccounts + 1;

  std::vector<Tokens> owners_;
  std::vector<std::string> mfa_secrets_;
  std::vector<std::thread> traffic_;
  std::atomic<bool> stop_{false};
  std::atomic<int> reads_{0}, writes_{0};
  std::string last_phone_;
  std::mutex mu_;
  std::vector<std::string> failures_;
};

TEST_P(KeyringRotationTest, RotateAndRewrapWhileTheServerKeepsDecrypting) {
  populate();
  auto before = status();
  ASSERT_TRUE(before.is_object());
  EXPECT_EQ(before["primary_version"], 1);
  EXPECT_EQ(before["fields"], kFields);
  EXPECT_EQ(before["pending_rewrap"], 0);
  EXPECT_EQ(before["by_algorithm"]["xchacha20poly1305"], kFields);
  EXPECT_EQ(before["columns"][0]["column"], "accounts.mfa_secret");
  EXPECT_EQ(before["columns"][0]["fields"], kMfaAccounts);
  EXPECT_EQ(before["columns"][1]["fields"], 1) << "the pending secret";
  EXPECT_EQ(before["columns"][3]["by_version"]["1"], kHttpManufacturers + kBulkManufacturers);

  start_traffic();
  mfa_sign_ins("before rotation");
  auto [rotated, rotate_out] = keys({"rotate"});
  ASSERT_EQ(rotated, 0) << rotate_out;
  EXPECT_NE(rotate_out.find("keyring version 2 is primary"), std::string::npos) << rotate_out;
  ASSERT_TRUE(eventually([&] { return server_->app().keyring().state().primary_version == 2; }))
      << "the server picks up the rotation without a restart";
  ASSERT_TRUE(eventually([&] {
    const auto v = scalar("SELECT phone_sealed FROM manufacturer_profiles WHERE manufacturer_id = $1",
                          {me(owners_[0].access).json()["manufacturer"]["id"].get<std::string>()});
    return v.starts_with("ew1:v2:");
  })) << "new writes are sealed under version 2";
  mfa_sign_ins("after rotation");

  auto [refused, refused_out] = keys({"min-version", "2"});
  EXPECT_EQ(refused, 1) << "fields remain below version 2";
  EXPECT_NE(refused_out.find("would stop opening"), std::string::npos) << refused_out;

  auto [partial, partial_out] = keys({"rewrap", "--batch", "50", "--max-batches", "3"});
  EXPECT_EQ(partial, 4) << partial_out;
  EXPECT_NE(partial_out.find("interrupted"), std::string::npos);
  mfa_sign_ins("during the rewrap");
  auto [finished, finished_out] = keys({"rewrap", "--batch", "50"});
  EXPECT_EQ(finished, 0) << finished_out;
  EXPECT_NE(finished_out.find("(resumed)"), std::string::npos) << finished_out;
  mfa_sign_ins("after the rewrap");

  stop_traffic();
  auto [tail, tail_out] = keys({"rewrap"});  // anything the writer sealed before the server polled
  EXPECT_EQ(tail, 0) << tail_out;
  auto after = status();
  EXPECT_EQ(after["fields"], kFields);
  EXPECT_EQ(after["pending_rewrap"], 0);
  EXPECT_EQ(after["versions"][0]["fields"], 0);
  EXPECT_EQ(after["versions"][1]["fields"], kFields);
  EXPECT_EQ(after["versions"][1]["primary"], true);
  for (const char* col : {"phone_sealed", "tax_id_sealed", "licence_number_sealed"}) {
    EXPECT_EQ(count(std::string("SELECT COUNT(*) FROM manufacturer_profiles WHERE ") + col + " NOT LIKE 'ew1:v2:%'"),
              0);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE mfa_secret IS NOT NULL AND mfa_secret NOT LIKE 'ew1:v2:%'"), 0);

  auto [raised, raised_out] = keys({"min-version", "2"});
  EXPECT_EQ(raised, 0) << raised_out;
  ASSERT_TRUE(eventually([&] { return server_->app().keyring().effective_min_version() == 2; }));
  mfa_sign_ins("with version 1 retired");
  EXPECT_EQ(client_->get("/api/v1/manufacturer/profile", {bearer(owners_[0].access)}).json()["phone"], last_phone_)
      << "the writer's last value survived the rewrap";
  {
    std::lock_guard lock(mu_);
    EXPECT_TRUE(failures_.empty()) << failures_.size() << " failed requests, first: " << failures_.front();
  }
  EXPECT_GT(reads_.load(), kHttpManufacturers);
  EXPECT_GT(writes_.load(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rotated'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rewrap_completed'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_min_version_set'"), 1);
}

TEST_P(KeyringRotationTest, MinimumVersionRefusesOldFieldsOverHttpUntilRewrapped) {
  const auto owner = sign_up(*client_, server_->data_dir(), "owner@acme.example");
  ASSERT_EQ(client_->put("/api/v1/manufacturer/profile", profile_body(), {bearer(owner.access)}).status, 200);
  const auto mfa = sign_up(*client_, server_->data_dir(), "mfa0@acme.example");
  mfa_secrets_.push_back(enable_mfa(mfa));
  ASSERT_EQ(keys({"rotate"}).first, 0);
  auto [forced, forced_out] = keys({"min-version", "2", "--force"});
  ASSERT_EQ(forced, 0) << forced_out;
  ASSERT_TRUE(eventually([&] { return server_->app().keyring().effective_min_version() == 2; }));

  const auto refused = client_->get("/api/v1/manufacturer/profile", {bearer(owner.access)});
  EXPECT_EQ(refused.status, 500);
  EXPECT_EQ(refused.error_code(), "DECRYPTION_FAILED");
  EXPECT_EQ(refused.json()["error"]["details"]["reason"], "key_version_retired");
  clock_->advance(std::chrono::seconds(31));
  const auto first = client_->post("/api/v1/auth/login", {{"email", "mfa0@acme.example"}, {"password", kPassword}});
  const auto code = identity::totp(mfa_secrets_[0], platform::to_unix_seconds(clock_->now()));
  const auto second =
      client_->post("/api/v1/auth/login/mfa", {{"mfa_token", first.json()["mfa_token"]}, {"code", code}});
  EXPECT_EQ(second.error_code(), "DECRYPTION_FAILED") << second.body;

  auto s = status();
  EXPECT_EQ(s["below_minimum"], 4);
  EXPECT_EQ(s["versions"][0]["below_minimum"], true);
  auto [rewrapped, rewrap_out] = keys({"rewrap"});
  ASSERT_EQ(rewrapped, 0) << rewrap_out;
  EXPECT_NE(rewrap_out.find("4 value(s) rewrapped"), std::string::npos) << rewrap_out;
  const auto opened = client_->get("/api/v1/manufacturer/profile", {bearer(owner.access)});
  EXPECT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(opened.json()["encryption"]["tax_id"]["key_version"], 2);
  mfa_sign_ins("after the rewrap");
}

TEST_P(KeyringRotationTest, OneManufacturersDataKeyRotatesAlone) {
  const auto a = sign_up(*client_, server_->data_dir(), "a@acme.example", "Alpha Optics");
  const auto b = sign_up(*client_, server_->data_dir(), "b@acme.example", "Beta Optics");
  ASSERT_EQ(client_->put("/api/v1/manufacturer/profile", profile_body(), {bearer(a.access)}).status, 200);
  ASSERT_EQ(client_->put("/api/v1/manufacturer/profile", profile_body(), {bearer(b.access)}).status, 200);
  const std::string ma = me(a.access).json()["manufacturer"]["id"];
  const std::string mb = me(b.access).json()["manufacturer"]["id"];
  const auto kid_of = [&](const std::string& mid) {
    return std::string(security::parse_sealed(scalar("SELECT tax_id_sealed FROM manufacturer_profiles WHERE "
                                                     "manufacturer_id = $1",
                                                     {mid}))
                           ->kid);
  };
  const auto a_before = kid_of(ma);
  const auto b_before = kid_of(mb);
  auto [code, out] = keys({"rotate-tenant", "--manufacturer", ma});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(keys({"rotate-tenant", "--manufacturer", "no-such-id"}).first, 1);
  auto s = status();
  EXPECT_EQ(s["pending_rewrap"], 3) << "A's three fields";
  EXPECT_EQ(s["primary_version"], 1) << "the keyring version stays";
  EXPECT_EQ(client_->get("/api/v1/manufacturer/profile", {bearer(a.access)}).status, 200) << "old key still opens";
  ASSERT_EQ(keys({"rewrap"}).first, 0);
  EXPECT_NE(kid_of(ma), a_before);
  EXPECT_EQ(kid_of(mb), b_before) << "B untouched";
  EXPECT_EQ(status()["pending_rewrap"], 0);
  EXPECT_EQ(client_->get("/api/v1/manufacturer/profile", {bearer(a.access)}).json()["tax_id"], "DE811125440");
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'data_key_rotated' AND manufacturer_id = $1",
            {ma}),
      1);
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyringRotationTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
