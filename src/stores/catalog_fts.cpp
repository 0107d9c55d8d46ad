#include "stores/catalog_fts.hpp"

#include <charconv>

#include "catalog/search.hpp"

namespace eyewear::stores::catalog_sql {

NamespacedText namespaced(std::string_view text, std::int64_t tenant) {
  char prefix[24];
  prefix[0] = 't';
  char* end = std::to_chars(prefix + 1, prefix + sizeof prefix - 1, tenant).ptr;
  *end++ = 'x';
  NamespacedText out;
  const auto words = catalog::append_prefixed_words(out.text, text, std::string_view(prefix, end - prefix));
  if (words.ascii) out.tokens = static_cast<std::int64_t>(words.count);
  return out;
}

std::string namespaced_text(std::string_view text, std::int64_t tenant) { return namespaced(text, tenant).text; }

std::string namespaced_query(const std::vector<std::string>& terms, std::int64_t tenant) {
  const std::string prefix = "t" + std::to_string(tenant) + "x";
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " AND ";
    out += '"';
    out += prefix;
    out += t;  // a word of split_terms: letters and digits only, no quote can occur
    out += "\"*";
  }
  return out;
}

}  // namespace eyewear::stores::catalog_sql
