// The SQL functions every SQLite connection registers for full-text search (storage/sqlite_fts.hpp):
// eyewear_fts_tokens must count what FTS5 records as a row's length, and eyewear_bm25 must rank
// exactly as FTS5's bm25, with the length given or (NULL) looked up.
#include "storage/sqlite_fts.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
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

// The platform's connections read `unicode61` through a tokenizer with an ASCII fast path
// (storage/sqlite_fts.cpp) that must make exactly the library's tokens: the same bytes, offsets,
// flags and order, for documents and queries, under every argument list. Compared here with the
// library's own unicode61 on a connection that never registered ours, over every line of the
// labelled corpora and the catalogue fixture, and over random texts that mix ASCII separators,
// letters, digits, multi-byte characters (letters with diacritics, symbols, CJK, emoji, combining
// marks, non-ASCII spaces) and invalid UTF-8.
class Unicode61Test : public ::testing::Test {
 protected:
  struct Token {
    int flags;
    std::string text;
    int start, end;
    bool operator==(const Token&) const = default;
  };

  struct Tokenizer {
    fts5_tokenizer api{};
    Fts5Tokenizer* instance = nullptr;
    ~Tokenizer() {
      if (instance != nullptr) api.xDelete(instance);
    }
  };

  static std::unique_ptr<Tokenizer> make(sqlite3* db, const std::vector<const char*>& args) {
    auto t = std::make_unique<Tokenizer>();
    fts5_api* api = storage::fts5_api_of(db);
    void* user = nullptr;
    if (api == nullptr || api->xFindTokenizer(api, "unicode61", &user, &t->api) != SQLITE_OK) return nullptr;
    std::vector<const char*> a = args;
    if (t->api.xCreate(user, a.data(), static_cast<int>(a.size()), &t->instance) != SQLITE_OK) return nullptr;
    return t;
  }

  static std::vector<Token> tokens(Tokenizer& t, int flags, const std::string& text) {
    std::vector<Token> out;
    const int rc = t.api.xTokenize(t.instance, &out, flags, text.data(), static_cast<int>(text.size()),
                                   [](void* ctx, int f, const char* token, int n, int start, int end) {
                                     static_cast<std::vector<Token>*>(ctx)->push_back(
                                         Token{f, std::string(token, static_cast<std::size_t>(n)), start, end});
                                     return SQLITE_OK;
                                   });
    if (rc != SQLITE_OK) out.push_back(Token{-1, "rc " + std::to_string(rc), 0, 0});
    return out;
  }

  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &library_), SQLITE_OK);
    ASSERT_EQ(sqlite3_open(":memory:", &platform_), SQLITE_OK);
    ASSERT_TRUE(storage::register_fts_functions(platform_));
  }
  void TearDown() override {
    sqlite3_close(library_);
    sqlite3_close(platform_);
  }

  static std::vector<std::string> texts() {
    std::vector<std::string> out;
    namespace fs = std::filesystem;
    std::vector<fs::path> files{fs::path(EYEWEAR_SOURCE_DIR) / "tests/fixtures/eyewear_catalogue_texts.txt"};
    for (const auto& e : fs::recursive_directory_iterator(EYEWEAR_CORPORA_DIR)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::string line;
      while (std::getline(in, line)) out.push_back(line);
    }
    const std::vector<std::string> pieces = {
        " ", "  ", "-",    ".",      ",",      "'",        "\"",      "*",       "(",  ")",
        "_", "\t", "\n",   "a",      "Z",      "round",    "ROUND",   "Acetate", "52", "x9",
        "é", "É",  "ß",    "ø",      "ñ",      "ü",        "e\u0301", "™",       "½",  "²",
        "µ", "□",  "—",    "\u00a0", "\u2003", "\u200b",   "眼镜",    "チタン",  "😀",  "ﬁ",
        "Ⅻ", "Ａ", "\xff", "\xc3",   "\x80",   "\xe2\x82", "\xf0\x9f"};
    std::mt19937 rng(20261206);
    for (int i = 0; i < 20000; ++i) {
      std::string text;
      const int n = static_cast<int>(rng() % 12);
      for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
      out.push_back(text);
    }
    for (int i = 0; i < 2000; ++i) {  // random bytes
      std::string text(rng() % 24, '\0');
      for (auto& c : text) c = static_cast<char>(rng() % 256);
      out.push_back(text);
    }
    return out;
  }

  sqlite3* library_ = nullptr;
  sqlite3* platform_ = nullptr;
};

TEST_F(Unicode61Test, ThePlatformsTokenizerMakesExactlyTheLibrarysTokens) {
  const auto all = texts();
  ASSERT_GT(all.size(), 40000U);
  const std::vector<std::vector<const char*>> argument_lists = {{},
                                                                {"remove_diacritics", "0"},
                                                                {"remove_diacritics", "1"},
                                                                {"remove_diacritics", "2"},
                                                                {"tokenchars", "-_"},
                                                                {"separators", "xX"},
                                                                {"remove_diacritics", "2", "categories", "L* N*"}};
  std::size_t compared = 0, with_tokens = 0;
  for (const auto& args : argument_lists) {
    auto library = make(library_, args);
    auto platform = make(platform_, args);
    ASSERT_NE(library, nullptr);
    ASSERT_NE(platform, nullptr);
    ASSERT_NE(platform->api.xTokenize, library->api.xTokenize) << "the platform's connection reads its own";
    // Arguments that change the token characters take the library's path for every text: a
    // sample of the texts shows they still arrive there.
    bool fast = args.size() % 2 == 0;
    for (std::size_t k = 0; k < args.size(); k += 2) fast = fast && std::string_view(args[k]) == "remove_diacritics";
    const std::size_t step = fast ? 1 : 16;
    for (const int flags : {FTS5_TOKENIZE_DOCUMENT, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX}) {
      for (std::size_t i = 0; i < all.size(); i += step) {
        const auto& text = all[i];
        const auto want = tokens(*library, flags, text);
        ASSERT_EQ(tokens(*platform, flags, text), want) << "text '" << text << "', " << args.size() << " arguments";
        ++compared;
        if (!want.empty()) ++with_tokens;
      }
    }
  }
  EXPECT_GT(compared, 8 * all.size());
  EXPECT_GT(with_tokens, compared / 2);
}

// A callback that stops early (SQLITE_DONE) or fails stops the platform's tokenizer as it stops
// the library's: no more tokens, and DONE reads as success.
TEST_F(Unicode61Test, ACallbackThatStopsEndsTokenizingAsTheLibraryDoes) {
  for (sqlite3* db : {library_, platform_}) {
    auto t = make(db, {"remove_diacritics", "2"});
    ASSERT_NE(t, nullptr);
    for (const int stop : {SQLITE_DONE, SQLITE_NOMEM}) {
      struct Seen {
        int stop, calls = 0;
      } seen{stop};
      const std::string text = "one two Café three";
      const int rc = t->api.xTokenize(t->instance, &seen, FTS5_TOKENIZE_DOCUMENT, text.data(),
                                      static_cast<int>(text.size()), [](void* ctx, int, const char*, int, int, int) {
                                        auto* s = static_cast<Seen*>(ctx);
                                        return ++s->calls == 2 ? s->stop : SQLITE_OK;
                                      });
      EXPECT_EQ(seen.calls, 2) << (db == library_ ? "library" : "platform");
      EXPECT_EQ(rc, stop == SQLITE_DONE ? SQLITE_OK : stop) << (db == library_ ? "library" : "platform");
    }
  }
}

}  // namespace
}  // namespace eyewear::testing
