#include "security/threat_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "platform/ascii.hpp"
#include "platform/csv.hpp"

namespace eyewear::security::rules {

namespace {

constexpr auto npos = std::string_view::npos;

bool is_letter(unsigned char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
bool is_one_of(char c, std::string_view set) noexcept { return set.find(c) != npos; }
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive search for an ASCII, lower-case needle.
std::size_t find_ci(std::string_view hay, std::string_view needle, std::size_t from = 0) noexcept {
  if (needle.empty() || hay.size() < needle.size()) return npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return npos;
}
bool contains_ci(std::string_view hay, std::string_view needle) noexcept { return find_ci(hay, needle) != npos; }

Detection make(ThreatType type, Severity severity, double confidence, std::string_view detector, std::string evidence) {
  return Detection{type, severity, confidence, detector, std::move(evidence)};
}

// ---- SQL injection

// Prose: letters, digits, spaces and sentence punctuation, with at least one letter or digit.
bool is_prose(std::string_view text) noexcept {
  bool alnum = false;
  for (unsigned char c : text) {
    if (is_letter(c) || is_digit(c)) {
      alnum = true;
    } else if (c != ' ' && !is_one_of(static_cast<char>(c), ".,!?%&/+-'")) {
      return false;
    }
  }
  return alnum;
}

bool rests_on_prose_comment(std::string_view value, const libinjection::Fingerprint& fp) noexcept {
  const auto n = std::strlen(fp.data());
  if (n == 0 || fp[n - 1] != 'c') return false;
  const auto dash = value.find("--");
  const auto hash = value.find('#');
  const auto at = std::min(dash, hash);
  if (at == npos) return false;
  const auto body = value.substr(at + (at == dash ? 2 : 1));
  const auto before = value.substr(0, at);
  if (!is_prose(body)) return false;
  const auto last = before.find_last_not_of(' ');
  if (last != npos && is_one_of(before[last], "'\"`)")) return false;
  libinjection::Fingerprint scratch;
  if (libinjection::is_sqli(body, scratch)) return false;
  return !libinjection::is_sqli(before, scratch);
}

// Plain words: no quote, parenthesis, operator, comma, identifier underscore or comment marker,
// and no dot inside a word (schema.table, 0x...).
bool is_plain_words(std::string_view text) noexcept {
  if (text.find("--") != npos || text.find("/*") != npos) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || is_one_of(static_cast<char>(c), "'\"`()=<>|@*\\#;!^~{}[]$,_")) return false;
    if (c == '.' && i + 1 < text.size() && text[i + 1] != ' ') return false;
  }
  return true;
}

bool is_keyword_prose(std::string_view value) noexcept {
  const auto begin = value.find_first_not_of(' ');
  if (begin == npos || !is_letter(static_cast<unsigned char>(value[begin]))) return false;
  // libinjection's fingerprint covers the first five (folded) tokens; six words cover them in
  // the prose this rule is for.
  std::size_t end = value.size();
  int words = 0;
  bool in_word = false;
  for (std::size_t i = begin; i < value.size(); ++i) {
    const bool space = value[i] == ' ';
    if (!space && !in_word && ++words > 6) {
      end = i;
      break;
    }
    in_word = !space;
  }
  return is_plain_words(value.substr(begin, end - begin));
}

double sqli_confidence(const libinjection::Fingerprint& fp) noexcept {
  const auto n = std::strlen(fp.data());
  const bool strong = std::strpbrk(fp.data(), "UETf;") != nullptr;  // UNION, SELECT, T-SQL, call, stacked
  return std::min(0.99, 0.6 + 0.06 * static_cast<double>(n) + (strong ? 0.1 : 0.0));
}

// ---- NoSQL

constexpr std::string_view kMongoOperators[] = {
    "eq",      "ne",     "gt",       "gte",    "lt",      "lte",       "in",         "nin",      "and",
    "or",      "not",    "nor",      "exists", "type",    "expr",      "jsonschema", "mod",      "regex",
    "options", "text",   "search",   "where",  "all",     "elemmatch", "size",       "function", "accumulator",
    "comment", "lookup", "match",    "group",  "project", "set",       "unset",      "inc",      "push",
    "pull",    "rename", "addtoset", "pop",    "bit",     "slice",     "natural",    "geowithin"};

bool runs_javascript(std::string_view op) noexcept { return op == "where" || op == "function" || op == "accumulator"; }

// ---- script injection

bool looks_like_code(std::string_view inner) noexcept {
  return inner.find_first_of("()[]*+/'\".=:<>|&!;") != npos || inner.find("__") != npos;
}

struct Delimiters {
  std::string_view open;
  std::string_view close;
  std::string_view evidence;
};
constexpr std::array<Delimiters, 4> kTemplateSyntax = {{
    {"{{", "}}", "template_expression"},
    {"${", "}", "expression_language"},
    {"#{", "}", "expression_language"},
    {"<%", "%>", "server_page"},
}};

// ---- UTF-8

std::string code_point_text(unsigned cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", cp);
  return buf;
}

}  // namespace

