// The storage contract: every backend must pass these.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "platform/perf_monitor.hpp"
#include "storage/backend_fixture.hpp"

namespace eyewear::testing {
namespace {

using platform::ErrorCode;
using storage::Param;
using storage::TxMode;

class StorageContract : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto tx = db_->begin(TxMode::kWrite);
    ASSERT_TRUE(tx.has_value()) << tx.error().internal;
    ASSERT_TRUE(tx->conn()
                    .execute_script("CREATE TABLE items (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, "
                                    "s TEXT, b " + blob_type() + ", n TEXT, UNIQUE (s));"
                                    "CREATE TABLE counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                                    "INSERT INTO counters (id, n) VALUES (1, 0);")
                    .has_value());
    ASSERT_TRUE(tx->commit().has_value());
  }

  std::int64_t count_items() {
    auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) { return c.query("SELECT COUNT(*) FROM items"); });
    return rows ? (*rows)[0].i64(0) : -1;
  }
};

TEST_P(StorageContract, ParametersOfEveryKindRoundTrip) {
  const std::string blob("\x00\x01\xff binary\x00", 11);
  const std::string text = "héllo 'quoted' \"double\" ; DROP TABLE items; --";
  auto inserted = db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
    return c.execute("INSERT INTO items (id, i, d, s, b, n) VALUES ($1, $2, $3, $4, $5, $6)",
                     {Param(std::int64_t{1}), Param(std::int64_t{-9007199254740993}), Param(3.25), Param(text),
                      Param::blob(blob), Param(nullptr)});
  });
  ASSERT_TRUE(inserted.has_value()) << inserted.error().internal;
  EXPECT_EQ(*inserted, 1);
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT id, i, d, s, b, n FROM items WHERE id = $1", {1});
  });
  ASSERT_TRUE(rows.has_value()) << rows.error().internal;
  ASSERT_EQ(rows->size(), 1u);
  const auto row = rows->front();
  EXPECT_EQ(row.i64(0), 1);
  EXPECT_EQ(row.i64(1), -9007199254740993);
  EXPECT_DOUBLE_EQ(row.f64(2), 3.25);
  EXPECT_EQ(row.str(3), text);
  EXPECT_EQ(row.blob(4), blob);
  EXPECT_TRUE(row.is_null(5));
  EXPECT_FALSE(row.opt_str(5).has_value());
  EXPECT_EQ(count_items(), 1);
}

// for_each_row hands over the same values as query, row by row (SQLite steps the statement, other
// backends walk a materialised result), and reports a failing statement as an error.
TEST_P(StorageContract, StreamedRowsMatchTheMaterialisedResult) {
  auto inserted = db_->transact(TxMode::kWrite, [&](storage::Connection& c) -> platform::Result<std::int64_t> {
    for (std::int64_t id = 1; id <= 300; ++id) {
      EW_TRY(c.execute("INSERT INTO items (id, i, d, s, n) VALUES ($1, $2, $3, $4, $5)",
                       {Param(id), Param(id * -7), Param(static_cast<double>(id) / 4), Param("text " + std::to_string(id)),
                        id % 3 == 0 ? Param(nullptr) : Param(std::string("n"))}));
    }
    return std::int64_t{300};
  });
  ASSERT_TRUE(inserted.has_value()) << inserted.error().internal;
  const std::string sql = "SELECT id, i, d, s, n FROM items WHERE id BETWEEN $1 AND $2 ORDER BY id";
  auto streamed = db_->transact(TxMode::kRead, [&](storage::Connection& c) -> platform::Result<std::int64_t> {
    auto rows = c.query(sql, {Param(std::int64_t{11}), Param(std::int64_t{290})});
    if (!rows) return platform::fail(rows.error());
    std::size_t i = 0;
    std::int64_t mismatches = 0;
    const Param range[] = {Param(std::int64_t{11}), Param(std::int64_t{290})};
    EW_TRY(c.for_each_row(sql, storage::Params(range), [&](const storage::RowView& r) {
      const auto m = (*rows)[i++];
      if (r.i64(0) != m.i64(0) || r.i64(1) != m.i64(1) || r.f64(2) != m.f64(2) || r.text(3) != m.text(3) ||
          r.is_null(4) != m.is_null(4) || r.text(4) != m.text(4)) {
        ++mismatches;
      }
    }));
    if (i != rows->size()) return platform::fail(platform::Error::internal_error("row count differs"));
    return mismatches;
  });
  ASSERT_TRUE(streamed.has_value()) << streamed.error().internal;
  EXPECT_EQ(*streamed, 0);

  std::int64_t visited = 0;
  auto empty = db_->transact(TxMode::kRead, [&](storage::Connection& c) -> platform::Status {
    const Param none[] = {Param(std::int64_t{1000}), Param(std::int64_t{2000})};
    return c.for_each_row(sql, storage::Params(none), [&](const storage::RowView&) { ++visited; });
  });
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(visited, 0);
  auto bad = db_->transact(TxMode::kRead, [&](storage::Connection& c) -> platform::Status {
    return c.for_each_row("SELECT no_such_column FROM items", storage::Params(), [&](const storage::RowView&) { ++visited; });
  });
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(visited, 0);
}

