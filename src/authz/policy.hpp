// The tier policy: which permissions each tier grants and how much of each metered resource it
// may use per month. Configuration with the defaults of the seeds (002/003), validated at
// start-up; checks are in memory (a bit test, benchmarked in nanoseconds).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::authz {

using platform::Result;
using platform::Status;

enum class Permission : std::uint8_t {
  kUploadProducts,
  kViewBasicAnalytics,
  kAccessMlTools,
  kExportData,
  kApiAccess,
  kAdvancedAnalytics,
  kBulkOperations,
  kWhiteLabelAccess,
};
inline constexpr std::size_t kPermissionCount = 8;

enum class Tier : std::uint8_t { kFree, kProfessional, kEnterprise };
inline constexpr std::size_t kTierCount = 3;

enum class Resource : std::uint8_t { kProductUploads, kMlRequests, kApiCalls, kDataExports };
inline constexpr std::size_t kResourceCount = 4;

[[nodiscard]] std::string_view name_of(Permission p);
[[nodiscard]] std::string_view name_of(Tier t);
[[nodiscard]] std::string_view name_of(Resource r);
// The user-facing feature a permission unlocks (seed 000's feature map).
[[nodiscard]] std::string_view feature_of(Permission p);
[[nodiscard]] std::optional<Permission> permission_from(std::string_view name);
[[nodiscard]] std::optional<Tier> tier_from(std::string_view name);
[[nodiscard]] std::optional<Resource> resource_from(std::string_view name);
// The resource a permission's use is metered by, if any.
[[nodiscard]] std::optional<Resource> metered_by(Permission p);

inline constexpr std::int64_t kUnlimited = -1;

class Policy {
 public:
  // The defaults: free = upload_products, view_basic_analytics, access_ml_tools; professional =
  // all but white_label_access; enterprise = all. Limits as in the table.
  Policy();

  // Overrides from configuration, e.g.
  //   permissions: "free=upload_products|view_basic_analytics;enterprise=*"
  //   limits:      "free.product_uploads=200,enterprise.ml_requests=-1"
  // Unknown names, limits below -1, or a tier granting less than a cheaper one are refused.
  [[nodiscard]] static Result<Policy> configure(std::string_view permissions, std::string_view limits);

  [[nodiscard]] bool allows(Tier tier, Permission p) const noexcept {
    return (grants_[static_cast<std::size_t>(tier)] >> static_cast<unsigned>(p)) & 1U;
  }
  [[nodiscard]] std::int64_t limit(Tier tier, Resource r) const noexcept {
    return limits_[static_cast<std::size_t>(tier)][static_cast<std::size_t>(r)];
  }
  // The cheapest tier granting `p`, for "upgrade_to".
  [[nodiscard]] std::optional<Tier> cheapest_with(Permission p) const;
  [[nodiscard]] std::vector<Permission> permissions_of(Tier tier) const;

 private:
  std::array<std::uint32_t, kTierCount> grants_{};
  std::array<std::array<std::int64_t, kResourceCount>, kTierCount> limits_{};
};

}  // namespace eyewear::authz
