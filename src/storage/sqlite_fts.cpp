#include "storage/sqlite_fts.hpp"

#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace eyewear::storage {

namespace {

fts5_api* fts5_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

// ---- eyewear_fts_tokens

struct Tokenizer {
  fts5_tokenizer api{};
  Fts5Tokenizer* instance = nullptr;
  ~Tokenizer() {
    if (instance != nullptr) api.xDelete(instance);
  }
};

// Counts as FTS5 does when it records a row's size: a colocated token (a synonym at the same
// position) is not another token.
int count_token(void* ctx, int flags, const char*, int, int, int) {
  if ((flags & FTS5_TOKEN_COLOCATED) == 0) ++*static_cast<sqlite3_int64*>(ctx);
  return SQLITE_OK;
}

void fts_tokens(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* t = static_cast<Tokenizer*>(sqlite3_user_data(ctx));
  sqlite3_int64 n = 0;
  for (int i = 0; i < argc; ++i) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    if (text == nullptr) continue;
    const int rc =
        t->api.xTokenize(t->instance, &n, FTS5_TOKENIZE_DOCUMENT, text, sqlite3_value_bytes(argv[i]), count_token);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  sqlite3_result_int64(ctx, n);
}

// ---- eyewear_bm25: FTS5's bm25 (fts5_aux.c) with the row length given

struct QueryData {  // computed once per query, as bm25 does
  int phrases = 0;
  double avgdl = 0;
  std::vector<double> idf, freq;
};

int query_data(const Fts5ExtensionApi* api, Fts5Context* fts, QueryData** out) {
  if (auto* cached = static_cast<QueryData*>(api->xGetAuxdata(fts, 0)); cached != nullptr) {
    *out = cached;
    return SQLITE_OK;
  }
  auto data = std::make_unique<QueryData>();
  data->phrases = api->xPhraseCount(fts);
  sqlite3_int64 rows = 0, tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) return rc;
  data->avgdl = static_cast<double>(tokens) / static_cast<double>(rows);
  data->idf.resize(static_cast<std::size_t>(data->phrases));
  data->freq.resize(static_cast<std::size_t>(data->phrases));
  for (int i = 0; i < data->phrases; ++i) {
    sqlite3_int64 hits = 0;
    rc = api->xQueryPhrase(fts, i, &hits, [](const Fts5ExtensionApi*, Fts5Context*, void* ctx) {
      ++*static_cast<sqlite3_int64*>(ctx);
      return SQLITE_OK;
    });
    if (rc != SQLITE_OK) return rc;
    // IDF = log((N - n + 0.5) / (n + 0.5)), at least 1e-6 (a phrase in more than half the rows).
    double idf =
        std::log((static_cast<double>(rows) - static_cast<double>(hits) + 0.5) / (static_cast<double>(hits) + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    data->idf[static_cast<std::size_t>(i)] = idf;
  }
  *out = data.get();
  return api->xSetAuxdata(fts, data.release(), [](void* p) { delete static_cast<QueryData*>(p); });
}

void bm25_with_length(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int argc,
                      sqlite3_value** argv) {
  constexpr double k1 = 1.2, b = 0.75;
  QueryData* data = nullptr;
  int rc = query_data(api, fts, &data);
  int instances = 0;
  if (rc == SQLITE_OK) {
    std::fill(data->freq.begin(), data->freq.end(), 0.0);
    rc = api->xInstCount(fts, &instances);
  }
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK) {
      // Column weights follow the length argument.
      data->freq[static_cast<std::size_t>(phrase)] += argc > column + 1 ? sqlite3_value_double(argv[column + 1]) : 1.0;
    }
  }
  double length = 0;
  if (rc == SQLITE_OK) {
    if (argc > 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL) {
      length = static_cast<double>(sqlite3_value_int64(argv[0]));
    } else {
      int tokens = 0;  // not recorded: the lookup bm25 makes
      rc = api->xColumnSize(fts, -1, &tokens);
      length = tokens;
    }
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double score = 0;
  for (int i = 0; i < data->phrases; ++i) {
    const double f = data->freq[static_cast<std::size_t>(i)];
    score += data->idf[static_cast<std::size_t>(i)] * (f * (k1 + 1.0)) / (f + k1 * (1 - b + b * length / data->avgdl));
  }
  sqlite3_result_double(ctx, -1.0 * score);
}

}  // namespace

bool register_fts_functions(sqlite3* db) {
  fts5_api* api = fts5_of(db);
  if (api == nullptr || api->iVersion < 1) return false;
  auto tokenizer = std::make_unique<Tokenizer>();
  void* user = nullptr;
  if (api->xFindTokenizer(api, kFtsTokenizer, &user, &tokenizer->api) != SQLITE_OK) return false;
  const char* args[std::size(kFtsTokenizerArgs)];
  std::memcpy(args, kFtsTokenizerArgs, sizeof(args));
  if (tokenizer->api.xCreate(user, args, static_cast<int>(std::size(args)), &tokenizer->instance) != SQLITE_OK) {
    return false;
  }
  // sqlite3 owns the tokenizer from here (and destroys it even if registration fails).
  if (sqlite3_create_function_v2(db, "eyewear_fts_tokens", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, tokenizer.release(),
                                 fts_tokens, nullptr, nullptr,
                                 [](void* p) { delete static_cast<Tokenizer*>(p); }) != SQLITE_OK) {
    return false;
  }
  return api->xCreateFunction(api, "eyewear_bm25", nullptr, bm25_with_length, nullptr) == SQLITE_OK;
}

}  // namespace eyewear::storage
