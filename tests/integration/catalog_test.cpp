// Products over HTTP on both databases: CRUD and tenant isolation, search (ranking, prefixes,
// folding, filters, facets = filtered totals, paging and cursors), statistics, export round trip.
#include <algorithm>
#include <set>

#include "integration/catalog_fixture.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

TEST_P(CatalogTest, CrudIsScopedToTheManufacturer) {
  auto& c = *client_;
  const auto a = tenant("crud-a@acme.example");
  const auto b = tenant("crud-b@rival.example");
  const auto created = c.post("/api/v1/products", product("RND-1", {{"dimensions", {{"lens_width", 49.5}}}}),
                              {bearer(a.token)});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json()["id"].get<std::string>();
  EXPECT_EQ(created.header("location"), "/api/v1/products/" + id);
  EXPECT_EQ(created.json()["dimensions"]["lens_width"], 49.5);
  EXPECT_EQ(created.json()["price"], 120);
  EXPECT_EQ(created.json()["price_minor"], 12000);
  const auto limit = std::stoll(created.header("ratelimit-limit"));
  EXPECT_EQ(created.header("ratelimit-remaining"), std::to_string(limit - 1)) << "one product_uploads unit";

  const auto got = c.get("/api/v1/products/" + id, {bearer(a.token)});
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json()["sku"], "RND-1");
  // Another tenant sees nothing, changes nothing.
  EXPECT_EQ(c.get("/api/v1/products/" + id, {bearer(b.token)}).status, 404);
  EXPECT_EQ(c.patch("/api/v1/products/" + id, {{"name", "mine now"}}, {bearer(b.token)}).status, 404);
  EXPECT_EQ(c.del("/api/v1/products/" + id + "?hard=true", {bearer(b.token)}).status, 404);
  EXPECT_EQ(search(b, "").json()["total"], 0);
  EXPECT_EQ(c.get("/api/v1/products/prd_1", {bearer(a.token)}).status, 404);
  EXPECT_EQ(c.get("/api/v1/products/not-an-id", {bearer(a.token)}).status, 404);
  EXPECT_EQ(c.get("/api/v1/products/" + id).status, 401);

  // The same SKU is another tenant's business, but not twice for one.
  EXPECT_EQ(c.post("/api/v1/products", product("RND-1"), {bearer(b.token)}).status, 201);
  const auto dup = c.post("/api/v1/products", product("RND-1"), {bearer(a.token)});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.error_code(), "CONFLICT");
  EXPECT_EQ(dup.json()["error"]["details"]["field"], "sku");
  EXPECT_EQ(uploads_used(a), 1) << "the failed create gave its unit back";

  const auto bad = c.post("/api/v1/products", product("RND-2", {{"dimensions", {{"lens_width", 95}}}}),
                          {bearer(a.token)});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_code(), "VALIDATION_FAILED");
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "dimensions.lens_width");
  EXPECT_EQ(bad.json()["error"]["details"]["rule"], "range");
  EXPECT_EQ(products_of(a), 1) << "nothing half-written";

  const auto patched = c.patch("/api/v1/products/" + id, {{"name", "Round One"}, {"price", "99.90"}}, {bearer(a.token)});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["name"], "Round One");
  EXPECT_EQ(patched.json()["price_minor"], 9990);
  EXPECT_EQ(patched.json()["sku"], "RND-1");
  EXPECT_EQ(c.patch("/api/v1/products/" + id, {{"price", -3}}, {bearer(a.token)}).status, 422);
  const auto b_dup = c.post("/api/v1/products", product("TAKEN"), {bearer(a.token)});
  ASSERT_EQ(b_dup.status, 201);
  EXPECT_EQ(c.patch("/api/v1/products/" + id, {{"sku", "TAKEN"}}, {bearer(a.token)}).status, 409);

  // Delete deactivates: still readable, gone from the default listing.
  ASSERT_EQ(c.del("/api/v1/products/" + id, {bearer(a.token)}).status, 204);
  EXPECT_EQ(c.get("/api/v1/products/" + id, {bearer(a.token)}).json()["is_active"], false);
  EXPECT_EQ(search(a, "").json()["total"], 1);
  EXPECT_EQ(search(a, "?active=false").json()["total"], 1);
  EXPECT_EQ(search(a, "?active=all").json()["total"], 2);
  ASSERT_EQ(c.del("/api/v1/products/" + id + "?hard=true", {bearer(a.token)}).status, 204);
  EXPECT_EQ(c.get("/api/v1/products/" + id, {bearer(a.token)}).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM products WHERE seq = $1", {static_cast<std::int64_t>(std::stoll(id.substr(4)))}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'product_deleted' AND manufacturer_id = $1",
                  {a.manufacturer_id}),
            1);
  EXPECT_EQ(search(a, "?q=round&active=all").json()["total"], 0) << "the full-text index forgot it too";
}