// A table of rows bound as one parameter (storage::ParamRows): SQLite writes a whole batch with one
// INSERT ... SELECT FROM eyewear_rows($1), every value as bound and the rows in order;
// PostgreSQL refuses it as an error, and neither writes half of anything.
TEST_P(StorageContract, ATableOfRowsIsOneStatementOnSqliteAndRefusedElsewhere) {
  const std::string blob("\x00\x01\xff binary\x00", 11);
  const std::string text = "héllo 'quoted' \"double\" ; DROP TABLE items; --";
  std::vector<std::string> texts;
  for (int id = 0; id < 500; ++id) texts.push_back("row " + std::to_string(id) + (id == 7 ? text : ""));
  storage::ParamRows rows(6);
  rows.reserve(texts.size());
  for (std::size_t k = 0; k < texts.size(); ++k) {
    const auto id = static_cast<std::int64_t>(k) + 1;
    rows.add({Param(id), Param(id == 2 ? std::int64_t{-9007199254740993} : id * 3), Param(static_cast<double>(id) / 8),
              Param(texts[k]), id % 2 == 0 ? Param::blob(blob) : Param(nullptr), Param(nullptr)});
  }
  ASSERT_EQ(rows.size(), texts.size());
  const std::string sql = "INSERT INTO items (id, i, d, s, b, n) SELECT c0, c1, c2, c3, c4, c5 FROM eyewear_rows($1)";
  auto inserted = db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
    const Param all[] = {Param::rows(rows)};
    return c.execute(sql, storage::Params(all));
  });
  if (is_pg()) {
    ASSERT_FALSE(inserted.has_value());
    EXPECT_EQ(inserted.error().code, ErrorCode::kInternal);
    EXPECT_EQ(count_items(), 0);
    return;
  }
  ASSERT_TRUE(inserted.has_value()) << inserted.error().internal;
  EXPECT_EQ(*inserted, 500);
  auto read = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT id, i, d, s, b, n, typeof(b) FROM items ORDER BY id");
  });
  ASSERT_TRUE(read.has_value()) << read.error().internal;
  ASSERT_EQ(read->size(), 500U);
  for (std::size_t k = 0; k < read->size(); ++k) {
    const auto r = (*read)[k];
    const auto id = static_cast<std::int64_t>(k) + 1;
    ASSERT_EQ(r.i64(0), id);
    EXPECT_EQ(r.i64(1), id == 2 ? std::int64_t{-9007199254740993} : id * 3);
    EXPECT_DOUBLE_EQ(r.f64(2), static_cast<double>(id) / 8);
    EXPECT_EQ(r.str(3), texts[k]);
    EXPECT_EQ(r.str(6), id % 2 == 0 ? "blob" : "null");
    if (id % 2 == 0) {
      EXPECT_EQ(r.blob(4), blob);
    }
    EXPECT_TRUE(r.is_null(5));
  }

  // Columns past the rows' own read as NULL; the rowid is the row's position.
  auto beyond = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
    const Param all[] = {Param::rows(rows)};
    return c.query("SELECT COUNT(*), COUNT(c6), COUNT(c31), MIN(rowid), MAX(rowid) FROM eyewear_rows($1)",
                   storage::Params(all));
  });
  ASSERT_TRUE(beyond.has_value()) << beyond.error().internal;
  EXPECT_EQ(beyond->front().i64(0), 500);
  EXPECT_EQ(beyond->front().i64(1), 0);
  EXPECT_EQ(beyond->front().i64(2), 0);
  EXPECT_EQ(beyond->front().i64(3), 0);
  EXPECT_EQ(beyond->front().i64(4), 499);

  // An empty table writes nothing; SQL text cannot stand in for a bound table (a string or a
  // number reads as no rows), and the function without its argument is an error, not a crash.
  storage::ParamRows none(6);
  auto empty = db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
    const Param all[] = {Param::rows(none)};
    return c.execute(sql, storage::Params(all));
  });
  ASSERT_TRUE(empty.has_value()) << empty.error().internal;
  EXPECT_EQ(*empty, 0);
  auto forged = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
    return c.query(
        "SELECT (SELECT COUNT(*) FROM eyewear_rows($1)), (SELECT COUNT(*) FROM eyewear_rows(140737488355328))",
        {Param("0x7fff00001000")});
  });
  ASSERT_TRUE(forged.has_value()) << forged.error().internal;
  EXPECT_EQ(forged->front().i64(0), 0);
  EXPECT_EQ(forged->front().i64(1), 0);
  auto bare =
      db_->transact(TxMode::kRead, [&](storage::Connection& c) { return c.query("SELECT c0 FROM eyewear_rows"); });
  EXPECT_FALSE(bare.has_value());

  // More columns than eyewear_rows declares is refused at bind, and nothing is written.
  storage::ParamRows wide(storage::ParamRows::kMaxColumns + 1);
  std::vector<Param> cells(wide.columns(), Param(std::int64_t{900}));
  wide.add(storage::Params(cells));
  auto too_wide = db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
    const Param all[] = {Param::rows(wide)};
    return c.execute("INSERT INTO items (id) SELECT c0 FROM eyewear_rows($1)", storage::Params(all));
  });
  ASSERT_FALSE(too_wide.has_value());
  EXPECT_EQ(too_wide.error().code, ErrorCode::kInternal);
  EXPECT_EQ(count_items(), 500);
}

