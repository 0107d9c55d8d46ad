// Validation of business fields: email, company name, phone (E.164, libphonenumber), tax id (EU
// VAT per member state and US EIN, with the check digits where the format has them), business
// licence number (configurable pattern), product count, website and country. Each validator
// returns the normalised value or a VALIDATION_FAILED error whose details name the field and the
// rule (details.field, details.rule). Pure functions of their input; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::security {

using platform::Result;
using platform::Status;

// A rule that held but deserves attention (e.g. a very large catalogue).
struct ValidationWarning {
  std::string field;
  std::string rule;
  std::string message;
};

// Trims, lower-cases; RFC 5321 lengths (local part <= 64, whole address <= 254, domain labels
// <= 63), exactly one @, a domain with a dot and well-formed labels. Rules: required, max_length,
// format.
[[nodiscard]] Result<std::string> validate_email(std::string_view raw, std::string_view field = "email");

// Trims and collapses inner runs of spaces; 2-100 characters (code points) of letters, digits,
// spaces and common punctuation (. , & ' ’ - – — ( ) ! / + : # @), at least one letter or digit.
// Rules: required, encoding, length, characters.
[[nodiscard]] Result<std::string> validate_company_name(std::string_view raw, std::string_view field = "company_name");

// Parses with libphonenumber (national format accepted when `region` is an ISO 3166 code, else
// a leading + is required) and returns E.164 (+4930123456). Rules: required, max_length, format,
// country_code, too_short, too_long, invalid_number.
[[nodiscard]] Result<std::string> validate_phone(std::string_view raw, std::string_view region = {},
                                                 std::string_view field = "phone");

struct TaxId {
  std::string value;               // compact: "DE811125440", "12-3456789"
  std::string scheme;              // "eu_vat" | "us_ein"
  std::string country;             // "DE", ... (EL for Greece, XI for Northern Ireland), "US"
  bool checksum_verified = false;  // false where the format has no check digits (EIN, some VAT forms)
};

// EU VAT numbers (the 27 member states and XI) with their member state's checksum, or US EINs
// (format and IRS campus prefix; EINs carry no check digit). `country` (ISO 3166, from the
// profile) decides bare numbers: "US" means an EIN, an EU country means VAT without its prefix.
// Rules: required, max_length, format, country, length, checksum, component.
[[nodiscard]] Result<TaxId> validate_tax_id(std::string_view raw, std::string_view country = {},
                                            std::string_view field = "tax_id");

// Integer 0..1,000,000; a warning above 100,000. Rules: range; warning rule: large_catalogue.
[[nodiscard]] Result<std::vector<ValidationWarning>> validate_product_count(std::int64_t count,
                                                                            std::string_view field = "product_count");
inline constexpr std::int64_t kMaxProductCount = 1'000'000;
inline constexpr std::int64_t kProductCountWarning = 100'000;

// http(s) URL with a host that has a dot, at most 200 bytes. Rules: max_length, format.
[[nodiscard]] Result<std::string> validate_website(std::string_view raw, std::string_view field = "website");

// ISO 3166-1 alpha-2 as libphonenumber knows the regions; upper-cased. Rules: format, unknown.
[[nodiscard]] Result<std::string> validate_country(std::string_view raw, std::string_view field = "country");

// Business licence numbers follow rules of the licensing authority, so the pattern is
// configuration (EYEWEAR_LICENCE_PATTERN, ECMAScript syntax, matched against the whole trimmed
// value of at most 64 characters). Rules: required, max_length, pattern.
class LicencePattern {
 public:
  static constexpr std::string_view kDefault = "[A-Za-z0-9][A-Za-z0-9 ./-]{2,39}";
  // VALIDATION_FAILED naming EYEWEAR_LICENCE_PATTERN when the pattern does not compile.
  [[nodiscard]] static Result<LicencePattern> compile(std::string_view pattern);
  [[nodiscard]] Result<std::string> validate(std::string_view raw, std::string_view field = "licence_number") const;
  [[nodiscard]] const std::string& pattern() const { return pattern_; }

  LicencePattern(LicencePattern&&) noexcept;
  LicencePattern& operator=(LicencePattern&&) noexcept;
  ~LicencePattern();

 private:
  struct Impl;
  LicencePattern(std::string pattern, std::unique_ptr<Impl> impl);
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

// Helpers shared by the validators.
[[nodiscard]] std::string trim_ascii(std::string_view s);
[[nodiscard]] bool is_known_region(std::string_view region);

}  // namespace eyewear::security
