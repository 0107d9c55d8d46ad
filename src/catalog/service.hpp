// Catalogue use cases: products (create, read, patch, deactivate or delete), bulk uploads with
// per-row results, quotas and Idempotency-Key replays, search, statistics and paged exports.
// Every call is scoped to one manufacturer; another tenant's product is NOT_FOUND.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"
#include "catalog/store.hpp"
#include "platform/clock.hpp"

namespace eyewear::catalog {

// The product_uploads quota as the catalogue sees it (implemented over authz::Quotas by the
// HTTP layer, which also turns its state into RateLimit-* headers).
class UploadAllowance {
 public:
  virtual ~UploadAllowance() = default;
  // Takes `n` units, all or QUOTA_EXCEEDED; with `up_to`, as many as remain. Returns the units taken.
  [[nodiscard]] virtual Result<std::int64_t> take(std::string_view manufacturer_id, std::int64_t n, bool up_to,
                                                  std::string_view request_id) = 0;
  // Gives back units for rows that were not stored after all.
  virtual void give_back(std::string_view manufacturer_id, std::int64_t n, std::string_view request_id) = 0;
};

struct ServiceOptions {
  std::chrono::milliseconds idempotency_ttl{24LL * 3600 * 1000};
  int export_page_rows = 1000;
};

struct BulkAnswer {
  std::string body;  // the JSON answer (also what a replay returns)
  BulkOutcome outcome;
  bool replayed = false;
};

class CatalogService {
 public:
  CatalogService(CatalogStore& store, UploadAllowance& allowance, const platform::Clock& clock, ServiceOptions options);

  [[nodiscard]] Result<Product> create(std::string_view manufacturer_id, const ProductPatch& patch);
  [[nodiscard]] Result<Product> get(std::string_view manufacturer_id, std::string_view id);
  [[nodiscard]] Result<Product> update(std::string_view manufacturer_id, std::string_view id, const ProductPatch& patch);
  // Deactivates, or with `hard` deletes (audited).
  [[nodiscard]] Status remove(std::string_view manufacturer_id, std::string_view id, bool hard,
                              const platform::RequestMeta& meta);

  // Rows as parsed by the codec. Refuses with QUOTA_EXCEEDED when the quota cannot take every
  // valid row (unless `partial`), with VALIDATION_FAILED (rule `atomic`, the row errors in
  // details) when `atomic` and a row fails, and with IDEMPOTENCY_KEY_REUSED when the key was
  // used for a different request. A retry with the same key and body gets the first answer.
  [[nodiscard]] Result<BulkAnswer> bulk(std::string_view manufacturer_id, std::vector<BulkRow> rows,
                                        const BulkOptions& options, const platform::RequestMeta& meta);

  [[nodiscard]] Result<SearchPage> search(const SearchQuery& query);
  [[nodiscard]] Result<CatalogStats> stats(std::string_view manufacturer_id);

  // Calls `sink` with consecutive pages of the whole catalogue (inactive products included), each
  // read in its own short transaction, until the sink returns false or the catalogue ends.
  [[nodiscard]] Status export_pages(std::string_view manufacturer_id,
                                    const std::function<bool(const std::vector<Product>&)>& sink);
  // Records that an export of `format` starts (before its first byte is sent).
  [[nodiscard]] Status audit_export(std::string_view manufacturer_id, std::string_view format,
                                    const platform::RequestMeta& meta);

 private:
  [[nodiscard]] std::int64_t now_ms() const { return platform::to_unix_ms(clock_.now()); }

  CatalogStore& store_;
  UploadAllowance& allowance_;
  const platform::Clock& clock_;
  ServiceOptions options_;
};

// The JSON answer of a bulk upload.
[[nodiscard]] std::string bulk_answer_json(const BulkOutcome& outcome, const BulkOptions& options);

}  // namespace eyewear::catalog
