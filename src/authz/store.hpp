// The authorization module's persistence seam: one transaction per use case through AuthzTx.
// Quota changes are single conditional statements, so concurrent requests (and nodes) can never
// push usage past a limit. SQL lives in src/stores/authz_store.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/model.hpp"

namespace eyewear::authz {

class AuthzTx {
 public:
  virtual ~AuthzTx() = default;

  [[nodiscard]] virtual Result<std::optional<ManufacturerState>> manufacturer(std::string_view id) = 0;
  [[nodiscard]] virtual Result<std::vector<ManufacturerState>> manufacturers_changed_since(std::int64_t since) = 0;
  [[nodiscard]] virtual Status set_tier(std::string_view id, Tier tier, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::pair<std::vector<ManufacturerSummary>, std::int64_t>> search_manufacturers(
      std::string_view query, std::int64_t offset, int limit) = 0;

  // Adds `amount` to the period's usage if that stays within `limit` (kUnlimited: always);
  // returns the new usage, or nullopt when it would exceed the limit (nothing changes).
  [[nodiscard]] virtual Result<std::optional<std::int64_t>> consume(std::string_view manufacturer_id, Resource r,
                                                                    std::string_view period, std::int64_t amount,
                                                                    std::int64_t limit, std::int64_t now) = 0;
  // Adds as much of `amount` as fits; returns (granted, new usage).
  [[nodiscard]] virtual Result<std::pair<std::int64_t, std::int64_t>> consume_up_to(std::string_view manufacturer_id,
                                                                                    Resource r, std::string_view period,
                                                                                    std::int64_t amount,
                                                                                    std::int64_t limit,
                                                                                    std::int64_t now) = 0;
  [[nodiscard]] virtual Status refund(std::string_view manufacturer_id, Resource r, std::string_view period,
                                      std::int64_t amount, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::int64_t> used(std::string_view manufacturer_id, Resource r,
                                                  std::string_view period) = 0;
  [[nodiscard]] virtual Status reset_usage(std::string_view manufacturer_id, std::string_view period,
                                           std::optional<Resource> r, std::int64_t now) = 0;
  [[nodiscard]] virtual Status record_usage(std::string_view manufacturer_id, Resource r, std::int64_t amount,
                                            std::string_view request_id, std::string_view day, std::int64_t now) = 0;
  // (day "YYYY-MM-DD", units) for the days of a period with usage, ascending.
  [[nodiscard]] virtual Result<std::vector<std::pair<std::string, std::int64_t>>> daily_usage(
      std::string_view manufacturer_id, Resource r, std::string_view period) = 0;
  [[nodiscard]] virtual Status record_denial(std::string_view manufacturer_id, Permission p, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::vector<Permission>> denials_since(std::string_view manufacturer_id,
                                                                      std::int64_t since) = 0;

  [[nodiscard]] virtual Status insert_api_key(const ApiKey& key) = 0;
  [[nodiscard]] virtual Result<std::optional<ApiKey>> api_key_by_hash(std::string_view key_hash) = 0;
  [[nodiscard]] virtual Result<std::vector<ApiKey>> api_keys_of(std::string_view manufacturer_id) = 0;
  [[nodiscard]] virtual Result<std::optional<ApiKey>> revoke_api_key(std::string_view manufacturer_id,
                                                                     std::string_view id, std::int64_t now) = 0;
  // Records a use; true when it was the key's first.
  [[nodiscard]] virtual Result<bool> mark_api_key_used(std::string_view id, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_active_api_keys(std::string_view manufacturer_id,
                                                                   std::int64_t now) = 0;

  [[nodiscard]] virtual Status append_audit(const platform::AuditEvent& event) = 0;
  [[nodiscard]] virtual Result<std::vector<AuditEntry>> search_audit(const AuditFilter& filter) = 0;
};

class AuthzStore {
 public:
  virtual ~AuthzStore() = default;
  [[nodiscard]] virtual Status write(const std::function<Status(AuthzTx&)>& work) = 0;
  [[nodiscard]] virtual Status read(const std::function<Status(AuthzTx&)>& work) = 0;
};

}  // namespace eyewear::authz
