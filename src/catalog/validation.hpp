// The rules a product must satisfy, each failure naming the field (dotted path, e.g.
// `dimensions.lens_width`, `images[2].url`) and the rule (`required`, `max_length`, `range`,
// `precision`, `currency`, `url`, ...). Also the normalisation applied before storing: trimmed
// single-line texts, lower-case category/materials/colours without duplicates, images ordered.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "catalog/model.hpp"

namespace eyewear::catalog {

struct Limits {
  static constexpr std::size_t kSku = 64;
  static constexpr std::size_t kName = 200;
  static constexpr std::size_t kBrand = 100;
  static constexpr std::size_t kCategory = 64;
  static constexpr std::size_t kDescription = 5000;
  static constexpr std::size_t kListItems = 20;
  static constexpr std::size_t kListItem = 50;
  static constexpr std::size_t kImages = 20;
  static constexpr std::size_t kUrl = 2048;
  static constexpr std::size_t kAlt = 300;
  static constexpr std::size_t kMetadataBytes = 16 * 1024;
  static constexpr std::int64_t kMaxPriceMajor = 1'000'000;
};

// Plausible ranges for eyewear, in millimetres (inclusive).
struct DimensionRange {
  const char* field;  // "dimensions.lens_width"
  int min_mm;
  int max_mm;
};
[[nodiscard]] const DimensionRange& range_of_lens_width();
[[nodiscard]] std::span<const DimensionRange> dimension_ranges();

// The ISO 4217 minor-unit exponent of an active currency code (EUR -> 2, JPY -> 0, BHD -> 3).
[[nodiscard]] std::optional<int> currency_exponent(std::string_view code);

// A new product from a patch: required fields must be present. `manufacturer_id`, ids and times
// are filled in by the service.
[[nodiscard]] Result<Product> build_product(const ProductPatch& patch);
// An existing product with the fields of `patch` applied, checked as a whole.
[[nodiscard]] Result<Product> apply_patch(const Product& base, const ProductPatch& patch);

// Decimal -> minor units of `currency`; PRECISION/RANGE failures name `field`.
[[nodiscard]] Result<std::int64_t> to_minor(const Decimal& d, int exponent, std::string_view field);
// Minor units -> 1/1000 of the major unit, the unit price filters and sorting compare in.
[[nodiscard]] std::int64_t scaled_price(std::int64_t minor, int exponent);
// Minor units as a decimal text in major units ("129.99", "1500" for JPY).
[[nodiscard]] std::string format_price(std::int64_t minor, int exponent);
// Parses "129.99", "-3", "1e2" is refused; false when not a plain decimal.
[[nodiscard]] bool parse_decimal(std::string_view text, Decimal& out);
// "52.5" for 525 tenths.
[[nodiscard]] std::string format_tenths(std::int32_t tenths);

// True when `s` is valid UTF-8; `count` receives the number of code points.
[[nodiscard]] bool utf8_length(std::string_view s, std::size_t& count);

}  // namespace eyewear::catalog
