#include "stores/catalog_fts.hpp"

#include <array>
#include <charconv>
#include <utility>

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

void append_list_token(std::string& out, const TenantPrefix& prefix, char kind, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto p = prefix.view();
  out.append(p.data(), p.size() - 1);  // t<N>, the kind letter in place of the words' x
  out.push_back(kind);
  for (const char ch : value) {
    const auto byte = static_cast<unsigned char>(ch);
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0f]);
  }
}

}  // namespace

std::string list_tokens(std::int64_t tenant, const std::vector<std::string>& materials,
                        const std::vector<std::string>& colors) {
  const TenantPrefix prefix(tenant);
  std::size_t size = 0;
  for (const auto* list : {&materials, &colors}) {
    for (const auto& v : *list) size += prefix.view().size() + 2 * v.size() + 1;
  }
  std::string out;
  out.reserve(size);
  for (const auto& [kind, list] : {std::pair{'m', &materials}, std::pair{'c', &colors}}) {
    for (const auto& v : *list) {
      if (!out.empty()) out.push_back(' ');
      append_list_token(out, prefix, kind, v);
    }
  }
  return out;
}

std::string list_query(std::int64_t tenant, const std::optional<std::string>& material,
                       const std::optional<std::string>& color) {
  const TenantPrefix prefix(tenant);
  std::string out;
  if (material) {
    out.push_back('"');
    append_list_token(out, prefix, 'm', *material);
    out.push_back('"');
  }
  if (color) {
    if (!out.empty()) out += " AND ";
    out.push_back('"');
    append_list_token(out, prefix, 'c', *color);
    out.push_back('"');
  }
  return out;
}

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
