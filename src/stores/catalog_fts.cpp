#include "stores/catalog_fts.hpp"

#include <array>
#include <charconv>

#include "catalog/search.hpp"

namespace eyewear::stores::catalog_sql {

namespace {

// `t<N>x`, the namespace of tenant N's words, without an allocation.
class TenantPrefix {
 public:
  explicit TenantPrefix(std::int64_t tenant) {
    buf_[0] = 't';
    char* end = std::to_chars(buf_.data() + 1, buf_.data() + buf_.size() - 1, tenant).ptr;
    *end++ = 'x';
    size_ = static_cast<std::size_t>(end - buf_.data());
  }
  [[nodiscard]] std::string_view view() const { return {buf_.data(), size_}; }

 private:
  std::array<char, 24> buf_{};
  std::size_t size_ = 0;
};

}  // namespace

NamespacedText namespaced(std::string_view text, std::int64_t tenant) {
  NamespacedText out;
  const auto words = catalog::append_prefixed_words(out.text, text, TenantPrefix(tenant).view());
  if (words.ascii) out.tokens = static_cast<std::int64_t>(words.count);
  return out;
}

std::string namespaced_text(std::string_view text, std::int64_t tenant) { return namespaced(text, tenant).text; }

std::string namespaced_query(const std::vector<std::string>& terms, std::int64_t tenant) {
  const TenantPrefix prefix(tenant);
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " AND ";
    out += '"';
    out += prefix.view();
    out += t;  // a word of split_terms: letters and digits only, no quote can occur
    out += "\"*";
  }
  return out;
}

}  // namespace eyewear::stores::catalog_sql
