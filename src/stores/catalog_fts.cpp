#include "stores/catalog_fts.hpp"

#include "catalog/search.hpp"

namespace eyewear::stores::catalog_sql {

std::string namespaced_text(std::string_view text, std::int64_t tenant) {
  const std::string prefix = "t" + std::to_string(tenant) + "x";
  const auto words = catalog::words_of(text);
  std::string out;
  out.reserve(text.size() + words.size() * (prefix.size() + 1));
  for (const auto w : words) {
    if (!out.empty()) out.push_back(' ');
    out += prefix;
    out.append(w);
  }
  return out;
}

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
