// The threat screen over HTTP on both databases: refusals (400 THREAT_DETECTED naming field and
// type, the handler never runs, no quota is used, the audit log has the refusal), log mode,
// secret fields, NoSQL operator objects from the corpus, CSV uploads and query strings, the
// caller's history with its score, the admin view with filters, and the rows left behind.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "identity/service.hpp"
#include "integration/identity_fixture.hpp"
#include "security/threat_recorder.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

const std::string kSqli = "1' OR '1'='1";

class ThreatTest : public IdentityTest {
 protected:
  void SetUp() override {
    auto handled = handled_;
    routes_ = [handled](http::Router& r) {
      http::RouteOptions products;
      products.body = http::BodyPolicy::kJson;
      products.auth = http::Auth::kRequired;
      products.permission = "upload_products";
      products.quota_resource = "product_uploads";
      products.threats.file_names = {"image_file"};
      products.threats.templates = {"email_template"};
      r.add(
          http::Method::kPost, "/test/products",
          [handled](http::Exchange&) -> http::HandlerResult {
            ++*handled;
            return http::Response::json(201, {{"stored", true}});
          },
          products);
      http::RouteOptions upload;
      upload.body = http::BodyPolicy::kUpload;
      upload.content_types = {"text/csv"};
      upload.auth = http::Auth::kRequired;
      upload.threats.file_names = {"image_file"};
      r.add(
          http::Method::kPost, "/test/upload",
          [handled](http::Exchange&) -> http::HandlerResult {
            ++*handled;
            return http::Response::json(201, {{"stored", true}});
          },
          upload);
      http::RouteOptions search;
      search.auth = http::Auth::kRequired;
      r.add(
          http::Method::kGet, "/test/search",
          [handled](http::Exchange&) -> http::HandlerResult {
            ++*handled;
            return http::Response::json(200, {{"items", json::array()}});
          },
          search);
    };
    IdentityTest::SetUp();
  }

  Tokens admin() {
    auto id = server_->app().identity().provision_account("root@eyewear.example", "Platform-Admin-Secret-99",
                                                          "Platform administration", "enterprise", {"platform_admin"});
    EXPECT_TRUE(id.has_value() || id.error().code == platform::ErrorCode::kConflict);
    return sign_in(*client_, "root@eyewear.example", "Platform-Admin-Secret-99");
  }
  std::string manufacturer_of(const Tokens& t) { return me(t.access).json()["manufacturer"]["id"]; }
  std::string account_of(const Tokens& t) { return me(t.access).json()["account"]["id"]; }
  void flush() { ASSERT_TRUE(server_->app().threat_recorder().flush().has_value()); }

  // Every text column of the history and the audit log, for "the payload is nowhere".
  std::int64_t rows_containing(const std::string& needle) {
    const std::string like = "%" + needle + "%";
    return count(
               "SELECT COUNT(*) FROM security_threats WHERE field LIKE $1 OR evidence LIKE $1 OR value_hash LIKE $1 "
               "OR route LIKE $1 OR user_agent LIKE $1",
               {like}) +
           count("SELECT COUNT(*) FROM security_audit_log WHERE details LIKE $1", {like});
  }

  HttpResponse csv(const std::string& body, const std::string& access) {
    return client_->request("POST", "/test/upload", body, {bearer(access), {"Content-Type", "text/csv"}});
  }

  std::shared_ptr<std::atomic<int>> handled_ = std::make_shared<std::atomic<int>>(0);
};

