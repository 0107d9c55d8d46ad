// Authorization over HTTP on both databases: the tier x permission matrix, quotas (exhaustion,
// refund, month roll-over, exactness under concurrency), API keys and platform administration.
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "authz/policy.hpp"
#include "identity/service.hpp"
#include "integration/identity_fixture.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

// Test routes that declare each permission, and a metered route that can be told to fail.
void add_probe_routes(http::Router& r) {
  for (std::size_t i = 0; i < authz::kPermissionCount; ++i) {
    const std::string name(authz::name_of(static_cast<authz::Permission>(i)));
    http::RouteOptions o;
    o.auth = http::Auth::kRequired;
    o.permission = name;
    r.add(http::Method::kGet, "/test/permission/" + name,
          [](http::Exchange&) -> http::HandlerResult { return http::Response::json(200, {{"ok", true}}); }, o);
  }
  http::RouteOptions metered;
  metered.auth = http::Auth::kRequired;
  metered.permission = "upload_products";
  metered.quota_resource = "product_uploads";
  r.add(http::Method::kPost, "/test/metered", [](http::Exchange& ex) -> http::HandlerResult {
    if (ex.request.query_param("fail")) {
      return std::unexpected(platform::Error::validation("sku", "required", "the work failed after the quota was taken"));
    }
    return http::Response::json(201, {{"stored", true}});
  }, metered);
}

class AuthzTest : public IdentityTest {
 protected:
  void SetUp() override {
    routes_ = add_probe_routes;
    IdentityTest::SetUp();
  }

  Tokens admin() {
    auto id = server_->app().identity().provision_account("root@eyewear.example", "Platform-Admin-Secret-99",
                                                          "Platform administration", "enterprise", {"platform_admin"});
    EXPECT_TRUE(id.has_value() || id.error().code == platform::ErrorCode::kConflict);
    return sign_in(*client_, "root@eyewear.example", "Platform-Admin-Secret-99");
  }

  std::string manufacturer_of(const Tokens& t) { return me(t.access).json()["manufacturer"]["id"]; }

  void set_tier(const Tokens& admin_tokens, const std::string& manufacturer, const std::string& tier) {
    const auto r = client_->put("/api/v1/admin/manufacturers/" + manufacturer + "/tier", {{"tier", tier}},
                                {bearer(admin_tokens.access)});
    ASSERT_EQ(r.status, 200) << r.body;
  }
};

TEST_P(AuthzTest, EveryTierAndPermissionOverHttp) {
  auto& c = *client_;
  const auto root = admin();
  const auto owner = sign_up(c, server_->data_dir(), "matrix@acme.example");
  const auto mid = manufacturer_of(owner);
  const authz::Policy policy;
  for (const char* tier : {"free", "professional", "enterprise"}) {
    set_tier(root, mid, tier);  // takes effect on the very next request, whatever the token says
    for (std::size_t i = 0; i < authz::kPermissionCount; ++i) {
      const auto p = static_cast<authz::Permission>(i);
      const std::string name(authz::name_of(p));
      const auto r = c.get("/test/permission/" + name, {bearer(owner.access)});
      if (policy.allows(*authz::tier_from(tier), p)) {
        EXPECT_EQ(r.status, 200) << tier << " " << name << " " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << tier << " " << name;
        EXPECT_EQ(r.error_code(), "PERMISSION_DENIED");
        const auto d = r.json()["error"]["details"];
        EXPECT_EQ(d["permission"], name);
        EXPECT_EQ(d["tier"], tier);
        EXPECT_EQ(d["upgrade_to"], authz::name_of(*policy.cheapest_with(p)));
      }
    }
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'tier_changed' AND actor_account_id IS NOT NULL"), 3);
}

TEST_P(AuthzTest, FeaturesListWhatTheCallerCanUseNow) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "features@acme.example");
  const auto r = c.get("/api/v1/me/features", {bearer(t.access)});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["tier"], "free");
  ASSERT_EQ(j["features"].size(), 8u);
  std::map<std::string, json> by_permission;
  for (const auto& f : j["features"]) by_permission[f["permission"]] = f;
  EXPECT_EQ(by_permission["upload_products"]["available"], true);
  EXPECT_EQ(by_permission["upload_products"]["feature"], "product_upload");
  EXPECT_EQ(by_permission["upload_products"]["quota"]["limit"], 100);
  EXPECT_EQ(by_permission["upload_products"]["quota"]["remaining"], 100);
  EXPECT_EQ(by_permission["export_data"]["available"], false);
  EXPECT_EQ(by_permission["export_data"]["required_tier"], "professional");
  EXPECT_EQ(by_permission["white_label_access"]["required_tier"], "enterprise");
}