TEST_P(StorageContract, CommittedWritesPersistAndUncommittedRollBack) {
  {
    auto tx = db_->begin(TxMode::kWrite);
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE(tx->conn().execute("INSERT INTO items (id, s) VALUES ($1, $2)", {1, "kept"}).has_value());
    ASSERT_TRUE(tx->commit().has_value());
  }
  {
    auto tx = db_->begin(TxMode::kWrite);
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE(tx->conn().execute("INSERT INTO items (id, s) VALUES ($1, $2)", {2, "dropped"}).has_value());
    // destroyed without commit: RAII rollback
  }
  auto failed = db_->transact(TxMode::kWrite, [](storage::Connection& c) -> platform::Result<int> {
    EW_TRY(c.execute("INSERT INTO items (id, s) VALUES ($1, $2)", {3, "also dropped"}));
    return platform::fail(ErrorCode::kValidationFailed, "business rule failed");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(count_items(), 1);
}

TEST_P(StorageContract, UniqueViolationIsConflictAndLeavesNothingBehind) {
  ASSERT_TRUE(db_->transact(TxMode::kWrite, [](storage::Connection& c) {
                  return c.execute("INSERT INTO items (id, s) VALUES ($1, $2)", {1, "same"});
                }).has_value());
  auto dup = db_->transact(TxMode::kWrite, [](storage::Connection& c) -> platform::Result<std::int64_t> {
    EW_TRY(c.execute("INSERT INTO items (id, s) VALUES ($1, $2)", {2, "other"}));
    return c.execute("INSERT INTO items (id, s) VALUES ($1, $2)", {3, "same"});
  });
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count_items(), 1);
}

TEST_P(StorageContract, PlaceholdersInsideStringLiteralsAreLeftAlone) {
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT '$1 costs $2', $1", {"value"});
  });
  ASSERT_TRUE(rows.has_value()) << rows.error().internal;
  EXPECT_EQ((*rows)[0].str(0), "$1 costs $2");
  EXPECT_EQ((*rows)[0].str(1), "value");
}