TEST_P(ThreatTest, AHighFindingIsRefusedBeforeTheHandlerAndRecorded) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "attacker@acme.example");
  const auto mid = manufacturer_of(t);
  const auto r = c.post("/test/products", {{"name", kSqli}, {"description", "Round acetate, 52□18-140"}},
                        {bearer(t.access), {"User-Agent", "sqlmap/1.7"}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.error_code(), "THREAT_DETECTED");
  const auto d = r.json()["error"]["details"];
  EXPECT_EQ(d["field"], "/name");
  EXPECT_EQ(d["type"], "sql_injection");
  EXPECT_EQ(d["findings"], json::parse(R"([{"field": "/name", "type": "sql_injection"}])"));
  EXPECT_EQ(r.body.find("OR '1'"), std::string::npos) << "the payload is never echoed";
  EXPECT_EQ(handled_->load(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_counters WHERE used > 0"), 0) << "a refused request uses no quota";

  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats WHERE manufacturer_id = $1 AND account_id = $2 AND "
                  "route = 'POST /test/products' AND threat_type = 'sql_injection' AND severity = 'high' AND "
                  "field = '/name' AND detector = 'libinjection-sqli' AND blocked = 1 AND request_id = $3 AND "
                  "user_agent = 'sqlmap/1.7' AND ip = '127.0.0.1' AND created_at = 1800000000000",
                  {mid, account_of(t), r.header("x-request-id")}),
            1);
  EXPECT_EQ(scalar("SELECT evidence FROM security_threats"), "fingerprint s&sos");
  EXPECT_EQ(scalar("SELECT value_hash FROM security_threats").size(), 16u);
  const double confidence = std::stod(scalar("SELECT confidence FROM security_threats"));
  EXPECT_GT(confidence, 0.6);
  EXPECT_LE(confidence, 0.99);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'threat_blocked' AND outcome = 'denied' "
                  "AND manufacturer_id = $1 AND request_id = $2",
                  {mid, r.header("x-request-id")}),
            1);
  EXPECT_NE(scalar("SELECT details FROM security_audit_log WHERE event_type = 'threat_blocked'").find("\"/name\""),
            std::string::npos);
  EXPECT_EQ(rows_containing("OR '1'"), 0);
  EXPECT_FALSE(server_->logs().contains("OR '1'"));
  EXPECT_TRUE(server_->logs().contains("threat detected"));

  // The same caller's clean request goes through.
  EXPECT_EQ(c.post("/test/products", {{"name", "Aviator 58□14-135"}, {"description", "52-18-140 -- matte black"}},
                   {bearer(t.access)})
                .status,
            201);
  EXPECT_EQ(handled_->load(), 1);
}

TEST_P(ThreatTest, ARealRouteWritesNothingWhenRefused) {
  auto& c = *client_;
  const auto root = admin();
  const auto t = sign_up(c, server_->data_dir(), "keys@acme.example");
  ASSERT_EQ(c.put("/api/v1/admin/manufacturers/" + manufacturer_of(t) + "/tier", {{"tier", "professional"}},
                  {bearer(root.access)})
                .status,
            200);
  const auto r = c.post("/api/v1/api-keys", {{"name", "<script>alert(1)</script>"}, {"scopes", {"upload_products"}}},
                        {bearer(t.access)});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["details"]["field"], "/name");
  EXPECT_EQ(r.json()["error"]["details"]["type"], "xss");
  EXPECT_EQ(count("SELECT COUNT(*) FROM api_keys"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'api_key_created'"), 0);
}

TEST_P(ThreatTest, LogModeLetsTheRequestThroughAndRecordsIt) {
  extra_config_ = [](platform::Config& cfg) { cfg.threats.mode = "log"; };
  start();
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "logged@acme.example");
  const auto r = c.post("/test/products", {{"name", kSqli}}, {bearer(t.access)});
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(handled_->load(), 1);
  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats WHERE threat_type = 'sql_injection' AND blocked = 0"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'threat_blocked'"), 0);
}