TEST_P(CatalogTest, NameMatchesOutrankDescriptionMatchesWithPrefixesAndFolding) {
  const auto t = tenant("rank@acme.example");
  const json rows = json::array(
      {product("D-1", {{"name", "Classic Frame"}, {"description", "Inspired by old Zürich trams."}}),
       product("N-1", {{"name", "Zürich Round"}, {"description", "A light frame."}}),
       product("B-1", {{"name", "Plain"}, {"brand", "Zurichsee Optik"}}),
       product("X-1", {{"name", "Unrelated"}, {"description", "Nothing here."}}),
       product("C-1", {{"name", "Café Crème"}, {"description", "CAFE racer style"}})});
  const auto up = bulk(t, rows.dump());
  ASSERT_EQ(up.status, 200) << up.body;
  const auto r = search(t, "?q=zur");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  ASSERT_EQ(j["total"], 3);
  EXPECT_EQ(j["items"][0]["sku"], "N-1") << "the name match ranks first";
  EXPECT_EQ(j["items"][1]["sku"], "B-1") << "then the brand";
  EXPECT_EQ(j["items"][2]["sku"], "D-1") << "the description match last";
  EXPECT_EQ(j["sort"], "relevance");
  EXPECT_TRUE(j["took_ms"].is_number());
  EXPECT_EQ(search(t, "?q=ZURICH").json()["total"], 3) << "case and diacritics fold";
  EXPECT_EQ(search(t, "?q=caf%C3%A9").json()["total"], 1);
  EXPECT_EQ(search(t, "?q=cafe%20racer").json()["items"][0]["sku"], "C-1") << "all words must match";
  EXPECT_EQ(search(t, "?q=cafe%20zurich").json()["total"], 0);
  // Query syntax of either engine is inert.
  for (const char* q : {"%22zur", "zur*", "zur%20OR%20x", "NEAR(zur)", "%27%3B--", "zur%3A*%20%7C%20x", "%5Ezur", "-zur"}) {
    const auto s = search(t, std::string("?q=") + q);
    EXPECT_EQ(s.status, 200) << q << " " << s.body;
  }
  EXPECT_EQ(search(t, "?q=%2A%2A%2A").json()["total"], 5) << "no words: no text filter";
}

