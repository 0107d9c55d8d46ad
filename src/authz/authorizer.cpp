#include "authz/service.hpp"

namespace eyewear::authz {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

Authorizer::Authorizer(const Policy& policy, TierCache& tiers, AuthzStore& store, const platform::Clock& clock)
    : policy_(policy), tiers_(tiers), store_(store), clock_(clock) {}

Status Authorizer::require_active(std::string_view manufacturer_id) {
  EW_ASSIGN_OR_RETURN(const auto state, tiers_.get(manufacturer_id));
  if (state.status != "active") {
    return fail(Error(ErrorCode::kAccountDisabled, "this manufacturer account is " + state.status));
  }
  return {};
}

Status Authorizer::require(std::string_view manufacturer_id, Permission p) {
  EW_ASSIGN_OR_RETURN(const auto state, tiers_.get(manufacturer_id));
  if (state.status != "active") {
    return fail(Error(ErrorCode::kAccountDisabled, "this manufacturer account is " + state.status));
  }
  if (policy_.allows(state.tier, p)) return {};
  // Remembered so the usage report can suggest the upgrade that would have allowed it.
  (void)store_.write([&](AuthzTx& tx) { return tx.record_denial(manufacturer_id, p, platform::to_unix_ms(clock_.now())); });
  const auto upgrade = policy_.cheapest_with(p);
  platform::Details details = {{"permission", std::string(name_of(p))}, {"tier", std::string(name_of(state.tier))}};
  details.emplace_back("upgrade_to", upgrade ? std::string(name_of(*upgrade)) : std::string());
  return fail(Error(ErrorCode::kPermissionDenied,
                    "the " + std::string(name_of(state.tier)) + " tier does not include " + std::string(name_of(p)),
                    std::move(details)));
}

}  // namespace eyewear::authz
