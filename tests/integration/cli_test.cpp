// The eyewear binary as an operator runs it.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>

#include "platform/crypto.hpp"
#include "storage/open.hpp"
#include "support/environment.hpp"
#include "support/http_client.hpp"

namespace eyewear::testing {
namespace {

TEST(CliTest, VersionAndConfig) {
  auto [code, out] = run_command({eyewear_binary(), "version"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("eyewear 0."), std::string::npos);

  auto [ccode, cout] = run_command({eyewear_binary(), "config"},
                                   {{"EYEWEAR_DATABASE_URL", "postgresql://app:topsecret@db:5432/eyewear"},
                                    {"EYEWEAR_PORT", "9999"}});
  EXPECT_EQ(ccode, 0);
  EXPECT_EQ(cout.find("topsecret"), std::string::npos);
  EXPECT_NE(cout.find("postgresql://app:****@db:5432/eyewear"), std::string::npos);
  EXPECT_NE(cout.find("9999"), std::string::npos);
}

TEST(CliTest, InvalidConfigurationFailsFastNamingTheVariable) {
  auto [code, out] = run_command({eyewear_binary(), "serve"}, {{"EYEWEAR_PORT", "eighty"}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("EYEWEAR_PORT"), std::string::npos) << out;
}

TEST(CliTest, MigrateOnEmptyThenUpToDate) {
  TempDir dir;
  auto [code, out] = run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()});
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("migration(s) applied now"), std::string::npos);
  EXPECT_EQ(out.find("(0 migration(s)"), std::string::npos);
  auto [code2, out2] = run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()});
  EXPECT_EQ(code2, 0);
  EXPECT_NE(out2.find("(0 migration(s) applied now)"), std::string::npos) << out2;
}

TEST(CliTest, MigrateOnPostgres) {
  PgTestDatabase pg;
  if (!pg.available()) {
    if (postgres_required()) FAIL() << "PostgreSQL required";
    GTEST_SKIP();
  }
  TempDir dir;
  auto [code, out] = run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()},
                                 {{"EYEWEAR_DATABASE_URL", pg.url()}});
  EXPECT_EQ(code, 0) << out;
  auto [code2, out2] = run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()},
                                   {{"EYEWEAR_DATABASE_URL", pg.url()}});
  EXPECT_NE(out2.find("(0 migration(s) applied now)"), std::string::npos) << out2;
}

TEST(CliTest, ServeStopsCleanlyOnSigtermAndSigint) {
  for (int sig : {SIGTERM, SIGINT}) {
    TempDir dir;
    const int port = free_port();
    Process serve({eyewear_binary(), "serve", "--port", std::to_string(port), "--data-dir", dir.path()}, {},
                  dir.file("serve.log"));
    HttpClient c("http://127.0.0.1:" + std::to_string(port));
    ASSERT_TRUE(eventually([&] { return c.get("/health/ready").status == 200; })) << serve.output();
    serve.signal(sig);
    EXPECT_EQ(serve.wait(std::chrono::seconds(20)), 0) << serve.output();
    EXPECT_NE(serve.output().find("\"msg\":\"stopped\""), std::string::npos);
  }
}

TEST(CliTest, BackupWritesAConsistentSqliteCopy) {
  TempDir dir;
  ASSERT_EQ(run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()}).first, 0);
  const auto file = dir.file("backup.db");
  auto [code, out] = run_command({eyewear_binary(), "backup", "--to", file, "--data-dir", dir.path()});
  ASSERT_EQ(code, 0) << out;
  std::ifstream in(file, std::ios::binary);
  std::string header(16, '\0');
  in.read(header.data(), 16);
  EXPECT_EQ(header, std::string("SQLite format 3\0", 16));
  storage::DatabaseOptions o;
  o.url = "sqlite:" + file;
  auto copy = storage::open_database(o);
  ASSERT_TRUE(copy.has_value());
  auto rows = (*copy)->transact(storage::TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT COUNT(*) FROM schema_migrations");
  });
  ASSERT_TRUE(rows.has_value());
  EXPECT_GE((*rows)[0].i64(0), 1);
}

TEST(CliTest, BackupOnPostgresRunsPgDumpAndRestoresIntoAnotherDatabase) {
  PgTestDatabase pg;
  PgTestDatabase restored;
  if (!pg.available()) {
    if (postgres_required()) FAIL() << "PostgreSQL required";
    GTEST_SKIP();
  }
  TempDir dir;
  const std::map<std::string, std::string> env{{"EYEWEAR_DATABASE_URL", pg.url()}};
  ASSERT_EQ(run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()}, env).first, 0);
  const auto file = dir.file("backup.pgdump");
  auto [code, out] = run_command({eyewear_binary(), "backup", "--to", file, "--data-dir", dir.path()}, env);
  ASSERT_EQ(code, 0) << out;
  std::ifstream in(file, std::ios::binary);
  std::string magic(5, '\0');
  in.read(magic.data(), 5);
  EXPECT_EQ(magic, "PGDMP") << "pg_dump's custom format";
  auto [rc, rout] = run_command({"pg_restore", "--no-owner", "--dbname=" + restored.url(), file});
  ASSERT_EQ(rc, 0) << rout;
  auto count_in = [](const std::string& url) {
    storage::DatabaseOptions o;
    o.url = url;
    auto db = storage::open_database(o);
    EXPECT_TRUE(db.has_value());
    if (!db) return std::int64_t{-1};
    auto rows = (*db)->transact(storage::TxMode::kRead, [](storage::Connection& c) {
      return c.query("SELECT COUNT(*) FROM schema_migrations");
    });
    return rows ? (*rows)[0].i64(0) : -1;
  };
  EXPECT_GE(count_in(pg.url()), 3);
  EXPECT_EQ(count_in(restored.url()), count_in(pg.url()));
}