TEST_P(CatalogTest, FacetsCountTheFilteredSetAndPagingVisitsEveryItemOnce) {
  const auto t = tenant("facets@acme.example");
  const auto up = bulk(t, generated(240, 5), "application/x-ndjson");
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["totals"]["created"], 240);
  const std::vector<std::string> queries = {"?active=all", "", "?category=sunglasses", "?q=acetate",
                                            "?q=round&price_max=250", "?material=titanium", "?color=black&active=all",
                                            "?brand=Tortuga", "?price_min=100&price_max=200&currency=EUR",
                                            "?q=frame&category=optical"};
  for (const auto& q : queries) {
    const auto r = search(t, q + std::string(q.empty() ? "?" : "&") + "page_size=100");
    ASSERT_EQ(r.status, 200) << q << " " << r.body;
    const auto j = r.json();
    const auto total = j["total"].get<std::int64_t>();
    std::int64_t by_category = 0, by_brand = 0;
    for (const auto& f : j["facets"]["category"]) by_category += f["count"].get<std::int64_t>();
    for (const auto& f : j["facets"]["brand"]) by_brand += f["count"].get<std::int64_t>();
    EXPECT_EQ(by_category, total) << q;
    EXPECT_EQ(by_brand, total) << q;
    for (const auto& f : j["facets"]["material"]) EXPECT_LE(f["count"].get<std::int64_t>(), total) << q;
    EXPECT_EQ(static_cast<std::int64_t>(j["items"].size()), std::min<std::int64_t>(total, 100)) << q;
  }
  // The facet of a value equals the total when filtering by it.
  const auto all = search(t, "?active=all").json();
  for (const auto& f : all["facets"]["material"]) {
    const auto v = f["value"].get<std::string>();
    std::string enc;
    for (char ch : v) enc += ch == ' ' ? std::string("%20") : std::string(1, ch);
    EXPECT_EQ(search(t, "?active=all&material=" + enc).json()["total"], f["count"]) << v;
  }
  EXPECT_EQ(all["total"], count("SELECT COUNT(*) FROM products WHERE manufacturer_id = $1", {t.manufacturer_id}));
  const auto sun = search(t, "?category=sunglasses&active=all").json()["total"].get<std::int64_t>();
  EXPECT_EQ(sun, count("SELECT COUNT(*) FROM products WHERE manufacturer_id = $1 AND category = 'sunglasses'",
                       {t.manufacturer_id}));

  // Offset pages and cursor pages visit the same items in the same order, each once.
  for (const std::string sort : {"price", "name", "created_at", "relevance"}) {
    const std::string base = "?active=all&page_size=7&sort=" + sort + (sort == "relevance" ? "&q=frame" : "");
    std::vector<std::string> by_page, by_cursor;
    const auto total = search(t, base).json()["total"].get<std::int64_t>();
    for (int page = 1; page <= (total + 6) / 7; ++page) {
      const auto j = search(t, base + "&page=" + std::to_string(page)).json();
      for (const auto& i : j["items"]) by_page.push_back(i["id"]);
    }
    std::string cursor;
    for (int guard = 0; guard < 100; ++guard) {
      const auto j = search(t, base + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
      for (const auto& i : j["items"]) by_cursor.push_back(i["id"]);
      if (j["page"]["next_cursor"].is_null()) break;
      cursor = j["page"]["next_cursor"];
    }
    EXPECT_EQ(static_cast<std::int64_t>(by_page.size()), total) << sort;
    EXPECT_EQ(by_page, by_cursor) << sort;
    EXPECT_EQ(std::set<std::string>(by_page.begin(), by_page.end()).size(), by_page.size()) << sort;
  }
  // Sorted by price ascending really is ascending.
  const auto cheap = search(t, "?sort=price&page_size=50&currency=EUR").json()["items"];
  for (std::size_t i = 1; i < cheap.size(); ++i) EXPECT_LE(cheap[i - 1]["price_minor"], cheap[i]["price_minor"]);
  EXPECT_EQ(search(t, "?page_size=101").status, 422);
  EXPECT_EQ(search(t, "?page_size=101").json()["error"]["details"]["field"], "page_size");
  const auto mismatch = search(t, "?q=frame&cursor=" + search(t, "?page_size=5").json()["page"]["next_cursor"].get<std::string>());
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_EQ(mismatch.json()["error"]["details"]["rule"], "cursor_mismatch");
}

TEST_P(CatalogTest, StatisticsSummariseTheCatalogue) {
  const auto t = tenant("stats@acme.example");
  const json rows = json::array({product("S-1", {{"price", 100}, {"category", "optical"}}),
                                 product("S-2", {{"price", 300}, {"category", "optical"}, {"is_active", false}}),
                                 product("S-3", {{"price", 15000}, {"currency", "JPY"}, {"category", "sunglasses"},
                                                 {"brand", "Hawkeye"}})});
  ASSERT_EQ(bulk(t, rows.dump()).status, 200);
  const auto r = client_->get("/api/v1/products/stats", {bearer(t.token)});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["active"], 2);
  EXPECT_EQ(j["categories"], json({"optical", "sunglasses"}));
  EXPECT_EQ(j["brands"], json({"Hawkeye", "Tortuga"}));
  EXPECT_EQ(j["per_category"][0], json({{"category", "optical"}, {"count", 2}}));
  ASSERT_EQ(j["prices"].size(), 2u);
  EXPECT_EQ(j["prices"][0]["currency"], "EUR");
  EXPECT_EQ(j["prices"][0]["min"], 100);
  EXPECT_EQ(j["prices"][0]["max"], 300);
  EXPECT_EQ(j["prices"][0]["average"], 200);
  EXPECT_EQ(j["prices"][1]["currency"], "JPY");
  EXPECT_EQ(j["latest_upload"], "2027-01-15T08:00:00.000Z");
}

