#include "catalog/search.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "catalog/validation.hpp"
#include "platform/clock.hpp"
#include "platform/crypto.hpp"

namespace eyewear::catalog {

using platform::fail;

namespace {

Error bad(const std::string& field, const std::string& rule, const std::string& message,
          platform::Details extra = {}) {
  return field_error(field, rule, message, std::move(extra));
}

Result<std::int64_t> integer(std::string_view name, std::string_view raw, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  const auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (raw.empty() || r.ec != std::errc() || r.ptr != raw.data() + raw.size() || v < min || v > max) {
    return fail(bad(std::string(name), "range",
                    std::string(name) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max),
                    {{"min", min}, {"max", max}}));
  }
  return v;
}

Result<std::int64_t> price_param(std::string_view name, std::string_view raw) {
  Decimal d;
  if (!parse_decimal(raw, d)) return fail(bad(std::string(name), "format", std::string(name) + " must be a decimal number"));
  if (d.digits < 0) return fail(bad(std::string(name), "non_negative", std::string(name) + " must not be negative"));
  if (d.scale > 3) return fail(bad(std::string(name), "precision", std::string(name) + " may have at most 3 decimals"));
  std::int64_t v = d.digits;
  for (int i = d.scale; i < 3; ++i) v *= 10;
  return v;
}

Result<std::int64_t> time_param(std::string_view name, std::string_view raw) {
  platform::SystemTime t;
  if (!platform::parse_rfc3339(raw, t)) {
    return fail(bad(std::string(name), "format", std::string(name) + " must be an RFC 3339 time"));
  }
  return platform::to_unix_ms(t);
}

Result<std::string> filter_text(std::string_view name, std::string_view raw, bool lower) {
  std::size_t chars = 0;
  if (raw.empty() || raw.size() > 200 || !utf8_length(raw, chars)) {
    return fail(bad(std::string(name), "format", std::string(name) + " must be 1 to 200 bytes of UTF-8"));
  }
  std::string v(raw);
  if (lower) {
    for (auto& c : v) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return v;
}

constexpr const char* kKnown[] = {"q", "category", "brand", "material", "color", "currency", "price_min", "price_max",
                                  "created_from", "created_to", "active", "sort", "order", "page", "page_size", "cursor"};

}  // namespace

std::string_view sort_name(SortKey k) {
  switch (k) {
    case SortKey::kRelevance: return "relevance";
    case SortKey::kCreatedAt: return "created_at";
    case SortKey::kPrice: return "price";
    case SortKey::kName: return "name";
  }
  return "created_at";
}

namespace {

constexpr bool separator(std::uint32_t cp) {
  if (cp < 0x80) return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  if (cp <= 0xBF) {  // Latin-1 punctuation and symbols, but not ª ² ³ µ ¹ º ¼ ½ ¾
    return !(cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
             (cp >= 0xBC && cp <= 0xBE));
  }
  if (cp == 0xD7 || cp == 0xF7) return true;        // × ÷
  if (cp >= 0x2000 && cp <= 0x206F) return true;    // general punctuation
  if (cp >= 0x20A0 && cp <= 0x20CF) return true;    // currency symbols
  if (cp >= 0x2190 && cp <= 0x2BFF) return true;    // arrows ... geometric shapes, dingbats
  if (cp >= 0x3000 && cp <= 0x303F) return true;    // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return true;    // CJK compatibility forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return true;    // fullwidth punctuation
  if (cp >= 0xFF1A && cp <= 0xFF20) return true;
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return true;  // emoji and pictographs
  return false;
}

// separator() of each ASCII byte, looked up rather than decoded: most catalogue text is ASCII.
constexpr auto kAsciiSeparator = [] {
  std::array<bool, 0x80> table{};
  for (std::uint32_t c = 0; c < 0x80; ++c) table[c] = separator(c);
  return table;
}();

// One code point at `i` (advancing it); an invalid byte reads as a separator.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return 0x20;
  }
  std::uint32_t cp = n == 1 ? c : (c & (0x7FU >> n));
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
  i += n;
  return cp;
}

}  // namespace

namespace {

// Calls `f(start, end)` for each word of `text` in order: the one splitting rule of words_of and
// append_prefixed_words.
template <typename F>
void for_each_word(std::string_view text, F&& f) {
  std::size_t word = std::string_view::npos;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const auto byte = static_cast<unsigned char>(text[i]);
    bool is_separator;
    if (byte < 0x80) {
      is_separator = kAsciiSeparator[byte];
      ++i;
    } else {
      is_separator = separator(next_code_point(text, i));
    }
    if (is_separator) {
      if (word != std::string_view::npos) f(word, start);
      word = std::string_view::npos;
    } else if (word == std::string_view::npos) {
      word = start;
    }
  }
  if (word != std::string_view::npos) f(word, text.size());
}

}  // namespace

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(text.size() / 4 + 1);  // one allocation for ordinary prose, not one per doubling
  for_each_word(text, [&](std::size_t start, std::size_t end) { out.push_back(text.substr(start, end - start)); });
  return out;
}

