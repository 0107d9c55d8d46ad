// The SQL functions every SQLite connection registers for full-text search (storage/sqlite_fts.hpp):
// eyewear_fts_tokens must count what FTS5 records as a row's length, and eyewear_bm25 must rank
// exactly as FTS5's bm25, with the length given or (NULL) looked up.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "storage/open.hpp"
#include "support/environment.hpp"

namespace eyewear::testing {
namespace {

using storage::TxMode;

class SqliteFtsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions o;
    o.url = "sqlite:" + dir_.file("fts.db");
    o.pool_size = 2;
    auto db = storage::open_database(o);
    ASSERT_TRUE(db.has_value()) << db.error().internal;
    db_ = std::move(*db);
    auto made = db_->transact(TxMode::kWrite, [&](storage::Connection& c) -> platform::Status {
      EW_TRY(
          c.execute_script("CREATE TABLE docs (id INTEGER PRIMARY KEY, a TEXT, b TEXT, tokens INTEGER);"
                           "CREATE VIRTUAL TABLE docs_fts USING fts5(a, b, content = 'docs', content_rowid = 'id', "
                           "tokenize = 'unicode61 remove_diacritics 2');"));
      for (std::size_t i = 0; i < docs_.size(); ++i) {
        const auto id = static_cast<std::int64_t>(i + 1);
        EW_TRY(c.execute("INSERT INTO docs (id, a, b, tokens) VALUES ($1, $2, $3, eyewear_fts_tokens($2, $3))",
                         {id, docs_[i].first, docs_[i].second}));
        EW_TRY(
            c.execute("INSERT INTO docs_fts (rowid, a, b) VALUES ($1, $2, $3)", {id, docs_[i].first, docs_[i].second}));
      }
      return {};
    });
    ASSERT_TRUE(made.has_value()) << made.error().internal;
  }

  struct Scored {
    std::int64_t id;
    double builtin, given, looked_up;
  };
  std::vector<Scored> scores(const std::string& match) {
    auto rows = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
      return c.query(
          "SELECT d.id, bm25(docs_fts, 4.0, 1.5), eyewear_bm25(docs_fts, d.tokens, 4.0, 1.5), "
          "eyewear_bm25(docs_fts, NULL, 4.0, 1.5) FROM docs_fts CROSS JOIN docs d ON d.id = docs_fts.rowid "
          "WHERE docs_fts MATCH $1 ORDER BY d.id",
          {match});
    });
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().internal);
    std::vector<Scored> out;
    if (!rows) return out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const auto r = (*rows)[i];
      out.push_back({r.i64(0), r.f64(1), r.f64(2), r.f64(3)});
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  // Lengths differ on purpose (the length term of BM25 must matter), with diacritics,
  // punctuation, digits, non-Latin scripts, emoji and empty columns.
  std::vector<std::pair<std::string, std::string>> docs_ = {
      {"Round acetate frame", "A light round frame in acetate."},
      {"Aviator", "Titanium aviator, gold finish; spring hinges and a long, long description of the aviator frame"},
      {"Café Round", "Façade-inspired, hand-made round frame (52□18-145) — crème brûlée"},
      {"ROUND round Round", ""},
      {"", "round"},
      {"Kjær & Søn Round 2", "Øyne: rundt, 100% håndlaget ✓ 😀 round"},
      {"Clubmaster", "Browline frame without the word"},
      {"眼镜 round", "日本製 チタン round ラウンド"},
  };
};

TEST_F(SqliteFtsTest, TokenCountIsTheLengthFts5Records) {
  // Counted by hand for two rows; that the count equals FTS5's own record for every row is what
  // RanksExactlyAsFts5Bm25 shows (bm25 with the given length equals bm25 with the looked-up one).
  auto rows = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
    return c.query(
        "SELECT id, tokens, eyewear_fts_tokens(a), eyewear_fts_tokens(b), eyewear_fts_tokens(NULL), "
        "eyewear_fts_tokens() FROM docs ORDER BY id");
  });
  ASSERT_TRUE(rows.has_value()) << rows.error().internal;
  ASSERT_EQ(rows->size(), docs_.size());
  EXPECT_EQ((*rows)[0].i64(1), 3 + 6);  // "Round acetate frame" + "A light round frame in acetate."
  EXPECT_EQ((*rows)[3].i64(1), 3);
  EXPECT_EQ((*rows)[4].i64(1), 1);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto r = (*rows)[i];
    EXPECT_EQ(r.i64(1), r.i64(2) + r.i64(3)) << "row " << i;
    EXPECT_EQ(r.i64(4), 0);
    EXPECT_EQ(r.i64(5), 0);
  }
}

TEST_F(SqliteFtsTest, RanksExactlyAsFts5Bm25) {
  for (const std::string match : {"round", "\"roun\"*", "round AND frame", "aviator OR round", "cafe", "søn",
                                  "\"long long\"", "titanium", "ラウンド"}) {
    const auto got = scores(match);
    ASSERT_FALSE(got.empty()) << match;
    for (const auto& s : got) {
      EXPECT_NEAR(s.given, s.builtin, 1e-12 * std::max(1.0, std::fabs(s.builtin))) << match << " row " << s.id;
      EXPECT_NEAR(s.looked_up, s.builtin, 1e-12 * std::max(1.0, std::fabs(s.builtin))) << match << " row " << s.id;
      EXPECT_LT(s.builtin, 0.0) << match;  // FTS5 convention: better matches are more negative
    }
  }
}

TEST_F(SqliteFtsTest, ALengthThatIsWrongChangesTheScore) {
  // Guards the test above: the given length is really used, not looked up anyway.
  auto rows = db_->transact(TxMode::kRead, [&](storage::Connection& c) {
    return c.query(
        "SELECT bm25(docs_fts), eyewear_bm25(docs_fts, d.tokens), eyewear_bm25(docs_fts, d.tokens + 50) "
        "FROM docs_fts CROSS JOIN docs d ON d.id = docs_fts.rowid WHERE docs_fts MATCH 'aviator'");
  });
  ASSERT_TRUE(rows.has_value()) << rows.error().internal;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ((*rows)[0].f64(1), (*rows)[0].f64(0));
  EXPECT_GT((*rows)[0].f64(2), (*rows)[0].f64(1));  // a longer row scores weaker (less negative)
}

TEST_F(SqliteFtsTest, OutsideAFullTextQueryItIsAnErrorNotACrash) {
  auto r = db_->transact(TxMode::kRead,
                         [&](storage::Connection& c) { return c.query("SELECT eyewear_bm25(1, 2) FROM docs"); });
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace eyewear::testing
