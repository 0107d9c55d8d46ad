#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <thread>

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

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest, ::testing::Values("sqlite", "postgres"), backend_name);

}  // namespace
}  // namespace eyewear::testing