AppendedWords append_prefixed_words(std::string& out, std::string_view text, std::string_view prefix) {
  AppendedWords r;
  const std::size_t n = text.size();
  // Words are at least a byte long and a byte apart: at most n / 2 + 1 of them.
  const std::size_t base = out.size();
  out.resize(base + n + (n / 2 + 1) * (prefix.size() + 1));
  char* w = out.data() + base;
  unsigned char high = 0;
  for_each_word(text, [&](std::size_t start, std::size_t end) {
    if (r.count++ != 0) *w++ = ' ';
    std::memcpy(w, prefix.data(), prefix.size());
    w += prefix.size();
    for (std::size_t k = start; k < end; ++k) high |= static_cast<unsigned char>(text[k]);
    std::memcpy(w, text.data() + start, end - start);
    w += end - start;
  });
  out.resize(static_cast<std::size_t>(w - out.data()));
  r.ascii = (high & 0x80U) == 0;
  return r;
}

std::vector<std::string> split_terms(std::string_view q) {
  std::vector<std::string> out;
  for (const auto w : words_of(q)) {
    if (out.size() == 10) break;
    std::string t(w.substr(0, 64));
    for (auto& c : t) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out.push_back(std::move(t));
  }
  // A cut at 64 bytes may split a UTF-8 sequence: drop a dangling partial character.
  for (auto& t : out) {
    std::size_t n = 0;
    while (!t.empty() && !utf8_length(t, n)) t.pop_back();
  }
  std::erase_if(out, [](const std::string& t) { return t.empty(); });
  return out;
}

std::string fts5_expression(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " AND ";
    out += '"';
    out += t;  // letters, digits and non-ASCII bytes only: no quote can occur
    out += "\"*";
  }
  return out;
}

std::string tsquery_expression(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " & ";
    out += '\'';
    out += t;
    out += "':*";
  }
  return out;
}

std::string encode_cursor(const SearchQuery::After& a, std::string_view fingerprint) {
  const nlohmann::json j = {{"n", a.number}, {"t", a.text}, {"i", a.seq}, {"f", fingerprint}};
  return platform::base64url_encode(j.dump());
}

Result<SearchQuery::After> decode_cursor(std::string_view cursor, std::string_view fingerprint) {
  auto invalid = [] { return fail(bad("cursor", "format", "cursor is not a cursor this service issued")); };
  if (cursor.size() > 1024) return invalid();
  const auto raw = platform::base64url_decode(cursor);
  if (!raw) return invalid();
  const auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || !j.contains("n") || !j["n"].is_number() || !j.contains("t") || !j["t"].is_string() ||
      !j.contains("i") || !j["i"].is_number_integer() || !j.contains("f") || !j["f"].is_string()) {
    return invalid();
  }
  if (j["f"].get<std::string>() != fingerprint) {
    return fail(bad("cursor", "cursor_mismatch", "the cursor belongs to a different query (filters or sort changed)"));
  }
  return SearchQuery::After{j["n"].get<double>(), j["t"].get<std::string>(), j["i"].get<std::int64_t>()};
}