TEST(CliTest, ServeRefusesASchemaNewerThanItKnows) {
  TempDir dir;
  ASSERT_EQ(run_command({eyewear_binary(), "migrate", "--data-dir", dir.path()}).first, 0);
  {
    storage::DatabaseOptions o;
    o.url = "sqlite:" + dir.path() + "/eyewear.db";
    auto db = storage::open_database(o);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->transact(storage::TxMode::kWrite, [](storage::Connection& c) {
                       return c.execute(
                           "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', 0)");
                     }).has_value());
  }
  auto [code, out] = run_command({eyewear_binary(), "serve", "--port", std::to_string(free_port()), "--data-dir", dir.path()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("newer than this binary"), std::string::npos) << out;
}

const std::map<std::string, std::string> kCheapHashing = {{"EYEWEAR_ARGON2_OPSLIMIT", "1"},
                                                           {"EYEWEAR_ARGON2_MEMLIMIT", "8MiB"}};

TEST(CliTest, AdminCreateTakesThePasswordFromStdin) {
  TempDir dir;
  auto [code, out] = run_command({eyewear_binary(), "admin", "create", "--email", "root@eyewear.example", "--data-dir",
                                  dir.path()},
                                 kCheapHashing, "Platform-Admin-Secret-99\n");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("administrator root@eyewear.example created"), std::string::npos);
  EXPECT_EQ(out.find("Platform-Admin-Secret-99"), std::string::npos) << "the password is never echoed";
  auto [dup, dup_out] = run_command({eyewear_binary(), "admin", "create", "--email", "root@eyewear.example",
                                     "--data-dir", dir.path()},
                                    kCheapHashing, "Another-Admin-Secret-98\n");
  EXPECT_EQ(dup, 1);
  EXPECT_NE(dup_out.find("already exists"), std::string::npos) << dup_out;
  auto [weak, weak_out] = run_command({eyewear_binary(), "admin", "create", "--email", "weak@eyewear.example",
                                       "--data-dir", dir.path()},
                                      kCheapHashing, "password\n");
  EXPECT_EQ(weak, 1);
  EXPECT_NE(weak_out.find("password"), std::string::npos);

  const int port = free_port();
  auto env = kCheapHashing;
  Process serve({eyewear_binary(), "serve", "--port", std::to_string(port), "--data-dir", dir.path()}, env,
                dir.file("serve.log"));
  HttpClient c("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(eventually([&] { return c.get("/health/ready").status == 200; })) << serve.output();
  const auto login = c.post("/api/v1/auth/login", {{"email", "root@eyewear.example"}, {"password", "Platform-Admin-Secret-99"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const auto me = c.get("/api/v1/me", {bearer(login.json()["access_token"])});
  EXPECT_EQ(me.json()["account"]["roles"], nlohmann::json::array({"platform_admin"}));
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(std::chrono::seconds(20)), 0);
}

TEST(CliTest, RotatingTheSigningKeyKeepsIssuedTokensValid) {
  TempDir dir;
  ASSERT_EQ(run_command({eyewear_binary(), "admin", "create", "--email", "keys@eyewear.example", "--data-dir", dir.path()},
                        kCheapHashing, "Platform-Admin-Secret-99\n")
                .first,
            0);
  const int port = free_port();
  Process serve({eyewear_binary(), "serve", "--port", std::to_string(port), "--data-dir", dir.path()}, kCheapHashing,
                dir.file("serve.log"));
  HttpClient c("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(eventually([&] { return c.get("/health/ready").status == 200; })) << serve.output();
  const nlohmann::json creds = {{"email", "keys@eyewear.example"}, {"password", "Platform-Admin-Secret-99"}};
  const std::string before = c.post("/api/v1/auth/login", creds).json()["access_token"];
  const auto old_kid = c.get("/.well-known/jwks.json").json()["keys"][0]["kid"].get<std::string>();

  auto [code, out] = run_command({eyewear_binary(), "keys", "rotate-signing", "--data-dir", dir.path()});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("new signing key"), std::string::npos);

  const std::string after = c.post("/api/v1/auth/login", creds).json()["access_token"];
  const auto header = nlohmann::json::parse(*platform::base64url_decode(after.substr(0, after.find('.'))));
  EXPECT_NE(header["kid"], old_kid) << "the running server signs with the new key";
  EXPECT_EQ(c.get("/api/v1/me", {bearer(before)}).status, 200) << "tokens of the old key stay valid";
  EXPECT_EQ(c.get("/api/v1/me", {bearer(after)}).status, 200);
  EXPECT_EQ(c.get("/.well-known/jwks.json").json()["keys"].size(), 2u);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(std::chrono::seconds(20)), 0);
}

TEST(CliTest, ServeWithDemoDataHasASignInReady) {
  TempDir dir;
  const int port = free_port();
  Process serve({eyewear_binary(), "serve", "--port", std::to_string(port), "--data-dir", dir.path(), "--demo-data"},
                kCheapHashing, dir.file("serve.log"));
  HttpClient c("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(eventually([&] { return c.get("/health/ready").status == 200; })) << serve.output();
  const auto login = c.post("/api/v1/auth/login", {{"email", "demo@eyewear.local"}, {"password", "Acetate-Hinge-Bridge-52"}});
  EXPECT_EQ(login.status, 200) << login.body;
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(std::chrono::seconds(20)), 0);
}

}  // namespace
}  // namespace eyewear::testing
