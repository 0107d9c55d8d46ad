#include <nlohmann/json.hpp>

#include "authz/service.hpp"
#include "platform/crypto.hpp"

namespace eyewear::authz {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

namespace {
std::string scopes_json(const std::vector<Permission>& scopes) {
  nlohmann::json j = nlohmann::json::array();
  for (auto p : scopes) j.push_back(std::string(name_of(p)));
  return j.dump();
}
}  // namespace

ApiKeys::ApiKeys(const Policy& policy, TierCache& tiers, Quotas& quotas, AuthzStore& store,
                 const platform::Clock& clock, platform::Random& random)
    : policy_(policy), tiers_(tiers), quotas_(quotas), store_(store), clock_(clock), random_(random) {}

Result<NewApiKey> ApiKeys::create(std::string_view manufacturer_id, std::string_view account_id, std::string_view name,
                                  const std::vector<std::string>& scopes, std::optional<std::int64_t> expires_at,
                                  const RequestMeta& meta) {
  if (name.empty() || name.size() > 100) {
    return fail(Error(ErrorCode::kValidationFailed, "name must be 1 to 100 characters",
                      {{"field", "name"}, {"rule", "length"}, {"min", std::int64_t{1}}, {"max", std::int64_t{100}}}));
  }
  if (scopes.empty()) return fail(Error::validation("scopes", "required", "at least one scope is required"));
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(manufacturer_id));
  std::vector<Permission> granted;
  for (const auto& s : scopes) {
    const auto p = permission_from(s);
    if (!p) {
      return fail(Error(ErrorCode::kValidationFailed, "unknown scope '" + s + "'",
                        {{"field", "scopes"}, {"rule", "unknown_permission"}, {"value", s}}));
    }
    if (!policy_.allows(m.tier, *p)) {
      return fail(Error(ErrorCode::kValidationFailed,
                        "scope '" + s + "' is not part of the " + std::string(name_of(m.tier)) + " tier",
                        {{"field", "scopes"}, {"rule", "not_in_tier"}, {"value", s}}));
    }
    if (std::find(granted.begin(), granted.end(), *p) == granted.end()) granted.push_back(*p);
  }
  const auto now = platform::to_unix_ms(clock_.now());
  if (expires_at && *expires_at <= now) {
    return fail(Error::validation("expires_at", "future", "expires_at must be in the future"));
  }
  NewApiKey out;
  out.secret = "ewk_" + platform::base64url_encode(random_.bytes(32));
  auto& k = out.key;
  k.id = platform::new_uuid_v7(clock_, random_);
  k.manufacturer_id = std::string(manufacturer_id);
  k.created_by = std::string(account_id);
  k.name = std::string(name);
  k.prefix = out.secret.substr(0, 12);
  k.key_hash = platform::to_hex(platform::sha256(out.secret));
  k.scopes = granted;
  k.created_at = now;
  k.expires_at = expires_at;
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_TRY(tx.insert_api_key(k));
    platform::AuditEvent e;
    e.type = "api_key_created";
    e.account_id = std::string(account_id);
    e.manufacturer_id = std::string(manufacturer_id);
    e.ip = meta.ip;
    e.user_agent = meta.user_agent;
    e.request_id = meta.request_id;
    e.details = nlohmann::json({{"key_id", k.id}, {"prefix", k.prefix}, {"scopes", nlohmann::json::parse(scopes_json(granted))}})
                    .dump();
    e.at_ms = now;
    return tx.append_audit(e);
  }));
  return out;
}

Result<std::vector<ApiKey>> ApiKeys::list(std::string_view manufacturer_id) {
  std::vector<ApiKey> out;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(out, tx.api_keys_of(manufacturer_id));
    return {};
  }));
  return out;
}

Status ApiKeys::revoke(std::string_view manufacturer_id, std::string_view id, std::string_view account_id,
                       const RequestMeta& meta) {
  bool found = false;
  const auto now = platform::to_unix_ms(clock_.now());
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto key, tx.revoke_api_key(manufacturer_id, id, now));
    if (!key) return {};
    found = true;
    platform::AuditEvent e;
    e.type = "api_key_revoked";
    e.account_id = std::string(account_id);
    e.manufacturer_id = std::string(manufacturer_id);
    e.ip = meta.ip;
    e.user_agent = meta.user_agent;
    e.request_id = meta.request_id;
    e.details = nlohmann::json({{"key_id", key->id}, {"prefix", key->prefix}}).dump();
    e.at_ms = now;
    return tx.append_audit(e);
  }));
  if (!found) return fail(Error::not_found("API key"));
  return {};
}

namespace {
constexpr std::int64_t kLastUsedResolutionMs = 60'000;
}  // namespace

Result<ApiKeyPrincipal> ApiKeys::authenticate(std::string_view secret, const RequestMeta& meta) {
  const auto invalid = Error(ErrorCode::kTokenInvalid, "the API key is not valid", {{"reason", "api_key"}});
  if (secret.size() < 16 || secret.size() > 128) return fail(invalid);
  const auto hash = platform::to_hex(platform::sha256(secret));
  const auto now = platform::to_unix_ms(clock_.now());
  std::optional<ApiKey> key;
  EW_TRY(store_.read([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(key, tx.api_key_by_hash(hash));
    return {};
  }));
  if (!key || key->revoked_at) return fail(invalid);
  if (key->expires_at && *key->expires_at <= now) {
    return fail(Error(ErrorCode::kTokenExpired, "the API key has expired", {{"reason", "api_key_expired"}}));
  }
  EW_ASSIGN_OR_RETURN(const auto m, tiers_.get(key->manufacturer_id));
  if (m.status != "active") return fail(Error(ErrorCode::kAccountDisabled, "this manufacturer account is " + m.status));
  if (!policy_.allows(m.tier, Permission::kApiAccess)) {
    // A downgrade below the tier with API access disables the keys (until an upgrade).
    return fail(Error(ErrorCode::kPermissionDenied, "API keys need a tier with api_access",
                      {{"permission", "api_access"},
                       {"tier", std::string(name_of(m.tier))},
                       {"upgrade_to", std::string(name_of(*policy_.cheapest_with(Permission::kApiAccess)))}}));
  }
  EW_TRY(quotas_.consume(key->manufacturer_id, Resource::kApiCalls, 1, meta.request_id));
  // "Last used" is kept to the minute: a busy key costs one extra write a minute, not one per
  // request. The first use is always written (and audited).
  if (key->last_used_at && now - *key->last_used_at < kLastUsedResolutionMs) {
    return ApiKeyPrincipal{key->id, key->manufacturer_id, key->scopes};
  }
  EW_TRY(store_.write([&](AuthzTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(const bool first, tx.mark_api_key_used(key->id, now));
    if (!first) return {};
    platform::AuditEvent e;
    e.type = "api_key_first_used";
    e.manufacturer_id = key->manufacturer_id;
    e.ip = meta.ip;
    e.user_agent = meta.user_agent;
    e.request_id = meta.request_id;
    e.details = nlohmann::json({{"key_id", key->id}, {"prefix", key->prefix}}).dump();
    e.at_ms = now;
    return tx.append_audit(e);
  }));
  return ApiKeyPrincipal{key->id, key->manufacturer_id, key->scopes};
}

}  // namespace eyewear::authz
