#include "storage/sqlite_fts.hpp"

#include <sqlite3.h>

#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace eyewear::storage {

namespace {

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

// ---- unicode61 with an ASCII fast path

// FTS5's unicode61 reads text code point by code point through its Unicode tables; for ASCII it
// does what a byte loop can: a token is a maximal run of letters and digits, every other ASCII
// byte a separator, and A-Z folded to a-z (remove_diacritics changes nothing below 0x80). This
// tokenizer takes the place of unicode61 on the platform's connections: a run of ASCII letters
// and digits it reads itself, and any run between ASCII separators that holds a byte of 0x80 or
// above it hands to the library's own unicode61, offsets shifted. The runs the library is handed
// begin and end where its own tokens would (at an ASCII separator or an end of the text), so the
// tokens, their offsets and their order are the library's exactly (`SqliteFtsTest` compares the
// two over the labelled corpora, generated catalogue text and random bytes). Arguments other
// than remove_diacritics (tokenchars, separators, categories) change what is a token character,
// so with those every text goes to the library.
struct Unicode61Library {  // the library's unicode61, found before ours takes its name
  fts5_tokenizer api{};
  void* user = nullptr;
};

struct FastUnicode61 {
  const Unicode61Library* library = nullptr;
  Fts5Tokenizer* inner = nullptr;  // the library's, created with the same arguments
  bool ascii_fast = false;
  std::vector<char> folded;  // a token folded to lower case
};

using TokenCallback = int (*)(void*, int, const char*, int, int, int);

// What a byte is to unicode61 with the default token characters: 0 for an ASCII separator, the
// byte folded to lower case for an ASCII letter or digit, 0x80 for any byte of a multi-byte
// character (or an invalid one: the library decides what those are).
constexpr std::array<unsigned char, 256> kAsciiFold = [] {
  std::array<unsigned char, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c);
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c - 'A' + 'a');
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = 0x80;
  return t;
}();

int fast_create(void* user, const char** args, int n, Fts5Tokenizer** out) {
  const auto* library = static_cast<const Unicode61Library*>(user);
  auto t = std::make_unique<FastUnicode61>();
  t->library = library;
  const int rc = library->api.xCreate(library->user, args, n, &t->inner);
  if (rc != SQLITE_OK) return rc;
  t->ascii_fast = n % 2 == 0;
  for (int i = 0; i + 1 < n; i += 2) {
    if (sqlite3_stricmp(args[i], "remove_diacritics") != 0) t->ascii_fast = false;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(t.release());
  return SQLITE_OK;
}

void fast_delete(Fts5Tokenizer* tokenizer) {
  auto* t = reinterpret_cast<FastUnicode61*>(tokenizer);
  if (t->inner != nullptr) t->library->api.xDelete(t->inner);
  delete t;
}

struct Shifted {  // the library's tokens of a run, with the run's offset added
  void* ctx;
  TokenCallback emit;
  int base;
};

int shifted_token(void* ctx, int flags, const char* token, int size, int start, int end) {
  const auto* s = static_cast<const Shifted*>(ctx);
  return s->emit(s->ctx, flags, token, size, s->base + start, s->base + end);
}

int fast_tokenize(Fts5Tokenizer* tokenizer, void* ctx, int flags, const char* text, int size, TokenCallback emit) {
  auto* t = reinterpret_cast<FastUnicode61*>(tokenizer);
  if (!t->ascii_fast) return t->library->api.xTokenize(t->inner, ctx, flags, text, size, emit);
  const auto* bytes = reinterpret_cast<const unsigned char*>(text);
  if (t->folded.size() < static_cast<std::size_t>(size)) t->folded.resize(static_cast<std::size_t>(size));
  char* folded = t->folded.data();
  int rc = SQLITE_OK;
  for (int i = 0; i < size && rc == SQLITE_OK;) {
    unsigned char c = kAsciiFold[bytes[i]];
    if (c == 0) {
      ++i;
      continue;
    }
    // A run between ASCII separators, folded as it is read.
    const int start = i;
    unsigned char seen = 0;
    int n = 0;
    do {
      folded[n++] = static_cast<char>(c);
      seen |= c;
      c = ++i < size ? kAsciiFold[bytes[i]] : 0;
    } while (c != 0);
    if ((seen & 0x80) != 0) {
      Shifted shifted{ctx, emit, start};
      rc = t->library->api.xTokenize(t->inner, &shifted, flags, text + start, i - start, shifted_token);
    } else {
      rc = emit(ctx, 0, folded, n, start, i);
    }
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;  // as the library: DONE from the callback stops, cleanly
}

bool register_fast_unicode61(fts5_api* api) {
  auto library = std::make_unique<Unicode61Library>();
  if (api->xFindTokenizer(api, kFtsTokenizer, &library->user, &library->api) != SQLITE_OK) return false;
  fts5_tokenizer fast{fast_create, fast_delete, fast_tokenize};
  // FTS5 finds a tokenizer by the name most recently registered: this one, for every table
  // opened on the connection from here on.
  return api->xCreateTokenizer(api, kFtsTokenizer, library.release(), &fast,
                               [](void* p) { delete static_cast<Unicode61Library*>(p); }) == SQLITE_OK;
}

}  // namespace

fts5_api* fts5_api_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

bool register_fts_functions(sqlite3* db) {
  fts5_api* api = fts5_api_of(db);
  if (api == nullptr || api->iVersion < 1) return false;
  if (!register_fast_unicode61(api)) return false;
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
