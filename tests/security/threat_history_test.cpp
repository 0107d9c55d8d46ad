// The recorder's queue (bounded, batched, retried) against a fake store, the security score, and
// the search's validation. The real store runs in tests/integration/threat_test.cpp on SQLite and
// PostgreSQL.
#include "security/threat_history.hpp"

#include <gtest/gtest.h>

#include "platform/clock.hpp"

namespace eyewear::security {
namespace {

class FakeStore final : public ThreatStore {
 public:
  Status append(const std::vector<ThreatRecord>& records, const std::vector<platform::AuditEvent>& audit) override {
    ++calls;
    if (fail_next) {
      fail_next = false;
      return platform::fail(platform::Error::unavailable("database", "down for the test"));
    }
    written.insert(written.end(), records.begin(), records.end());
    audited.insert(audited.end(), audit.begin(), audit.end());
    return {};
  }
  Result<ThreatCounts> counts(std::string_view, std::int64_t, int) override { return ThreatCounts{}; }
  Result<ThreatPage> search(const ThreatQuery& q) override {
    last_query = q;
    return ThreatPage{};
  }

  int calls = 0;
  bool fail_next = false;
  std::vector<ThreatRecord> written;
  std::vector<platform::AuditEvent> audited;
  ThreatQuery last_query;
};

std::vector<ThreatRecord> records(std::size_t n) {
  std::vector<ThreatRecord> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i].field = "/f" + std::to_string(i);
  return out;
}

class RecorderTest : public ::testing::Test {
 protected:
  std::shared_ptr<platform::CaptureSink> sink_ = std::make_shared<platform::CaptureSink>();
  platform::Logger logger_{sink_, platform::LogLevel::kInfo};
  FakeStore store_;
};

TEST_F(RecorderTest, NothingQueuedMeansNoWrite) {
  ThreatRecorder recorder(store_, logger_, {});
  ASSERT_TRUE(recorder.flush().has_value());
  EXPECT_EQ(store_.calls, 0);
}

TEST_F(RecorderTest, FlushWritesEverythingQueuedInOneBatch) {
  ThreatRecorder recorder(store_, logger_, {});
  EXPECT_TRUE(recorder.record(records(3)));
  platform::AuditEvent refusal;
  refusal.type = "threat_blocked";
  EXPECT_TRUE(recorder.record(records(2), refusal));
  EXPECT_EQ(recorder.pending(), 5u);
  ASSERT_TRUE(recorder.flush().has_value());
  EXPECT_EQ(store_.calls, 1);
  EXPECT_EQ(store_.written.size(), 5u);
  ASSERT_EQ(store_.audited.size(), 1u);
  EXPECT_EQ(store_.audited[0].type, "threat_blocked");
  EXPECT_EQ(recorder.pending(), 0u);
}

TEST_F(RecorderTest, TheQueueIsBoundedAndDropsAreCountedButRefusalsAreAudited) {
  ThreatRecorder recorder(store_, logger_, {4, std::chrono::milliseconds(1000)});
  EXPECT_TRUE(recorder.record(records(3)));
  platform::AuditEvent refusal;
  refusal.type = "threat_blocked";
  EXPECT_FALSE(recorder.record(records(2), refusal));
  EXPECT_EQ(recorder.dropped(), 2u);
  ASSERT_TRUE(recorder.flush().has_value());
  EXPECT_EQ(store_.written.size(), 3u);
  EXPECT_EQ(store_.audited.size(), 1u);
  EXPECT_TRUE(sink_->contains("queue full"));
}

TEST_F(RecorderTest, AFailedWriteIsRetriedInOrder) {
  ThreatRecorder recorder(store_, logger_, {});
  EXPECT_TRUE(recorder.record(records(2)));
  store_.fail_next = true;
  EXPECT_FALSE(recorder.flush().has_value());
  EXPECT_EQ(recorder.pending(), 2u);
  EXPECT_TRUE(recorder.record(records(1)));
  ASSERT_TRUE(recorder.flush().has_value());
  ASSERT_EQ(store_.written.size(), 3u);
  EXPECT_EQ(store_.written[0].field, "/f0");
  EXPECT_EQ(store_.written[1].field, "/f1");
  EXPECT_TRUE(sink_->contains("retrying"));
}

TEST_F(RecorderTest, StopWritesWhatIsLeft) {
  ThreatRecorder recorder(store_, logger_, {10, std::chrono::hours(1)});
  recorder.start();
  EXPECT_TRUE(recorder.record(records(4)));
  recorder.stop();
  EXPECT_EQ(store_.written.size(), 4u);
}

TEST(SecurityScore, PenaltiesAndLevels) {
  EXPECT_EQ(security_score(0, 0, 0).score, 100);
  EXPECT_EQ(security_score(0, 0, 0).level, "good");
  EXPECT_EQ(security_score(1, 2, 3).score, 100 - 10 - 6 - 3);
  EXPECT_EQ(security_score(1, 2, 3).level, "good");
  EXPECT_EQ(security_score(3, 1, 0).score, 67);
  EXPECT_EQ(security_score(3, 1, 0).level, "fair");
  EXPECT_EQ(security_score(5, 0, 1).level, "poor");
  EXPECT_EQ(security_score(50, 0, 0).score, 0) << "never negative";
}

TEST_F(RecorderTest, SearchValidatesItsFilters) {
  ThreatRecorder recorder(store_, logger_, {});
  platform::ManualClock clock(platform::from_unix_ms(1'800'000'000'000));
  ThreatHistory history(store_, recorder, clock);
  ThreatSearch q;
  q.type = "sqli";
  auto r = history.search(q);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, platform::ErrorCode::kValidationFailed);
  EXPECT_EQ(std::get<std::string>(*r.error().detail("field")), "type");
  q = {};
  q.severity = "critical";
  EXPECT_EQ(std::get<std::string>(*history.search(q).error().detail("field")), "severity");
  q = {};
  q.from_ms = 10;
  q.to_ms = 5;
  EXPECT_EQ(std::get<std::string>(*history.search(q).error().detail("field")), "from");
  q = {};
  q.page = 3;
  q.page_size = 20;
  ASSERT_TRUE(history.search(q).has_value());
  EXPECT_EQ(store_.last_query.offset, 40);
  EXPECT_EQ(store_.last_query.limit, 20);
}

}  // namespace
}  // namespace eyewear::security