TEST_P(CatalogTest, ExportThenBulkUploadReproducesTheCatalogue) {
  auto& c = *client_;
  const auto a = tenant("export-a@acme.example");
  const auto b = tenant("export-b@acme.example");
  std::string body = generated(150, 3);
  body += product("F-1", {{"description", "=HYPERLINK(\"http://evil.example\")"}, {"name", "-- lightweight"},
                          {"materials", {"+metal"}}, {"metadata", {{"note", "@risk"}}}})
              .dump() +
          "\n";
  ASSERT_EQ(bulk(a, body, "application/x-ndjson").status, 200);
  const auto csv = c.get("/api/v1/products/export?format=csv", {bearer(a.token)});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("transfer-encoding"), "chunked") << "the export is streamed";
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 152) << "the header and 151 rows";
  EXPECT_NE(csv.body.find(",'-- lightweight,"), std::string::npos) << "formula cells neutralised";
  EXPECT_NE(csv.body.find("\"'=HYPERLINK("), std::string::npos);
  EXPECT_EQ(csv.body.find(",=HYPERLINK"), std::string::npos);
  const auto imported = bulk(b, csv.body, "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json()["totals"]["created"], 151);
  const auto again = c.get("/api/v1/products/export?format=csv", {bearer(b.token)});
  EXPECT_EQ(again.body, csv.body) << "the CSV round trip reproduces the catalogue exactly";

  const auto nd = c.get("/api/v1/products/export?format=ndjson", {bearer(a.token)});
  ASSERT_EQ(nd.status, 200);
  const auto c_tenant = tenant("export-c@acme.example");
  ASSERT_EQ(bulk(c_tenant, nd.body, "application/x-ndjson").status, 200);
  const auto nd_again = c.get("/api/v1/products/export?format=ndjson", {bearer(c_tenant.token)});
  auto strip = [](const std::string& text) {
    std::vector<json> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto end = text.find('\n', pos);
      auto j = json::parse(text.substr(pos, end - pos));
      for (const char* k : {"id", "created_at", "updated_at"}) j.erase(k);
      out.push_back(std::move(j));
      pos = end + 1;
    }
    return out;
  };
  EXPECT_EQ(strip(nd_again.body), strip(nd.body));
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_counters WHERE manufacturer_id = $1 AND resource = 'data_exports' "
                  "AND used = 2",
                  {a.manufacturer_id}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'catalog_export' AND manufacturer_id = $1",
                  {a.manufacturer_id}),
            2);
  // The free tier may not export.
  const auto free = tenant("export-free@acme.example", "free");
  const auto refused = c.get("/api/v1/products/export", {bearer(free.token)});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["error"]["details"]["permission"], "export_data");
  EXPECT_EQ(c.get("/api/v1/products/export?format=xml", {bearer(a.token)}).status, 422);
}

