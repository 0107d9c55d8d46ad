// Products in and out of their wire formats: a JSON object (the API representation), bulk bodies
// (a JSON array, NDJSON, CSV with a header row) and exports (CSV, NDJSON). The CSV columns are
// documented in docs/CATALOG.md; nested fields are dotted (`dimensions.lens_width`), lists are
// separated by `|` (a `|` or `\` inside an item is escaped with `\`). Exported cells are
// neutralised against spreadsheet formulas and imported cells restored, so an export read back
// by the bulk upload reproduces the catalogue.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"

namespace eyewear::catalog {

inline constexpr std::size_t kMaxBulkRows = 10'000;

// A JSON object -> patch. Read-only fields of the API representation (`id`, `price_minor`,
// `created_at`, `updated_at`) are ignored so exports can be uploaded again; other unknown
// fields are refused (rule `unknown_field`). Type errors name the field (rule `type`).
[[nodiscard]] Result<ProductPatch> patch_from_json(const nlohmann::json& object);

// The API representation.
[[nodiscard]] nlohmann::json product_json(const Product& p);
// The same, written straight into `out` (the export and bulk answers' hot path).
void append_product_json(std::string& out, const Product& p);

// Parses a bulk body into rows. The body as a whole fails when it is unreadable (malformed JSON
// array: INVALID_JSON; malformed CSV or a bad header: VALIDATION_FAILED naming the problem) or
// holds more than kMaxBulkRows rows; a row that cannot be read becomes a row error.
[[nodiscard]] Result<std::vector<BulkRow>> parse_bulk(std::string_view body, BulkFormat format);

// The CSV columns, in export order.
[[nodiscard]] const std::vector<std::string>& csv_columns();
// The header line of an export (CRLF-terminated).
[[nodiscard]] std::string csv_header();
void append_csv_row(std::string& out, const Product& p);

// Lists in a CSV cell.
[[nodiscard]] std::string join_list(const std::vector<std::string>& items);
[[nodiscard]] std::vector<std::string> split_list(std::string_view cell);

// "prd_<seq>" <-> seq; nullopt for text that is not a product id.
[[nodiscard]] std::string product_id(std::int64_t seq);
[[nodiscard]] std::optional<std::int64_t> product_seq(std::string_view id);


}  // namespace eyewear::catalog
