#include "catalog/validation.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "platform/ascii.hpp"

namespace eyewear::catalog {

using platform::ErrorCode;
using platform::fail;

Error field_error(std::string field, std::string rule, std::string message, platform::Details extra) {
  platform::Details d = {{"field", std::move(field)}, {"rule", std::move(rule)}};
  for (auto& e : extra) d.push_back(std::move(e));
  return Error(ErrorCode::kValidationFailed, std::move(message), std::move(d));
}

namespace {

constexpr std::array kRanges = std::to_array<DimensionRange>({
    {"dimensions.lens_width", 30, 80},
    {"dimensions.lens_height", 15, 70},
    {"dimensions.bridge_width", 10, 30},
    {"dimensions.temple_length", 100, 165},
    {"dimensions.frame_width", 100, 170},
    {"dimensions.frame_height", 20, 80},
});

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Trims `s` in place: no copy when there is nothing to trim (nearly always).
void trim_in_place(std::string& s) {
  const auto kept = trim(s);
  if (kept.size() == s.size()) return;
  const auto start = static_cast<std::size_t>(kept.data() - s.data());
  s.erase(start + kept.size());
  s.erase(0, start);
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Checks UTF-8, control characters and the length in characters.
Status check_text(std::string_view field, std::string_view value, std::size_t max_chars, bool multiline) {
  std::size_t chars = 0;
  if (!utf8_length(value, chars)) {
    return fail(field_error(std::string(field), "utf8", std::string(field) + " is not valid UTF-8"));
  }
  for (std::size_t i = platform::ascii::skip_printable(value, 0); i < value.size();
       i = platform::ascii::skip_printable(value, i + 1)) {
    const auto c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7F) {
      return fail(field_error(std::string(field), "control_characters",
                              std::string(field) + " contains control characters"));
    }
  }
  if (chars > max_chars) {
    return fail(field_error(std::string(field), "max_length",
                            std::string(field) + " must be at most " + std::to_string(max_chars) + " characters",
                            {{"max", static_cast<std::int64_t>(max_chars)}}));
  }
  return {};
}

Status required_text(std::string_view field, std::string& value, std::size_t max_chars) {
  trim_in_place(value);
  if (value.empty()) return fail(field_error(std::string(field), "required", std::string(field) + " is required"));
  return check_text(field, value, max_chars, false);
}

bool sku_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '/';
}

Status normalise_list(std::string_view field, std::vector<std::string>& list) {
  if (list.size() > Limits::kListItems) {
    return fail(field_error(std::string(field), "max_items",
                            std::string(field) + " may hold at most " + std::to_string(Limits::kListItems) + " items",
                            {{"max", static_cast<std::int64_t>(Limits::kListItems)}}));
  }
  std::vector<std::string> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_field = std::string(field) + "[" + std::to_string(i) + "]";
    std::string item = lower_ascii(trim(list[i]));
    if (item.empty()) return fail(field_error(item_field, "required", item_field + " must not be empty"));
    EW_TRY(check_text(item_field, item, Limits::kListItem, false));
    if (item.find('|') != std::string::npos) {
      return fail(field_error(item_field, "format", item_field + " must not contain '|' (the CSV list separator)"));
    }
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
  }
  list = std::move(out);
  return {};
}

Status check_url(const std::string& field, std::string_view url) {
  if (url.empty()) return fail(field_error(field, "required", field + " is required"));
  if (url.size() > Limits::kUrl) {
    return fail(field_error(field, "max_length", field + " must be at most 2048 bytes",
                            {{"max", static_cast<std::int64_t>(Limits::kUrl)}}));
  }
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return fail(field_error(field, "url_scheme", field + " must be an http:// or https:// URL"));
  }
  const auto host_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, host_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return fail(field_error(field, "url", field + " must name a host (and no user information)"));
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' || c == '|') {
      return fail(field_error(field, "url", field + " contains characters a URL may not hold"));
    }
  }
  return {};
}

