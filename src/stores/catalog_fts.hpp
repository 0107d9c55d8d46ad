// Tenant-namespaced full-text tokens for the SQLite FTS5 index. Every indexed word of tenant N is
// written as `t<N>x<word>` and every query word is looked up the same way, so the index holds a
// separate vocabulary per tenant. Why: FTS5 answers a prefix query (`acet*`) by merging the
// complete doclists of every term with that prefix, across the whole table, before the rowid
// range of the tenant can narrow anything — with a million products that was the slowest part of
// a search (8 ms at 300,000 products against 0.2 ms for the same exact term, measured). With the
// namespace a prefix only expands over the caller's own terms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eyewear::stores::catalog_sql {

// The words of `text` (catalog::words_of), each prefixed with the tenant's namespace, separated
// by spaces. Case and diacritics are still folded by the tokenizer.
[[nodiscard]] std::string namespaced_text(std::string_view text, std::int64_t tenant);

// namespaced_text, and how many FTS5 tokens it holds when that is known without the tokenizer:
// a namespaced text of ASCII bytes only is words of letters and digits between single spaces,
// which `unicode61` reads as one token each. A word with other characters may be split or
// joined differently by the tokenizer's Unicode tables, so then `tokens` is empty and the
// tokenizer counts (eyewear_fts_tokens, storage/sqlite_fts.hpp).
struct NamespacedText {
  std::string text;
  std::optional<std::int64_t> tokens;
};
[[nodiscard]] NamespacedText namespaced(std::string_view text, std::int64_t tenant);

// `"t5xacet"* AND "t5xround"*` for words already split by catalog::split_terms.
[[nodiscard]] std::string namespaced_query(const std::vector<std::string>& terms, std::int64_t tenant);

// The material and colour filters' tokens, in products_lists (migration 0013): a product's
// materials as `t<N>m<hex>` and its colours as `t<N>c<hex>`, where <hex> is the lowercase hex of
// the value's UTF-8 bytes, separated by spaces. Any value is so one token of FTS5's `ascii`
// tokenizer, equal to the token of an equal value only, in the tenant's own namespace. Migration
// 0013 and its delete trigger spell the same in SQL: 't' || (seq >> 40) || 'm' || lower(hex(value)).
[[nodiscard]] std::string list_tokens(std::int64_t tenant, const std::vector<std::string>& materials,
                                      const std::vector<std::string>& colors);

// `"t5m<hex>" AND "t5c<hex>"`: the products with that material and that colour (either may be
// absent, not both).
[[nodiscard]] std::string list_query(std::int64_t tenant, const std::optional<std::string>& material,
                                     const std::optional<std::string>& color);

}  // namespace eyewear::stores::catalog_sql
