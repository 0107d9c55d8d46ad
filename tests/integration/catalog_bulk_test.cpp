// Bulk uploads over HTTP on both databases: per-row results, insert and upsert, atomic and
// partial, quota refusal with headers, the bulk_operations permission, Idempotency-Key replays,
// and the CSV/JSON/NDJSON bodies with their edge cases.
#include <map>
#include <set>

#include "integration/catalog_fixture.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

class CatalogBulkTest : public CatalogTest {};

TEST_P(CatalogBulkTest, PerRowResultsForInsertAndUpsert) {
  const auto t = tenant("rows@acme.example");
  ASSERT_EQ(client_->post("/api/v1/products", product("OLD-1"), {bearer(t.token)}).status, 201);
  const json rows = json::array({product("NEW-1"), product("OLD-1"), product("BAD-1", {{"price", -1}}), 7,
                                 product("NEW-1", {{"name", "again"}}), product("NEW-2")});
  const auto r = bulk(t, rows.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["totals"], json({{"rows", 6}, {"created", 2}, {"updated", 0}, {"failed", 4}}));
  const auto& out = j["rows"];
  EXPECT_EQ(out[0]["status"], "created");
  EXPECT_TRUE(out[0]["id"].get<std::string>().starts_with("prd_"));
  EXPECT_EQ(out[1]["status"], "error");
  EXPECT_EQ(out[1]["error"]["code"], "CONFLICT");
  EXPECT_EQ(out[1]["error"]["field"], "sku");
  EXPECT_EQ(out[1]["error"]["rule"], "unique");
  EXPECT_EQ(out[2]["error"], json({{"code", "VALIDATION_FAILED"}, {"field", "price"}, {"rule", "non_negative"},
                                   {"message", "price must not be negative"}}));
  EXPECT_EQ(out[3]["row"], 4);
  EXPECT_EQ(out[3]["error"]["field"], "body");
  EXPECT_EQ(out[4]["error"]["rule"], "duplicate_in_request");
  EXPECT_EQ(out[5]["status"], "created");
  EXPECT_EQ(j["quota"]["consumed"], 2) << "only stored rows count";
  EXPECT_EQ(uploads_used(t), 3);
  EXPECT_EQ(products_of(t), 3);

  const json changes = json::array({product("OLD-1", {{"name", "Old, renamed"}}), product("NEW-3")});
  const auto up = bulk(t, changes.dump(), "application/json", "?mode=upsert");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["totals"]["created"], 1);
  EXPECT_EQ(up.json()["totals"]["updated"], 1);
  EXPECT_EQ(up.json()["rows"][0]["status"], "updated");
  EXPECT_EQ(search(t, "?q=renamed").json()["total"], 1) << "the index follows the update";
  EXPECT_EQ(search(t, "?q=old").json()["items"][0]["name"], "Old, renamed");
  EXPECT_EQ(uploads_used(t), 5) << "updated rows are uploads too";
  EXPECT_EQ(bulk(t, "[]").json()["totals"]["rows"], 0);
  EXPECT_EQ(bulk(t, "[]", "application/json", "?mode=replace").status, 422);
}

