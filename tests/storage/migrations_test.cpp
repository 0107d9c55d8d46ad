#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "platform/crypto.hpp"
#include "storage/backend_fixture.hpp"

namespace eyewear::testing {
namespace {

using platform::ErrorCode;
using storage::Migration;
using storage::TxMode;

class MigrationsTest : public BackendTest {};

TEST_P(MigrationsTest, EmptyDatabaseGetsEveryMigrationThenNothing) {
  auto before = storage::schema_status(*db_);
  ASSERT_TRUE(before.has_value()) << before.error().internal;
  EXPECT_EQ(before->current, 0);
  EXPECT_FALSE(before->up_to_date());

  auto applied = storage::migrate(*db_, nullptr);
  ASSERT_TRUE(applied.has_value()) << applied.error().internal;
  EXPECT_EQ(applied->size(), storage::migrations_for(db_->dialect()).size());

  auto after = storage::schema_status(*db_);
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->up_to_date());
  EXPECT_EQ(after->current, after->latest);

  auto again = storage::migrate(*db_, nullptr);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->empty()) << "an up-to-date database gets no migrations";
}

TEST_P(MigrationsTest, ANewerSchemaThanTheBinaryKnowsIsRefused) {
  const std::vector<Migration> v2 = {{1, "one", "CREATE TABLE one (id BIGINT);"},
                                     {2, "two", "CREATE TABLE two (id BIGINT);"}};
  ASSERT_TRUE(storage::migrate_with(*db_, v2, nullptr).has_value());
  const std::vector<Migration> v1(v2.begin(), v2.begin() + 1);
  auto refused = storage::migrate_with(*db_, v1, nullptr);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("newer than this binary"), std::string::npos);
  auto status = storage::schema_status_with(*db_, v1);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ahead());
}

TEST_P(MigrationsTest, AFailingMigrationIsNotRecordedAndEarlierOnesStay) {
  const std::vector<Migration> list = {{1, "good", "CREATE TABLE good (id BIGINT);"},
                                       {2, "bad", "CREATE TABLE bad (id BIGINT); THIS IS NOT SQL;"}};
  auto r = storage::migrate_with(*db_, list, nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().internal.find("2_bad"), std::string::npos);
  auto status = storage::schema_status_with(*db_, list);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->current, 1);
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) { return c.query("SELECT COUNT(*) FROM good"); });
  EXPECT_TRUE(rows.has_value()) << "migration 1 stays applied";
  auto bad = db_->transact(TxMode::kRead, [](storage::Connection& c) { return c.query("SELECT COUNT(*) FROM bad"); });
  EXPECT_FALSE(bad.has_value()) << "migration 2 rolled back entirely";
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachVersionOnce) {
  const std::vector<Migration> list = {{1, "a", "CREATE TABLE a (id BIGINT);"},
                                       {2, "b", "CREATE TABLE b (id BIGINT);"},
                                       {3, "c", "CREATE TABLE c (id BIGINT);"}};
  auto other = open(url_, 2);
  std::vector<int> applied_a, applied_b;
  bool ok_a = false, ok_b = false;
  std::thread ta([&] {
    auto r = storage::migrate_with(*db_, list, nullptr);
    ok_a = r.has_value();
    if (r) applied_a = *r;
  });
  std::thread tb([&] {
    auto r = storage::migrate_with(*other, list, nullptr);
    ok_b = r.has_value();
    if (r) applied_b = *r;
  });
  ta.join();
  tb.join();
  EXPECT_TRUE(ok_a);
  EXPECT_TRUE(ok_b);
  EXPECT_EQ(applied_a.size() + applied_b.size(), 3u);
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT COUNT(*) FROM schema_migrations");
  });
  EXPECT_EQ((*rows)[0].i64(0), 3);
}