SqliAnalysis analyse_sqli(std::string_view value) noexcept {
  SqliAnalysis a;
  a.libinjection = libinjection::is_sqli(value, a.fingerprint);
  if (!a.libinjection) return a;
  a.prose_comment = rests_on_prose_comment(value, a.fingerprint);
  if (!a.prose_comment) a.keyword_prose = is_keyword_prose(value);
  return a;
}

std::optional<Detection> sql_injection(std::string_view value) {
  const auto a = analyse_sqli(value);
  if (!a.injection()) return std::nullopt;
  return make(ThreatType::kSqlInjection, Severity::kHigh, sqli_confidence(a.fingerprint), "libinjection-sqli",
              std::string("fingerprint ") + a.fingerprint.data());
}

bool may_be_xss(std::string_view value) noexcept { return value.find_first_of("<=") != npos; }

std::optional<Detection> xss(std::string_view value) {
  if (!may_be_xss(value) || !libinjection::is_xss(value)) return std::nullopt;
  // The evidence names what made the markup dangerous; libinjection itself only says yes or no.
  if (contains_ci(value, "<script"))
    return make(ThreatType::kXss, Severity::kHigh, 0.99, "libinjection-xss", "script_tag");
  for (auto scheme : {"javascript:", "vbscript:", "data:"}) {
    if (contains_ci(value, scheme))
      return make(ThreatType::kXss, Severity::kHigh, 0.95, "libinjection-xss", "script_url");
  }
  for (std::size_t at = find_ci(value, "on"); at != npos; at = find_ci(value, "on", at + 2)) {
    std::size_t i = at + 2;
    while (i < value.size() && std::isalpha(static_cast<unsigned char>(value[i])) != 0) ++i;
    while (i < value.size() && value[i] == ' ') ++i;
    if (i > at + 2 && i < value.size() && value[i] == '=') {
      return make(ThreatType::kXss, Severity::kHigh, 0.95, "libinjection-xss", "event_handler");
    }
  }
  return make(ThreatType::kXss, Severity::kHigh, 0.85, "libinjection-xss", "active_markup");
}

bool is_mongo_operator(std::string_view name) noexcept {
  if (name.empty() || name.size() > 16) return false;
  char buf[16];
  for (std::size_t i = 0; i < name.size(); ++i) buf[i] = lower(name[i]);
  const std::string_view lowered(buf, name.size());
  return std::find(std::begin(kMongoOperators), std::end(kMongoOperators), lowered) != std::end(kMongoOperators);
}

std::optional<Detection> nosql_operator(std::string_view value) {
  std::optional<Detection> best;
  for (auto at = value.find('$'); at != npos; at = value.find('$', at + 1)) {
    std::size_t end = at + 1;
    while (end < value.size() && (std::isalpha(static_cast<unsigned char>(value[end])) != 0)) ++end;
    const auto name = value.substr(at + 1, end - at - 1);
    if (!is_mongo_operator(name)) continue;
    // Written as an operator: a key (`$ne:`, `"$gt":`, `[$ne]`) or an object/array member.
    std::size_t after = end;
    while (after < value.size() && (value[after] == ' ' || value[after] == '"' || value[after] == '\'')) ++after;
    std::size_t before = at;
    while (before > 0 && (value[before - 1] == ' ' || value[before - 1] == '"' || value[before - 1] == '\'')) --before;
    const bool as_key = after < value.size() && (value[after] == ':' || value[after] == ']');
    const bool as_member = before > 0 && is_one_of(value[before - 1], "{[,");
    if (!as_key && !as_member) continue;
    std::string op(name);
    std::transform(op.begin(), op.end(), op.begin(), [](char c) { return lower(c); });
    if (runs_javascript(op)) {
      return make(ThreatType::kNosqlInjection, Severity::kHigh, 0.95, "mongo-operator", "$" + op);
    }
    if (!best) best = make(ThreatType::kNosqlInjection, Severity::kMedium, 0.7, "mongo-operator", "$" + op);
  }
  return best;
}