Result<SearchRequest> parse_search(const QueryParams& params, std::string_view manufacturer_id) {
  SearchRequest req;
  auto& q = req.query;
  q.manufacturer_id = std::string(manufacturer_id);
  std::optional<std::string_view> sort, order, cursor, page, page_size;
  std::vector<std::string_view> seen;
  for (const auto& [name, value] : params) {
    bool known = false;
    for (const char* k : kKnown) known = known || name == k;
    if (!known) return fail(bad(name, "unknown_parameter", name + " is not a search parameter"));
    for (auto s : seen) {
      if (s == name) return fail(bad(name, "repeated", name + " may be given once"));
    }
    seen.push_back(name);
    const std::string_view v = value;
    if (name == "q") {
      if (v.size() > 200) return fail(bad("q", "max_length", "q must be at most 200 bytes", {{"max", std::int64_t{200}}}));
      std::size_t n = 0;
      if (!utf8_length(v, n)) return fail(bad("q", "utf8", "q is not valid UTF-8"));
      q.terms = split_terms(v);
    } else if (name == "category") {
      EW_ASSIGN_OR_RETURN(q.category, filter_text(name, v, true));
    } else if (name == "brand") {
      EW_ASSIGN_OR_RETURN(q.brand, filter_text(name, v, false));
    } else if (name == "material") {
      EW_ASSIGN_OR_RETURN(q.material, filter_text(name, v, true));
    } else if (name == "color") {
      EW_ASSIGN_OR_RETURN(q.color, filter_text(name, v, true));
    } else if (name == "currency") {
      if (!currency_exponent(v)) return fail(bad("currency", "currency", "currency must be an ISO 4217 code"));
      q.currency = std::string(v);
    } else if (name == "price_min") {
      EW_ASSIGN_OR_RETURN(q.price_min_scaled, price_param(name, v));
    } else if (name == "price_max") {
      EW_ASSIGN_OR_RETURN(q.price_max_scaled, price_param(name, v));
    } else if (name == "created_from") {
      EW_ASSIGN_OR_RETURN(q.created_from, time_param(name, v));
    } else if (name == "created_to") {
      EW_ASSIGN_OR_RETURN(q.created_to, time_param(name, v));
    } else if (name == "active") {
      if (v == "true") {
        q.active = ActiveFilter::kActive;
      } else if (v == "false") {
        q.active = ActiveFilter::kInactive;
      } else if (v == "all") {
        q.active = ActiveFilter::kAll;
      } else {
        return fail(bad("active", "enum", "active must be true, false or all"));
      }
    } else if (name == "sort") {
      sort = v;
    } else if (name == "order") {
      order = v;
    } else if (name == "page") {
      page = v;
    } else if (name == "page_size") {
      page_size = v;
    } else if (name == "cursor") {
      cursor = v;
    }
  }
  if (q.price_min_scaled && q.price_max_scaled && *q.price_min_scaled > *q.price_max_scaled) {
    return fail(bad("price_min", "range", "price_min must not exceed price_max"));
  }
  if (q.created_from && q.created_to && *q.created_from > *q.created_to) {
    return fail(bad("created_from", "range", "created_from must not be after created_to"));
  }
  // Sort: relevance when there is text to rank by, else newest first.
  q.sort = q.terms.empty() ? SortKey::kCreatedAt : SortKey::kRelevance;
  if (sort) {
    if (*sort == "relevance") {
      q.sort = q.terms.empty() ? SortKey::kCreatedAt : SortKey::kRelevance;
    } else if (*sort == "created_at") {
      q.sort = SortKey::kCreatedAt;
    } else if (*sort == "price") {
      q.sort = SortKey::kPrice;
    } else if (*sort == "name") {
      q.sort = SortKey::kName;
    } else {
      return fail(bad("sort", "enum", "sort must be relevance, created_at, price or name"));
    }
  }
  q.descending = q.sort == SortKey::kRelevance || q.sort == SortKey::kCreatedAt;
  if (order) {
    if (*order == "asc") {
      q.descending = false;
    } else if (*order == "desc") {
      q.descending = true;
    } else {
      return fail(bad("order", "enum", "order must be asc or desc"));
    }
  }
  if (page_size) {
    EW_ASSIGN_OR_RETURN(const auto ps, integer("page_size", *page_size, 1, kMaxPageSize));
    req.page_size = static_cast<int>(ps);
  }
  q.limit = req.page_size;
  // The fingerprint covers everything that shapes the result list.
  nlohmann::json f = {{"t", q.terms},          {"c", q.category.value_or("")}, {"b", q.brand.value_or("")},
                      {"m", q.material.value_or("")}, {"k", q.color.value_or("")},  {"u", q.currency.value_or("")},
                      {"p0", q.price_min_scaled.value_or(-1)}, {"p1", q.price_max_scaled.value_or(-1)},
                      {"d0", q.created_from.value_or(-1)}, {"d1", q.created_to.value_or(-1)},
                      {"a", static_cast<int>(q.active)}, {"s", static_cast<int>(q.sort)}, {"o", q.descending}};
  req.fingerprint = platform::to_hex(platform::sha256(f.dump())).substr(0, 16);
  if (cursor) {
    if (page) return fail(bad("cursor", "exclusive", "give either page or cursor, not both"));
    EW_ASSIGN_OR_RETURN(q.after, decode_cursor(*cursor, req.fingerprint));
    req.page = 0;
  } else if (page) {
    const std::int64_t max_page = kMaxOffset / req.page_size + 1;
    EW_ASSIGN_OR_RETURN(req.page, integer("page", *page, 1, max_page));
  }
  q.offset = req.page > 0 ? (req.page - 1) * req.page_size : 0;
  return req;
}

}  // namespace eyewear::catalog