TEST_P(AuthzTest, QuotaExhaustionHeadersAndRefund) {
  extra_config_ = [](platform::Config& cfg) { cfg.authz.tier_limits = "free.product_uploads=3"; };
  start();
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "quota@acme.example");
  const auto failed = c.post("/test/metered?fail=1", json::object(), {bearer(t.access)});
  EXPECT_EQ(failed.status, 422);
  for (int i = 0; i < 3; ++i) {
    const auto r = c.post("/test/metered", json::object(), {bearer(t.access)});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.header("ratelimit-limit"), "3");
    EXPECT_EQ(r.header("ratelimit-remaining"), std::to_string(2 - i)) << "the failed request gave its unit back";
    EXPECT_FALSE(r.header("ratelimit-reset").empty());
  }
  const auto over = c.post("/test/metered", json::object(), {bearer(t.access)});
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.error_code(), "QUOTA_EXCEEDED");
  const auto d = over.json()["error"]["details"];
  EXPECT_EQ(d["resource"], "product_uploads");
  EXPECT_EQ(d["limit"], 3);
  EXPECT_EQ(d["used"], 3);
  EXPECT_EQ(d["resets_at"], "2027-02-01T00:00:00.000Z");
  EXPECT_EQ(over.header("ratelimit-remaining"), "0");
  EXPECT_FALSE(over.header("retry-after").empty());
  EXPECT_EQ(count("SELECT used FROM usage_counters WHERE resource = 'product_uploads'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_events WHERE resource = 'product_uploads' AND amount = 1"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_events WHERE resource = 'product_uploads' AND amount = -1"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_events WHERE request_id = ''"), 0) << "each unit names its request";

  // A new month starts from zero by itself; the old month stays as history.
  clock_->set(platform::from_unix_ms(1'801'440'000'000));  // 2027-01-31T22:40Z + a day: February
  const auto next_month = c.post("/test/metered", json::object(), {bearer(sign_in(c, "quota@acme.example").access)});
  EXPECT_EQ(next_month.status, 201) << next_month.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_counters WHERE resource = 'product_uploads'"), 2);
}

TEST_P(AuthzTest, ConcurrentRequestsNeverOvershootTheLimit) {
  extra_config_ = [](platform::Config& cfg) {
    cfg.authz.tier_limits = "free.product_uploads=10";
    cfg.database.pool_size = 16;
  };
  start();
  const auto t = sign_up(*client_, server_->data_dir(), "race@acme.example");
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      HttpClient c(server_->base_url());
      const auto r = c.post("/test/metered", json::object(), {bearer(t.access)});
      if (r.status == 201) {
        ++ok;
      } else if (r.status == 429 && r.error_code() == "QUOTA_EXCEEDED") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 40);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(count("SELECT used FROM usage_counters WHERE resource = 'product_uploads'"), 10);
  EXPECT_EQ(count("SELECT COALESCE(SUM(amount), 0) FROM usage_events WHERE resource = 'product_uploads'"), 10);
}

