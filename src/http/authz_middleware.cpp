#include "http/authz_middleware.hpp"

#include <algorithm>

namespace eyewear::http {

using platform::fail;

void set_rate_limit_headers(Headers& headers, const authz::QuotaState& s, std::int64_t now_ms) {
  if (s.unlimited()) return;
  headers.set("RateLimit-Limit", std::to_string(s.limit));
  headers.set("RateLimit-Remaining", std::to_string(s.remaining()));
  headers.set("RateLimit-Reset", std::to_string(std::max<std::int64_t>(0, (s.resets_at - now_ms + 999) / 1000)));
}

namespace {

class Authorization final : public Middleware {
 public:
  Authorization(authz::Authorizer& authorizer, authz::Quotas& quotas) : authorizer_(authorizer), quotas_(quotas) {}
  std::string_view name() const override { return "authorization"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    if (ex.route == nullptr || !ex.principal) return std::nullopt;
    const auto& o = ex.route->options;
    const auto& mid = ex.principal->manufacturer_id;
    if (o.permission.empty()) {
      if (auto st = authorizer_.require_active(mid); !st) return fail(st.error());
    } else {
      const auto perm = authz::permission_from(o.permission);
      if (!perm) return fail(platform::Error::internal_error("route declares unknown permission " + o.permission));
      if (ex.principal->kind == Principal::Kind::kApiKey &&
          std::find(ex.principal->scopes.begin(), ex.principal->scopes.end(), o.permission) == ex.principal->scopes.end()) {
        return fail(platform::Error(platform::ErrorCode::kPermissionDenied,
                                    "the API key's scopes do not include " + o.permission,
                                    {{"permission", o.permission}, {"reason", "scope"}}));
      }
      if (auto st = authorizer_.require(mid, *perm); !st) return fail(st.error());
    }
    if (!o.quota_resource.empty()) {
      const auto resource = authz::resource_from(o.quota_resource);
      if (!resource) return fail(platform::Error::internal_error("route declares unknown resource " + o.quota_resource));
      const auto now_ms = quotas_.now_ms();
      auto consumed = quotas_.consume(mid, *resource, 1, ex.request_id);
      if (!consumed) {
        if (consumed.error().code == platform::ErrorCode::kQuotaExceeded) {
          if (auto state = quotas_.state(mid, *resource)) set_rate_limit_headers(ex.extra_headers, *state, now_ms);
        }
        return fail(consumed.error());
      }
      set_rate_limit_headers(ex.extra_headers, *consumed, now_ms);
      // Work that fails after consuming gives the unit back.
      ex.on_complete.push_back([this, mid, r = *resource, rid = ex.request_id](const Response& response) {
        if (response.status >= 400) (void)quotas_.refund(mid, r, 1, rid);
      });
    }
    return std::nullopt;
  }

 private:
  authz::Authorizer& authorizer_;
  authz::Quotas& quotas_;
};

}  // namespace

std::unique_ptr<Middleware> make_authorization(authz::Authorizer& authorizer, authz::Quotas& quotas) {
  return std::make_unique<Authorization>(authorizer, quotas);
}

ApiKeyResolver api_key_resolver(authz::ApiKeys& keys) {
  return [&keys](std::string_view secret, Exchange& ex) -> platform::Result<Principal> {
    EW_ASSIGN_OR_RETURN(auto key, keys.authenticate(secret, meta_of(ex)));
    Principal p;
    p.kind = Principal::Kind::kApiKey;
    p.manufacturer_id = key.manufacturer_id;
    p.api_key_id = key.key_id;
    for (auto s : key.scopes) p.scopes.emplace_back(authz::name_of(s));
    return p;
  };
}

}  // namespace eyewear::http