std::optional<Detection> lookup_expression(std::string_view value) {
  if (value.find("${") == npos) return std::nullopt;
  for (auto lookup : {"${jndi:", "${env:", "${sys:", "${java:", "${lower:", "${upper:", "${::-", "${date:", "${ctx:"}) {
    if (contains_ci(value, lookup)) {
      return make(ThreatType::kScriptInjection, Severity::kHigh, 0.99, "template-syntax", "lookup_expression");
    }
  }
  return std::nullopt;
}

std::optional<Detection> script_injection(std::string_view value) {
  if (auto lookup = lookup_expression(value)) return lookup;
  std::optional<Detection> best;
  for (const auto& d : kTemplateSyntax) {
    std::size_t from = 0;
    while (true) {
      const auto open = value.find(d.open, from);
      if (open == npos) break;
      const auto close = value.find(d.close, open + d.open.size());
      if (close == npos) break;  // no later opener can be closed either
      const auto inner = value.substr(open + d.open.size(), close - open - d.open.size());
      if (looks_like_code(inner)) {
        return make(ThreatType::kScriptInjection, Severity::kHigh, 0.9, "template-syntax", std::string(d.evidence));
      }
      if (!best && inner.find_first_not_of(' ') != npos) {
        best = make(ThreatType::kScriptInjection, Severity::kMedium, 0.6, "template-syntax", "template_placeholder");
      }
      from = close + d.close.size();
    }
  }
  return best;
}

std::optional<Detection> null_byte(std::string_view value) {
  if (value.find('\0') == npos) return std::nullopt;
  return make(ThreatType::kNullByte, Severity::kHigh, 1.0, "byte-scan", "U+0000");
}

std::optional<Detection> control_chars(std::string_view value) {
  std::optional<Detection> bidi;
  // Printable ASCII, most of any text, is none of the cases below: skipped a word at a time.
  for (std::size_t i = platform::ascii::skip_printable(value, 0); i < value.size();
       i = platform::ascii::skip_printable(value, i + 1)) {
    const auto c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0) || c == 0x7f) {
      return make(ThreatType::kControlChars, Severity::kMedium, 0.9, "byte-scan", code_point_text(c));
    }
    if (c == 0xC2 && i + 1 < value.size()) {
      const auto next = static_cast<unsigned char>(value[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        return make(ThreatType::kControlChars, Severity::kMedium, 0.8, "byte-scan", code_point_text(next));
      }
    }
    if (c == 0xE2 && i + 2 < value.size() && !bidi) {
      const auto b1 = static_cast<unsigned char>(value[i + 1]);
      const auto b2 = static_cast<unsigned char>(value[i + 2]);
      // U+202A..U+202E (embeddings, overrides) and U+2066..U+2069 (isolates).
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        const unsigned cp = 0x2000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
        bidi = make(ThreatType::kControlChars, Severity::kLow, 0.6, "byte-scan", "bidi " + code_point_text(cp));
      }
    }
  }
  return bidi;
}

std::optional<Detection> invalid_utf8(std::string_view value) {
  const auto* s = reinterpret_cast<const unsigned char*>(value.data());
  const std::size_t n = value.size();
  std::size_t i = 0;
  auto bad = [](Severity severity, double confidence, const char* what) {
    return make(ThreatType::kInvalidUtf8, severity, confidence, "utf8-validator", what);
  };
  while (i < n) {
    i = platform::ascii::skip_ascii(value, i);
    if (i == n) break;
    const unsigned c = s[i];
    std::size_t len = 0;
    if (c == 0xC0 || c == 0xC1) return bad(Severity::kHigh, 0.95, "overlong_encoding");
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return bad(Severity::kMedium, 0.8, c >= 0xF5 ? "out_of_range" : "unexpected_continuation");
    }
    if (i + len > n) return bad(Severity::kMedium, 0.8, "truncated_sequence");
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return bad(Severity::kMedium, 0.8, "malformed_sequence");
    }
    const unsigned c1 = s[i + 1];
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xF0 && c1 < 0x90)) return bad(Severity::kHigh, 0.95, "overlong_encoding");
    if (c == 0xED && c1 >= 0xA0) return bad(Severity::kMedium, 0.8, "surrogate");
    if (c == 0xF4 && c1 >= 0x90) return bad(Severity::kMedium, 0.8, "out_of_range");
    i += len;
  }
  return std::nullopt;
}

