// The CSV side of the codec: bulk bodies with a header row, and export rows.
#include <charconv>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"
#include "platform/csv.hpp"
#include "platform/json_depth.hpp"

namespace eyewear::catalog {

using nlohmann::json;
using platform::fail;

namespace {

enum class Column {
  kSku, kName, kBrand, kCategory, kDescription, kPrice, kCurrency,
  kLensWidth, kLensHeight, kBridgeWidth, kTempleLength, kFrameWidth, kFrameHeight,
  kMaterials, kColors, kImageUrls, kImageAlts, kImagePositions, kMetadata, kIsActive,
};

const std::vector<std::string>& names() {
  static const std::vector<std::string> v = {
      "sku", "name", "brand", "category", "description", "price", "currency",
      "dimensions.lens_width", "dimensions.lens_height", "dimensions.bridge_width", "dimensions.temple_length",
      "dimensions.frame_width", "dimensions.frame_height", "materials", "colors", "images.url", "images.alt",
      "images.position", "metadata", "is_active"};
  return v;
}

constexpr Column kRequired[] = {Column::kSku, Column::kName, Column::kBrand, Column::kCategory, Column::kPrice,
                                Column::kCurrency};

std::string lower_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<std::vector<Column>> read_header(const std::vector<std::string>& cells) {
  std::vector<Column> out;
  std::vector<bool> seen(names().size(), false);
  for (const auto& raw : cells) {
    const auto name = lower_trim(raw);
    std::size_t i = 0;
    while (i < names().size() && names()[i] != name) ++i;
    if (i == names().size()) {
      return fail(field_error("body", "unknown_column", "the CSV header names an unknown column: " + name,
                              {{"column", name}, {"expected", names()}}));
    }
    if (seen[i]) {
      return fail(field_error("body", "duplicate_column", "the CSV header names " + name + " twice", {{"column", name}}));
    }
    seen[i] = true;
    out.push_back(static_cast<Column>(i));
  }
  for (auto c : kRequired) {
    if (!seen[static_cast<std::size_t>(c)]) {
      const auto& name = names()[static_cast<std::size_t>(c)];
      return fail(field_error("body", "missing_column", "the CSV header lacks the required column " + name,
                              {{"column", name}}));
    }
  }
  return out;
}

Result<Decimal> decimal_cell(std::string_view cell, const std::string& field) {
  Decimal d;
  if (!parse_decimal(cell, d)) return fail(field_error(field, "format", field + " must be a decimal number"));
  return d;
}

Status apply_cell(ProductPatch& p, Column c, const std::string& cell, std::vector<Image>& images,
                  std::vector<std::string>& alts, std::vector<std::string>& positions) {
  if (cell.empty()) {
    // Required text fields still report "required" when their cell is empty.
    switch (c) {
      case Column::kSku: p.sku = std::string(); break;
      case Column::kName: p.name = std::string(); break;
      case Column::kBrand: p.brand = std::string(); break;
      case Column::kCategory: p.category = std::string(); break;
      case Column::kCurrency: p.currency = std::string(); break;
      default: break;
    }
    return {};
  }
  switch (c) {
    case Column::kSku: p.sku = cell; break;
    case Column::kName: p.name = cell; break;
    case Column::kBrand: p.brand = cell; break;
    case Column::kCategory: p.category = cell; break;
    case Column::kDescription: p.description = cell; break;
    case Column::kCurrency: p.currency = cell; break;
    case Column::kPrice: {
      EW_ASSIGN_OR_RETURN(p.price, decimal_cell(cell, "price"));
      break;
    }
    case Column::kLensWidth:
    case Column::kLensHeight:
    case Column::kBridgeWidth:
    case Column::kTempleLength:
    case Column::kFrameWidth:
    case Column::kFrameHeight: {
      const auto index = static_cast<std::size_t>(c) - static_cast<std::size_t>(Column::kLensWidth);
      EW_ASSIGN_OR_RETURN(auto d, decimal_cell(cell, names()[static_cast<std::size_t>(c)]));
      std::optional<std::optional<Decimal>>* slots[] = {&p.lens_width,    &p.lens_height, &p.bridge_width,
                                                        &p.temple_length, &p.frame_width, &p.frame_height};
      *slots[index] = std::optional<Decimal>(d);
      break;
    }
    case Column::kMaterials: p.materials = split_list(cell); break;
    case Column::kColors: p.colors = split_list(cell); break;
    case Column::kImageUrls:
      for (auto& url : split_list(cell)) images.push_back(Image{std::move(url), {}, 0});
      break;
    case Column::kImageAlts: alts = split_list(cell); break;
    case Column::kImagePositions: positions = split_list(cell); break;
    case Column::kMetadata: {
      if (platform::json_nesting_depth(cell, 32) > 32) return fail(field_error("metadata", "max_depth", "metadata nests too deeply"));
      auto j = json::parse(cell, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        return fail(field_error("metadata", "type", "metadata must be a JSON object"));
      }
      p.metadata = j.dump();
      break;
    }
    case Column::kIsActive: {
      const auto v = lower_trim(cell);
      if (v == "true" || v == "1" || v == "yes") {
        p.is_active = true;
      } else if (v == "false" || v == "0" || v == "no") {
        p.is_active = false;
      } else {
        return fail(field_error("is_active", "type", "is_active must be true or false"));
      }
      break;
    }
  }
  return {};
}

Status finish_images(ProductPatch& p, std::vector<Image>& images, const std::vector<std::string>& alts,
                     const std::vector<std::string>& positions, bool has_image_column) {
  if (!alts.empty() && alts.size() != images.size()) {
    return fail(field_error("images.alt", "list_length", "images.alt must list one text per image URL"));
  }
  if (!positions.empty() && positions.size() != images.size()) {
    return fail(field_error("images.position", "list_length", "images.position must list one number per image URL"));
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    images[i].position = static_cast<std::int32_t>(i);
    if (!alts.empty()) images[i].alt = alts[i];
    if (!positions.empty()) {
      std::int32_t pos = 0;
      const auto& t = positions[i];
      const auto r = std::from_chars(t.data(), t.data() + t.size(), pos);
      if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) {
        return fail(field_error("images[" + std::to_string(i) + "].position", "type",
                                "image positions must be integers"));
      }
      images[i].position = pos;
    }
  }
  if (has_image_column) p.images = std::move(images);
  return {};
}

}  // namespace