Status normalise_images(std::vector<Image>& images) {
  if (images.size() > Limits::kImages) {
    return fail(field_error("images", "max_items", "images may hold at most 20 items",
                            {{"max", static_cast<std::int64_t>(Limits::kImages)}}));
  }
  static const std::string kUnnamed;
  for (std::size_t i = 0; i < images.size(); ++i) {
    // An image's fields are named (images[i].url) only when there is an error to report: the
    // checks run first unnamed, and again with the name if they fail.
    const auto named = [i](const char* leaf) { return "images[" + std::to_string(i) + "]." + leaf; };
    auto& img = images[i];
    trim_in_place(img.url);
    if (!check_url(kUnnamed, img.url)) return check_url(named("url"), img.url);
    if (!check_text(kUnnamed, img.alt, Limits::kAlt, false)) return check_text(named("alt"), img.alt, Limits::kAlt, false);
    if (img.position < 0 || img.position > 1000) {
      const auto prefix = named("position");
      return fail(field_error(prefix, "range", prefix + " must be between 0 and 1000",
                              {{"min", std::int64_t{0}}, {"max", std::int64_t{1000}}}));
    }
  }
  std::stable_sort(images.begin(), images.end(), [](const Image& a, const Image& b) { return a.position < b.position; });
  return {};
}

Result<std::optional<std::int32_t>> to_tenths(const std::optional<Decimal>& d, const DimensionRange& r) {
  if (!d) return std::optional<std::int32_t>();
  if (d->scale > 1) {
    return fail(field_error(r.field, "precision", std::string(r.field) + " may have at most one decimal (0.1 mm)"));
  }
  const std::int64_t tenths = d->scale == 1 ? d->digits : d->digits * 10;
  if (tenths < r.min_mm * 10LL || tenths > r.max_mm * 10LL) {
    return fail(field_error(r.field, "range",
                            std::string(r.field) + " must be between " + std::to_string(r.min_mm) + " and " +
                                std::to_string(r.max_mm) + " mm",
                            {{"min", static_cast<std::int64_t>(r.min_mm)}, {"max", static_cast<std::int64_t>(r.max_mm)}}));
  }
  return std::optional<std::int32_t>(static_cast<std::int32_t>(tenths));
}


// Applies a patch onto `p`. `p.currency` may be empty for a new product.
Status apply(Product& p, const ProductPatch& patch, bool creating) {
  if (patch.sku) p.sku = *patch.sku;
  if (patch.name) p.name = *patch.name;
  if (patch.brand) p.brand = *patch.brand;
  if (patch.category) p.category = *patch.category;
  if (patch.description) p.description = *patch.description;

  trim_in_place(p.sku);
  if (p.sku.empty()) return fail(field_error("sku", "required", "sku is required"));
  if (p.sku.size() > Limits::kSku) {
    return fail(field_error("sku", "max_length", "sku must be at most 64 characters",
                            {{"max", static_cast<std::int64_t>(Limits::kSku)}}));
  }
  if (!std::all_of(p.sku.begin(), p.sku.end(), sku_char)) {
    return fail(field_error("sku", "format", "sku may hold letters, digits and - _ . / only"));
  }
  EW_TRY(required_text("name", p.name, Limits::kName));
  EW_TRY(required_text("brand", p.brand, Limits::kBrand));
  EW_TRY(required_text("category", p.category, Limits::kCategory));
  p.category = lower_ascii(p.category);
  EW_TRY(check_text("description", p.description, Limits::kDescription, true));

  // Price and currency: a change of currency alone keeps the amount in major units.
  const std::string old_currency = p.currency;
  if (patch.currency) p.currency = std::string(trim(*patch.currency));
  if (p.currency.empty()) return fail(field_error("currency", "required", "currency is required"));
  const auto exponent = currency_exponent(p.currency);
  if (!exponent) {
    return fail(field_error("currency", "currency", "currency must be an active ISO 4217 code such as EUR or USD"));
  }
  std::optional<Decimal> price = patch.price;
  if (!price) {
    if (creating) return fail(field_error("price", "required", "price is required"));
    if (old_currency != p.currency) {
      Decimal kept{p.price_minor, *currency_exponent(old_currency)};
      while (kept.scale > 0 && kept.digits % 10 == 0) {
        kept.digits /= 10;
        --kept.scale;
      }
      price = kept;
    }
  }
  if (price) {
    if (price->digits < 0) return fail(field_error("price", "non_negative", "price must not be negative"));
    EW_ASSIGN_OR_RETURN(p.price_minor, to_minor(*price, *exponent, "price"));
  }

  // Dimensions.
  const std::array<std::pair<const std::optional<std::optional<Decimal>>*, std::optional<std::int32_t>*>, 6> dims = {{
      {&patch.lens_width, &p.dimensions.lens_width},
      {&patch.lens_height, &p.dimensions.lens_height},
      {&patch.bridge_width, &p.dimensions.bridge_width},
      {&patch.temple_length, &p.dimensions.temple_length},
      {&patch.frame_width, &p.dimensions.frame_width},
      {&patch.frame_height, &p.dimensions.frame_height},
  }};
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (!dims[i].first->has_value()) continue;
    EW_ASSIGN_OR_RETURN(*dims[i].second, to_tenths(**dims[i].first, kRanges[i]));
  }

  if (patch.materials) p.materials = *patch.materials;
  if (patch.colors) p.colors = *patch.colors;
  EW_TRY(normalise_list("materials", p.materials));
  EW_TRY(normalise_list("colors", p.colors));
  if (patch.images) p.images = *patch.images;
  EW_TRY(normalise_images(p.images));
  if (patch.metadata) p.metadata = *patch.metadata;
  if (p.metadata.size() > Limits::kMetadataBytes) {
    return fail(field_error("metadata", "max_size", "metadata must be at most 16384 bytes as JSON",
                            {{"max", static_cast<std::int64_t>(Limits::kMetadataBytes)}}));
  }
  if (patch.is_active) p.is_active = *patch.is_active;
  return {};
}

}  // namespace