// Browsing (no text, no filter but the active state, sorted by creation time or price) is answered
// on SQLite from kept facet counts and an index in the sort order; it must give exactly what the
// full pass gives. `price_min=0` filters nothing (prices are never negative) but takes the pass.
TEST_P(CatalogTest, BrowsingAnswersExactlyAsTheFilteredPassAfterEveryKindOfChange) {
  const auto t = tenant("browse@acme.example");
  const auto first = bulk(t, generated(180, 23), "application/x-ndjson");
  ASSERT_EQ(first.status, 200) << first.body;
  auto& c = *client_;
  // Upserts that move products to other facet values, a create, PATCHes, soft and hard deletes.
  json changes = json::array();
  for (int i = 0; i < 12; ++i) {
    changes.push_back(product(first.json()["rows"][i]["sku"].get<std::string>(),
                              {{"category", i % 2 ? "kids" : "sports"},
                               {"brand", "Moved Brand"},
                               {"materials", i % 3 ? json::array({"wood", "wood"}) : json::array({"titanium"})},
                               {"price", 10 + i}}));
  }
  ASSERT_EQ(bulk(t, changes.dump(), "application/json", "?mode=upsert").status, 200);
  const auto created =
      c.post("/api/v1/products", product("BR-NEW", {{"materials", {"acetate", "steel"}}}), {bearer(t.token)});
  ASSERT_EQ(created.status, 201) << created.body;
  std::vector<std::string> ids;
  const auto active_before = search(t, "").json()["total"].get<std::int64_t>();
  const auto inactive_before = search(t, "?active=false").json()["total"].get<std::int64_t>();
  EXPECT_EQ(active_before + inactive_before, 181);
  const auto listed = search(t, "?page_size=30&sort=price&order=asc");
  const auto cheapest = listed.json();
  for (const auto& i : cheapest["items"]) ids.push_back(i["id"]);
  ASSERT_EQ(ids.size(), 30u) << listed.body;
  ASSERT_EQ(c.patch("/api/v1/products/" + ids[0], {{"category", "safety"}, {"materials", {"carbon fibre"}}},
                    {bearer(t.token)})
                .status,
            200);
  ASSERT_EQ(c.patch("/api/v1/products/" + ids[1], {{"is_active", false}}, {bearer(t.token)}).status, 200);
  for (int i = 2; i < 6; ++i) EXPECT_EQ(c.del("/api/v1/products/" + ids[i], {bearer(t.token)}).status, 204);
  for (int i = 6; i < 9; ++i)
    EXPECT_EQ(c.del("/api/v1/products/" + ids[i] + "?hard=true", {bearer(t.token)}).status, 204);

  for (const std::string state : {"", "&active=true", "&active=false"}) {
    for (const std::string sort :
         {"sort=created_at", "sort=price", "sort=price&order=asc", "sort=created_at&order=asc"}) {
      const std::string base = "?" + sort + state + "&page_size=17";
      const auto total = search(t, base).json()["total"].get<std::int64_t>();
      for (int page = 1; page <= (total + 16) / 17 + 1; ++page) {
        const auto browse = search(t, base + "&page=" + std::to_string(page));
        const auto pass = search(t, base + "&page=" + std::to_string(page) + "&price_min=0");
        ASSERT_EQ(browse.status, 200) << browse.body;
        ASSERT_EQ(pass.status, 200) << pass.body;
        const auto b = browse.json(), p = pass.json();
        EXPECT_EQ(b["total"], p["total"]) << base << " page " << page;
        EXPECT_EQ(b["facets"], p["facets"]) << base << " page " << page;
        std::vector<std::string> bi, pi;
        for (const auto& i : b["items"]) bi.push_back(i["id"]);
        for (const auto& i : p["items"]) pi.push_back(i["id"]);
        EXPECT_EQ(bi, pi) << base << " page " << page;
      }
      // Cursor pages visit the same items in the same order as the pass's cursor pages.
      std::vector<std::string> by_browse, by_pass;
      for (const bool filtered : {false, true}) {
        auto& into = filtered ? by_pass : by_browse;
        std::string cursor;
        for (int guard = 0; guard < 100; ++guard) {
          const auto j =
              search(t, base + (filtered ? "&price_min=0" : "") + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
          for (const auto& i : j["items"]) into.push_back(i["id"]);
          if (j["page"]["next_cursor"].is_null()) break;
          cursor = j["page"]["next_cursor"];
        }
      }
      EXPECT_EQ(by_browse, by_pass) << base;
      EXPECT_EQ(static_cast<std::int64_t>(by_browse.size()), total) << base;
    }
  }
  // One PATCHed and four soft-deleted became inactive, three were removed, all from the active.
  EXPECT_EQ(search(t, "?active=false").json()["total"], inactive_before + 5);
  EXPECT_EQ(search(t, "").json()["total"], active_before - 5 - 3);
  if (GetParam() == "sqlite") {
    // The kept counts are exactly a count over the products, in both directions.
    const std::string counted =
        "SELECT is_active, 0, category, COUNT(*) FROM products WHERE manufacturer_id = $1 GROUP BY 1, 3 UNION ALL "
        "SELECT is_active, 1, brand, COUNT(*) FROM products WHERE manufacturer_id = $1 GROUP BY 1, 3 UNION ALL "
        "SELECT p.is_active, 2, m.value, COUNT(*) FROM products p, json_each(p.materials) m "
        "WHERE p.manufacturer_id = $1 GROUP BY 1, 3";
    const std::string kept =
        "SELECT is_active, facet, value, n FROM catalog_facet_counts WHERE manufacturer_id = $1 AND n > 0";
    // (A compound select is evaluated left to right: each side is wrapped.)
    const auto except = [&](const std::string& a, const std::string& b) {
      return count("SELECT COUNT(*) FROM (SELECT * FROM (" + a + ") EXCEPT SELECT * FROM (" + b + "))",
                   {t.manufacturer_id});
    };
    EXPECT_EQ(except(counted, kept), 0);
    EXPECT_EQ(except(kept, counted), 0);
    EXPECT_GT(count("SELECT COUNT(*) FROM (" + kept + ")", {t.manufacturer_id}), 20);
    // And the listing really reads them (the pass does not): skew one count, then restore it.
    const auto skew = [&](std::int64_t by) {
      auto done = server_->app().database().transact(storage::TxMode::kWrite, [&](storage::Connection& conn) {
        return conn.execute(
            "UPDATE catalog_facet_counts SET n = n + $2 WHERE manufacturer_id = $1 AND is_active = 1 "
            "AND facet = 0 AND value = 'kids'",
            {t.manufacturer_id, by});
      });
      ASSERT_TRUE(done.has_value());
      ASSERT_EQ(*done, 1);
    };
    skew(1000);
    EXPECT_EQ(search(t, "").json()["total"], active_before - 8 + 1000);
    EXPECT_EQ(search(t, "?price_min=0").json()["total"], active_before - 8);
    skew(-1000);
    EXPECT_EQ(count("SELECT COUNT(*) FROM catalog_facet_counts WHERE n < 0"), 0);
  }
}

TEST_P(CatalogTest, SqliteRanksWithEachRowsRecordedLengthExactlyAsFts5Bm25) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite's FTS5 only (PostgreSQL ranks with ts_rank)";
  const auto t = tenant("length@acme.example");
  const auto first = bulk(t, generated(60), "application/x-ndjson");
  ASSERT_EQ(first.status, 200) << first.body;
  // Upserts that change the text, a create and a PATCH: every way a row's text is written.
  json changes = json::array();
  for (int i = 0; i < 5; ++i) {
    changes.push_back(
        product(first.json()["rows"][i]["sku"].get<std::string>(),
                {{"name", "Round Titanium Special " + std::to_string(i)},
                 {"description", std::string(static_cast<std::size_t>(i) * 40, 'x') + " round acetate"}}));
  }
  const auto up = bulk(t, changes.dump(), "application/json", "?mode=upsert");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["totals"]["updated"], 5) << up.body;
  auto& c = *client_;
  const auto created =
      c.post("/api/v1/products", product("LEN-1", {{"description", "Café round, handmade"}}), {bearer(t.token)});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  ASSERT_EQ(
      c.patch("/api/v1/products/" + id, {{"name", "Round Round Round"}, {"description", ""}}, {bearer(t.token)}).status,
      200);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM products WHERE manufacturer_id = $1 AND text_tokens IS NULL", {t.manufacturer_id}),
      0);
  const auto number = count("SELECT number FROM catalog_tenants WHERE manufacturer_id = $1", {t.manufacturer_id});
  for (const std::string word : {"round", "acetate", "titanium", "frame", "cafe", "tortuga"}) {
    const std::string match = "\"t" + std::to_string(number) + "x" + word + "\"*";
    const auto hits = count("SELECT COUNT(*) FROM products_fts WHERE products_fts MATCH $1", {match});
    EXPECT_GT(hits, 0) << word;
    const auto differ = count(
        "SELECT COUNT(*) FROM (SELECT abs(bm25(products_fts, 10.0, 5.0, 3.0, 1.0) - "
        "eyewear_bm25(products_fts, p.text_tokens, 10.0, 5.0, 3.0, 1.0)) AS d FROM products_fts "
        "CROSS JOIN products p ON p.seq = products_fts.rowid WHERE products_fts MATCH $1) WHERE d IS NULL OR d > 1e-9",
        {match});
    EXPECT_EQ(differ, 0) << word;
  }
}

