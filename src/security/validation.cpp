// Validators of contact and identity fields (email, company name, website, country, product
// count, licence number). Tax ids: validation_tax.cpp; phone numbers: validation_phone.cpp.
#include "security/validation.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace eyewear::security {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

namespace {

std::unexpected<Error> refuse(std::string_view field, std::string rule, std::string message) {
  return fail(Error::validation(std::string(field), std::move(rule), std::move(message)));
}

bool is_label_char(unsigned char c) { return std::isalnum(c) || c == '-' || c >= 0x80; }

// Domain names of email addresses and websites: dot-separated labels of 1-63 characters, letters,
// digits, hyphens (not at either end) or UTF-8 (internationalised names), a top-level label of
// at least two characters that is not all digits.
bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t start = 0;
  std::size_t labels = 0;
  std::string_view last;
  while (start <= domain.size()) {
    const auto dot = domain.find('.', start);
    const auto label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_label_char(static_cast<unsigned char>(c)); })) {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2) return false;
  return !std::all_of(last.begin(), last.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool allowed_punctuation(UChar32 c) {
  // . , & ' - ( ) ! / + : # @ and the typographic ‘ ’ ‐ – —
  static constexpr std::u32string_view kAllowed = U".,&'-()!/+:#@\u2018\u2019\u2010\u2013\u2014";
  return c >= 0 && kAllowed.find(static_cast<char32_t>(c)) != std::u32string_view::npos;
}

}  // namespace

std::string trim_ascii(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n\f\v");
  return std::string(s.substr(b, e - b + 1));
}

Result<std::string> validate_email(std::string_view raw, std::string_view field) {
  std::string email = trim_ascii(raw);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c); });
  if (email.empty()) return refuse(field, "required", std::string(field) + " is required");
  if (email.size() > 254) return refuse(field, "max_length", std::string(field) + " must be at most 254 characters");
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return refuse(field, "format", std::string(field) + " must contain exactly one @ with a local part before it");
  }
  if (at > 64) return refuse(field, "max_length", "the part before @ must be at most 64 characters");
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\' || c == '(' ||
        c == ')' || c == '[' || c == ']' || c == ':') {
      return refuse(field, "format", std::string(field) + " contains characters that are not allowed");
    }
  }
  const auto local = std::string_view(email).substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return refuse(field, "format", "the part before @ must not start or end with a dot or hold two in a row");
  }
  if (!valid_domain(std::string_view(email).substr(at + 1))) {
    return refuse(field, "format", std::string(field) + " must have a domain with a dot");
  }
  return email;
}

