#include "security/threat_detector.hpp"

#include <array>
#include <cstdint>

#include "security/threat_rules.hpp"

namespace eyewear::security {

namespace {

// What one pass over the bytes learned, to decide which checks can match at all.
struct Profile {
  bool nul = false;
  bool control = false;    // C0 (not tab, LF, CR), DEL
  bool non_ascii = false;  // UTF-8 to validate, C1 and bidi controls to look for
  bool lt = false;
  bool eq = false;
  bool dollar = false;
  bool brace = false;
  bool percent = false;
};

enum ByteClass : std::uint8_t {
  kNul = 1 << 0,
  kControl = 1 << 1,
  kNonAscii = 1 << 2,
  kLt = 1 << 3,
  kEq = 1 << 4,
  kDollar = 1 << 5,
  kBrace = 1 << 6,
  kPercent = 1 << 7,
};

// The class of every byte, so the pass is one lookup and one OR per byte.
constexpr auto kByteClasses = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (c >= 0x80) {
      t[c] = kNonAscii;
    } else if (c == 0) {
      t[c] = kNul;
    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      t[c] = kControl;
    }
  }
  t['<'] = kLt;
  t['='] = kEq;
  t['$'] = kDollar;
  t['{'] = kBrace;
  t['%'] = kPercent;
  return t;
}();

Profile profile_of(std::string_view value) noexcept {
  unsigned seen = 0;
  for (char ch : value) seen |= kByteClasses[static_cast<unsigned char>(ch)];
  Profile p;
  p.nul = (seen & kNul) != 0;
  p.control = (seen & kControl) != 0;
  p.non_ascii = (seen & kNonAscii) != 0;
  p.lt = (seen & kLt) != 0;
  p.eq = (seen & kEq) != 0;
  p.dollar = (seen & kDollar) != 0;
  p.brace = (seen & kBrace) != 0;
  p.percent = (seen & kPercent) != 0;
  return p;
}

void add(std::vector<Detection>& out, std::optional<Detection>&& d) {
  if (d) out.push_back(std::move(*d));
}

}  // namespace

std::optional<Detection> ThreatDetector::detect(ThreatType type, std::string_view value) const {
  switch (type) {
    case ThreatType::kSqlInjection:
      return rules::sql_injection(value);
    case ThreatType::kXss:
      return rules::xss(value);
    case ThreatType::kNosqlInjection:
      return rules::nosql_operator(value);
    case ThreatType::kScriptInjection:
      return rules::script_injection(value);
    case ThreatType::kNullByte:
      return rules::null_byte(value);
    case ThreatType::kControlChars:
      return rules::control_chars(value);
    case ThreatType::kInvalidUtf8:
      return rules::invalid_utf8(value);
    case ThreatType::kOversizedField:
      return rules::oversized_field(value.size(), options_.max_field_bytes);
    case ThreatType::kPathTraversal:
      return rules::path_traversal(value);
    case ThreatType::kCsvFormula:
      return rules::csv_formula(value);
  }
  return std::nullopt;
}

void ThreatDetector::screen(std::string_view value, const FieldContext& context, std::vector<Detection>& out) const {
  const auto limit = context.max_bytes != 0 ? context.max_bytes : options_.max_field_bytes;
  if (value.size() > limit) {
    add(out, rules::oversized_field(value.size(), limit));
    return;
  }
  if (context.kind == FieldKind::kSecret || value.empty()) return;
  const auto p = profile_of(value);
  if (p.nul) add(out, rules::null_byte(value));
  if (p.control || p.non_ascii) add(out, rules::control_chars(value));
  if (p.non_ascii) add(out, rules::invalid_utf8(value));
  add(out, rules::sql_injection(value));
  if (p.lt || p.eq) add(out, rules::xss(value));
  if (p.dollar) add(out, rules::nosql_operator(value));
  if (context.kind != FieldKind::kTemplate && (p.brace || (p.lt && p.percent))) {
    add(out, rules::script_injection(value));
  } else if (context.kind == FieldKind::kTemplate && p.brace) {
    add(out, rules::lookup_expression(value));  // templates have placeholders, never lookups
  }
  if (context.kind == FieldKind::kFileName) add(out, rules::path_traversal(value));
  if (context.csv_cell) add(out, rules::csv_formula(value));
}

std::optional<Detection> detect_threat(ThreatType type, std::string_view value) {
  return ThreatDetector().detect(type, value);
}

}  // namespace eyewear::security