TEST_P(AuthzTest, UsageReportSeriesProjectionAndSuggestion) {
  extra_config_ = [](platform::Config& cfg) { cfg.authz.tier_limits = "free.product_uploads=10"; };
  start();
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "usage@acme.example");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(c.post("/test/metered", json::object(), {bearer(t.access)}).status, 201);
  clock_->advance(std::chrono::hours(24));
  ASSERT_EQ(c.post("/test/metered", json::object(), {bearer(sign_in(c, "usage@acme.example").access)}).status, 201);
  const auto access = sign_in(c, "usage@acme.example").access;
  EXPECT_EQ(c.get("/test/permission/export_data", {bearer(access)}).status, 403);
  const auto r = c.get("/api/v1/usage", {bearer(access)});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["tier"], "free");
  EXPECT_EQ(j["period"], "2027-01");
  json uploads;
  for (const auto& res : j["resources"]) {
    if (res["resource"] == "product_uploads") uploads = res;
  }
  EXPECT_EQ(uploads["used"], 3);
  EXPECT_EQ(uploads["remaining"], 7);
  ASSERT_EQ(uploads["daily"].size(), 2u);
  EXPECT_EQ(uploads["daily"][0], json({{"day", "2027-01-15"}, {"units", 2}}));
  EXPECT_EQ(uploads["daily"][1], json({{"day", "2027-01-16"}, {"units", 1}}));
  // 3 units in 15.3 days of a 31-day month: about 6 at the end.
  EXPECT_GE(uploads["projected_at_period_end"].get<int>(), 5);
  EXPECT_LE(uploads["projected_at_period_end"].get<int>(), 7);
  ASSERT_TRUE(j["upgrade_suggestion"].is_object()) << j.dump();
  EXPECT_EQ(j["upgrade_suggestion"]["tier"], "professional");
  EXPECT_NE(j["upgrade_suggestion"]["reasons"].dump().find("data_export"), std::string::npos);
}

TEST_P(AuthzTest, ApiKeysScopesUseRevocationAndDowngrade) {
  auto& c = *client_;
  const auto root = admin();
  const auto t = sign_up(c, server_->data_dir(), "keys@acme.example");
  const auto mid = manufacturer_of(t);
  EXPECT_EQ(c.post("/api/v1/api-keys", {{"name", "erp"}, {"scopes", {"upload_products"}}}, {bearer(t.access)}).status, 403)
      << "the free tier has no api_access";
  set_tier(root, mid, "professional");
  const auto bad_scope = c.post("/api/v1/api-keys", {{"name", "erp"}, {"scopes", {"white_label_access"}}}, {bearer(t.access)});
  EXPECT_EQ(bad_scope.status, 422);
  EXPECT_EQ(bad_scope.json()["error"]["details"]["rule"], "not_in_tier");
  EXPECT_EQ(c.post("/api/v1/api-keys", {{"name", "erp"}, {"scopes", json::array()}}, {bearer(t.access)}).status, 422);
  EXPECT_EQ(c.post("/api/v1/api-keys", {{"name", "erp"}, {"scopes", "upload_products"}}, {bearer(t.access)}).json()["error"]["details"]["rule"],
            "type");

  const auto created = c.post("/api/v1/api-keys", {{"name", "erp"}, {"scopes", {"upload_products", "view_basic_analytics"}}},
                              {bearer(t.access)});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = created.json()["key"];
  const std::string key_id = created.json()["id"];
  EXPECT_TRUE(key.starts_with("ewk_"));
  EXPECT_EQ(key.size(), 47u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1", {key}), 0) << "stored hashed";
  const auto listed = c.get("/api/v1/api-keys", {bearer(t.access)});
  EXPECT_EQ(listed.json()["api_keys"].size(), 1u);
  EXPECT_EQ(listed.body.find(key), std::string::npos) << "the secret is shown once";

  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(key)}).status, 200);
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(key)}).status, 200);
  const auto outside = c.get("/test/permission/export_data", {bearer(key)});
  EXPECT_EQ(outside.status, 403) << "professional has export_data, the key's scopes do not";
  EXPECT_EQ(outside.json()["error"]["details"]["reason"], "scope");
  EXPECT_EQ(c.get("/api/v1/me", {bearer(key)}).status, 403) << "account routes need a signed-in user";
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'api_key_first_used'"), 1);
  // Every request the key authenticated counts (including the one refused for its scopes); the
  // session-only route refused the key before authenticating it.
  EXPECT_EQ(count("SELECT used FROM usage_counters WHERE resource = 'api_calls'"), 3);

  set_tier(root, mid, "free");
  const auto downgraded = c.get("/test/permission/upload_products", {bearer(key)});
  EXPECT_EQ(downgraded.status, 403) << "a downgrade disables the keys";
  EXPECT_EQ(downgraded.json()["error"]["details"]["permission"], "api_access");
  set_tier(root, mid, "professional");
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(key)}).status, 200);

  const auto other = sign_up(c, server_->data_dir(), "other-keys@acme.example", "Other Optics");
  set_tier(root, manufacturer_of(other), "professional");
  EXPECT_EQ(c.del("/api/v1/api-keys/" + key_id, {bearer(other.access)}).status, 404) << "another tenant's key";
  EXPECT_EQ(c.del("/api/v1/api-keys/" + key_id, {bearer(t.access)}).status, 204);
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(key)}).error_code(), "TOKEN_INVALID");
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type IN ('api_key_created', 'api_key_revoked')"), 2);

  const auto expiring = c.post("/api/v1/api-keys", {{"name", "temp"}, {"scopes", {"upload_products"}},
                                                    {"expires_at", "2027-01-16T00:00:00Z"}},
                               {bearer(t.access)});
  ASSERT_EQ(expiring.status, 201) << expiring.body;
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(expiring.json()["key"])}).status, 200);
  clock_->advance(std::chrono::hours(24));
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(expiring.json()["key"])}).error_code(), "TOKEN_EXPIRED");
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer("ewk_not-a-real-key-at-all-0000")}).status, 401);
}