TEST_P(StorageContract, WrongParameterCountIsAnErrorNotACrash) {
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT id FROM items WHERE id = $1 AND s = $2", {1});
  });
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kInternal);
}

TEST_P(StorageContract, ConcurrentIncrementsAreExact) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db_->transact(TxMode::kWrite, [](storage::Connection& c) {
          return c.execute("UPDATE counters SET n = n + 1 WHERE id = $1", {1});
        });
        if (!r) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto rows = db_->transact(TxMode::kRead, [](storage::Connection& c) {
    return c.query("SELECT n FROM counters WHERE id = $1", {1});
  });
  EXPECT_EQ((*rows)[0].i64(0), kThreads * kEach);
}

TEST_P(StorageContract, ConditionalUpdateNeverOvershootsALimit) {
  constexpr int kThreads = 50, kLimit = 10;
  std::vector<std::thread> threads;
  std::atomic<int> granted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto r = db_->transact(TxMode::kWrite, [](storage::Connection& c) {
        return c.execute("UPDATE counters SET n = n + $1 WHERE id = $2 AND n + $1 <= $3", {1, 1, kLimit});
      });
      if (r && *r == 1) ++granted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), kLimit);
}

TEST_P(StorageContract, PingMeasuresARoundTrip) {
  const auto r = db_->ping();
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_GT(r.latency.count(), 0);
  EXPECT_EQ(db_->pool_stats().size, 8u);
  EXPECT_EQ(db_->pool_stats().in_use, 0u);
}

TEST_P(StorageContract, BackupProducesAUsableCopy) {
  ASSERT_TRUE(db_->transact(TxMode::kWrite, [](storage::Connection& c) {
                  return c.execute("INSERT INTO items (id, s) VALUES ($1, $2)", {7, "backed up"});
                }).has_value());
  const auto file = dir_.file("backup.bin");
  auto st = db_->backup_to(file);
  ASSERT_TRUE(st.has_value()) << st.error().internal;
  if (is_pg()) {
    std::ifstream in(file, std::ios::binary);
    char magic[5] = {};
    in.read(magic, 5);
    EXPECT_EQ(std::string(magic, 5), "PGDMP");  // pg_dump custom format
  } else {
    auto copy = open("sqlite:" + file, 1);
    auto rows = copy->transact(TxMode::kRead, [](storage::Connection& c) {
      return c.query("SELECT s FROM items WHERE id = $1", {7});
    });
    ASSERT_TRUE(rows.has_value());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].str(0), "backed up");
  }
}

TEST_P(StorageContract, ClosedDatabaseAnswersUnavailable) {
  db_->close();
  auto tx = db_->begin(TxMode::kRead);
  ASSERT_FALSE(tx.has_value());
  EXPECT_EQ(tx.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(db_->ping().ok);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageContract, ::testing::Values("sqlite", "postgres"), backend_name);

}  // namespace
}  // namespace eyewear::testing

