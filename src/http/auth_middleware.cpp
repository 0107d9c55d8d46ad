#include "http/auth_middleware.hpp"

namespace eyewear::http {

using platform::fail;

namespace {

std::optional<std::string_view> bearer_token(const Request& r) {
  const auto header = r.headers.get("Authorization");
  if (!header) return std::nullopt;
  const auto value = *header;
  if (value.size() < 8 || !iequals(value.substr(0, 7), "Bearer ")) return std::string_view();
  auto token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

class Authentication final : public Middleware {
 public:
  Authentication(identity::IdentityService& identity, ApiKeyResolver api_keys)
      : identity_(identity), api_keys_(std::move(api_keys)) {}
  std::string_view name() const override { return "authentication"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    if (ex.route == nullptr || ex.route->options.auth == Auth::kPublic) return std::nullopt;
    const auto policy = ex.route->options.auth;
    const auto token = bearer_token(ex.request);
    if (!token) {
      if (policy == Auth::kOptional) return std::nullopt;
      return fail(Error(ErrorCode::kUnauthenticated, "sign in first: this resource needs a bearer token"));
    }
    if (token->empty()) return fail(Error(ErrorCode::kUnauthenticated, "the Authorization header must be 'Bearer <token>'"));
    if (token->starts_with("ewk_")) {
      if (policy == Auth::kSession || policy == Auth::kAdmin) {
        return fail(Error(ErrorCode::kPermissionDenied, "this resource needs a signed-in user, not an API key",
                          {{"reason", "session_required"}}));
      }
      if (!api_keys_) return fail(Error(ErrorCode::kUnauthenticated, "API keys are not accepted here"));
      auto principal = api_keys_(*token, ex);
      if (!principal) return fail(principal.error());
      ex.principal = std::move(*principal);
      return std::nullopt;
    }
    auto claims = identity_.authenticate(*token);
    if (!claims) return fail(claims.error());
    Principal p;
    p.kind = Principal::Kind::kAccount;
    p.account_id = claims->subject;
    p.manufacturer_id = claims->manufacturer_id;
    p.session_id = claims->session_id;
    p.roles = claims->roles;
    ex.principal = std::move(p);
    if (policy == Auth::kAdmin && !ex.principal->has_role("platform_admin")) {
      return fail(Error(ErrorCode::kPermissionDenied, "platform administrators only",
                        {{"permission", "platform_admin"}}));
    }
    return std::nullopt;
  }

 private:
  identity::IdentityService& identity_;
  ApiKeyResolver api_keys_;
};

}  // namespace

std::unique_ptr<Middleware> make_authentication(identity::IdentityService& identity, ApiKeyResolver api_keys) {
  return std::make_unique<Authentication>(identity, std::move(api_keys));
}

platform::RequestMeta meta_of(const Exchange& ex) {
  return platform::RequestMeta{ex.client_ip, std::string(ex.request.headers.get("User-Agent").value_or("")),
                               ex.request_id};
}

identity::Caller caller_of(const Exchange& ex) {
  identity::Caller c;
  if (ex.principal) {
    c.account_id = ex.principal->account_id;
    c.manufacturer_id = ex.principal->manufacturer_id;
    c.session_id = ex.principal->session_id;
  }
  c.meta = meta_of(ex);
  return c;
}

}  // namespace eyewear::http