// A batch with taken SKUs scattered through it: every row gets its own outcome and id, and
// only the created rows get material entries (SQLite writes those 256 to a statement, so the
// 300 here cross a statement boundary).
TEST_P(CatalogBulkTest, ScatteredConflictsKeepEachRowsOwnOutcome) {
  const auto t = tenant("chunks@acme.example");
  auto sku = [](int i) { return "C-" + std::to_string(i); };
  json taken = json::array();
  for (int i = 0; i < 150; i += 3) taken.push_back(product(sku(i), {{"materials", json::array({"acetate"})}}));
  const auto first = bulk(t, taken.dump());
  ASSERT_EQ(first.status, 200) << first.body;
  std::map<std::string, std::string> ids;
  const auto stored = first.json();
  for (const auto& r : stored["rows"]) ids[r["sku"].get<std::string>()] = r["id"].get<std::string>();
  ASSERT_EQ(ids.size(), 50U);

  json all = json::array();
  for (int i = 0; i < 150; ++i) all.push_back(product(sku(i), {{"materials", json::array({"titanium", "steel"})}}));
  const auto inserted = bulk(t, all.dump());
  ASSERT_EQ(inserted.status, 200) << inserted.body;
  const auto outcomes = inserted.json();
  EXPECT_EQ(outcomes["totals"], json({{"rows", 150}, {"created", 100}, {"updated", 0}, {"failed", 50}}));
  std::set<std::string> fresh;
  for (int i = 0; i < 150; ++i) {
    const auto& r = outcomes["rows"][static_cast<std::size_t>(i)];
    ASSERT_EQ(r["row"], i + 1);
    ASSERT_EQ(r["sku"], sku(i));
    if (i % 3 == 0) {
      EXPECT_EQ(r["status"], "error") << i;
      EXPECT_EQ(r["error"]["rule"], "unique") << i;
    } else {
      EXPECT_EQ(r["status"], "created") << i;
      EXPECT_TRUE(fresh.insert(r["id"].get<std::string>()).second) << "ids are distinct";
    }
  }
  EXPECT_EQ(products_of(t), 150);
  EXPECT_EQ(search(t, "?material=titanium").json()["total"], 100) << "list entries of the created rows only";
  EXPECT_EQ(search(t, "?material=acetate").json()["total"], 50);

  json renamed = json::array();
  for (int i = 0; i < 150; ++i) renamed.push_back(product(sku(i), {{"name", "Renamed " + sku(i)}}));
  for (int i = 150; i < 153; ++i) renamed.push_back(product(sku(i)));
  const auto upserted = bulk(t, renamed.dump(), "application/json", "?mode=upsert");
  ASSERT_EQ(upserted.status, 200) << upserted.body;
  const auto replaced = upserted.json();
  EXPECT_EQ(replaced["totals"], json({{"rows", 153}, {"created", 3}, {"updated", 150}, {"failed", 0}}));
  for (int i = 0; i < 153; ++i) {
    const auto& r = replaced["rows"][static_cast<std::size_t>(i)];
    EXPECT_EQ(r["status"], i < 150 ? "updated" : "created") << i;
    if (i % 3 == 0 && i < 150) {
      EXPECT_EQ(r["id"], ids[sku(i)]) << "an update keeps the row's id";
    }
  }
  EXPECT_EQ(search(t, "?q=renamed").json()["total"], 150) << "the index follows every update";
  EXPECT_EQ(products_of(t), 153);
}

TEST_P(CatalogBulkTest, AtomicIsAllOrNothing) {
  const auto t = tenant("atomic@acme.example");
  const json rows = json::array({product("A-1"), product("A-2", {{"currency", "EURO"}}), product("A-3")});
  const auto r = bulk(t, rows.dump(), "application/json", "?atomic=true");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_code(), "VALIDATION_FAILED");
  const auto d = r.json()["error"]["details"];
  EXPECT_EQ(d["rule"], "atomic");
  EXPECT_EQ(d["failed"], 1);
  EXPECT_EQ(d["rows"][0]["row"], 2);
  EXPECT_EQ(d["rows"][0]["error"]["field"], "currency");
  EXPECT_EQ(products_of(t), 0);
  EXPECT_EQ(uploads_used(t), 0);
  // A conflict found while writing rolls everything back and returns the units.
  ASSERT_EQ(client_->post("/api/v1/products", product("A-3"), {bearer(t.token)}).status, 201);
  const json clash = json::array({product("A-1"), product("A-3")});
  const auto rolled = bulk(t, clash.dump(), "application/json", "?atomic=true");
  EXPECT_EQ(rolled.status, 422);
  EXPECT_EQ(rolled.json()["error"]["details"]["rows"][0]["error"]["code"], "CONFLICT");
  EXPECT_EQ(products_of(t), 1);
  EXPECT_EQ(uploads_used(t), 1);
  // Without atomic the valid rows are stored.
  const auto lenient = bulk(t, rows.dump());
  EXPECT_EQ(lenient.status, 200);
  EXPECT_EQ(lenient.json()["totals"]["created"], 1);
  EXPECT_EQ(bulk(t, "[]", "application/json", "?atomic=true&partial=true").status, 422);
}

