// Records of the product catalogue: a product as stored, a partial product as a client sends it
// (create, PATCH, one bulk row), search queries and their answers, statistics, bulk results.
// Money is integer minor units of an ISO 4217 currency; dimensions are integer tenths of a
// millimetre; times are Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::catalog {

using platform::Error;
using platform::Result;
using platform::Status;

// A decimal number exactly as written: digits x 10^-scale (129.99 -> {12999, 2}).
struct Decimal {
  std::int64_t digits = 0;
  int scale = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// In tenths of a millimetre (52.5 mm -> 525); absent when unknown.
struct Dimensions {
  std::optional<std::int32_t> lens_width;
  std::optional<std::int32_t> lens_height;
  std::optional<std::int32_t> bridge_width;
  std::optional<std::int32_t> temple_length;
  std::optional<std::int32_t> frame_width;
  std::optional<std::int32_t> frame_height;
  friend bool operator==(const Dimensions&, const Dimensions&) = default;
};

struct Image {
  std::string url;
  std::string alt;
  std::int32_t position = 0;
  friend bool operator==(const Image&, const Image&) = default;
};

struct Product {
  std::string id;  // public id, "prd_" + the storage key
  std::int64_t seq = 0;
  std::string manufacturer_id;
  std::string sku;
  std::string name;
  std::string brand;
  std::string category;     // lower case
  std::string description;
  std::int64_t price_minor = 0;
  std::string currency;     // ISO 4217, upper case
  Dimensions dimensions;
  std::vector<std::string> materials;  // lower case, unique, in the order given
  std::vector<std::string> colors;     // lower case, unique, in the order given
  std::vector<Image> images;           // ordered by position
  std::string metadata = "{}";         // a JSON object, canonical text (sorted keys)
  bool is_active = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// What a client sends: every field optional, so one type serves create (required fields are
// checked when the product is built), PATCH (only the fields present change) and bulk rows.
struct ProductPatch {
  std::optional<std::string> sku;
  std::optional<std::string> name;
  std::optional<std::string> brand;
  std::optional<std::string> category;
  std::optional<std::string> description;
  std::optional<Decimal> price;
  std::optional<std::string> currency;
  // Per dimension: absent = unchanged; present with nullopt = cleared.
  std::optional<std::optional<Decimal>> lens_width, lens_height, bridge_width, temple_length, frame_width, frame_height;
  std::optional<std::vector<std::string>> materials;
  std::optional<std::vector<std::string>> colors;
  std::optional<std::vector<Image>> images;
  std::optional<std::string> metadata;  // canonical JSON object text
  std::optional<bool> is_active;
};

// A field-level failure: VALIDATION_FAILED (or CONFLICT for duplicates) naming field and rule.
[[nodiscard]] Error field_error(std::string field, std::string rule, std::string message,
                                platform::Details extra = {});

enum class BulkMode { kInsert, kUpsert };
enum class BulkFormat { kJson, kNdjson, kCsv };

// One row of a bulk body after parsing: a patch, or the reason it could not be read.
struct BulkRow {
  std::size_t row = 0;  // 1-based position in the request (CSV: data rows, header excluded)
  ProductPatch patch;
  std::optional<Error> error;
};

enum class RowStatus { kCreated, kUpdated, kError, kSkipped };

struct RowResult {
  std::size_t row = 0;
  std::string sku;
  RowStatus status = RowStatus::kError;
  std::string id;
  std::optional<Error> error;
};

struct BulkOptions {
  BulkMode mode = BulkMode::kInsert;
  bool atomic = false;
  bool partial = false;
  std::string idempotency_key;  // empty: none
  std::string request_hash;     // of mode, flags, format and body; set with idempotency_key
  std::string request_id;
};

struct BulkOutcome {
  std::vector<RowResult> rows;
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t failed = 0;
  std::int64_t skipped = 0;
  std::int64_t quota_units = 0;  // consumed and kept
  bool committed = true;
};

// A bulk answer as stored for Idempotency-Key replays.
struct StoredResponse {
  int status = 200;
  std::string body;
  std::string request_hash;
  std::int64_t created_at = 0;
};

// ---- search
enum class SortKey { kRelevance, kCreatedAt, kPrice, kName };
enum class ActiveFilter { kActive, kInactive, kAll };

struct SearchQuery {
  std::string manufacturer_id;
  std::vector<std::string> terms;  // words of q, already split (see search.hpp)
  std::optional<std::string> category, brand, material, color, currency;
  std::optional<std::int64_t> price_min_scaled, price_max_scaled;  // in 1/1000 of the major unit
  std::optional<std::int64_t> created_from, created_to;            // ms, inclusive
  ActiveFilter active = ActiveFilter::kActive;
  SortKey sort = SortKey::kCreatedAt;
  bool descending = true;
  std::int64_t offset = 0;
  int limit = 20;
  // Keyset position (deep paging): rows strictly after this sort key and seq.
  struct After {
    double number = 0;     // relevance score, created_at or price_scaled
    std::string text;      // name key
    std::int64_t seq = 0;
  };
  std::optional<After> after;
};

struct FacetCount {
  std::string value;
  std::int64_t count = 0;
};

struct SearchPage {
  std::vector<Product> items;
  std::vector<SearchQuery::After> keys;  // the sort key of each item (for cursors)
  std::int64_t total = 0;
  std::vector<FacetCount> categories, brands, materials;
};

// ---- statistics
struct CurrencyStats {
  std::string currency;
  std::int64_t count = 0;
  std::int64_t min_minor = 0, max_minor = 0;
  double avg_minor = 0;
};

struct CatalogStats {
  std::int64_t total = 0;
  std::int64_t active = 0;
  std::vector<FacetCount> categories;  // count per category
  std::vector<std::string> brands;
  std::vector<CurrencyStats> prices;
  std::optional<std::int64_t> latest_upload;
};

}  // namespace eyewear::catalog
