#include "authz/policy.hpp"

namespace eyewear::authz {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

namespace {

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "upload_products", "view_basic_analytics", "access_ml_tools",  "export_data",
    "api_access",      "advanced_analytics",   "bulk_operations", "white_label_access"};
constexpr std::array<std::string_view, kPermissionCount> kFeatureNames = {
    "product_upload",  "basic_analytics",    "ml_analysis",     "data_export",
    "api_integration", "advanced_analytics", "bulk_operations", "white_label"};
constexpr std::array<std::string_view, kTierCount> kTierNames = {"free", "professional", "enterprise"};
constexpr std::array<std::string_view, kResourceCount> kResourceNames = {"product_uploads", "ml_requests", "api_calls",
                                                                         "data_exports"};

std::uint32_t bit(Permission p) { return 1U << static_cast<unsigned>(p); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto pos = s.find(sep, start);
    auto piece = s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
    if (!piece.empty()) out.push_back(piece);
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

Error bad(std::string field, std::string message) { return Error::validation(std::move(field), "invalid_value", std::move(message)); }

}  // namespace

std::string_view name_of(Permission p) { return kPermissionNames[static_cast<std::size_t>(p)]; }
std::string_view name_of(Tier t) { return kTierNames[static_cast<std::size_t>(t)]; }
std::string_view name_of(Resource r) { return kResourceNames[static_cast<std::size_t>(r)]; }
std::string_view feature_of(Permission p) { return kFeatureNames[static_cast<std::size_t>(p)]; }

std::optional<Permission> permission_from(std::string_view name) {
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    if (kPermissionNames[i] == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}
std::optional<Tier> tier_from(std::string_view name) {
  for (std::size_t i = 0; i < kTierCount; ++i) {
    if (kTierNames[i] == name) return static_cast<Tier>(i);
  }
  return std::nullopt;
}
std::optional<Resource> resource_from(std::string_view name) {
  for (std::size_t i = 0; i < kResourceCount; ++i) {
    if (kResourceNames[i] == name) return static_cast<Resource>(i);
  }
  return std::nullopt;
}

std::optional<Resource> metered_by(Permission p) {
  switch (p) {
    case Permission::kUploadProducts: return Resource::kProductUploads;
    case Permission::kAccessMlTools: return Resource::kMlRequests;
    case Permission::kApiAccess: return Resource::kApiCalls;
    case Permission::kExportData: return Resource::kDataExports;
    case Permission::kViewBasicAnalytics:
    case Permission::kAdvancedAnalytics:
    case Permission::kBulkOperations:
    case Permission::kWhiteLabelAccess: return std::nullopt;
  }
  return std::nullopt;
}

Policy::Policy() {
  const std::uint32_t free = bit(Permission::kUploadProducts) | bit(Permission::kViewBasicAnalytics) |
                             bit(Permission::kAccessMlTools);
  const std::uint32_t all = (1U << kPermissionCount) - 1;
  grants_ = {free, all & ~bit(Permission::kWhiteLabelAccess), all};
  //              product_uploads  ml_requests  api_calls  data_exports
  limits_[0] = {100, 50, 1'000, 5};
  limits_[1] = {1'000, 500, 10'000, 50};
  limits_[2] = {kUnlimited, 5'000, 100'000, 500};
}

Result<Policy> Policy::configure(std::string_view permissions, std::string_view limits) {
  Policy p;
  for (auto entry : split(permissions, ';')) {
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) return fail(bad("EYEWEAR_TIER_PERMISSIONS", "expected tier=perm|perm;..."));
    const auto tier = tier_from(entry.substr(0, eq));
    if (!tier) return fail(bad("EYEWEAR_TIER_PERMISSIONS", "unknown tier '" + std::string(entry.substr(0, eq)) + "'"));
    std::uint32_t grants = 0;
    for (auto name : split(entry.substr(eq + 1), '|')) {
      if (name == "*") {
        grants = (1U << kPermissionCount) - 1;
        continue;
      }
      const auto perm = permission_from(name);
      if (!perm) return fail(bad("EYEWEAR_TIER_PERMISSIONS", "unknown permission '" + std::string(name) + "'"));
      grants |= bit(*perm);
    }
    p.grants_[static_cast<std::size_t>(*tier)] = grants;
  }
  for (auto entry : split(limits, ',')) {
    const auto eq = entry.find('=');
    const auto dot = entry.find('.');
    if (eq == std::string_view::npos || dot == std::string_view::npos || dot > eq) {
      return fail(bad("EYEWEAR_TIER_LIMITS", "expected tier.resource=limit,..."));
    }
    const auto tier = tier_from(entry.substr(0, dot));
    const auto resource = resource_from(entry.substr(dot + 1, eq - dot - 1));
    if (!tier) return fail(bad("EYEWEAR_TIER_LIMITS", "unknown tier '" + std::string(entry.substr(0, dot)) + "'"));
    if (!resource) {
      return fail(bad("EYEWEAR_TIER_LIMITS", "unknown resource '" + std::string(entry.substr(dot + 1, eq - dot - 1)) + "'"));
    }
    std::int64_t value = 0;
    try {
      std::size_t used = 0;
      const std::string text(entry.substr(eq + 1));
      value = std::stoll(text, &used);
      if (used != text.size()) throw std::invalid_argument("trailing");
    } catch (...) {
      return fail(bad("EYEWEAR_TIER_LIMITS", "limit must be an integer (-1 = unlimited)"));
    }
    if (value < kUnlimited) return fail(bad("EYEWEAR_TIER_LIMITS", "limit must be -1 (unlimited) or more"));
    p.limits_[static_cast<std::size_t>(*tier)][static_cast<std::size_t>(*resource)] = value;
  }
  // Upgrading must never take anything away.
  for (std::size_t t = 1; t < kTierCount; ++t) {
    if ((p.grants_[t - 1] & ~p.grants_[t]) != 0) {
      return fail(bad("EYEWEAR_TIER_PERMISSIONS", std::string(kTierNames[t]) + " must grant everything " +
                                                      std::string(kTierNames[t - 1]) + " grants"));
    }
  }
  return p;
}

std::optional<Tier> Policy::cheapest_with(Permission perm) const {
  for (std::size_t t = 0; t < kTierCount; ++t) {
    if (allows(static_cast<Tier>(t), perm)) return static_cast<Tier>(t);
  }
  return std::nullopt;
}

std::vector<Permission> Policy::permissions_of(Tier tier) const {
  std::vector<Permission> out;
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    if (allows(tier, static_cast<Permission>(i))) out.push_back(static_cast<Permission>(i));
  }
  return out;
}

}  // namespace eyewear::authz