TEST_P(CatalogBulkTest, QuotaRefusesUnlessPartialAndCountsOnlyStoredRows) {
  extra_config_ = [](platform::Config& cfg) { cfg.authz.tier_limits = "professional.product_uploads=5"; };
  start();
  const auto t = tenant("quota@acme.example");
  std::string seven;
  for (int i = 0; i < 7; ++i) seven += product("Q-" + std::to_string(i)).dump() + "\n";
  const auto refused = bulk(t, seven, "application/x-ndjson");
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.error_code(), "QUOTA_EXCEEDED");
  EXPECT_EQ(refused.json()["error"]["details"]["resource"], "product_uploads");
  EXPECT_EQ(refused.header("ratelimit-limit"), "5");
  EXPECT_EQ(refused.header("ratelimit-remaining"), "5");
  EXPECT_FALSE(refused.header("ratelimit-reset").empty());
  EXPECT_FALSE(refused.header("retry-after").empty());
  EXPECT_EQ(products_of(t), 0);
  EXPECT_EQ(uploads_used(t), 0);

  const auto partial = bulk(t, seven, "application/x-ndjson", "?partial=true");
  ASSERT_EQ(partial.status, 200) << partial.body;
  const auto j = partial.json();
  EXPECT_EQ(j["totals"]["created"], 5);
  EXPECT_EQ(j["totals"]["failed"], 2);
  EXPECT_EQ(j["rows"][5]["error"]["code"], "QUOTA_EXCEEDED");
  EXPECT_EQ(j["rows"][6]["error"]["code"], "QUOTA_EXCEEDED");
  EXPECT_EQ(partial.header("ratelimit-remaining"), "0");
  EXPECT_EQ(products_of(t), 5);
  EXPECT_EQ(uploads_used(t), 5);
  // Invalid rows never needed quota: with none left, a body of only invalid rows still answers.
  const auto invalid = bulk(t, json::array({product("Z", {{"price", "x"}})}).dump());
  EXPECT_EQ(invalid.status, 200);
  EXPECT_EQ(bulk(t, json::array({product("Z-2")}).dump()).status, 429);
  EXPECT_EQ(client_->post("/api/v1/products", product("Z-3"), {bearer(t.token)}).status, 429);
}

TEST_P(CatalogBulkTest, MoreThanHundredRowsNeedBulkOperations) {
  extra_config_ = [](platform::Config& cfg) { cfg.authz.tier_limits = "free.product_uploads=1000"; };
  start();
  const auto free = tenant("bulkperm@acme.example", "free");
  const auto refused = bulk(free, generated(101), "application/x-ndjson");
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.json()["error"]["details"]["permission"], "bulk_operations");
  EXPECT_EQ(refused.json()["error"]["details"]["upgrade_to"], "professional");
  EXPECT_EQ(products_of(free), 0);
  const auto hundred = bulk(free, generated(100), "application/x-ndjson");
  EXPECT_EQ(hundred.status, 200) << hundred.body;
  EXPECT_EQ(products_of(free), 100);
}

