// Authorization use cases: permission checks against the tier policy, atomic monthly quotas
// with their usage report, API keys, and platform administration.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "authz/model.hpp"
#include "authz/policy.hpp"
#include "authz/store.hpp"
#include "authz/tier_cache.hpp"
#include "platform/audit.hpp"
#include "platform/clock.hpp"
#include "platform/perf_monitor.hpp"
#include "platform/random.hpp"

namespace eyewear::authz {

using platform::RequestMeta;

// Permission checks and the feature list. Everything here is in memory except a cache miss.
class Authorizer {
 public:
  Authorizer(const Policy& policy, TierCache& tiers, AuthzStore& store, const platform::Clock& clock);

  // PERMISSION_DENIED with {permission, tier, upgrade_to} when the manufacturer's current tier
  // lacks `p` (the refusal is remembered for upgrade suggestions); ACCOUNT_DISABLED for a
  // manufacturer that is not active.
  [[nodiscard]] Status require(std::string_view manufacturer_id, Permission p);
  [[nodiscard]] Status require_active(std::string_view manufacturer_id);
  [[nodiscard]] const Policy& policy() const { return policy_; }
  [[nodiscard]] Result<ManufacturerState> state(std::string_view manufacturer_id) { return tiers_.get(manufacturer_id); }

 private:
  const Policy& policy_;
  TierCache& tiers_;
  AuthzStore& store_;
  const platform::Clock& clock_;
};

struct DailyUsage {
  std::string day;
  std::int64_t units = 0;
};

struct ResourceReport {
  QuotaState quota;
  std::vector<DailyUsage> daily;
  std::int64_t projected = 0;  // at the end of the period, from the pace so far
};

struct UsageReport {
  std::string tier;
  std::string period;
  std::vector<ResourceReport> resources;
  std::optional<std::string> suggested_tier;
  std::vector<std::string> suggestion_reasons;
};

class Quotas {
 public:
  Quotas(const Policy& policy, TierCache& tiers, AuthzStore& store, const platform::Clock& clock);

  // Consumes `amount` units atomically, or answers QUOTA_EXCEEDED {resource, limit, used,
  // resets_at} changing nothing. Every consumption is written to the usage trail.
  [[nodiscard]] Result<QuotaState> consume(std::string_view manufacturer_id, Resource r, std::int64_t amount,
                                           std::string_view request_id);
  // Consumes as many of `amount` units as remain; returns how many were granted.
  [[nodiscard]] Result<std::pair<std::int64_t, QuotaState>> consume_up_to(std::string_view manufacturer_id,
                                                                         Resource r, std::int64_t amount,
                                                                         std::string_view request_id);
  // Gives units back (work that failed after consuming them).
  [[nodiscard]] Status refund(std::string_view manufacturer_id, Resource r, std::int64_t amount,
                              std::string_view request_id);
  [[nodiscard]] Result<QuotaState> state(std::string_view manufacturer_id, Resource r);
  [[nodiscard]] Result<UsageReport> report(std::string_view manufacturer_id);
  [[nodiscard]] std::int64_t now_ms() const { return platform::to_unix_ms(clock_.now()); }

 private:
  QuotaState fresh_state(Tier tier, Resource r) const;

  const Policy& policy_;
  TierCache& tiers_;
  AuthzStore& store_;
  const platform::Clock& clock_;
};

struct NewApiKey {
  ApiKey key;
  std::string secret;  // shown once
};

struct ApiKeyPrincipal {
  std::string key_id;
  std::string manufacturer_id;
  std::vector<Permission> scopes;
};

class ApiKeys {
 public:
  ApiKeys(const Policy& policy, TierCache& tiers, Quotas& quotas, AuthzStore& store, const platform::Clock& clock,
          platform::Random& random);

  [[nodiscard]] Result<NewApiKey> create(std::string_view manufacturer_id, std::string_view account_id,
                                         std::string_view name, const std::vector<std::string>& scopes,
                                         std::optional<std::int64_t> expires_at, const RequestMeta& meta);
  [[nodiscard]] Result<std::vector<ApiKey>> list(std::string_view manufacturer_id);
  [[nodiscard]] Status revoke(std::string_view manufacturer_id, std::string_view id, std::string_view account_id,
                              const RequestMeta& meta);
  // Resolves `Bearer ewk_...`: the key must exist, be unrevoked and unexpired, its manufacturer's
  // tier must still grant api_access; each use consumes one api_calls unit.
  [[nodiscard]] Result<ApiKeyPrincipal> authenticate(std::string_view secret, const RequestMeta& meta);

 private:
  const Policy& policy_;
  TierCache& tiers_;
  Quotas& quotas_;
  AuthzStore& store_;
  const platform::Clock& clock_;
  platform::Random& random_;
};

struct OperationStats {
  platform::PerfMonitor::Report report;
};

class Admin {
 public:
  // `unlock` clears the sign-in lockout of an account (implemented by the identity module).
  Admin(const Policy& policy, TierCache& tiers, AuthzStore& store, platform::PerfMonitor& monitor,
        const platform::Clock& clock, std::function<Status(std::string_view account_id, const RequestMeta&,
                                                            std::string_view actor)> unlock);

  [[nodiscard]] Result<std::pair<std::vector<ManufacturerSummary>, std::int64_t>> manufacturers(
      std::string_view query, std::int64_t page, int page_size);
  [[nodiscard]] Result<ManufacturerState> change_tier(std::string_view manufacturer_id, std::string_view tier,
                                                      std::string_view actor, const RequestMeta& meta);
  [[nodiscard]] Status unlock_account(std::string_view account_id, std::string_view actor, const RequestMeta& meta);
  [[nodiscard]] Status reset_usage(std::string_view manufacturer_id, std::optional<std::string> resource,
                                   std::string_view actor, const RequestMeta& meta);
  [[nodiscard]] Result<std::vector<AuditEntry>> audit(const AuditFilter& filter);

  struct PerformanceReport {
    std::vector<platform::PerfMonitor::Report> operations;
    std::vector<std::string> recommendations;
  };
  [[nodiscard]] PerformanceReport performance() const;

 private:
  platform::AuditEvent admin_event(std::string type, std::string_view manufacturer_id, std::string_view actor,
                                   const RequestMeta& meta, std::string details) const;

  const Policy& policy_;
  TierCache& tiers_;
  AuthzStore& store_;
  platform::PerfMonitor& monitor_;
  const platform::Clock& clock_;
  std::function<Status(std::string_view, const RequestMeta&, std::string_view)> unlock_;
};

// Derives plain-language advice from the operation statistics (seed 003 LS9_005).
[[nodiscard]] std::vector<std::string> recommendations_for(const std::vector<platform::PerfMonitor::Report>& ops);

}  // namespace eyewear::authz
