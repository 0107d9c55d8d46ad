// SQL functions every SQLite connection of the platform registers for its FTS5 tables, and the
// tokenizer they read text with.
//
//   unicode61                      FTS5's own tokenizer, registered again under its own name
//                                  with an ASCII fast path: runs of ASCII letters and digits are
//                                  folded and emitted by a byte loop, every other run goes to the
//                                  library's unicode61; the tokens are the library's exactly
//                                  (tests/storage/sqlite_fts_test.cpp compares them). Tables and
//                                  files stay plain FTS5: any SQLite opens them.
//   eyewear_fts_tokens(text, ...)  the number of tokens FTS5's `unicode61 remove_diacritics 2`
//                                  tokenizer makes of the arguments together: the document
//                                  length FTS5 records for a row with those column values.
//   eyewear_bm25(fts, tokens, w0, w1, ...)
//                                  an FTS5 auxiliary function that ranks exactly as FTS5's own
//                                  bm25(fts, w0, w1, ...), but takes the row's length in tokens
//                                  from its argument instead of looking it up in the table's
//                                  %_docsize (one b-tree search per matching row, about half of
//                                  the cost of a ranked query; docs/CATALOG.md, "Search"). A NULL
//                                  `tokens` falls back to the lookup.
#pragma once

struct sqlite3;
struct fts5_api;

namespace eyewear::storage {

// The tokenizer arguments the functions assume; an FTS5 table ranked with eyewear_bm25 must be
// declared with the same (`tokenize = 'unicode61 remove_diacritics 2'`).
inline constexpr const char* kFtsTokenizer = "unicode61";
inline constexpr const char* kFtsTokenizerArgs[] = {"remove_diacritics", "2"};

// FTS5's extension API of `db` (`SELECT fts5(?1)`), or null without FTS5.
[[nodiscard]] fts5_api* fts5_api_of(sqlite3* db);

// Registers the tokenizer and both functions on `db`, before any FTS5 table is opened on it.
// False if FTS5 is missing or registration failed.
[[nodiscard]] bool register_fts_functions(sqlite3* db);

}  // namespace eyewear::storage