TEST_P(AuthzTest, AdminRoutesAreForAdminsOnly) {
  auto& c = *client_;
  const auto user = sign_up(c, server_->data_dir(), "user@acme.example");
  const auto root = admin();
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/admin/manufacturers"},
           {"PUT", "/api/v1/admin/manufacturers/x/tier"},
           {"POST", "/api/v1/admin/accounts/x/unlock"},
           {"POST", "/api/v1/admin/manufacturers/x/usage/reset"},
           {"GET", "/api/v1/admin/audit"},
           {"GET", "/api/v1/admin/performance"}}) {
    const std::string body = method == "PUT" ? R"({"tier":"enterprise"})" : "";
    EXPECT_EQ(c.request(method, path, body, {{"Content-Type", "application/json"}}).status, 401) << path;
    const auto forbidden = c.request(method, path, body, {bearer(user.access), {"Content-Type", "application/json"}});
    EXPECT_EQ(forbidden.status, 403) << path;
    EXPECT_EQ(forbidden.error_code(), "PERMISSION_DENIED");
  }
  EXPECT_EQ(c.get("/api/v1/admin/manufacturers", {bearer(root.access)}).status, 200);
}

TEST_P(AuthzTest, AdminSearchesTenantsChangesTiersUnlocksAndResets) {
  extra_config_ = [](platform::Config& cfg) { cfg.authz.tier_limits = "free.product_uploads=1"; };
  start();
  auto& c = *client_;
  const auto root = admin();
  const auto a = sign_up(c, server_->data_dir(), "lens@acme.example", "Lens Crafters Demo");
  (void)sign_up(c, server_->data_dir(), "frame@acme.example", "Frame Factory");
  const auto list = c.get("/api/v1/admin/manufacturers?q=lens&page_size=1", {bearer(root.access)});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["total"], 1);
  EXPECT_EQ(list.json()["items"][0]["company_name"], "Lens Crafters Demo");
  EXPECT_EQ(list.json()["items"][0]["owner_email"], "lens@acme.example");
  const auto all = c.get("/api/v1/admin/manufacturers?page=2&page_size=2", {bearer(root.access)});
  EXPECT_EQ(all.json()["total"], 3);
  EXPECT_EQ(all.json()["items"].size(), 1u);
  EXPECT_EQ(all.json()["pages"], 2);
  EXPECT_EQ(c.get("/api/v1/admin/manufacturers?page_size=1000", {bearer(root.access)}).status, 422);

  const auto mid = manufacturer_of(a);
  EXPECT_EQ(c.put("/api/v1/admin/manufacturers/" + mid + "/tier", {{"tier", "platinum"}}, {bearer(root.access)}).status, 422);
  EXPECT_EQ(c.put("/api/v1/admin/manufacturers/nope/tier", {{"tier", "enterprise"}}, {bearer(root.access)}).status, 404);

  ASSERT_EQ(c.post("/test/metered", json::object(), {bearer(a.access)}).status, 201);
  EXPECT_EQ(c.post("/test/metered", json::object(), {bearer(a.access)}).status, 429);
  EXPECT_EQ(c.post("/api/v1/admin/manufacturers/" + mid + "/usage/reset", {{"resource", "product_uploads"}},
                   {bearer(root.access)}).status,
            204);
  EXPECT_EQ(c.post("/test/metered", json::object(), {bearer(a.access)}).status, 201);
  EXPECT_EQ(c.post("/api/v1/admin/manufacturers/" + mid + "/usage/reset", {{"resource", "teleports"}},
                   {bearer(root.access)}).status,
            422);

  const json wrong = {{"email", "lens@acme.example"}, {"password", "Wrong-Password-123"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.post("/api/v1/auth/login", wrong).status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "lens@acme.example"}, {"password", kPassword}}).status, 429);
  const std::string account_id = me(a.access).json()["account"]["id"];
  EXPECT_EQ(c.post("/api/v1/admin/accounts/" + account_id + "/unlock", nullptr, {bearer(root.access)}).status, 204);
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"email", "lens@acme.example"}, {"password", kPassword}}).status, 200);
  EXPECT_EQ(c.post("/api/v1/admin/accounts/no-such-account/unlock", nullptr, {bearer(root.access)}).status, 404);

  const auto audit = c.get("/api/v1/admin/audit?manufacturer_id=" + mid + "&type=usage_reset", {bearer(root.access)});
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json()["events"].size(), 1u);
  EXPECT_EQ(audit.json()["events"][0]["actor_account_id"], me(root.access).json()["account"]["id"]);
  EXPECT_EQ(c.get("/api/v1/admin/audit?type=account_unlocked", {bearer(root.access)}).json()["events"].size(), 1u);
  EXPECT_EQ(c.get("/api/v1/admin/audit?from=yesterday", {bearer(root.access)}).status, 422);
  const auto paged = c.get("/api/v1/admin/audit?limit=2", {bearer(root.access)});
  ASSERT_EQ(paged.json()["events"].size(), 2u);
  const auto next = c.get("/api/v1/admin/audit?limit=2&before=" + std::to_string(paged.json()["next_before"].get<std::int64_t>()),
                          {bearer(root.access)});
  EXPECT_LT(next.json()["events"][0]["id"].get<std::int64_t>(), paged.json()["events"][1]["id"].get<std::int64_t>());
}