// The store counts the tokens of a namespaced column of ASCII words itself and leaves columns
// with other characters to the tokenizer: either way each row's text_tokens is exactly the
// number of tokens FTS5 indexed for it (every instance, read back through fts5vocab).
// SQLite keeps every product's materials and colours as tokens of products_lists (migration
// 0013, catalog_fts.hpp): after inserts, an upsert that replaces some products and adds others,
// PATCHes that change the lists and hard deletes, the index holds exactly the products' arrays as
// tokens, no more, no fewer (every instance, read back through fts5vocab), and each filter
// answers exactly the products whose arrays hold the value.
TEST_P(CatalogTest, SqliteListTokensAreExactlyEachProductsMaterialsAndColours) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite's list index only";
  const auto t = tenant("lists@acme.example");
  auto& c = *client_;
  ASSERT_EQ(bulk(t, generated(300, 21), "application/x-ndjson").status, 200);
  ASSERT_EQ(bulk(t, generated(200, 22, 300), "application/x-ndjson").status, 200);
  const auto up = bulk(t, generated(250, 23, 150), "application/x-ndjson", "?mode=upsert");
  ASSERT_EQ(up.status, 200) << up.body;
  // The SKU carries the frame's shape, so another seed both replaces and adds products.
  EXPECT_GT(up.json()["totals"]["updated"].get<int>(), 0) << up.json()["totals"];
  EXPECT_GT(up.json()["totals"]["created"].get<int>(), 0) << up.json()["totals"];
  const auto page = search(t, "?page_size=10&sort=price&order=asc").json();
  ASSERT_EQ(page["items"].size(), 10U);
  std::vector<std::string> ids;
  for (const auto& i : page["items"]) ids.push_back(i["id"]);
  ASSERT_EQ(c.patch("/api/v1/products/" + ids[0],
                    {{"materials", {"carbon fibre", "café ébène"}}, {"colors", json::array()}}, {bearer(t.token)})
                .status,
            200);
  ASSERT_EQ(c.patch("/api/v1/products/" + ids[1], {{"colors", {"ultraviolet"}}}, {bearer(t.token)}).status, 200);
  for (int i = 2; i < 5; ++i) {
    ASSERT_EQ(c.del("/api/v1/products/" + ids[static_cast<std::size_t>(i)] + "?hard=true", {bearer(t.token)}).status,
              204);
  }

  ASSERT_TRUE(server_->app()
                  .database()
                  .transact(storage::TxMode::kWrite,
                            [&](storage::Connection& conn) {
                              return conn.execute_script(
                                  "CREATE VIRTUAL TABLE IF NOT EXISTS temp.list_instances "
                                  "USING fts5vocab(main, products_lists, instance)");
                            })
                  .has_value());
  const std::string tokens =
      "SELECT i.doc, i.term FROM temp.list_instances i JOIN products p ON p.seq = i.doc WHERE p.manufacturer_id = $1";
  const std::string arrays =
      "SELECT * FROM (SELECT p.seq, 't' || (p.seq >> 40) || 'm' || lower(hex(j.value)) FROM products p, "
      "json_each(p.materials) j WHERE p.manufacturer_id = $1 UNION ALL "
      "SELECT p.seq, 't' || (p.seq >> 40) || 'c' || lower(hex(j.value)) FROM products p, json_each(p.colors) j "
      "WHERE p.manufacturer_id = $1)";
  const auto n = count("SELECT COUNT(*) FROM (" + tokens + ")", {t.manufacturer_id});
  EXPECT_GT(n, 1000);
  EXPECT_EQ(n, count("SELECT COUNT(*) FROM (" + arrays + ")", {t.manufacturer_id}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM (" + tokens + " EXCEPT " + arrays + ")", {t.manufacturer_id}), 0);
  // Nothing is left of the deleted products, whichever tenant.
  EXPECT_EQ(count("SELECT COUNT(*) FROM temp.list_instances WHERE doc NOT IN (SELECT seq FROM products)"), 0);

  auto url_encode = [](const std::string& v) {
    std::string out;
    for (const unsigned char ch : v) {
      if (std::isalnum(ch) != 0) {
        out.push_back(static_cast<char>(ch));
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        out += {'%', kHex[ch >> 4], kHex[ch & 15]};
      }
    }
    return out;
  };
  auto filtered = [&](const std::string& filter) {
    return search(t, "?active=all&page_size=1&" + filter).json()["total"].get<std::int64_t>();
  };
  auto holding = [&](const char* array, const std::string& value) {
    return count(std::string("SELECT COUNT(*) FROM products p WHERE p.manufacturer_id = $1 AND EXISTS "
                             "(SELECT 1 FROM json_each(p.") +
                     array + ") WHERE value = $2)",
                 {t.manufacturer_id, value});
  };
  for (const std::string m : {"acetate", "titanium", "carbon fibre", "café ébène"}) {
    EXPECT_GT(holding("materials", m), 0) << m;
    EXPECT_EQ(filtered("material=" + url_encode(m)), holding("materials", m)) << m;
  }
  EXPECT_EQ(filtered("color=ultraviolet"), 1);
  EXPECT_EQ(filtered("material=carbon%20fibre&color=ultraviolet"), 0);
  EXPECT_EQ(filtered("material=no-such-material"), 0);
}

TEST_P(CatalogTest, SqliteRecordsEachRowsLengthAsFts5IndexedIt) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite's FTS5 only";
  const auto t = tenant("tokens@acme.example");
  json rows = json::array();
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"Plain Round Frame 52", "acetate, spring hinges -- 52-18-140 (it just works)"},
      {"Kōyō Södermalm", "55□23-141 Kjær & Søn, café"},
      {"Ⅻ ﬁne ½ 2² µm", "e\u0301 combining, ™ trade, trade™mark, ︰ and ＡＢＣ fullwidth"},
      {"Emoji 🙂 frame", "x\u200by zero-width, ‘quoted’ “twice” — dash"},
      {"MiXeD CaSe 123abc", ""},
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    rows.push_back(product("TOK-" + std::to_string(i), {{"name", texts[i].first},
                                                        {"brand", i % 2 == 0 ? "Tortuga" : "Kjær & Søn"},
                                                        {"description", json::parse("\"" + texts[i].second + "\"")}}));
  }
  const auto up = bulk(t, rows.dump(), "application/json");
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["totals"]["created"], texts.size()) << up.body;
  auto differ = std::int64_t{-1};
  auto checked = std::int64_t{-1};
  ASSERT_TRUE(
      server_->app()
          .database()
          .transact(storage::TxMode::kWrite,
                    [&](storage::Connection& conn) -> platform::Status {
                      EW_TRY(
                          conn.execute_script("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances "
                                              "USING fts5vocab(main, products_fts, instance)"));
                      const std::string per_row =
                          "SELECT p.seq, p.text_tokens, (SELECT COUNT(*) FROM temp.fts_instances v "
                          "WHERE v.doc = p.seq) AS indexed FROM products p WHERE p.manufacturer_id = $1";
                      EW_ASSIGN_OR_RETURN(
                          auto a, conn.query("SELECT COUNT(*) FROM (" + per_row + ") WHERE text_tokens IS NOT indexed",
                                             {t.manufacturer_id}));
                      EW_ASSIGN_OR_RETURN(auto b, conn.query("SELECT COUNT(*) FROM (" + per_row + ") WHERE indexed > 0",
                                                             {t.manufacturer_id}));
                      differ = a.front().i64(0);
                      checked = b.front().i64(0);
                      return conn.execute_script("DROP TABLE temp.fts_instances");
                    })
          .has_value());
  EXPECT_EQ(differ, 0);
  EXPECT_EQ(checked, static_cast<std::int64_t>(texts.size()));
}

