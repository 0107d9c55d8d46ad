// The catalogue's persistence seam: one transaction per use case through CatalogTx; SQL lives in
// src/stores/catalog_store.cpp (both dialects). Storage keys ("seq") partition the key space by
// tenant: seq = tenant number << 40 | running number, so one manufacturer's products are one
// contiguous key range in every table and index keyed by seq (the FTS5 index included), and a
// query scoped to a tenant never touches another tenant's rows.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"
#include "platform/audit.hpp"

namespace eyewear::catalog {

inline constexpr int kTenantShift = 40;

// What put() did with one product.
struct PutOutcome {
  bool stored = false;   // false: insert mode and the SKU exists
  bool created = false;  // false: an upsert replaced the existing product
  std::int64_t seq = 0;
  std::int64_t created_at = 0;
};

class CatalogTx {
 public:
  virtual ~CatalogTx() = default;

  // Reserves `n` consecutive storage keys for the manufacturer (registering it on first use)
  // and returns the first. Write transactions only.
  [[nodiscard]] virtual Result<std::int64_t> reserve(std::string_view manufacturer_id, std::int64_t n) = 0;
  // Stores each product (seq, manufacturer, times filled in). Insert mode leaves an existing SKU
  // alone (stored = false); upsert replaces it, keeping its seq and created_at. One batch.
  [[nodiscard]] virtual Result<std::vector<PutOutcome>> put(std::span<const Product> products, bool upsert) = 0;
  [[nodiscard]] virtual Result<std::optional<Product>> get(std::string_view manufacturer_id, std::int64_t seq) = 0;
  // Rewrites a product in place; false when it no longer exists; CONFLICT when its new SKU is taken.
  [[nodiscard]] virtual Result<bool> replace(const Product& p) = 0;
  [[nodiscard]] virtual Result<bool> set_active(std::string_view manufacturer_id, std::int64_t seq, bool active,
                                                std::int64_t now) = 0;
  [[nodiscard]] virtual Result<bool> erase(std::string_view manufacturer_id, std::int64_t seq) = 0;

  // The answer stored under an Idempotency-Key, if one younger than `not_before` exists.
  [[nodiscard]] virtual Result<std::optional<StoredResponse>> stored_response(std::string_view manufacturer_id,
                                                                              std::string_view key,
                                                                              std::int64_t not_before) = 0;
  [[nodiscard]] virtual Status save_response(std::string_view manufacturer_id, std::string_view key,
                                             const StoredResponse& response, std::int64_t expired_before) = 0;

  [[nodiscard]] virtual Result<SearchPage> search(const SearchQuery& query) = 0;
  [[nodiscard]] virtual Result<CatalogStats> stats(std::string_view manufacturer_id) = 0;
  // Up to `limit` products with seq > after_seq, in seq order (exports page with it).
  [[nodiscard]] virtual Result<std::vector<Product>> page_after(std::string_view manufacturer_id,
                                                                std::int64_t after_seq, int limit) = 0;

  [[nodiscard]] virtual Status append_audit(const platform::AuditEvent& event) = 0;
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  [[nodiscard]] virtual Status write(const std::function<Status(CatalogTx&)>& work) = 0;
  [[nodiscard]] virtual Status read(const std::function<Status(CatalogTx&)>& work) = 0;
  // write() for work that puts `batch` (these products, their storage keys still to be
  // reserved): the store may prepare what it writes for them before the transaction begins,
  // so that the preparing is not part of it (on SQLite: not part of the one writer's turn).
  [[nodiscard]] virtual Status write_batch(std::span<const Product> batch,
                                           const std::function<Status(CatalogTx&)>& work) {
    (void)batch;
    return write(work);
  }
};

}  // namespace eyewear::catalog
