#include "http/identity_routes.hpp"

#include "http/auth_middleware.hpp"
#include "http/json_body.hpp"
#include "platform/clock.hpp"

namespace eyewear::http {

namespace {

using identity::IdentityService;
using platform::fail;

std::string iso(std::int64_t ms) { return platform::format_rfc3339(platform::from_unix_ms(ms)); }
nlohmann::json iso_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(iso(*ms)) : nlohmann::json(nullptr);
}

nlohmann::json token_json(const identity::TokenPair& t) {
  nlohmann::json j = {{"status", "authenticated"},
                      {"access_token", t.access_token},
                      {"token_type", "Bearer"},
                      {"expires_in", t.expires_in},
                      {"refresh_token", t.refresh_token},
                      {"session_id", t.session_id}};
  if (!t.device_token.empty()) j["device_token"] = t.device_token;
  return j;
}

HandlerResult login_response(const identity::LoginOutcome& o) {
  if (o.mfa_required) {
    return Response::json(200, {{"status", "mfa_required"}, {"mfa_token", o.mfa_token}, {"expires_in", o.mfa_expires_in}});
  }
  return Response::json(200, token_json(o.tokens));
}

Response accepted(std::string message) { return Response::json(202, {{"status", "accepted"}, {"message", std::move(message)}}); }

RouteOptions json_route(Auth auth = Auth::kPublic, Execution exec = Execution::kInline) {
  RouteOptions o;
  o.body = BodyPolicy::kJson;
  o.auth = auth;
  o.execution = exec;
  return o;
}

RouteOptions session_route() {
  RouteOptions o;
  o.auth = Auth::kSession;
  return o;
}

}  // namespace

