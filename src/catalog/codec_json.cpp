// The JSON side of the codec: API representation in and out, JSON array and NDJSON bodies.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"
#include "platform/clock.hpp"
#include "platform/json_depth.hpp"
#include "platform/json_lines.hpp"
#include "platform/json_node.hpp"
#include "platform/logging.hpp"

namespace eyewear::catalog {

using nlohmann::json;
using platform::ErrorCode;
using platform::fail;

namespace {

Error type_error(const std::string& field, const char* expected) {
  return field_error(field, "type", field + " must be " + expected);
}

// The readers below take either parser's nodes (platform::NlohmannNode for a JSON body,
// platform::SimdNode for bulk rows); both give members in the same order, so the first error
// found is the same.
using platform::JsonKind;

template <typename Node>
Result<std::string> string_of(Node v, const std::string& field) {
  if (v.kind() != JsonKind::kString) return fail(type_error(field, "a string"));
  return std::string(v.string());
}

template <typename Node>
Result<Decimal> decimal_of(Node v, const std::string& field) {
  Decimal d;
  switch (v.kind()) {
    case JsonKind::kUnsigned:
      return fail(field_error(field, "range", field + " is out of range"));
    case JsonKind::kInt:
      return Decimal{v.integer(), 0};
    case JsonKind::kDouble: {
      const double x = v.real();
      if (!std::isfinite(x) || std::fabs(x) > 1e15) {
        return fail(field_error(field, "range", field + " is out of range"));
      }
      // The shortest text that reads back as the same double is what the client wrote.
      char buf[64];
      const auto r = std::to_chars(buf, buf + sizeof buf, x);
      const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
      if (text.find('e') != std::string_view::npos || !parse_decimal(text, d)) {
        return fail(field_error(field, "precision", field + " must be a plain decimal number"));
      }
      return d;
    }
    case JsonKind::kString:
      if (!parse_decimal(v.string(), d)) {
        return fail(field_error(field, "format", field + " must be a decimal number such as 129.99"));
      }
      return d;
    default:
      return fail(type_error(field, "a number"));
  }
}

template <typename Node>
Result<std::vector<std::string>> string_list(Node v, const std::string& field) {
  if (v.kind() != JsonKind::kArray) return fail(type_error(field, "an array of strings"));
  std::vector<std::string> out;
  out.reserve(v.size());
  Status status;
  v.items([&](Node item) {
    if (item.kind() != JsonKind::kString) {
      status = fail(type_error(field + "[" + std::to_string(out.size()) + "]", "a string"));
      return false;
    }
    out.emplace_back(item.string());
    return true;
  });
  EW_TRY(status);
  return out;
}

template <typename Node>
Result<Image> image_of(Node o, std::size_t i) {
  const std::string prefix = "images[" + std::to_string(i) + "]";
  if (o.kind() == JsonKind::kString)
    return Image{std::string(o.string()), {}, static_cast<std::int32_t>(i)};  // a bare URL
  if (o.kind() != JsonKind::kObject) return fail(type_error(prefix, "an object with url, alt and position"));
  Image img;
  img.position = static_cast<std::int32_t>(i);
  Status status;
  o.members([&](std::string_view key, Node value) {
    status = [&]() -> Status {
      if (key == "url") {
        EW_ASSIGN_OR_RETURN(img.url, string_of(value, prefix + ".url"));
      } else if (key == "alt") {
        if (value.kind() != JsonKind::kNull) {
          EW_ASSIGN_OR_RETURN(img.alt, string_of(value, prefix + ".alt"));
        }
      } else if (key == "position") {
        if (value.kind() != JsonKind::kInt && value.kind() != JsonKind::kUnsigned) {
          return fail(type_error(prefix + ".position", "an integer"));
        }
        const auto pos = value.kind() == JsonKind::kInt ? value.integer() : std::int64_t{-1};  // -1: out of range
        if (pos < 0 || pos > 1000) {
          return fail(field_error(prefix + ".position", "range", prefix + ".position must be between 0 and 1000",
                                  {{"min", std::int64_t{0}}, {"max", std::int64_t{1000}}}));
        }
        img.position = static_cast<std::int32_t>(pos);
      } else {
        const std::string field = prefix + "." + std::string(key);
        return fail(field_error(field, "unknown_field", field + " is not a field of an image"));
      }
      return {};
    }();
    return status.has_value();
  });
  EW_TRY(status);
  if (img.url.empty()) return fail(field_error(prefix + ".url", "required", prefix + ".url is required"));
  return img;
}

template <typename Node>
Result<std::vector<Image>> images_of(Node v) {
  if (v.kind() != JsonKind::kArray) return fail(type_error("images", "an array of objects"));
  std::vector<Image> out;
  out.reserve(v.size());
  Status status;
  v.items([&](Node item) {
    auto img = image_of(item, out.size());
    if (!img) {
      status = fail(std::move(img).error());
      return false;
    }
    out.push_back(std::move(*img));
    return true;
  });
  EW_TRY(status);
  return out;
}

using DimensionSlot = std::optional<std::optional<Decimal>> ProductPatch::*;
constexpr std::pair<const char*, DimensionSlot> kDimensionFields[] = {
    {"lens_width", &ProductPatch::lens_width},       {"lens_height", &ProductPatch::lens_height},
    {"bridge_width", &ProductPatch::bridge_width},   {"temple_length", &ProductPatch::temple_length},
    {"frame_width", &ProductPatch::frame_width},     {"frame_height", &ProductPatch::frame_height},
};

template <typename Node>
Status dimensions_of(Node v, ProductPatch& p) {
  if (v.kind() != JsonKind::kObject) return fail(type_error("dimensions", "an object"));
  Status status;
  v.members([&](std::string_view key, Node value) {
    status = [&]() -> Status {
      const std::string field = "dimensions." + std::string(key);
      DimensionSlot slot = nullptr;
      for (const auto& [name, s] : kDimensionFields) {
        if (key == name) slot = s;
      }
      if (slot == nullptr) return fail(field_error(field, "unknown_field", field + " is not a known dimension"));
      if (value.kind() == JsonKind::kNull) {
        p.*slot = std::optional<Decimal>();
        return {};
      }
      EW_ASSIGN_OR_RETURN(auto d, decimal_of(value, field));
      p.*slot = std::optional<Decimal>(d);
      return {};
    }();
    return status.has_value();
  });
  return status;
}

template <typename Node>
Status member_of(std::string_view key, Node value, ProductPatch& p) {
  const bool null = value.kind() == JsonKind::kNull;
  auto text = [&](std::optional<std::string>& slot) -> Status {
    if (null) {
      slot = std::string();
      return {};
    }
    EW_ASSIGN_OR_RETURN(slot, string_of(value, std::string(key)));
    return {};
  };
  if (key == "sku") return text(p.sku);
  if (key == "name") return text(p.name);
  if (key == "brand") return text(p.brand);
  if (key == "category") return text(p.category);
  if (key == "description") return text(p.description);
  if (key == "currency") return text(p.currency);
  if (key == "price") {
    if (null) return fail(field_error("price", "required", "price is required"));
    EW_ASSIGN_OR_RETURN(p.price, decimal_of(value, "price"));
    return {};
  }
  if (key == "dimensions") return null ? Status() : dimensions_of(value, p);
  if (key == "materials" || key == "colors") {
    auto& slot = key == "materials" ? p.materials : p.colors;
    if (null) {
      slot = std::vector<std::string>();
      return {};
    }
    EW_ASSIGN_OR_RETURN(slot, string_list(value, std::string(key)));
    return {};
  }
  if (key == "images") {
    if (null) {
      p.images = std::vector<Image>();
      return {};
    }
    EW_ASSIGN_OR_RETURN(p.images, images_of(value));
    return {};
  }
  if (key == "metadata") {
    if (null) {
      p.metadata = "{}";
      return {};
    }
    if (value.kind() != JsonKind::kObject) return fail(type_error("metadata", "an object"));
    std::string dumped;
    value.dump(dumped);  // nlohmann's dump, from either parser
    p.metadata = std::move(dumped);
    return {};
  }
  if (key == "is_active") {
    if (value.kind() != JsonKind::kBool) return fail(type_error("is_active", "true or false"));
    p.is_active = value.boolean();
    return {};
  }
  if (key == "id" || key == "price_minor" || key == "created_at" || key == "updated_at") return {};  // read-only
  const std::string field(key);
  return fail(field_error(field, "unknown_field", field + " is not a product field"));
}

template <typename Node>
Result<ProductPatch> patch_of(Node o) {
  if (o.kind() != JsonKind::kObject) return fail(field_error("body", "type", "a product must be a JSON object"));
  ProductPatch p;
  Status status;
  o.members([&](std::string_view key, Node value) {
    status = member_of(key, value, p);
    return status.has_value();
  });
  EW_TRY(status);
  return p;
}

json decimal_json(std::int64_t minor, int exponent) {
  if (exponent == 0) return minor;
  const auto text = format_price(minor, exponent);
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

json dimension_json(const std::optional<std::int32_t>& tenths) {
  if (!tenths) return nullptr;
  if (*tenths % 10 == 0) return *tenths / 10;
  return static_cast<double>(*tenths) / 10.0;
}

std::string iso(std::int64_t ms) { return platform::format_rfc3339(platform::from_unix_ms(ms)); }

}  // namespace

Result<ProductPatch> patch_from_json(const json& o) { return patch_of(platform::NlohmannNode(o)); }

json product_json(const Product& p) {
  const int exponent = currency_exponent(p.currency).value_or(2);
  json j = {{"id", p.id}, {"sku", p.sku}, {"name", p.name}, {"brand", p.brand}, {"category", p.category},
            {"description", p.description}};
  j["price"] = decimal_json(p.price_minor, exponent);
  j["price_minor"] = p.price_minor;
  j["currency"] = p.currency;
  j["dimensions"] = {{"lens_width", dimension_json(p.dimensions.lens_width)},
                     {"lens_height", dimension_json(p.dimensions.lens_height)},
                     {"bridge_width", dimension_json(p.dimensions.bridge_width)},
                     {"temple_length", dimension_json(p.dimensions.temple_length)},
                     {"frame_width", dimension_json(p.dimensions.frame_width)},
                     {"frame_height", dimension_json(p.dimensions.frame_height)}};
  j["materials"] = p.materials;
  j["colors"] = p.colors;
  json images = json::array();
  for (const auto& img : p.images) images.push_back({{"url", img.url}, {"alt", img.alt}, {"position", img.position}});
  j["images"] = std::move(images);
  j["metadata"] = json::parse(p.metadata, nullptr, false);
  if (j["metadata"].is_discarded()) j["metadata"] = json::object();
  j["is_active"] = p.is_active;
  j["created_at"] = iso(p.created_at);
  j["updated_at"] = iso(p.updated_at);
  return j;
}

namespace {

// Writes what nlohmann's dump() writes for the same value, without building the tree: keys in
// its (sorted) order, strings escaped as it escapes them, numbers formatted by it.
void put_string(std::string& out, std::string_view s) {
  platform::append_json_string(out, s, platform::JsonEscape::kDump);
}

void put_strings(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    put_string(out, items[i]);
  }
  out.push_back(']');
}

void put_number(std::string& out, const json& number) { out += number.dump(); }

}  // namespace

void append_product_json(std::string& out, const Product& p) {
  const int exponent = currency_exponent(p.currency).value_or(2);
  out += "{\"brand\":";
  put_string(out, p.brand);
  out += ",\"category\":";
  put_string(out, p.category);
  out += ",\"colors\":";
  put_strings(out, p.colors);
  out += ",\"created_at\":";
  put_string(out, iso(p.created_at));
  out += ",\"currency\":";
  put_string(out, p.currency);
  out += ",\"description\":";
  put_string(out, p.description);
  // In key order, as dump() sorts them.
  static constexpr std::pair<const char*, std::optional<std::int32_t> Dimensions::*> kDimensions[] = {
      {"{\"bridge_width\":", &Dimensions::bridge_width}, {",\"frame_height\":", &Dimensions::frame_height},
      {",\"frame_width\":", &Dimensions::frame_width},   {",\"lens_height\":", &Dimensions::lens_height},
      {",\"lens_width\":", &Dimensions::lens_width},     {",\"temple_length\":", &Dimensions::temple_length}};
  out += ",\"dimensions\":";
  for (const auto& [key, member] : kDimensions) {
    out += key;
    put_number(out, dimension_json(p.dimensions.*member));
  }
  out += "},\"id\":";
  put_string(out, p.id);
  out += ",\"images\":[";
  for (std::size_t i = 0; i < p.images.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"alt\":";
    put_string(out, p.images[i].alt);
    out += ",\"position\":";
    out += std::to_string(p.images[i].position);
    out += ",\"url\":";
    put_string(out, p.images[i].url);
    out.push_back('}');
  }
  out += "],\"is_active\":";
  out += p.is_active ? "true" : "false";
  out += ",\"materials\":";
  put_strings(out, p.materials);
  // Stored as nlohmann's own dump of the object (patch_from_json, the CSV codec), so it is
  // written as stored; anything unreadable is written as {} as product_json does.
  out += ",\"metadata\":";
  if (!p.metadata.empty() && p.metadata.front() == '{' && json::accept(p.metadata)) {
    out += p.metadata;
  } else {
    out += "{}";
  }
  out += ",\"name\":";
  put_string(out, p.name);
  out += ",\"price\":";
  put_number(out, decimal_json(p.price_minor, exponent));
  out += ",\"price_minor\":";
  out += std::to_string(p.price_minor);
  out += ",\"sku\":";
  put_string(out, p.sku);
  out += ",\"updated_at\":";
  put_string(out, iso(p.updated_at));
  out.push_back('}');
}

namespace {

constexpr int kMaxDepth = 32;

Error too_many_rows() {
  return field_error("body", "max_rows", "a bulk request may hold at most 10000 rows",
                     {{"max", static_cast<std::int64_t>(kMaxBulkRows)}});
}

BulkRow row_of(std::size_t index, platform::SimdNode value) {
  BulkRow row;
  row.row = index;
  auto patch = patch_of(value);
  if (patch) {
    row.patch = std::move(*patch);
  } else {
    row.error = std::move(patch).error();
  }
  return row;
}

}  // namespace

Result<std::vector<BulkRow>> parse_json_bulk(std::string_view body) {
  if (platform::json_nesting_depth(body, kMaxDepth) > kMaxDepth) {
    return fail(Error(ErrorCode::kInvalidJson, "JSON nesting is deeper than 32 levels",
                      {{"max_depth", std::int64_t{kMaxDepth}}}));
  }
  platform::JsonReader reader;
  const auto doc = reader.read(body);
  if (!doc) {
    try {
      const auto again = json::parse(body);  // for where it breaks
      (void)again;
    } catch (const json::parse_error& e) {
      return fail(Error(ErrorCode::kInvalidJson, "malformed JSON at byte " + std::to_string(e.byte),
                        {{"offset", static_cast<std::int64_t>(e.byte)}}));
    }
    return fail(Error(ErrorCode::kInvalidJson, "malformed JSON"));
  }
  if (doc->kind() != platform::JsonKind::kArray) {
    return fail(field_error("body", "type", "a JSON bulk body must be an array of products"));
  }
  if (doc->size() > kMaxBulkRows) return fail(too_many_rows());
  std::vector<BulkRow> rows;
  rows.reserve(doc->size());
  doc->items([&](platform::SimdNode item) {
    rows.push_back(row_of(rows.size() + 1, item));
    return true;
  });
  return rows;
}

Result<std::vector<BulkRow>> parse_ndjson_bulk(std::string_view body) {
  std::vector<BulkRow> rows;
  bool too_many = false;
  platform::for_each_json_line(body, [&](const platform::JsonLine& l) {
    if (rows.size() == kMaxBulkRows) {
      too_many = true;
      return false;
    }
    const std::size_t index = rows.size() + 1;
    if (l.depth() > kMaxDepth) {
      rows.push_back(BulkRow{index, {}, Error(ErrorCode::kInvalidJson, "JSON nesting is deeper than 32 levels",
                                              {{"field", std::string("body")}, {"rule", std::string("json")}})});
      return true;
    }
    if (!l.value) {
      rows.push_back(BulkRow{index,
                             {},
                             Error(ErrorCode::kInvalidJson, "this line is not valid JSON",
                                   {{"field", std::string("body")},
                                    {"rule", std::string("json")},
                                    {"offset", static_cast<std::int64_t>(l.offset)}})});
      return true;
    }
    rows.push_back(row_of(index, *l.value));
    return true;
  });
  if (too_many) return fail(too_many_rows());
  return rows;
}

Result<std::vector<BulkRow>> parse_csv_bulk(std::string_view body);

Result<std::vector<BulkRow>> parse_bulk(std::string_view body, BulkFormat format) {
  switch (format) {
    case BulkFormat::kJson: return parse_json_bulk(body);
    case BulkFormat::kNdjson: return parse_ndjson_bulk(body);
    case BulkFormat::kCsv: return parse_csv_bulk(body);
  }
  return fail(field_error("body", "format", "unknown bulk format"));
}

std::string product_id(std::int64_t seq) { return "prd_" + std::to_string(seq); }

std::optional<std::int64_t> product_seq(std::string_view id) {
  if (!id.starts_with("prd_") || id.size() > 24) return std::nullopt;
  const auto digits = id.substr(4);
  std::int64_t v = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace eyewear::catalog