Result<std::string> validate_company_name(std::string_view raw, std::string_view field) {
  std::string out;
  out.reserve(raw.size());
  std::size_t code_points = 0;
  bool pending_space = false;
  bool has_alnum = false;
  const auto* s = reinterpret_cast<const std::uint8_t*>(raw.data());
  const auto length = static_cast<std::int32_t>(std::min<std::size_t>(raw.size(), 4096));
  if (raw.size() > 4096) return refuse(field, "length", std::string(field) + " must be 2 to 100 characters");
  for (std::int32_t i = 0; i < length;) {
    const std::int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return refuse(field, "encoding", std::string(field) + " is not valid UTF-8");
    if (c == ' ' || c == 0xA0) {
      pending_space = !out.empty();
      continue;
    }
    const auto mask = U_GET_GC_MASK(c);
    const bool alnum = (mask & (U_GC_L_MASK | U_GC_ND_MASK)) != 0;
    const bool mark = (mask & U_GC_M_MASK) != 0;
    if (!alnum && !mark && !allowed_punctuation(c)) {
      return refuse(field, "characters",
                    std::string(field) + " may hold letters, digits, spaces and . , & ' - ( ) ! / + : # @ only");
    }
    has_alnum = has_alnum || alnum;
    if (pending_space) {
      out += ' ';
      ++code_points;
      pending_space = false;
    }
    out.append(raw.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
    ++code_points;
  }
  if (out.empty()) return refuse(field, "required", std::string(field) + " is required");
  if (code_points < 2 || code_points > 100) {
    return fail(Error(
        ErrorCode::kValidationFailed, std::string(field) + " must be 2 to 100 characters",
        {{"field", std::string(field)}, {"rule", "length"}, {"min", std::int64_t{2}}, {"max", std::int64_t{100}}}));
  }
  if (!has_alnum) return refuse(field, "characters", std::string(field) + " needs at least one letter or digit");
  return out;
}

Result<std::vector<ValidationWarning>> validate_product_count(std::int64_t count, std::string_view field) {
  if (count < 0 || count > kMaxProductCount) {
    return fail(Error(
        ErrorCode::kValidationFailed, std::string(field) + " must be between 0 and " + std::to_string(kMaxProductCount),
        {{"field", std::string(field)}, {"rule", "range"}, {"min", std::int64_t{0}}, {"max", kMaxProductCount}}));
  }
  std::vector<ValidationWarning> warnings;
  if (count > kProductCountWarning) {
    warnings.push_back(ValidationWarning{std::string(field), "large_catalogue",
                                         "more than 100,000 products: uploads and search of catalogues this large "
                                         "need the professional or enterprise tier"});
  }
  return warnings;
}

Result<std::string> validate_website(std::string_view raw, std::string_view field) {
  std::string url = trim_ascii(raw);
  if (url.size() > 200) return refuse(field, "max_length", std::string(field) + " must be at most 200 characters");
  const auto bad = [&] {
    return refuse(field, "format", std::string(field) + " must be an http:// or https:// address");
  };
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '`') return bad();
  }
  std::string lower = url;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t scheme_end;
  if (lower.starts_with("https://")) {
    scheme_end = 8;
  } else if (lower.starts_with("http://")) {
    scheme_end = 7;
  } else {
    return bad();
  }
  const auto host_end = std::min(url.find_first_of("/?#", scheme_end), url.size());
  auto host = std::string_view(lower).substr(scheme_end, host_end - scheme_end);
  if (host.find('@') != std::string_view::npos) return bad();  // user info hides the real host
  if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    const auto port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return bad();
    }
    host = host.substr(0, colon);
  }
  if (!valid_domain(host)) return bad();
  return lower.substr(0, host_end) + url.substr(host_end);
}

Result<std::string> validate_country(std::string_view raw, std::string_view field) {
  std::string code = trim_ascii(raw);
  if (code.size() != 2 || !std::isalpha(static_cast<unsigned char>(code[0])) ||
      !std::isalpha(static_cast<unsigned char>(code[1]))) {
    return refuse(field, "format", std::string(field) + " must be an ISO 3166-1 alpha-2 code such as DE or US");
  }
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (!is_known_region(code)) return refuse(field, "unknown", std::string(field) + " is not a known country code");
  return code;
}

struct LicencePattern::Impl {
  std::regex re;
};

LicencePattern::LicencePattern(std::string pattern, std::unique_ptr<Impl> impl)
    : pattern_(std::move(pattern)), impl_(std::move(impl)) {}
LicencePattern::LicencePattern(LicencePattern&&) noexcept = default;
LicencePattern& LicencePattern::operator=(LicencePattern&&) noexcept = default;
LicencePattern::~LicencePattern() = default;

Result<LicencePattern> LicencePattern::compile(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 512) {
    return fail(
        Error::validation("EYEWEAR_LICENCE_PATTERN", "regex", "the licence pattern must be 1 to 512 characters"));
  }
  try {
    auto impl = std::make_unique<Impl>();
    impl->re = std::regex(std::string(pattern), std::regex::ECMAScript | std::regex::optimize);
    return LicencePattern(std::string(pattern), std::move(impl));
  } catch (const std::regex_error& e) {
    return fail(Error::validation("EYEWEAR_LICENCE_PATTERN", "regex",
                                  std::string("the licence pattern does not compile: ") + e.what()));
  }
}

Result<std::string> LicencePattern::validate(std::string_view raw, std::string_view field) const {
  auto value = trim_ascii(raw);
  if (value.empty()) return refuse(field, "required", std::string(field) + " is required");
  if (value.size() > 64) return refuse(field, "max_length", std::string(field) + " must be at most 64 characters");
  bool matched = false;
  try {
    matched = std::regex_match(value, impl_->re);
  } catch (const std::regex_error&) {
    matched = false;  // the pattern's matching blew its complexity limit: not a match
  }
  if (!matched) {
    return fail(Error(ErrorCode::kValidationFailed, std::string(field) + " does not have the required format",
                      {{"field", std::string(field)}, {"rule", "pattern"}, {"pattern", pattern_}}));
  }
  return value;
}

}  // namespace eyewear::security