// Migration 0012: the terms of one 10,000-row request are written as one full-text segment. With
// FTS5's default 1 MiB they were flushed part way and written as two (checked by running this
// test without the migration). The setting is not put back here to show it: FTS5 keeps a
// table's configuration per connection, and which pooled connection writes next is not this
// test's to choose.
TEST_P(CatalogTest, SqliteWritesABulkRequestsTermsAsOneSegment) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite's FTS5 only";
  const auto segments = [&] { return count("SELECT COUNT(DISTINCT segid) FROM products_fts_idx", {}); };
  EXPECT_EQ(count("SELECT COUNT(*) FROM products_fts_config WHERE k = 'hashsize' AND v = 16777216", {}), 1);
  const auto a = tenant("segments-a@acme.example", "enterprise");
  ASSERT_EQ(segments(), 0);
  const auto up = bulk(a, generated(10'000, 31), "application/x-ndjson");
  ASSERT_EQ(up.status, 200) << up.body.substr(0, 300);
  ASSERT_EQ(up.json()["totals"]["created"], 10'000);
  EXPECT_EQ(segments(), 1);
  EXPECT_EQ(search(a, "?q=acetate&page_size=1").json()["total"],
            count("SELECT COUNT(*) FROM products WHERE manufacturer_id = $1 AND is_active = 1 AND "
                  "(name LIKE '%acetate%' OR description LIKE '%acetate%')",
                  {a.manufacturer_id}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