std::optional<Detection> oversized_field(std::size_t size, std::size_t limit) {
  if (size <= limit) return std::nullopt;
  return make(ThreatType::kOversizedField, Severity::kHigh, 1.0, "size-limit",
              std::to_string(size) + " bytes, limit " + std::to_string(limit));
}

std::optional<Detection> path_traversal(std::string_view name) {
  auto found = [](Severity severity, double confidence, const char* what) {
    return make(ThreatType::kPathTraversal, severity, confidence, "file-name", what);
  };
  for (auto encoded :
       {"%2e", "%2f", "%5c", "%252e", "%252f", "%255c", "%c0%ae", "%c0%af", "%c1%9c", "%u002e", "%u2215"}) {
    if (contains_ci(name, encoded)) return found(Severity::kHigh, 0.9, "encoded_separator");
  }
  // A segment made of dots only (`..`, `....` that a naive filter shortens to `..`), trailing
  // spaces ignored as Windows ignores them.
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto sep = name.find_first_of("/\\", start);
    auto segment = name.substr(start, sep == npos ? npos : sep - start);
    while (!segment.empty() && segment.back() == ' ') segment.remove_suffix(1);
    if (segment.size() >= 2 && segment.find_first_not_of('.') == npos)
      return found(Severity::kHigh, 0.95, "dot_dot_segment");
    if (sep == npos) break;
    start = sep + 1;
  }
  if (!name.empty() && (name[0] == '/' || name[0] == '\\' || name[0] == '~'))
    return found(Severity::kHigh, 0.85, "absolute_path");
  if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) != 0 && name[1] == ':') {
    return found(Severity::kHigh, 0.85, "absolute_path");
  }
  if (name.find_first_of("/\\") != npos) return found(Severity::kMedium, 0.5, "directory_separator");
  return std::nullopt;
}

std::optional<Detection> csv_formula(std::string_view cell) {
  if (!platform::csv::looks_like_formula(cell)) return std::nullopt;
  // A signed number (-2.00, +1.5, -10%) evaluates to itself.
  std::size_t i = 1;
  bool digits = false;
  while (i < cell.size() && (is_digit(static_cast<unsigned char>(cell[i])) || cell[i] == '.' || cell[i] == ',')) {
    digits = digits || is_digit(static_cast<unsigned char>(cell[i]));
    ++i;
  }
  if (i < cell.size() && cell[i] == '%') ++i;
  if (digits && i == cell.size() && (cell[0] == '-' || cell[0] == '+')) return std::nullopt;
  // A lone sign or a bullet ("- matte black") is not a formula anyone evaluates.
  if (cell.size() == 1 || (cell[0] != '\t' && cell[0] != '\r' && cell[1] == ' ')) return std::nullopt;
  auto found = [](Severity severity, double confidence, const char* what) {
    return make(ThreatType::kCsvFormula, severity, confidence, "csv-formula", what);
  };
  if (cell.find('|') != npos || contains_ci(cell, "dde")) return found(Severity::kHigh, 0.9, "dde_call");
  for (auto call : {"cmd", "powershell", "mshta", "hyperlink(", "importxml(", "importdata(", "importhtml(",
                    "importfeed(", "importrange(", "webservice(", "image(", "filterxml("}) {
    if (contains_ci(cell, call)) return found(Severity::kHigh, 0.9, "external_call");
  }
  if (cell.find('(') != npos) return found(Severity::kMedium, 0.7, "formula_function");
  return found(Severity::kLow, 0.4, "formula_prefix");
}

}  // namespace eyewear::security::rules
