#include "stores/catalog_fts.hpp"

#include "catalog/search.hpp"

namespace eyewear::stores::catalog_sql {

NamespacedText namespaced(std::string_view text, std::int64_t tenant) {
  const std::string prefix = "t" + std::to_string(tenant) + "x";
  const auto words = catalog::words_of(text);
  NamespacedText out;
  out.text.reserve(text.size() + words.size() * (prefix.size() + 1));
  unsigned char high = 0;  // the high bits of every byte of every word
  for (const auto w : words) {
    if (!out.text.empty()) out.text.push_back(' ');
    out.text += prefix;
    out.text.append(w);
    for (const char c : w) high |= static_cast<unsigned char>(c) & 0x80U;
  }
  if (high == 0) out.tokens = static_cast<std::int64_t>(words.size());
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