TEST_P(ThreatTest, LowerSeveritiesAreRecordedButNotRefused) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "medium@acme.example");
  const auto r =
      c.post("/test/products", {{"name", "Aviator\x1b[2J"}, {"image_file", "fronts/aviator.jpg"}}, {bearer(t.access)});
  EXPECT_EQ(r.status, 201) << r.body;
  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats WHERE blocked = 0 AND severity = 'medium' AND "
                  "((threat_type = 'control_chars' AND field = '/name') OR "
                  "(threat_type = 'path_traversal' AND field = '/image_file'))"),
            2);
  const auto traversal =
      c.post("/test/products", {{"name", "Aviator"}, {"image_file", "../../etc/passwd"}}, {bearer(t.access)});
  EXPECT_EQ(traversal.status, 400);
  EXPECT_EQ(traversal.json()["error"]["details"]["type"], "path_traversal");
  EXPECT_EQ(c.post("/test/products", {{"email_template", "Dear {{ name }}, {{ 1+1 }}"}}, {bearer(t.access)}).status,
            201)
      << "template fields may hold template syntax";
  EXPECT_EQ(c.post("/test/products", {{"name", "{{ 7*7 }}"}}, {bearer(t.access)}).status, 400);
}

TEST_P(ThreatTest, SecretFieldsAreNotScreenedAsText) {
  auto& c = *client_;
  const std::string password = "' OR '1'='1' -- Tortoise-42-Aviator";
  const auto t = sign_up(c, server_->data_dir(), "sql-password@acme.example", "Acme Optics", password);
  ASSERT_FALSE(t.access.empty()) << "registration and sign-in with an SQL-looking password";
  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats"), 0);
  EXPECT_FALSE(server_->logs().contains("Tortoise-42"));
  // ...but an operator object in place of the password is the classic NoSQL login bypass.
  const auto bypass =
      c.post("/api/v1/auth/login", {{"email", "sql-password@acme.example"}, {"password", {{"$ne", ""}}}});
  ASSERT_EQ(bypass.status, 400) << bypass.body;
  EXPECT_EQ(bypass.json()["error"]["details"]["field"], "/password");
  EXPECT_EQ(bypass.json()["error"]["details"]["type"], "nosql_injection");
  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats WHERE field = '/password' AND value_hash = '' AND "
                  "manufacturer_id IS NULL AND evidence = 'operator_object'"),
            1);
}

TEST_P(ThreatTest, NoSqlCorpusPayloadsAsOperatorObjectsAreRefusedOverHttp) {
  auto& c = *client_;
  std::vector<std::string> payloads;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(EYEWEAR_CORPORA_DIR) / "attack/nosql")) {
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) payloads.push_back(line);
    }
  }
  ASSERT_GT(payloads.size(), 30u);
  const std::regex op(R"(\$([A-Za-z]+))");
  for (const auto& p : payloads) {
    std::smatch m;
    const std::string name = std::regex_search(p, m, op) ? "$" + m[1].str() : "$where";
    const auto r = c.post("/api/v1/auth/login", {{"email", {{name, p}}}, {"password", "irrelevant"}});
    ASSERT_EQ(r.status, 400) << p;
    EXPECT_EQ(r.json()["error"]["details"]["type"], "nosql_injection") << p;
    EXPECT_EQ(r.json()["error"]["details"]["field"], "/email") << p;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_attempts"), 0) << "no refused request reached sign-in";
}