void add_identity_routes(Router& router, IdentityService& id, identity::KeyRing& keys) {
  // ---- sign-up and verification
  router.add(Method::kPost, "/api/v1/auth/register", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto email, f.required_string("email", 320));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_ASSIGN_OR_RETURN(auto company, f.required_string("company_name", 400));
    EW_TRY(id.register_account(email, password, company, meta_of(ex)));
    return accepted("Check your inbox: we sent a link to confirm your email address.");
  }, json_route(Auth::kPublic, Execution::kWorker));

  router.add(Method::kPost, "/api/v1/auth/verify-email", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto token, f.required_string("token", 256));
    EW_TRY(id.verify_email(token, meta_of(ex)));
    return Response::json(200, {{"status", "verified"}});
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/verify-email/resend", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto email, f.required_string("email", 320));
    EW_TRY(id.resend_verification(email, meta_of(ex)));
    return accepted("If the address belongs to an unverified account, a new link is on its way.");
  }, json_route());

  // ---- sign-in
  router.add(Method::kPost, "/api/v1/auth/login", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto email, f.required_string("email", 320));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_ASSIGN_OR_RETURN(auto device, f.optional_string("device_token", 256));
    EW_ASSIGN_OR_RETURN(auto outcome, id.login(email, password, device.value_or(""), meta_of(ex)));
    return login_response(outcome);
  }, json_route(Auth::kPublic, Execution::kWorker));

  router.add(Method::kPost, "/api/v1/auth/login/mfa", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto token, f.required_string("mfa_token", 256));
    EW_ASSIGN_OR_RETURN(auto code, f.optional_string("code", 16));
    EW_ASSIGN_OR_RETURN(auto backup, f.optional_string("backup_code", 32));
    EW_ASSIGN_OR_RETURN(auto remember, f.optional_bool("remember_device", false));
    EW_ASSIGN_OR_RETURN(auto outcome, id.login_mfa(token, code.value_or(""), backup.value_or(""), remember, meta_of(ex)));
    return login_response(outcome);
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/refresh", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto token, f.required_string("refresh_token", 256));
    EW_ASSIGN_OR_RETURN(auto pair, id.refresh(token, meta_of(ex)));
    return Response::json(200, token_json(pair));
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/magic-link", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto email, f.required_string("email", 320));
    EW_TRY(id.request_magic_link(email, meta_of(ex)));
    return accepted("If the address belongs to an account, a sign-in link is on its way.");
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/magic-link/consume", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto token, f.required_string("token", 256));
    EW_ASSIGN_OR_RETURN(auto outcome, id.consume_magic_link(token, meta_of(ex)));
    return login_response(outcome);
  }, json_route());

  // ---- sessions
  router.add(Method::kPost, "/api/v1/auth/logout", [&id](Exchange& ex) -> HandlerResult {
    EW_TRY(id.logout(caller_of(ex)));
    return Response::no_content();
  }, session_route());

  router.add(Method::kPost, "/api/v1/auth/logout-all", [&id](Exchange& ex) -> HandlerResult {
    EW_TRY(id.logout_all(caller_of(ex)));
    return Response::no_content();
  }, session_route());

  router.add(Method::kGet, "/api/v1/auth/sessions", [&id](Exchange& ex) -> HandlerResult {
    const auto caller = caller_of(ex);
    EW_ASSIGN_OR_RETURN(auto sessions, id.sessions(caller));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : sessions) {
      items.push_back({{"id", s.id},
                       {"device", s.user_agent.empty() ? "unknown device" : s.user_agent.substr(0, 120)},
                       {"ip", s.ip},
                       {"user_agent", s.user_agent},
                       {"auth_method", s.auth_method},
                       {"created_at", iso(s.created_at)},
                       {"last_seen_at", iso(s.last_seen_at)},
                       {"expires_at", iso(s.absolute_expires_at)},
                       {"current", s.id == caller.session_id}});
    }
    return Response::json(200, {{"sessions", items}});
  }, session_route());

  router.add(Method::kDelete, "/api/v1/auth/sessions/{id}", [&id](Exchange& ex) -> HandlerResult {
    EW_TRY(id.revoke_session(caller_of(ex), ex.param("id")));
    return Response::no_content();
  }, session_route());

  // ---- the account
  router.add(Method::kGet, "/api/v1/me", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto a, id.me(caller_of(ex)));
    return Response::json(200, {{"account",
                                 {{"id", a.id},
                                  {"email", a.email},
                                  {"status", identity::to_string(a.status)},
                                  {"email_verified", a.email_verified_at.has_value()},
                                  {"mfa_enabled", a.mfa_enabled},
                                  {"roles", a.roles},
                                  {"created_at", iso(a.created_at)}}},
                                {"manufacturer",
                                 {{"id", a.manufacturer_id},
                                  {"company_name", a.company_name},
                                  {"tier", a.tier},
                                  {"status", a.manufacturer_status},
                                  {"role", a.membership_role}}},
                                {"session_id", ex.principal->session_id}});
  }, session_route());

  router.add(Method::kDelete, "/api/v1/me", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_ASSIGN_OR_RETURN(auto code, f.optional_string("code", 16));
    EW_TRY(id.erase_account(caller_of(ex), password, code.value_or("")));
    return Response::no_content();
  }, json_route(Auth::kSession, Execution::kWorker));

  router.add(Method::kGet, "/api/v1/auth/audit", [&id](Exchange& ex) -> HandlerResult {
    std::int64_t before = 0;
    int limit = 50;
    if (auto b = ex.request.query_param("before")) {
      try {
        before = std::stoll(std::string(*b));
      } catch (...) {
        return fail(platform::Error::validation("before", "type", "before must be an event id"));
      }
    }
    if (auto l = ex.request.query_param("limit")) {
      try {
        limit = std::stoi(std::string(*l));
      } catch (...) {
        limit = -1;
      }
      if (limit < 1 || limit > 100) {
        return fail(platform::Error(platform::ErrorCode::kValidationFailed, "limit must be between 1 and 100",
                                    {{"field", "limit"}, {"rule", "range"}, {"min", std::int64_t{1}}, {"max", std::int64_t{100}}}));
      }
    }
    EW_ASSIGN_OR_RETURN(auto records, id.audit(caller_of(ex), before, limit));
    nlohmann::json events = nlohmann::json::array();
    for (const auto& r : records) {
      events.push_back({{"id", r.id},
                        {"type", r.event.type},
                        {"outcome", r.event.outcome},
                        {"ip", r.event.ip},
                        {"user_agent", r.event.user_agent},
                        {"request_id", r.event.request_id},
                        {"details", nlohmann::json::parse(r.event.details, nullptr, false)},
                        {"at", iso(r.event.at_ms)}});
    }
    nlohmann::json body = {{"events", events}};
    body["next_before"] = records.size() == static_cast<std::size_t>(limit) ? nlohmann::json(records.back().id)
                                                                            : nlohmann::json(nullptr);
    return Response::json(200, body);
  }, session_route());

  // ---- MFA
  router.add(Method::kPost, "/api/v1/auth/mfa/totp/setup", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto s, id.mfa_setup(caller_of(ex)));
    return Response::json(200, {{"secret", s.secret_base32}, {"otpauth_uri", s.otpauth_uri}, {"qr_svg", s.qr_svg}});
  }, [] {
    RouteOptions o = session_route();
    o.body = BodyPolicy::kJsonOptional;
    return o;
  }());

  router.add(Method::kPost, "/api/v1/auth/mfa/totp/confirm", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto code, f.required_string("code", 16));
    EW_ASSIGN_OR_RETURN(auto codes, id.mfa_confirm(caller_of(ex), code));
    return Response::json(200, {{"status", "enabled"}, {"backup_codes", codes}});
  }, json_route(Auth::kSession));

  router.add(Method::kPost, "/api/v1/auth/mfa/totp/disable", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_ASSIGN_OR_RETURN(auto code, f.required_string("code", 16));
    EW_TRY(id.mfa_disable(caller_of(ex), password, code));
    return Response::no_content();
  }, json_route(Auth::kSession, Execution::kWorker));

  router.add(Method::kPost, "/api/v1/auth/mfa/backup-codes/regenerate", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto code, f.required_string("code", 16));
    EW_ASSIGN_OR_RETURN(auto codes, id.regenerate_backup_codes(caller_of(ex), code));
    return Response::json(200, {{"backup_codes", codes}});
  }, json_route(Auth::kSession));

  router.add(Method::kGet, "/api/v1/auth/devices", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto devices, id.devices(caller_of(ex)));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : devices) {
      items.push_back({{"id", d.id},
                       {"label", d.label},
                       {"ip", d.ip},
                       {"created_at", iso(d.created_at)},
                       {"last_used_at", iso_or_null(d.last_used_at)},
                       {"expires_at", iso(d.expires_at)}});
    }
    return Response::json(200, {{"devices", items}});
  }, session_route());

  router.add(Method::kDelete, "/api/v1/auth/devices/{id}", [&id](Exchange& ex) -> HandlerResult {
    EW_TRY(id.revoke_device(caller_of(ex), ex.param("id")));
    return Response::no_content();
  }, session_route());

  // ---- passwords
  router.add(Method::kPost, "/api/v1/auth/password/strength", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_ASSIGN_OR_RETURN(auto email, f.optional_string("email", 320));
    EW_ASSIGN_OR_RETURN(auto company, f.optional_string("company_name", 400));
    const auto report = id.strength(password, email.value_or(""), company.value_or(""));
    return Response::json(200, {{"score", report.score},
                                {"entropy_bits", report.entropy_bits},
                                {"feedback", report.feedback},
                                {"acceptable", report.score >= 3 && identity::utf8_length(password) >= 12}});
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/password/change", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto current, f.required_string("current_password", 4096));
    EW_ASSIGN_OR_RETURN(auto next, f.required_string("new_password", 4096));
    EW_TRY(id.change_password(caller_of(ex), current, next));
    return Response::no_content();
  }, json_route(Auth::kSession, Execution::kWorker));

  router.add(Method::kPost, "/api/v1/auth/password/forgot", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto email, f.required_string("email", 320));
    EW_TRY(id.forgot_password(email, meta_of(ex)));
    return accepted("If the address belongs to an account, a reset link is on its way.");
  }, json_route());

  router.add(Method::kPost, "/api/v1/auth/password/reset", [&id](Exchange& ex) -> HandlerResult {
    EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
    EW_ASSIGN_OR_RETURN(auto token, f.required_string("token", 256));
    EW_ASSIGN_OR_RETURN(auto password, f.required_string("password", 4096));
    EW_TRY(id.reset_password(token, password, meta_of(ex)));
    return Response::no_content();
  }, json_route(Auth::kPublic, Execution::kWorker));

  // ---- public keys
  router.add(Method::kGet, "/.well-known/jwks.json", [&keys](Exchange&) -> HandlerResult {
    auto r = Response::text(200, keys.jwks_json(), "application/json");
    r.headers.set("Cache-Control", "public, max-age=300");
    return r;
  });
}

}  // namespace eyewear::http