TEST_P(MigrationsTest, SqliteCatalogueMigrationsCarryExistingProductsOver) {
  // A catalogue written before migrations 8-10: its facet counts are backfilled (9), its rows
  // keep a NULL length and rank with FTS5's lookup (8), the rebuilt indexes hold them (8, 10), and
  // its materials and colours become the list filters' tokens (13).
  if (is_pg()) GTEST_SKIP() << "SQLite migrations";
  const auto& all = storage::migrations_for(storage::Dialect::kSqlite);
  std::vector<Migration> before;
  for (const auto& m : all) {
    if (m.version <= 7) before.push_back(m);
  }
  ASSERT_TRUE(storage::migrate_with(*db_, before, nullptr).has_value());
  auto seeded = db_->transact(TxMode::kWrite, [](storage::Connection& c) -> platform::Status {
    EW_TRY(c.execute_script(
        "INSERT INTO manufacturers (id, company_name, created_at, updated_at) VALUES ('m1', 'One', 0, 0), "
        "('m2', 'Two', 0, 0);"
        "INSERT INTO products (seq, manufacturer_id, sku, name, brand, category, price, currency, price_scaled, "
        "materials, colors, is_active, created_at, updated_at) VALUES "
        "(1, 'm1', 'a', 'Round', 'B1', 'optical', 100, 'EUR', 1000, '[\"acetate\",\"steel\"]', '[]', 1, 5, 5), "
        "(2, 'm1', 'b', 'Square', 'B1', 'sun', 200, 'EUR', 2000, '[\"steel\"]', '[\"black\",\"caf\\u00e9\"]', 1, 6, "
        "6), "
        "(3, 'm1', 'c', 'Oval', 'B2', 'optical', 300, 'EUR', 3000, '[]', '[]', 0, 7, 7), "
        "(4, 'm2', 'a', 'Round', 'B1', 'optical', 100, 'EUR', 1000, '[\"acetate\"]', '[\"black\"]', 1, 8, 8);"
        "INSERT INTO products_fts (rowid, name, brand, category, description) VALUES "
        "(1, 'Round', 'B1', 'optical', ''), (2, 'Square', 'B1', 'sun', ''), (3, 'Oval', 'B2', 'optical', ''), "
        "(4, 'Round', 'B1', 'optical', '');"));
    return {};
  });
  ASSERT_TRUE(seeded.has_value()) << seeded.error().internal;
  auto applied = storage::migrate_with(*db_, all, nullptr);
  ASSERT_TRUE(applied.has_value()) << applied.error().internal;
  EXPECT_EQ(applied->front(), 8);
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT manufacturer_id || '/' || is_active || '/' || facet || '/' || value || '=' || n "
                   "FROM catalog_facet_counts ORDER BY 1");
  });
  ASSERT_TRUE(rows.has_value()) << rows.error().internal;
  std::vector<std::string> counts;
  for (std::size_t i = 0; i < rows->size(); ++i) counts.push_back((*rows)[i].str(0));
  EXPECT_EQ(counts, (std::vector<std::string>{"m1/0/0/optical=1", "m1/0/1/B2=1", "m1/1/0/optical=1", "m1/1/0/sun=1",
                                              "m1/1/1/B1=2", "m1/1/2/acetate=1", "m1/1/2/steel=2",
                                              "m2/1/0/optical=1", "m2/1/1/B1=1", "m2/1/2/acetate=1"}));
  auto ranked = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT COUNT(*), SUM(t IS NULL), MAX(d) FROM (SELECT p.text_tokens AS t, "
                   "abs(bm25(products_fts) - eyewear_bm25(products_fts, p.text_tokens)) AS d FROM products_fts "
                   "CROSS JOIN products p INDEXED BY products_facets ON p.seq = products_fts.rowid "
                   "WHERE products_fts MATCH 'round' LIMIT 100)");
  });
  ASSERT_TRUE(ranked.has_value()) << ranked.error().internal;
  EXPECT_EQ((*ranked)[0].i64(0), 2);
  EXPECT_EQ((*ranked)[0].i64(1), 2);
  EXPECT_LT((*ranked)[0].f64(2), 1e-12);

  // Migration 13: the list filters' tokens are backfilled from the rows' arrays (the seeded rows
  // are all in tenant 0's key range), the old list tables are gone, and a deleted product's
  // tokens go with it.
  auto listed = [&](const std::string& token) {
    auto r = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
      return c.query(
          "SELECT group_concat(rowid, ',') FROM (SELECT rowid FROM products_lists "
          "WHERE products_lists MATCH $1 ORDER BY rowid)",
          {Param("\"" + token + "\"")});
    });
    return r ? (*r)[0].str(0) : "error: " + r.error().internal;
  };
  EXPECT_EQ(listed("t0m" + platform::to_hex("acetate")), "1,4");
  EXPECT_EQ(listed("t0m" + platform::to_hex("steel")), "1,2");
  EXPECT_EQ(listed("t0c" + platform::to_hex("black")), "2,4");
  EXPECT_EQ(listed("t0c" + platform::to_hex("café")), "2") << "the JSON escape is read as the character";
  EXPECT_EQ(listed("t0m" + platform::to_hex("black")), "") << "materials and colours are apart";
  auto gone = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('product_materials', 'product_colors')");
  });
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ((*gone)[0].i64(0), 0);
  ASSERT_TRUE(db_->transact(TxMode::kWrite,
                            [](storage::Connection& c) { return c.execute("DELETE FROM products WHERE seq = 1"); })
                  .has_value());
  EXPECT_EQ(listed("t0m" + platform::to_hex("acetate")), "4");
  EXPECT_EQ(listed("t0m" + platform::to_hex("steel")), "2");
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest, ::testing::Values("sqlite", "postgres"), backend_name);

}  // namespace
}  // namespace eyewear::testing
