#include "http/authz_routes.hpp"

#include <charconv>

#include "http/auth_middleware.hpp"
#include "http/authz_middleware.hpp"
#include "http/json_body.hpp"
#include "http/query_params.hpp"

namespace eyewear::http {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

std::string iso(std::int64_t ms) { return platform::format_rfc3339(platform::from_unix_ms(ms)); }
nlohmann::json iso_or_null(const std::optional<std::int64_t>& ms) { return ms ? nlohmann::json(iso(*ms)) : nlohmann::json(); }

nlohmann::json quota_json(const authz::QuotaState& q) {
  return {{"resource", authz::name_of(q.resource)},
          {"period", q.period},
          {"limit", q.unlimited() ? nlohmann::json("unlimited") : nlohmann::json(q.limit)},
          {"used", q.used},
          {"remaining", q.unlimited() ? nlohmann::json("unlimited") : nlohmann::json(q.remaining())},
          {"resets_at", iso(q.resets_at)}};
}

nlohmann::json key_json(const authz::ApiKey& k) {
  nlohmann::json scopes = nlohmann::json::array();
  for (auto s : k.scopes) scopes.push_back(authz::name_of(s));
  return {{"id", k.id},
          {"name", k.name},
          {"prefix", k.prefix},
          {"scopes", scopes},
          {"created_at", iso(k.created_at)},
          {"expires_at", iso_or_null(k.expires_at)},
          {"last_used_at", iso_or_null(k.last_used_at)}};
}


RouteOptions required(std::string permission = {}) {
  RouteOptions o;
  o.auth = Auth::kRequired;
  o.permission = std::move(permission);
  return o;
}

RouteOptions session(std::string permission, BodyPolicy body = BodyPolicy::kNone) {
  RouteOptions o;
  o.auth = Auth::kSession;
  o.permission = std::move(permission);
  o.body = body;
  return o;
}

RouteOptions admin(BodyPolicy body = BodyPolicy::kNone) {
  RouteOptions o;
  o.auth = Auth::kAdmin;
  o.body = body;
  return o;
}

}  // namespace

