#include <cmath>
#include <nlohmann/json.hpp>

#include "authz/period.hpp"
#include "authz/service.hpp"

namespace eyewear::authz {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

Admin::Admin(const Policy& policy, TierCache& tiers, AuthzStore& store, platform::PerfMonitor& monitor,
             const platform::Clock& clock,
             std::function<Status(std::string_view, const RequestMeta&, std::string_view)> unlock)
    : policy_(policy), tiers_(tiers), store_(store), monitor_(monitor), clock_(clock), unlock_(std::move(unlock)) {}

platform::AuditEvent Admin::admin_event(std::string type, std::string_view manufacturer_id, std::string_view actor,
                                        const RequestMeta& meta, std::string details) const {
  platform::AuditEvent e;
  e.type = std::move(type);
  e.manufacturer_id = std::string(manufacturer_id);
  e.actor_account_id = std::string(actor);
  e.ip = meta.ip;
  e.user_agent = meta.user_agent;
  e.request_id = meta.request_id;
  e.details = std::move(details);
  e.at_ms = platform::to_unix_ms(clock_.now());
  return e;
}

Result<std::pair<std::vector<ManufacturerSummary>, std::int64_t>> Admin::manufacturers(std::string_view query,
                                                                                      std::int64_t page, int page_size) {
  std::pair<std::vector<ManufacturerSummary>, std::int64_t> out;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.search_manufacturers(query, (page - 1) * page_size, page_size));
    return {};
  }));
  return out;
}

Result<ManufacturerState> Admin::change_tier(std::string_view manufacturer_id, std::string_view tier_name,
                                             std::string_view actor, const RequestMeta& meta) {
  const auto tier = tier_from(tier_name);
  if (!tier) {
    return fail(Error(ErrorCode::kValidationFailed, "tier must be free, professional or enterprise",
                      {{"field", "tier"}, {"rule", "one_of"}, {"allowed", std::vector<std::string>{"free", "professional", "enterprise"}}}));
  }
  const auto now = platform::to_unix_ms(clock_.now());
  std::optional<ManufacturerState> before;
  std::int64_t keys = 0;
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(before, tx.manufacturer(manufacturer_id));
    if (!before) return {};
    EW_TRY(tx.set_tier(manufacturer_id, *tier, now));
    EW_ASSIGN_OR_RETURN(keys, tx.count_active_api_keys(manufacturer_id, now));
    const bool keys_disabled = keys > 0 && !policy_.allows(*tier, Permission::kApiAccess);
    return tx.append_audit(admin_event("tier_changed", manufacturer_id, actor, meta,
                                       nlohmann::json({{"from", name_of(before->tier)},
                                                       {"to", name_of(*tier)},
                                                       {"api_keys_disabled", keys_disabled ? keys : 0}})
                                           .dump()));
  }));
  if (!before) return fail(Error::not_found("manufacturer"));
  ManufacturerState after = *before;
  after.tier = *tier;
  after.updated_at = now;
  tiers_.put(after);  // effective on this node's next request; other nodes poll
  return after;
}

Status Admin::unlock_account(std::string_view account_id, std::string_view actor, const RequestMeta& meta) {
  return unlock_(account_id, meta, actor);
}

Status Admin::reset_usage(std::string_view manufacturer_id, std::optional<std::string> resource, std::string_view actor,
                          const RequestMeta& meta) {
  std::optional<Resource> r;
  if (resource) {
    r = resource_from(*resource);
    if (!r) {
      return fail(Error(ErrorCode::kValidationFailed, "unknown resource",
                        {{"field", "resource"}, {"rule", "one_of"},
                         {"allowed", std::vector<std::string>{"product_uploads", "ml_requests", "api_calls", "data_exports"}}}));
    }
  }
  const auto now = clock_.now();
  bool found = false;
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto m, tx.manufacturer(manufacturer_id));
    if (!m) return {};
    found = true;
    EW_TRY(tx.reset_usage(manufacturer_id, period_of(now), r, platform::to_unix_ms(now)));
    return tx.append_audit(admin_event("usage_reset", manufacturer_id, actor, meta,
                                       nlohmann::json({{"period", period_of(now)},
                                                       {"resource", r ? std::string(name_of(*r)) : std::string("all")}})
                                           .dump()));
  }));
  if (!found) return fail(Error::not_found("manufacturer"));
  return {};
}

Result<std::vector<AuditEntry>> Admin::audit(const AuditFilter& filter) {
  std::vector<AuditEntry> out;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.search_audit(filter));
    return {};
  }));
  return out;
}

Admin::PerformanceReport Admin::performance() const {
  PerformanceReport r;
  r.operations = monitor_.report();
  r.recommendations = recommendations_for(r.operations);
  return r;
}

std::vector<std::string> recommendations_for(const std::vector<platform::PerfMonitor::Report>& ops) {
  std::vector<std::string> out;
  auto fmt = [](double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
    return std::string(buf);
  };
  for (const auto& op : ops) {
    if (op.count == 0) continue;
    const double threshold = static_cast<double>(op.threshold_ms);
    if (op.breaches_last_hour >= 10) {
      out.push_back(op.name + " ran over its " + std::to_string(op.threshold_ms) + " ms threshold " +
                    std::to_string(op.breaches_last_hour) + " times in the last hour: investigate it first.");
    }
    if (op.p95_ms > threshold) {
      if (op.kind == "db.query") {
        out.push_back(op.name + ": p95 " + fmt(op.p95_ms) + " is over the " + std::to_string(op.threshold_ms) +
                      " ms threshold; check that its WHERE and ORDER BY columns are indexed, or reduce rows read.");
      } else if (op.kind == "http.request") {
        out.push_back(op.name + ": p95 " + fmt(op.p95_ms) + " is over the " + std::to_string(op.threshold_ms) +
                      " ms threshold; look at the database operations it runs and at worker-pool queueing.");
      } else {
        out.push_back(op.name + ": p95 " + fmt(op.p95_ms) + " is over its " + std::to_string(op.threshold_ms) + " ms threshold.");
      }
    } else if (op.p99_ms > 4 * std::max(op.p50_ms, 0.1) && op.count >= 100) {
      out.push_back(op.name + ": p99 " + fmt(op.p99_ms) + " is more than four times p50 " + fmt(op.p50_ms) +
                    "; the tail suggests lock contention or occasional large inputs.");
    }
  }
  if (out.empty()) out.emplace_back("All monitored operations are within their thresholds.");
  return out;
}

}  // namespace eyewear::authz