TEST_P(CatalogBulkTest, IdempotencyKeyReplaysTheFirstAnswer) {
  const auto t = tenant("idem@acme.example");
  const auto other = tenant("idem-other@acme.example");
  const auto body = generated(20, 8);
  const HeaderList key = {{"Idempotency-Key", "upload-2027-01-15-a"}};
  const auto first = bulk(t, body, "application/x-ndjson", "", key);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(first.header("idempotent-replayed").empty());
  const auto retry = bulk(t, body, "application/x-ndjson", "", key);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(products_of(t), 20);
  EXPECT_EQ(uploads_used(t), 20) << "a replay writes nothing and consumes nothing";

  const auto changed = bulk(t, generated(21, 8), "application/x-ndjson", "", key);
  EXPECT_EQ(changed.status, 422);
  EXPECT_EQ(changed.error_code(), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(changed.json()["error"]["details"]["field"], "Idempotency-Key");
  EXPECT_EQ(bulk(t, body, "application/x-ndjson", "?mode=upsert", key).error_code(), "IDEMPOTENCY_KEY_REUSED")
      << "the mode is part of the request";
  // Keys are per manufacturer.
  const auto theirs = bulk(other, body, "application/x-ndjson", "", key);
  EXPECT_EQ(theirs.status, 200);
  EXPECT_TRUE(theirs.header("idempotent-replayed").empty());
  EXPECT_EQ(products_of(other), 20);
  EXPECT_EQ(bulk(t, body, "application/x-ndjson", "", {{"Idempotency-Key", std::string(256, 'k')}}).status, 422);
  // After the retention window the key is new again: the upload runs (and meets its own SKUs).
  clock_->advance(std::chrono::hours(25));
  const auto fresh_token = sign_in(*client_, "idem@acme.example").access;
  const auto late = bulk(Tenant{fresh_token, t.manufacturer_id}, body, "application/x-ndjson", "", key);
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_TRUE(late.header("idempotent-replayed").empty());
  EXPECT_EQ(late.json()["totals"]["failed"], 20);
  EXPECT_EQ(count("SELECT COUNT(*) FROM catalog_idempotency WHERE manufacturer_id = $1", {t.manufacturer_id}), 1);
}

TEST_P(CatalogBulkTest, CsvBodiesOverHttp) {
  extra_config_ = [](platform::Config& cfg) { cfg.http.max_upload_bytes = 64 * 1024; };
  start();
  const auto t = tenant("csv@acme.example");
  const std::string csv = "\xEF\xBB\xBFsku,name,brand,category,price,currency,description,materials,dimensions.lens_width\r\n"
                          "C-1,\"Round, Small\",Kjær,optical,89.90,EUR,\"Two\nlines\",acetate|titanium,48\r\n"
                          "C-2,Square,Kjær,optical,abc,EUR,,,\r\n"
                          "C-3,Wide,Kjær,optical,99,EUR,,,81\r\n";
  const auto r = bulk(t, csv, "Text/CSV; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["totals"]["created"], 1);
  EXPECT_EQ(j["rows"][1]["error"]["field"], "price");
  EXPECT_EQ(j["rows"][2]["error"]["field"], "dimensions.lens_width");
  const auto item = search(t, "?q=small").json()["items"][0];
  EXPECT_EQ(item["name"], "Round, Small");
  EXPECT_EQ(item["description"], "Two\nlines");
  EXPECT_EQ(item["materials"], json({"acetate", "titanium"}));

  const auto header = bulk(t, "sku,name,brand,category,price,currency,colour\r\nX,a,b,c,1,EUR,red\r\n", "text/csv");
  EXPECT_EQ(header.status, 422);
  EXPECT_EQ(header.json()["error"]["details"]["rule"], "unknown_column");
  EXPECT_EQ(header.json()["error"]["details"]["column"], "colour");
  const auto quote = bulk(t, "sku,name,brand,category,price,currency\r\nX,\"open,b,c,1,EUR\r\n", "text/csv");
  EXPECT_EQ(quote.status, 422);
  EXPECT_EQ(quote.json()["error"]["details"]["rule"], "csv");
  EXPECT_EQ(quote.json()["error"]["details"]["line"], 2);
  EXPECT_EQ(bulk(t, "[]", "application/xml").status, 415);
  EXPECT_EQ(bulk(t, "[{\"sku\":", "application/json").error_code(), "INVALID_JSON");
  EXPECT_EQ(bulk(t, std::string(70 * 1024, ' '), "text/csv").status, 413);
  EXPECT_EQ(products_of(t), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogBulkTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