TEST_P(AuthzTest, PerformanceReportReadsTheCollectedMetrics) {
  extra_config_ = [](platform::Config& cfg) { cfg.perf.thresholds["GET /api/v1/status"] = std::chrono::milliseconds(0); };
  start();
  auto& c = *client_;
  const auto root = admin();
  for (int i = 0; i < 3; ++i) c.get("/api/v1/status");
  const auto r = c.get("/api/v1/admin/performance", {bearer(root.access)});
  ASSERT_EQ(r.status, 200) << r.body;
  json status_route;
  const auto report = r.json();  // keep the document alive while iterating
  for (const auto& route : report["routes"]) {
    if (route["name"] == "GET /api/v1/status") status_route = route;
  }
  EXPECT_EQ(status_route["count"], 3);
  EXPECT_EQ(status_route["breaches_last_hour"], 3);
  EXPECT_GT(status_route["p99_ms"].get<double>(), 0.0);
  EXPECT_FALSE(r.json()["operations"].empty()) << "database statements are monitored too";
  EXPECT_NE(r.json()["recommendations"].dump().find("GET /api/v1/status"), std::string::npos);
}

TEST_P(AuthzTest, ASuspendedManufacturerIsRefused) {
  auto& c = *client_;
  const auto t = sign_up(c, server_->data_dir(), "suspended@acme.example");
  ASSERT_EQ(c.get("/test/permission/upload_products", {bearer(t.access)}).status, 200);
  const auto mid = manufacturer_of(t);
  ASSERT_TRUE(server_->app().database().transact(storage::TxMode::kWrite, [&](storage::Connection& conn) {
    return conn.execute("UPDATE manufacturers SET status = 'suspended', updated_at = updated_at + 1 WHERE id = $1", {mid});
  }).has_value());
  EXPECT_TRUE(eventually([&] { return c.get("/test/permission/upload_products", {bearer(t.access)}).status == 403; }));
  EXPECT_EQ(c.get("/test/permission/upload_products", {bearer(t.access)}).error_code(), "ACCOUNT_DISABLED");
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthzTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