TEST_P(ThreatTest, PathParametersQueryStringsAndCsvUploads) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "upload@acme.example");
  const auto q = c.get("/test/search?q=1%27%20OR%20%271%27%3D%271&page=2", {bearer(t.access)});
  ASSERT_EQ(q.status, 400) << q.body;
  EXPECT_EQ(q.json()["error"]["details"]["field"], "query.q");
  EXPECT_EQ(c.get("/test/search?q=aviator%2052%E2%96%A118-140&sort=price", {bearer(t.access)}).status, 200);
  EXPECT_EQ(c.get("/test/search?email%5B%24ne%5D=1", {bearer(t.access)}).status, 400);
  const auto path = c.del("/api/v1/api-keys/1%27%20OR%20%271%27%3D%271", {bearer(t.access)});
  ASSERT_EQ(path.status, 400) << path.body;
  EXPECT_EQ(path.json()["error"]["details"]["field"], "path.id");

  std::string clean = "sku,name,description,image_file\r\n";
  for (int i = 0; i < 500; ++i) {
    clean += "AV-" + std::to_string(i) + ",Aviator " + std::to_string(i) +
             ",\"52□18-140 -- matte black, 100% UV400\",aviator-" + std::to_string(i) + ".jpg\r\n";
  }
  EXPECT_EQ(csv(clean, t.access).status, 201);
  const auto formula =
      csv("sku,name\r\nAV-1,Aviator\r\nAV-2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\r\n", t.access);
  ASSERT_EQ(formula.status, 400) << formula.body;
  EXPECT_EQ(formula.json()["error"]["details"]["field"], "csv[3].name");
  EXPECT_EQ(formula.json()["error"]["details"]["type"], "csv_formula");
  EXPECT_EQ(csv("sku,name\r\nAV-1,=A1\r\n", t.access).status, 201) << "a plain formula is LOW: recorded only";
  EXPECT_EQ(handled_->load(), 3);
  flush();
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_threats WHERE threat_type = 'csv_formula' AND severity = 'low' AND "
                  "field = 'csv[2].name' AND blocked = 0"),
            1);
}

TEST_P(ThreatTest, TheHistoryCountsWhatWasSent) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "history@acme.example");
  const auto other = sign_up(c, server_->data_dir(), "clean@other.example", "Other Optics");
  const auto mid = manufacturer_of(t);
  EXPECT_EQ(c.post("/test/products", {{"name", kSqli}}, {bearer(t.access)}).status, 400);
  EXPECT_EQ(
      c.post("/test/products", {{"description", "1 union select password from users--"}}, {bearer(t.access)}).status,
      400);
  EXPECT_EQ(c.post("/test/products", {{"name", "<img src=x onerror=alert(1)>"}}, {bearer(t.access)}).status, 400);
  EXPECT_EQ(c.post("/test/products", {{"name", "Aviator\x07"}}, {bearer(t.access)}).status, 201);
  EXPECT_EQ(c.post("/test/products", {{"name", "Aviator"}}, {bearer(other.access)}).status, 201);

  const auto r = c.get("/api/v1/security/threats", {bearer(t.access)});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["manufacturer_id"], mid);
  EXPECT_EQ(j["totals"]["total"], 4);
  EXPECT_EQ(j["totals"]["blocked"], 3);
  EXPECT_EQ(j["totals"]["by_type"]["sql_injection"], 2);
  EXPECT_EQ(j["totals"]["by_type"]["xss"], 1);
  EXPECT_EQ(j["totals"]["by_type"]["control_chars"], 1);
  EXPECT_EQ(j["totals"]["by_type"]["nosql_injection"], 0);
  EXPECT_EQ(j["totals"]["by_type"].size(), 10u);
  EXPECT_EQ(j["totals"]["by_severity"], json({{"low", 0}, {"medium", 1}, {"high", 3}}));
  EXPECT_EQ(j["security_score"]["score"], 100 - 3 * 10 - 3);
  EXPECT_EQ(j["security_score"]["level"], "fair");
  EXPECT_EQ(j["security_score"]["window_days"], 30);
  ASSERT_EQ(j["recent"].size(), 4u);
  EXPECT_EQ(j["recent"][0]["type"], "control_chars") << "newest first";
  EXPECT_EQ(j["recent"][0]["blocked"], false);
  EXPECT_EQ(j["recent"][3]["field"], "/name");
  EXPECT_FALSE(j["recent"][0].contains("ip")) << "the tenant view leaves out the request's metadata";
  EXPECT_EQ(r.body.find("onerror"), std::string::npos);

  const auto clean = c.get("/api/v1/security/threats", {bearer(other.access)}).json();
  EXPECT_EQ(clean["totals"]["total"], 0);
  EXPECT_EQ(clean["security_score"]["score"], 100);
  EXPECT_EQ(clean["recent"].size(), 0u);

  // The score looks at the last 30 days; the totals keep everything.
  clock_->advance(std::chrono::hours(24 * 31));
  const auto later = c.get("/api/v1/security/threats", {bearer(sign_in(c, "history@acme.example").access)}).json();
  EXPECT_EQ(later["security_score"]["score"], 100);
  EXPECT_EQ(later["totals"]["total"], 4);
  EXPECT_EQ(c.get("/api/v1/security/threats").status, 401);
}

