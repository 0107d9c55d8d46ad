// Phone numbers and region codes through libphonenumber (Google's metadata, as Debian ships it).
// Its headers pull in protobuf and abseil, so they stay in this one translation unit.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "security/validation.hpp"

namespace eyewear::security {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using platform::Error;
using platform::fail;

namespace {

std::unexpected<Error> refuse(std::string_view field, std::string rule, std::string message) {
  return fail(Error::validation(std::string(field), std::move(rule), std::move(message)));
}

// libphonenumber's own instance (it is immutable after construction and thread-safe to read).
const PhoneNumberUtil& util() { return *PhoneNumberUtil::GetInstance(); }

}  // namespace

bool is_known_region(std::string_view region) {
  // Regions without metadata have no country calling code.
  return region.size() == 2 && util().GetCountryCodeForRegion(std::string(region)) != 0;
}

Result<std::string> validate_phone(std::string_view raw, std::string_view region, std::string_view field) {
  const auto text = trim_ascii(raw);
  if (text.empty()) return refuse(field, "required", std::string(field) + " is required");
  if (text.size() > 64) return refuse(field, "max_length", std::string(field) + " must be at most 64 characters");
  const std::string default_region = is_known_region(region) ? std::string(region) : std::string("ZZ");
  PhoneNumber number;
  switch (util().Parse(text, default_region, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return refuse(field, "country_code",
                    std::string(field) + " must start with + and a valid country calling code (or give the country)");
    case PhoneNumberUtil::NOT_A_NUMBER:
      return refuse(field, "format", std::string(field) + " is not a phone number");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return refuse(field, "too_short", std::string(field) + " is too short");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return refuse(field, "too_long", std::string(field) + " is too long");
  }
  if (number.has_extension()) {
    return refuse(field, "format", std::string(field) + " must not carry an extension (E.164 has none)");
  }
  switch (util().IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE:
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return refuse(field, "country_code", std::string(field) + " has an unknown country calling code");
    case PhoneNumberUtil::TOO_SHORT:
      return refuse(field, "too_short", std::string(field) + " is too short");
    case PhoneNumberUtil::TOO_LONG:
      return refuse(field, "too_long", std::string(field) + " is too long");
    case PhoneNumberUtil::INVALID_LENGTH:
      return refuse(field, "invalid_number", std::string(field) + " has a length no number of its country has");
  }
  if (!util().IsValidNumber(number)) {
    return refuse(field, "invalid_number", std::string(field) + " is not a valid number in its numbering plan");
  }
  std::string e164;
  util().Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace eyewear::security