void add_authz_routes(Router& router, AuthzRouteServices s) {
  // ---- the caller's features and usage
  router.add(Method::kGet, "/api/v1/me/features", [s](Exchange& ex) -> HandlerResult {
    const auto& mid = ex.principal->manufacturer_id;
    EW_ASSIGN_OR_RETURN(const auto state, s.authorizer.state(mid));
    const auto& policy = s.authorizer.policy();
    nlohmann::json features = nlohmann::json::array();
    for (std::size_t i = 0; i < authz::kPermissionCount; ++i) {
      const auto p = static_cast<authz::Permission>(i);
      const bool available = policy.allows(state.tier, p);
      nlohmann::json f = {{"feature", authz::feature_of(p)},
                          {"permission", authz::name_of(p)},
                          {"available", available},
                          {"required_tier", authz::name_of(policy.cheapest_with(p).value_or(authz::Tier::kEnterprise))}};
      if (auto r = authz::metered_by(p)) {
        EW_ASSIGN_OR_RETURN(const auto q, s.quotas.state(mid, *r));
        f["quota"] = quota_json(q);
        if (available && !q.unlimited() && q.remaining() == 0) {
          f["available"] = false;
          f["reason"] = "quota_exhausted";
        }
      }
      features.push_back(std::move(f));
    }
    return Response::json(200, {{"tier", authz::name_of(state.tier)}, {"features", features}});
  }, required());

  router.add(Method::kGet, "/api/v1/usage", [s](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const auto report, s.quotas.report(ex.principal->manufacturer_id));
    nlohmann::json resources = nlohmann::json::array();
    for (const auto& rr : report.resources) {
      auto j = quota_json(rr.quota);
      nlohmann::json daily = nlohmann::json::array();
      for (const auto& d : rr.daily) daily.push_back({{"day", d.day}, {"units", d.units}});
      j["daily"] = daily;
      j["projected_at_period_end"] = rr.projected;
      resources.push_back(std::move(j));
    }
    nlohmann::json body = {{"tier", report.tier}, {"period", report.period}, {"resources", resources}};
    body["upgrade_suggestion"] =
        report.suggested_tier ? nlohmann::json({{"tier", *report.suggested_tier}, {"reasons", report.suggestion_reasons}})
                              : nlohmann::json();
    return Response::json(200, body);
  }, required("view_basic_analytics"));

  // ---- API keys
  router.add(Method::kPost, "/api/v1/api-keys", [s](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto name, f.required_string("name", 100));
    std::vector<std::string> scopes;
    const auto& raw = f.raw();
    if (!raw.contains("scopes") || !raw["scopes"].is_array()) {
      return fail(Error::validation("scopes", raw.contains("scopes") ? "type" : "required",
                                    "scopes must be an array of permission names"));
    }
    for (const auto& v : raw["scopes"]) {
      if (!v.is_string()) return fail(Error::validation("scopes", "type", "scopes must be an array of permission names"));
      scopes.push_back(v.get<std::string>());
    }
    std::optional<std::int64_t> expires;
    EW_ASSIGN_OR_RETURN(auto expires_text, f.optional_string("expires_at", 64));
    if (expires_text) {
      platform::SystemTime t;
      if (!platform::parse_rfc3339(*expires_text, t)) {
        return fail(Error::validation("expires_at", "format", "expires_at must be an RFC 3339 time"));
      }
      expires = platform::to_unix_ms(t);
    }
    EW_ASSIGN_OR_RETURN(auto created, s.api_keys.create(ex.principal->manufacturer_id, ex.principal->account_id, name,
                                                        scopes, expires, meta_of(ex)));
    auto body = key_json(created.key);
    body["key"] = created.secret;
    auto r = Response::json(201, body);
    r.headers.set("Location", "/api/v1/api-keys/" + created.key.id);
    return r;
  }, session("api_access", BodyPolicy::kJson));

  router.add(Method::kGet, "/api/v1/api-keys", [s](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto keys, s.api_keys.list(ex.principal->manufacturer_id));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& k : keys) items.push_back(key_json(k));
    return Response::json(200, {{"api_keys", items}});
  }, session("api_access"));

  router.add(Method::kDelete, "/api/v1/api-keys/{id}", [s](Exchange& ex) -> HandlerResult {
    EW_TRY(s.api_keys.revoke(ex.principal->manufacturer_id, ex.param("id"), ex.principal->account_id, meta_of(ex)));
    return Response::no_content();
  }, session("api_access"));

  // ---- platform administration
  router.add(Method::kGet, "/api/v1/admin/manufacturers", [s](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const auto page, int_param(ex, "page", 1, 1, 1'000'000));
    EW_ASSIGN_OR_RETURN(const auto page_size, int_param(ex, "page_size", 20, 1, 100));
    const auto q = ex.request.query_param("q").value_or("");
    if (q.size() > 200) return fail(Error::validation("q", "max_length", "q must be at most 200 characters"));
    EW_ASSIGN_OR_RETURN(const auto result, s.admin.manufacturers(q, page, static_cast<int>(page_size)));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& m : result.first) {
      items.push_back({{"id", m.id},
                       {"company_name", m.company_name},
                       {"tier", m.tier},
                       {"status", m.status},
                       {"owner_email", m.owner_email},
                       {"members", m.members},
                       {"created_at", iso(m.created_at)}});
    }
    return Response::json(200, {{"items", items},
                                {"total", result.second},
                                {"page", page},
                                {"page_size", page_size},
                                {"pages", (result.second + page_size - 1) / page_size}});
  }, admin());

  router.add(Method::kPut, "/api/v1/admin/manufacturers/{id}/tier", [s](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto tier, f.required_string("tier", 32));
    EW_ASSIGN_OR_RETURN(const auto state, s.admin.change_tier(ex.param("id"), tier, ex.principal->account_id, meta_of(ex)));
    return Response::json(200, {{"id", state.id}, {"tier", authz::name_of(state.tier)}, {"status", state.status}});
  }, admin(BodyPolicy::kJson));

  router.add(Method::kPost, "/api/v1/admin/accounts/{id}/unlock", [s](Exchange& ex) -> HandlerResult {
    EW_TRY(s.admin.unlock_account(ex.param("id"), ex.principal->account_id, meta_of(ex)));
    return Response::no_content();
  }, admin(BodyPolicy::kJsonOptional));

  router.add(Method::kPost, "/api/v1/admin/manufacturers/{id}/usage/reset", [s](Exchange& ex) -> HandlerResult {
    std::optional<std::string> resource;
    if (ex.json) {
      EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
      EW_ASSIGN_OR_RETURN(resource, f.optional_string("resource", 64));
    }
    EW_TRY(s.admin.reset_usage(ex.param("id"), resource, ex.principal->account_id, meta_of(ex)));
    return Response::no_content();
  }, admin(BodyPolicy::kJsonOptional));

  router.add(Method::kGet, "/api/v1/admin/audit", [s](Exchange& ex) -> HandlerResult {
    authz::AuditFilter filter;
    filter.type = std::string(ex.request.query_param("type").value_or(""));
    filter.manufacturer_id = std::string(ex.request.query_param("manufacturer_id").value_or(""));
    filter.account_id = std::string(ex.request.query_param("account_id").value_or(""));
    EW_ASSIGN_OR_RETURN(filter.from_ms, time_param(ex, "from"));
    EW_ASSIGN_OR_RETURN(filter.to_ms, time_param(ex, "to"));
    EW_ASSIGN_OR_RETURN(filter.before_id, int_param(ex, "before", 0, 0, INT64_MAX));
    EW_ASSIGN_OR_RETURN(const auto limit, int_param(ex, "limit", 50, 1, 200));
    filter.limit = static_cast<int>(limit);
    EW_ASSIGN_OR_RETURN(const auto entries, s.admin.audit(filter));
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : entries) {
      events.push_back({{"id", e.id},
                        {"type", e.event.type},
                        {"account_id", e.event.account_id},
                        {"manufacturer_id", e.event.manufacturer_id},
                        {"actor_account_id", e.event.actor_account_id},
                        {"outcome", e.event.outcome},
                        {"ip", e.event.ip},
                        {"request_id", e.event.request_id},
                        {"details", nlohmann::json::parse(e.event.details, nullptr, false)},
                        {"at", iso(e.event.at_ms)}});
    }
    return Response::json(200, {{"events", events},
                                {"next_before", entries.size() == static_cast<std::size_t>(limit)
                                                    ? nlohmann::json(entries.back().id)
                                                    : nlohmann::json()}});
  }, admin());

  router.add(Method::kGet, "/api/v1/admin/performance", [s](Exchange&) -> HandlerResult {
    const auto report = s.admin.performance();
    nlohmann::json routes = nlohmann::json::array();
    nlohmann::json operations = nlohmann::json::array();
    for (const auto& op : report.operations) {
      nlohmann::json j = {{"name", op.name},
                          {"kind", op.kind},
                          {"count", op.count},
                          {"p50_ms", op.p50_ms},
                          {"p95_ms", op.p95_ms},
                          {"p99_ms", op.p99_ms},
                          {"mean_ms", op.mean_ms},
                          {"threshold_ms", op.threshold_ms},
                          {"breaches_total", op.breaches_total},
                          {"breaches_last_hour", op.breaches_last_hour},
                          {"breaches_last_day", op.breaches_last_day}};
      (op.kind == "http.request" ? routes : operations).push_back(std::move(j));
    }
    return Response::json(200, {{"routes", routes}, {"operations", operations}, {"recommendations", report.recommendations}});
  }, admin());
}

}  // namespace eyewear::http
