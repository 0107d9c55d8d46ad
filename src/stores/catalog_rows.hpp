// Shared by the catalogue store's files: the product column list, row <-> Product, and the
// compact JSON of list columns (materials, colours, images).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"
#include "storage/database.hpp"

namespace eyewear::stores::catalog_sql {

// The 23 product columns in insert/select order.
inline constexpr const char* kColumns =
    "seq, manufacturer_id, sku, name, brand, category, description, price, currency, price_scaled, lens_width, "
    "lens_height, bridge_width, temple_length, frame_width, frame_height, materials, colors, images, metadata, "
    "is_active, created_at, updated_at";

[[nodiscard]] catalog::Product product_from(const storage::Row& r, std::size_t first = 0);

[[nodiscard]] std::string strings_json(const std::vector<std::string>& items);
// Parses a JSON array of strings as written by strings_json or by PostgreSQL's jsonb output.
void parse_strings(std::string_view json, std::vector<std::string>& out);
[[nodiscard]] std::string images_json(const std::vector<catalog::Image>& images);

// The tenant's storage number, if it has ever stored a product.
[[nodiscard]] platform::Result<std::optional<std::int64_t>> tenant_number(storage::Connection& c,
                                                                          std::string_view manufacturer_id);
inline std::int64_t range_lo(std::int64_t number) { return number << 40; }
inline std::int64_t range_hi(std::int64_t number) { return ((number + 1) << 40) - 1; }

[[nodiscard]] platform::Result<catalog::SearchPage> search_sqlite(storage::Connection& c,
                                                                  const catalog::SearchQuery& q);
[[nodiscard]] platform::Result<catalog::SearchPage> search_postgres(storage::Connection& c,
                                                                    const catalog::SearchQuery& q);
// Loads full products for seqs, in the given order.
[[nodiscard]] platform::Result<std::vector<catalog::Product>> load_products(storage::Connection& c,
                                                                            std::string_view manufacturer_id,
                                                                            const std::vector<std::int64_t>& seqs);

}  // namespace eyewear::stores::catalog_sql