TEST_P(ThreatTest, AdministratorsSeeEverythingWithFilters) {
  auto& c = *client_;
  const auto root = admin();
  const auto a = sign_up(c, server_->data_dir(), "a@acme.example");
  const auto b = sign_up(c, server_->data_dir(), "b@other.example", "Other Optics");
  const auto mid_a = manufacturer_of(a);
  EXPECT_EQ(c.post("/test/products", {{"name", kSqli}}, {bearer(a.access)}).status, 400);
  clock_->advance(std::chrono::minutes(5));
  EXPECT_EQ(c.post("/test/products", {{"name", "<script>alert(1)</script>"}}, {bearer(a.access)}).status, 400);
  clock_->advance(std::chrono::minutes(5));
  EXPECT_EQ(c.post("/test/products", {{"name", "Aviator\x07"}}, {bearer(b.access)}).status, 201);
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", {{"$gt", ""}}}, {"password", "x"}}).status, 400);

  auto list = [&](const std::string& query) {
    const auto r = c.get("/api/v1/admin/security/threats" + query, {bearer(root.access)});
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    return r.json();
  };
  const auto all = list("");
  EXPECT_EQ(all["total"], 4);
  ASSERT_EQ(all["items"].size(), 4u);
  EXPECT_EQ(all["items"][0]["type"], "nosql_injection");
  EXPECT_TRUE(all["items"][0]["manufacturer_id"].is_null()) << "an anonymous attempt";
  EXPECT_EQ(all["items"][3]["manufacturer_id"], mid_a);
  EXPECT_EQ(all["items"][3]["ip"], "127.0.0.1");
  EXPECT_EQ(all["items"][3]["value_hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(list("?type=xss")["total"], 1);
  EXPECT_EQ(list("?severity=medium")["items"][0]["type"], "control_chars");
  EXPECT_EQ(list("?manufacturer_id=" + mid_a)["total"], 2);
  EXPECT_EQ(list("?manufacturer_id=" + mid_a + "&type=sql_injection")["total"], 1);
  EXPECT_EQ(list("?from=2027-01-15T08:03:00Z")["total"], 3);
  EXPECT_EQ(list("?from=2027-01-15T08:03:00Z&to=2027-01-15T08:07:00Z")["total"], 1);
  const auto page2 = list("?page_size=3&page=2");
  EXPECT_EQ(page2["total"], 4);
  EXPECT_EQ(page2["pages"], 2);
  ASSERT_EQ(page2["items"].size(), 1u);
  EXPECT_EQ(page2["items"][0]["type"], "sql_injection");

  const auto bad = c.get("/api/v1/admin/security/threats?type=sqli", {bearer(root.access)});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "type");
  EXPECT_EQ(c.get("/api/v1/admin/security/threats?severity=critical", {bearer(root.access)}).status, 422);
  EXPECT_EQ(c.get("/api/v1/admin/security/threats?page=0", {bearer(root.access)}).status, 422);
  const auto forbidden = c.get("/api/v1/admin/security/threats", {bearer(a.access)});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.error_code(), "PERMISSION_DENIED");
  EXPECT_EQ(c.get("/api/v1/admin/security/threats").status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, ThreatTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
