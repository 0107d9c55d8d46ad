// Keyring maintenance against real SQLite and PostgreSQL: rewrap over a populated database with
// status counts before and after, resuming an interrupted run, running online beside a server
// that reads and writes, and values that do not open.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "security/keyring_admin.hpp"
#include "security/keyring_fixture.hpp"

namespace eyewear::testing {
namespace {

using KeyringRewrapTest = KeyringTest;

TEST_P(KeyringRewrapTest, RewrapOverAPopulatedDatabaseAndStatusCounts) {
  std::map<std::string, std::vector<std::string>> profiles;
  for (int i = 0; i < 30; ++i) {
    const auto mid = "m-" + std::to_string(100 + i);
    profiles[mid] = add_profile(*ring_, mid);
  }
  std::map<std::string, std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    const auto id = "a-" + std::to_string(100 + i);
    secrets[id] = "secret-" + id;
    add_account(*ring_, id, secrets[id], /*pending=*/i % 5 == 0);
  }
  const std::int64_t total = 30 * 3 + 20;
  auto before = security::key_status(*ring_);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->fields, total);
  EXPECT_EQ(before->pending_rewrap, 0);
  ASSERT_EQ(before->columns.size(), 5u);
  EXPECT_EQ(before->columns[0].name, "accounts.mfa_secret");
  EXPECT_EQ(before->columns[0].fields, 16);
  EXPECT_EQ(before->columns[1].fields, 4);
  EXPECT_EQ(before->columns[2].by_version.at(1), 30);
  EXPECT_EQ(before->by_algorithm.at("xchacha20poly1305"), total);

  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  ASSERT_TRUE(ring_->rotate_tenant("m-100", kActor).has_value());
  auto rotated = security::key_status(*ring_);
  EXPECT_EQ(rotated->pending_rewrap, total);
  ASSERT_EQ(rotated->versions.size(), 2u);
  EXPECT_EQ(rotated->versions[0].fields, total);
  EXPECT_EQ(rotated->versions[1].fields, 0);
  EXPECT_TRUE(rotated->versions[1].primary);
  EXPECT_EQ(rotated->versions[0].data_keys, 31) << "30 manufacturers and the platform";

  security::RewrapOptions o;
  o.batch = 7;
  int batches = 0;
  o.on_batch = [&](const security::RewrapColumnReport&) { ++batches; };
  auto report = security::rewrap(*ring_, o, kActor, logger_);
  ASSERT_TRUE(report.has_value()) << report.error().internal;
  EXPECT_TRUE(report->complete());
  EXPECT_EQ(report->rewrapped(), total);
  EXPECT_EQ(report->failed(), 0);
  EXPECT_EQ(batches, 3 + 1 + 5 * 3) << "16/7, 4/7 and 30/7 rounded up";

  auto after = security::key_status(*ring_);
  EXPECT_EQ(after->pending_rewrap, 0);
  EXPECT_EQ(after->versions[0].fields, 0);
  EXPECT_EQ(after->versions[1].fields, total);
  for (const auto& [mid, plain] : profiles) {
    EXPECT_EQ(*ring_->open({mid, "manufacturer_profiles", "phone", mid}, stored(mid, "phone")), plain[0]);
    EXPECT_EQ(*ring_->open({mid, "manufacturer_profiles", "tax_id", mid}, stored(mid, "tax_id")), plain[1]);
    EXPECT_EQ(*ring_->open({mid, "manufacturer_profiles", "licence_number", mid}, stored(mid, "licence_number")),
              plain[2]);
  }
  for (const auto& [id, secret] : secrets) {
    const auto value = text("SELECT COALESCE(mfa_secret, mfa_pending_secret) FROM accounts WHERE id = $1", {id});
    EXPECT_TRUE(value.starts_with("ew1:v2:"));
    EXPECT_EQ(*ring_->open({security::kPlatformTenant, "accounts", "mfa_secret", id}, value), secret);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rewrap_completed'"), 1);
  for (const auto& line : sink_->lines()) EXPECT_EQ(line.find("secret-a-"), std::string::npos) << line;

  auto again = security::rewrap(*ring_, o, kActor, logger_);
  EXPECT_EQ(again->rewrapped(), 0) << "nothing left";
}

TEST_P(KeyringRewrapTest, RewrapResumesWhereAnInterruptedRunStopped) {
  for (int i = 0; i < 10; ++i) add_profile(*ring_, "m-" + std::to_string(100 + i));
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  security::RewrapOptions o;
  o.batch = 4;
  o.max_batches = 4;  // 3 batches of phones (4+4+2) and 1 of tax ids
  auto first = security::rewrap(*ring_, o, kActor, logger_);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->complete());
  EXPECT_EQ(first->rewrapped(), 14);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rewrap_interrupted'"), 1);
  EXPECT_EQ(text("SELECT last_row FROM keyring_rewrap_progress WHERE column_name = 'manufacturer_profiles.tax_id'"),
            "m-103");