Result<std::vector<BulkRow>> parse_csv_bulk(std::string_view body) {
  platform::csv::Reader reader(body);
  std::vector<std::string> cells;
  EW_ASSIGN_OR_RETURN(const bool has_header, reader.next(cells));
  if (!has_header) return fail(field_error("body", "missing_header", "the CSV body has no header row"));
  EW_ASSIGN_OR_RETURN(const auto columns, read_header(cells));
  bool image_column = false;
  for (auto c : columns) image_column = image_column || c == Column::kImageUrls;

  std::vector<BulkRow> rows;
  for (;;) {
    EW_ASSIGN_OR_RETURN(const bool more, reader.next(cells));
    if (!more) break;
    if (rows.size() == kMaxBulkRows) {
      return fail(field_error("body", "max_rows", "a bulk request may hold at most 10000 rows",
                              {{"max", static_cast<std::int64_t>(kMaxBulkRows)}}));
    }
    BulkRow row;
    row.row = rows.size() + 1;
    if (cells.size() != columns.size()) {
      row.error = field_error("body", "field_count",
                              "row has " + std::to_string(cells.size()) + " fields, the header " +
                                  std::to_string(columns.size()),
                              {{"line", static_cast<std::int64_t>(reader.record_line())}});
      rows.push_back(std::move(row));
      continue;
    }
    std::vector<Image> images;
    std::vector<std::string> alts, positions;
    Status st;
    for (std::size_t i = 0; i < cells.size() && st; ++i) {
      st = apply_cell(row.patch, columns[i], platform::csv::restore_formula(cells[i]), images, alts, positions);
    }
    if (st) st = finish_images(row.patch, images, alts, positions, image_column);
    if (!st) row.error = std::move(st).error();
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::vector<std::string>& csv_columns() { return names(); }

std::string csv_header() {
  std::string out;
  platform::csv::append_record(out, names());
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back('|');
    for (char c : items[i]) {
      if (c == '|' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> split_list(std::string_view cell) {
  std::vector<std::string> out;
  if (cell.empty()) return out;
  std::string item;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    const char c = cell[i];
    if (c == '\\' && i + 1 < cell.size()) {
      item.push_back(cell[++i]);
    } else if (c == '|') {
      out.push_back(std::move(item));
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  out.push_back(std::move(item));
  return out;
}

void append_csv_row(std::string& out, const Product& p) {
  const int exponent = currency_exponent(p.currency).value_or(2);
  auto dim = [](const std::optional<std::int32_t>& t) { return t ? format_tenths(*t) : std::string(); };
  std::vector<std::string> urls, alts, positions;
  bool any_alt = false;
  for (const auto& img : p.images) {
    urls.push_back(img.url);
    alts.push_back(img.alt);
    positions.push_back(std::to_string(img.position));
    any_alt = any_alt || !img.alt.empty();
  }
  const std::string cells[] = {
      p.sku, p.name, p.brand, p.category, p.description, format_price(p.price_minor, exponent), p.currency,
      dim(p.dimensions.lens_width), dim(p.dimensions.lens_height), dim(p.dimensions.bridge_width),
      dim(p.dimensions.temple_length), dim(p.dimensions.frame_width), dim(p.dimensions.frame_height),
      join_list(p.materials), join_list(p.colors), join_list(urls), any_alt ? join_list(alts) : std::string(),
      join_list(positions), p.metadata == "{}" ? std::string() : p.metadata, p.is_active ? "true" : "false"};
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) out.push_back(',');
    first = false;
    platform::csv::append_field(out, platform::csv::neutralise_formula(cell));
  }
  out.append("\r\n");
}

}  // namespace eyewear::catalog
