#include "http/ops_routes.hpp"

#include <memory>

#include "http/errors.hpp"
#include "platform/clock.hpp"

namespace eyewear::http {

namespace {

double ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

Response probe_response(Exchange& ex, bool ok, nlohmann::json body, std::string_view reason) {
  if (ok) return Response::json(200, body);
  // The probe's own document, plus the error envelope every non-2xx answer carries.
  const auto err = error_response(Error(ErrorCode::kUnavailable, std::string(reason)), ex.request_id);
  body["error"] = nlohmann::json::parse(err.body)["error"];
  return Response::json(503, body);
}

}  // namespace

void add_ops_routes(Router& router, OpsContext context) {
  auto ctx = std::make_shared<OpsContext>(std::move(context));
  RouteOptions ops;
  ops.operational = true;

  auto live = [ctx](Exchange&) -> HandlerResult {
    const auto up = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx->process_start).count();
    return Response::json(200, {{"status", "ok"}, {"uptime_seconds", up}});
  };
  auto startup = [ctx](Exchange& ex) -> HandlerResult {
    const bool started = ctx->started && ctx->started();
    return probe_response(ex, started, {{"status", started ? "started" : "starting"}}, "start-up has not finished");
  };
  auto ready = [ctx](Exchange& ex) -> HandlerResult {
    nlohmann::json checks = nlohmann::json::object();
    bool ok = true;
    std::string reason;
    if (ctx->draining && ctx->draining()) {
      ok = false;
      reason = "the server is shutting down";
    }
    if (ctx->database != nullptr) {
      const auto db = ctx->database->ping();
      checks["database"] = {{"status", db.ok ? "ok" : "unavailable"}, {"latency_ms", ms(db.latency)}};
      if (!db.ok) {
        checks["database"]["reason"] = db.detail;
        if (ok) reason = "database unreachable";
        ok = false;
      } else {
        const auto versions = ctx->database->schema_versions();
        if (!versions) {
          checks["migrations"] = {{"status", "unknown"}};
          if (ok) reason = "schema version unknown";
          ok = false;
        } else {
          const bool current = versions->first == versions->second;
          checks["migrations"] = {{"status", current ? "ok" : (versions->first < versions->second ? "behind" : "ahead")},
                                  {"current", versions->first},
                                  {"latest", versions->second}};
          if (!current) {
            if (ok) reason = versions->first < versions->second ? "migrations are behind" : "schema is newer than this binary";
            ok = false;
          }
        }
      }
    }
    for (auto* check : ctx->extra_checks) {
      const auto r = check->check();
      checks[check->name()] = {{"status", r.ok ? "ok" : "unavailable"}, {"latency_ms", ms(r.latency)}};
      if (!r.ok) {
        checks[check->name()]["reason"] = r.detail;
        if (ok) reason = check->name() + " unreachable";
        ok = false;
      }
    }
    return probe_response(ex, ok, {{"status", ok ? "ready" : "unavailable"}, {"checks", checks}}, reason);
  };
  auto db = [ctx](Exchange& ex) -> HandlerResult {
    if (ctx->database == nullptr) return probe_response(ex, false, {{"status", "unavailable"}}, "no database");
    const auto r = ctx->database->ping();
    const auto [size, in_use] = ctx->database->pool();
    nlohmann::json body = {{"status", r.ok ? "ok" : "unavailable"},
                           {"backend", ctx->database->backend()},
                           {"latency_ms", ms(r.latency)},
                           {"pool", {{"size", size}, {"in_use", in_use}}}};
    if (r.ok) {
      if (auto v = ctx->database->schema_versions()) body["schema"] = {{"current", v->first}, {"latest", v->second}};
    } else {
      body["reason"] = r.detail;
    }
    return probe_response(ex, r.ok, body, "database unreachable");
  };
  auto metrics = [ctx](Exchange&) -> HandlerResult {
    return Response::text(200, ctx->registry->render(), "text/plain; version=0.0.4; charset=utf-8");
  };
  auto status = [ctx](Exchange&) -> HandlerResult {
    return Response::json(200, {{"service", "eyewear"},
                                {"version", ctx->version},
                                {"time", platform::format_rfc3339(std::chrono::system_clock::now())}});
  };

  for (const auto& [path, handler] : std::vector<std::pair<std::string, Handler>>{
           {"/health/live", live}, {"/alive", live}, {"/health/ready", ready}, {"/ready", ready},
           {"/health/startup", startup}, {"/startup", startup}, {"/health/db", db}, {"/metrics", metrics}}) {
    router.add(Method::kGet, path, handler, ops);
  }
  router.add(Method::kGet, "/api/v1/status", status);
}

}  // namespace eyewear::http
