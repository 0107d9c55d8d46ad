// The search query model: query-string parameters -> a validated SearchQuery, the words of `q`
// and the full-text expressions built from them (FTS5 on SQLite, tsquery on PostgreSQL; only
// letters and digits reach either, each word a prefix match), and opaque cursors for deep paging.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.hpp"

namespace eyewear::catalog {

inline constexpr int kMaxPageSize = 100;
inline constexpr std::int64_t kMaxOffset = 10'000;  // deeper pages go by cursor

struct SearchRequest {
  SearchQuery query;
  std::int64_t page = 1;  // 0 when paging by cursor
  int page_size = 20;
  std::string fingerprint;  // of everything but the position, binds cursors to their query
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Validates the parameters of GET /api/v1/products (see docs/CATALOG.md); every failure names
// the parameter (details.field) and the rule. Unknown parameters are refused.
[[nodiscard]] Result<SearchRequest> parse_search(const QueryParams& params, std::string_view manufacturer_id);

// The words of a text, split where SQLite's unicode61 tokenizer splits (approximately: ASCII
// letters and digits and non-ASCII letters form words; ASCII punctuation, Latin-1 symbols and
// the common Unicode punctuation and symbol blocks such as `□` separate them). Views into `text`.
[[nodiscard]] std::vector<std::string_view> words_of(std::string_view text);

// The words of `text` (words_of) appended to `out`, each after `prefix`, separated by single
// spaces, in one pass without a list of words; `ascii` when every byte of every word is ASCII.
struct AppendedWords {
  std::size_t count = 0;
  bool ascii = true;
};
AppendedWords append_prefixed_words(std::string& out, std::string_view text, std::string_view prefix);

// Words of a query (words_of), lower-cased (ASCII), at most 10 words of at most 64 bytes.
[[nodiscard]] std::vector<std::string> split_terms(std::string_view q);
// `"acetate"* AND "round"*` (each word quoted, so no FTS5 operator can be smuggled in).
[[nodiscard]] std::string fts5_expression(const std::vector<std::string>& terms);
// `'acetate':* & 'round':*` for to_tsquery.
[[nodiscard]] std::string tsquery_expression(const std::vector<std::string>& terms);

// Cursors: base64url of the last item's sort key and seq plus the query fingerprint.
[[nodiscard]] std::string encode_cursor(const SearchQuery::After& after, std::string_view fingerprint);
[[nodiscard]] Result<SearchQuery::After> decode_cursor(std::string_view cursor, std::string_view fingerprint);

[[nodiscard]] std::string_view sort_name(SortKey k);

}  // namespace eyewear::catalog