namespace eyewear::testing {
namespace {

// EYEWEAR_SQLITE_MMAP_SIZE reaches every pooled connection, and reads through the map see what
// the writer committed.
TEST(SqliteOptionsTest, EveryConnectionUsesTheConfiguredMemoryMap) {
  TempDir dir;
  for (const std::size_t size : {std::size_t{64} << 20, std::size_t{0}}) {
    storage::DatabaseOptions o;
    o.url = "sqlite:" + dir.file("mmap-" + std::to_string(size) + ".db");
    o.pool_size = 3;
    o.sqlite_mmap_size = size;
    auto db = storage::open_database(o);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    ASSERT_TRUE((*db)->transact(TxMode::kWrite, [](storage::Connection& c) {
                       return c.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                                               "INSERT INTO t (id, v) VALUES (1, 'mapped');");
                     })
                    .has_value());
    // Hold all three connections at once so that each one is asked.
    std::vector<storage::Transaction> held;
    for (int i = 0; i < 3; ++i) {
      auto tx = (*db)->begin(TxMode::kRead);
      ASSERT_TRUE(tx.has_value()) << tx.error().internal;
      auto rows = tx->conn().query("PRAGMA mmap_size");
      ASSERT_TRUE(rows.has_value()) << rows.error().internal;
      EXPECT_EQ(rows->front().i64(0), static_cast<std::int64_t>(size));
      auto v = tx->conn().query("SELECT v FROM t WHERE id = 1");
      ASSERT_TRUE(v.has_value());
      EXPECT_EQ(v->front().str(0), "mapped");
      held.push_back(std::move(*tx));
    }
  }
}

// EYEWEAR_SQLITE_PAGE_SIZE sizes the pages of a new file only: a file that exists keeps its own
// (and all its rows) whatever the option says, until it is rebuilt with the procedure of
// docs/OPERATIONS.md ("SQLite page size"), after which it opens with the new size.
TEST(SqliteOptionsTest, NewFilesTakeTheConfiguredPageSizeAndExistingOnesKeepTheirs) {
  TempDir dir;
  const auto open = [&](const std::string& file, std::size_t page_size) {
    storage::DatabaseOptions o;
    o.url = "sqlite:" + dir.file(file);
    o.pool_size = 2;
    o.sqlite_page_size = page_size;
    return storage::open_database(o);
  };
  const auto page_size_of = [](storage::Database& db) {
    std::int64_t size = -1, rows = -1;
    EXPECT_TRUE(db.transact(TxMode::kRead, [&](storage::Connection& c) -> platform::Status {
                    EW_ASSIGN_OR_RETURN(auto p, c.query("PRAGMA page_size"));
                    EW_ASSIGN_OR_RETURN(auto n, c.query("SELECT COUNT(*) FROM t"));
                    size = p.front().i64(0);
                    rows = n.front().i64(0);
                    return {};
                  }).has_value());
    EXPECT_EQ(rows, 500);
    return size;
  };
  const auto fill = [](storage::Database& db) {
    ASSERT_TRUE(db.transact(TxMode::kWrite, [](storage::Connection& c) {
                    return c.execute_script(
                        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                        "INSERT INTO t (id, v) SELECT i, printf('%0200d', i) FROM n;");
                  }).has_value());
  };
  {
    auto db = open("default.db", storage::DatabaseOptions{}.sqlite_page_size);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    fill(**db);
    EXPECT_EQ(page_size_of(**db), 8192);
  }
  {
    auto db = open("small.db", 4096);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    fill(**db);
    EXPECT_EQ(page_size_of(**db), 4096);
  }
  {
    auto db = open("small.db", 16384);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    EXPECT_EQ(page_size_of(**db), 4096) << "an existing file keeps its page size";
  }
  // The documented rebuild, with nothing open on the file.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("small.db").c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(raw, "PRAGMA journal_mode=DELETE; PRAGMA page_size=8192; VACUUM; PRAGMA journal_mode=WAL;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto db = open("small.db", 4096);
  ASSERT_TRUE(db.has_value()) << db.error().internal;
  EXPECT_EQ(page_size_of(**db), 8192) << "rebuilt, the file keeps its new size";
}

// Write-ahead log checkpoints run after the writer lock is released, and a log past the limit
// is copied before it is: the log file stays bounded by the limit (plus the commits in flight)
// with writers queueing back to back, and by the checkpoint size with one writer.
TEST(SqliteOptionsTest, TheWriteAheadLogStaysBoundedWhileWritersQueue) {
  TempDir dir;
  for (const int writers : {1, 3}) {
    storage::DatabaseOptions o;
    const auto path = dir.file("wal-" + std::to_string(writers) + ".db");
    o.url = "sqlite:" + path;
    o.pool_size = 4;
    o.sqlite_page_size = 4096;  // the frame sizes below
    o.sqlite_checkpoint_frames = 20;
    o.sqlite_wal_limit_factor = 4;  // 80 frames
    auto db = storage::open_database(o);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    ASSERT_TRUE((*db)
                    ->transact(TxMode::kWrite,
                               [](storage::Connection& c) {
                                 return c.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
                               })
                    .has_value());
    std::atomic<std::uintmax_t> largest{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&] {
        for (int i = 0; i < 40; ++i) {
          // About 17 frames a commit: four 16 KB blobs on overflow pages.
          const auto st = (*db)->transact(TxMode::kWrite, [](storage::Connection& c) -> platform::Status {
            for (int k = 0; k < 4; ++k) EW_TRY(c.execute("INSERT INTO t (v) VALUES (randomblob(16000))"));
            return {};
          });
          if (!st) ++failures;
          std::error_code ec;
          const auto size = std::filesystem::file_size(path + "-wal", ec);
          if (!ec) {
            auto seen = largest.load();
            while (size > seen && !largest.compare_exchange_weak(seen, size)) {
            }
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    auto tx = (*db)->begin(TxMode::kRead);
    ASSERT_TRUE(tx.has_value());
    auto rows = tx->conn().query("SELECT COUNT(*) FROM t");
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(rows->front().i64(0), writers * 40 * 4) << "every commit is there";
    constexpr std::uintmax_t kFrame = 4096 + 24;
    // Without checkpoints the log would hold every commit: 40 x writers x ~17 frames.
    const std::uintmax_t bound = (writers == 1 ? 20 + 2 * 18 : 80 + (writers + 1) * 18) * kFrame + 32;
    EXPECT_LE(largest.load(), bound) << writers << " writer(s): the log grew to " << largest.load() / kFrame
                                     << " frames";
  }
}

// The writer lock's wait and hold times and the checkpoints are monitored operations (kind
// db.writer): one histogram observation per write transaction, none for a read.
TEST(SqliteOptionsTest, WriterTimesAreRecordedPerWriteTransaction) {
  TempDir dir;
  auto sink = std::make_shared<platform::CaptureSink>();
  platform::Logger logger(sink, platform::LogLevel::kInfo);
  platform::Registry registry;
  platform::ManualClock clock(platform::from_unix_ms(1'800'000'000'000));
  platform::PerfMonitor monitor(platform::PerfConfig{}, registry, logger, clock);
  storage::DatabaseOptions o;
  o.url = "sqlite:" + dir.file("writer.db");
  o.monitor = &monitor;
  o.sqlite_checkpoint_frames = 1;  // every commit that wrote a frame is copied beside
  auto db = storage::open_database(o);
  ASSERT_TRUE(db.has_value()) << db.error().internal;
  auto count = [&](std::string_view operation) {
    const std::string series =
        "eyewear_db_writer_duration_seconds_count{operation=\"sqlite: " + std::string(operation) + "\"} ";
    const auto text = registry.render();
    const auto at = text.find(series);
    return at == std::string::npos ? -1L : std::strtol(text.c_str() + at + series.size(), nullptr, 10);
  };
  // One transaction of `mode` running `sql`; true when it committed.
  auto run = [&](TxMode mode, const char* sql) {
    return (*db)->transact(mode, [sql](storage::Connection& c) { return c.execute_script(sql); }).has_value();
  };
  EXPECT_EQ(count("writer held"), 0);
  ASSERT_TRUE(run(TxMode::kWrite, "CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(run(TxMode::kWrite, "INSERT INTO t (id) VALUES (NULL)"));
  ASSERT_TRUE(run(TxMode::kRead, "SELECT COUNT(*) FROM t"));
  // A write that fails is rolled back and still releases (and times) the lock.
  EXPECT_FALSE(run(TxMode::kWrite, "INSERT INTO missing (id) VALUES (1)"));
  EXPECT_EQ(count("writer wait"), 5);
  EXPECT_EQ(count("writer held"), 5);
  EXPECT_GE(count("checkpoint"), 1);
  EXPECT_FALSE(sink->contains("slow operation")) << "db.writer starts at a 1 s threshold";
}

}  // namespace
}  // namespace eyewear::testing