const DimensionRange& range_of_lens_width() { return kRanges[0]; }
std::span<const DimensionRange> dimension_ranges() { return kRanges; }

Result<Product> build_product(const ProductPatch& patch) {
  Product p;
  EW_TRY(apply(p, patch, true));
  return p;
}

Result<Product> apply_patch(const Product& base, const ProductPatch& patch) {
  Product p = base;
  EW_TRY(apply(p, patch, false));
  return p;
}

Result<std::int64_t> to_minor(const Decimal& d, int exponent, std::string_view field) {
  if (d.scale > exponent) {
    return fail(field_error(std::string(field), "precision",
                            std::string(field) + " has more decimals than the currency allows (" +
                                std::to_string(exponent) + ")",
                            {{"max_decimals", static_cast<std::int64_t>(exponent)}}));
  }
  std::int64_t v = d.digits;
  for (int i = d.scale; i < exponent; ++i) v *= 10;
  std::int64_t max = Limits::kMaxPriceMajor;
  for (int i = 0; i < exponent; ++i) max *= 10;
  if (v > max || v < -max) {
    return fail(field_error(std::string(field), "range", std::string(field) + " must be at most 1000000",
                            {{"min", std::int64_t{0}}, {"max", Limits::kMaxPriceMajor}}));
  }
  return v;
}

std::int64_t scaled_price(std::int64_t minor, int exponent) {
  for (int i = exponent; i < 3; ++i) minor *= 10;
  return minor;
}

std::string format_price(std::int64_t minor, int exponent) {
  const bool negative = minor < 0;
  std::string digits = std::to_string(negative ? -minor : minor);
  if (exponent > 0) {
    if (digits.size() <= static_cast<std::size_t>(exponent)) {
      digits.insert(0, static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(exponent), ".");
  }
  return negative ? "-" + digits : digits;
}

bool parse_decimal(std::string_view text, Decimal& out) {
  if (text.empty() || text.size() > 24) return false;
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  std::int64_t digits = 0;
  int scale = 0;
  bool dot = false, any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (dot) return false;
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (digits > 100'000'000'000'000LL) return false;
    digits = digits * 10 + (c - '0');
    any = true;
    if (dot) ++scale;
  }
  if (!any || (dot && text.back() == '.')) return false;
  // Trailing zeros after the point carry no precision: 12.50 is 12.5.
  while (scale > 0 && digits % 10 == 0) {
    digits /= 10;
    --scale;
  }
  out = Decimal{negative ? -digits : digits, scale};
  return true;
}

std::string format_tenths(std::int32_t tenths) {
  std::string s = std::to_string(tenths / 10);
  if (tenths % 10 != 0) s += "." + std::to_string(tenths % 10);
  return s;
}

bool utf8_length(std::string_view s, std::size_t& count) {
  count = 0;
  std::size_t i = 0;
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    const std::size_t ascii_end = platform::ascii::skip_ascii(s, i);
    count += ascii_end - i;
    i = ascii_end;
    if (i == s.size()) break;
    const unsigned char c = b[i];
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((b[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
    ++count;
  }
  return true;
}

}  // namespace eyewear::catalog