  o.max_batches = 0;
  auto second = security::rewrap(*ring_, o, kActor, logger_);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->complete());
  std::int64_t scanned = 0;
  for (const auto& c : second->columns) {
    if (c.column == "manufacturer_profiles.phone" || c.column == "manufacturer_profiles.tax_id") {
      EXPECT_TRUE(c.resumed) << c.column;
    }
    scanned += c.scanned;
  }
  EXPECT_EQ(scanned, 6 + 10) << "the rest of tax ids and all licence numbers; phones were finished";
  auto status = security::key_status(*ring_);
  EXPECT_EQ(status->pending_rewrap, 0);
}

TEST_P(KeyringRewrapTest, RewrapRunsOnlineAlongsideServers) {
  std::vector<std::string> mids;
  for (int i = 0; i < 24; ++i) {
    mids.push_back("m-" + std::to_string(100 + i));
    add_profile(*ring_, mids.back());
  }
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  security::KeyringOptions o;
  o.poll = std::chrono::milliseconds(20);
  auto server = make_ring(kMasterA, o);
  server->start();
  std::atomic<bool> done{false};
  std::atomic<int> opened{0}, failures{0}, writes{0};
  std::thread reader([&] {
    while (!done) {
      for (const auto& mid : mids) {
        const auto v = stored(mid, "licence_number");
        if (v == "<none>") continue;
        auto p = server->open({mid, "manufacturer_profiles", "licence_number", mid}, v);
        (p && *p == "LIC-" + mid ? opened : failures)++;
      }
    }
  });
  std::thread writer([&] {  // a server replacing phones meanwhile
    for (int round = 0; round < 3; ++round) {
      for (const auto& mid : mids) {
        auto s = server->seal({mid, "manufacturer_profiles", "phone", mid}, "+4930901899");
        if (!s) continue;
        if (db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
              return c.execute("UPDATE manufacturer_profiles SET phone_sealed = $2 WHERE manufacturer_id = $1",
                               {mid, *s});
            })) {
          ++writes;
        }
      }
    }
  });
  security::RewrapOptions ro;
  ro.batch = 5;
  auto report = security::rewrap(*ring_, ro, kActor, logger_);
  writer.join();
  done = true;
  reader.join();
  server->stop();
  ASSERT_TRUE(report.has_value()) << report.error().internal;
  EXPECT_EQ(report->failed(), 0);
  EXPECT_EQ(failures.load(), 0) << "every read during the rewrap opened";
  EXPECT_GT(opened.load(), 0);
  EXPECT_EQ(writes.load(), 72);
  for (const auto& mid : mids) {
    EXPECT_EQ(*ring_->open({mid, "manufacturer_profiles", "phone", mid}, stored(mid, "phone")), "+4930901899")
        << "the servers' writes were not overwritten";
  }
  auto finish = security::rewrap(*ring_, ro, kActor, logger_);  // values a lagging server sealed under v1
  ASSERT_TRUE(finish.has_value());
  EXPECT_EQ(security::key_status(*ring_)->pending_rewrap, 0);
}

TEST_P(KeyringRewrapTest, RewrapReportsValuesThatDoNotOpenAndContinues) {
  add_profile(*ring_, "m-100");
  add_profile(*ring_, "m-101");
  auto tampered = stored("m-100", "tax_id");
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'x' ? 'y' : 'x';
  exec("UPDATE manufacturer_profiles SET tax_id_sealed = $2 WHERE manufacturer_id = $1", {"m-100", tampered});
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  auto report = security::rewrap(*ring_, {}, kActor, logger_);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->failed(), 1);
  EXPECT_EQ(report->rewrapped(), 5);
  EXPECT_TRUE(sink_->contains("\"row\":\"m-100\""));
  EXPECT_TRUE(sink_->contains("authentication_failed"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rewrap_completed' "
                  "AND outcome = 'failure'"),
            1);
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyringRewrapTest, ::testing::Values("sqlite", "postgres"), backend_name);

}  // namespace
}  // namespace eyewear::testing
