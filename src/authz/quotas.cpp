#include <cmath>
#include <set>

#include "authz/period.hpp"
#include "authz/service.hpp"

namespace eyewear::authz {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

Quotas::Quotas(const Policy& policy, TierCache& tiers, AuthzStore& store, const platform::Clock& clock)
    : policy_(policy), tiers_(tiers), store_(store), clock_(clock) {}

QuotaState Quotas::fresh_state(Tier tier, Resource r) const {
  const auto now = clock_.now();
  QuotaState s;
  s.resource = r;
  s.period = period_of(now);
  s.limit = policy_.limit(tier, r);
  s.resets_at = next_period_start_ms(now);
  return s;
}

namespace {
Error exceeded(const QuotaState& s, std::int64_t now_ms) {
  return Error(ErrorCode::kQuotaExceeded,
               "the monthly " + std::string(name_of(s.resource)) + " quota is used up",
               {{"resource", std::string(name_of(s.resource))},
                {"limit", s.limit},
                {"used", s.used},
                {"resets_at", platform::format_rfc3339(platform::from_unix_ms(s.resets_at))},
                {"retry_after_seconds",
                 std::max<std::int64_t>(1, (s.resets_at - now_ms + 999) / 1000)}});
}
}  // namespace

Result<QuotaState> Quotas::consume(std::string_view manufacturer_id, Resource r, std::int64_t amount,
                                   std::string_view request_id) {
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(manufacturer_id));
  auto s = fresh_state(m.tier, r);
  const auto now = clock_.now();
  const auto now_ms = platform::to_unix_ms(now);
  std::optional<std::int64_t> used;
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(used, tx.consume(manufacturer_id, r, s.period, amount, s.limit, now_ms));
    if (!used) {
      EW_ASSIGN_OR_RETURN(s.used, tx.used(manufacturer_id, r, s.period));
      return {};
    }
    return tx.record_usage(manufacturer_id, r, amount, request_id, day_of(now), now_ms);
  }));
  if (!used) return fail(exceeded(s, now_ms));
  s.used = *used;
  return s;
}

Result<std::pair<std::int64_t, QuotaState>> Quotas::consume_up_to(std::string_view manufacturer_id, Resource r,
                                                                 std::int64_t amount, std::string_view request_id) {
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(manufacturer_id));
  auto s = fresh_state(m.tier, r);
  const auto now = clock_.now();
  const auto now_ms = platform::to_unix_ms(now);
  std::int64_t granted = 0;
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto result, tx.consume_up_to(manufacturer_id, r, s.period, amount, s.limit, now_ms));
    granted = result.first;
    s.used = result.second;
    if (granted == 0) return {};
    return tx.record_usage(manufacturer_id, r, granted, request_id, day_of(now), now_ms);
  }));
  return std::make_pair(granted, s);
}

Status Quotas::refund(std::string_view manufacturer_id, Resource r, std::int64_t amount, std::string_view request_id) {
  if (amount <= 0) return {};
  const auto now = clock_.now();
  const auto now_ms = platform::to_unix_ms(now);
  const auto period = period_of(now);
  return store_.write([&](AuthzTx& tx) -> Status {
    EW_TRY(tx.refund(manufacturer_id, r, period, amount, now_ms));
    return tx.record_usage(manufacturer_id, r, -amount, request_id, day_of(now), now_ms);
  });
}

Result<QuotaState> Quotas::state(std::string_view manufacturer_id, Resource r) {
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(manufacturer_id));
  auto s = fresh_state(m.tier, r);
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(s.used, tx.used(manufacturer_id, r, s.period));
    return {};
  }));
  return s;
}

Result<UsageReport> Quotas::report(std::string_view manufacturer_id) {
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(manufacturer_id));
  const auto now = clock_.now();
  const auto now_ms = platform::to_unix_ms(now);
  UsageReport out;
  out.tier = std::string(name_of(m.tier));
  out.period = period_of(now);
  const double start = static_cast<double>(period_start_ms(now));
  const double end = static_cast<double>(next_period_start_ms(now));
  // The pace so far, over at least one day so a busy first hour does not extrapolate wildly.
  const double elapsed = std::max(static_cast<double>(now_ms) - start, 86'400'000.0);
  std::vector<Permission> denied;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    for (std::size_t i = 0; i < kResourceCount; ++i) {
      const auto r = static_cast<Resource>(i);
      ResourceReport rr;
      rr.quota = fresh_state(m.tier, r);
      EW_ASSIGN_OR_RETURN(rr.quota.used, tx.used(manufacturer_id, r, out.period));
      EW_ASSIGN_OR_RETURN(auto days, tx.daily_usage(manufacturer_id, r, out.period));
      for (auto& [day, units] : days) rr.daily.push_back(DailyUsage{std::move(day), units});
      rr.projected = static_cast<std::int64_t>(std::llround(static_cast<double>(rr.quota.used) * (end - start) / elapsed));
      out.resources.push_back(std::move(rr));
    }
    EW_ASSIGN_OR_RETURN(denied, tx.denials_since(manufacturer_id, now_ms - 7LL * 86'400'000));
    return {};
  }));
  // Upgrade suggestion: a resource projected past 80% of its limit, or a refused feature.
  std::optional<Tier> suggest;
  auto consider = [&](Tier t) {
    if (static_cast<int>(t) > static_cast<int>(m.tier) && (!suggest || static_cast<int>(t) < static_cast<int>(*suggest))) {
      suggest = t;
    }
  };
  for (const auto& rr : out.resources) {
    if (rr.quota.unlimited() || rr.quota.limit == 0) continue;
    if (static_cast<double>(rr.projected) > 0.8 * static_cast<double>(rr.quota.limit)) {
      for (std::size_t t = static_cast<std::size_t>(m.tier) + 1; t < kTierCount; ++t) {
        const auto higher = policy_.limit(static_cast<Tier>(t), rr.quota.resource);
        if (higher == kUnlimited || higher > rr.projected) {
          consider(static_cast<Tier>(t));
          break;
        }
      }
      out.suggestion_reasons.push_back(std::string(name_of(rr.quota.resource)) + " is projected to reach " +
                                       std::to_string(rr.projected) + " of " + std::to_string(rr.quota.limit) +
                                       " this month");
    }
  }
  std::set<Permission> seen;
  for (auto p : denied) {
    if (!seen.insert(p).second) continue;
    if (auto t = policy_.cheapest_with(p)) {
      consider(*t);
      out.suggestion_reasons.push_back(std::string(feature_of(p)) + " was requested recently and needs the " +
                                       std::string(name_of(*t)) + " tier");
    }
  }
  if (suggest) out.suggested_tier = std::string(name_of(*suggest));
  return out;
}

}  // namespace eyewear::authz
