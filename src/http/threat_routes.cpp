#include "http/threat_routes.hpp"

#include "http/query_params.hpp"
#include "platform/clock.hpp"

namespace eyewear::http {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;
using security::Severity;

std::string iso(std::int64_t ms) { return platform::format_rfc3339(platform::from_unix_ms(ms)); }

nlohmann::json threat_json(const security::StoredThreat& t, bool admin) {
  const auto& r = t.record;
  nlohmann::json j = {{"id", t.id},
                      {"type", security::name_of(r.type)},
                      {"severity", security::name_of(r.severity)},
                      {"confidence", r.confidence},
                      {"field", r.field},
                      {"detector", r.detector},
                      {"evidence", r.evidence},
                      {"route", r.route},
                      {"blocked", r.blocked},
                      {"request_id", r.request_id},
                      {"at", iso(r.at_ms)}};
  if (admin) {
    j["manufacturer_id"] = r.manufacturer_id.empty() ? nlohmann::json() : nlohmann::json(r.manufacturer_id);
    j["account_id"] = r.account_id.empty() ? nlohmann::json() : nlohmann::json(r.account_id);
    j["api_key_id"] = r.api_key_id.empty() ? nlohmann::json() : nlohmann::json(r.api_key_id);
    j["ip"] = r.ip;
    j["user_agent"] = r.user_agent;
    j["value_hash"] = r.value_hash;
  }
  return j;
}


}  // namespace

void add_threat_routes(Router& router, security::ThreatHistory& history) {
  RouteOptions caller;
  caller.auth = Auth::kRequired;
  router.add(
      Method::kGet, "/api/v1/security/threats",
      [&history](Exchange& ex) -> HandlerResult {
        EW_ASSIGN_OR_RETURN(const auto s, history.summary(ex.principal->manufacturer_id));
        nlohmann::json by_type = nlohmann::json::object();
        std::int64_t total = 0;
        for (std::size_t i = 0; i < security::kThreatTypeCount; ++i) {
          by_type[std::string(security::name_of(static_cast<security::ThreatType>(i)))] = s.counts.by_type[i];
          total += s.counts.by_type[i];
        }
        nlohmann::json by_severity = nlohmann::json::object();
        for (std::size_t i = 0; i < security::kSeverityCount; ++i) {
          by_severity[std::string(security::name_of(static_cast<Severity>(i)))] = s.counts.by_severity[i];
        }
        nlohmann::json recent = nlohmann::json::array();
        for (const auto& t : s.counts.latest) recent.push_back(threat_json(t, false));
        return Response::json(
            200,
            {{"manufacturer_id", s.manufacturer_id},
             {"security_score",
              {{"score", s.score.score},
               {"level", s.score.level},
               {"window_days", security::kScoreWindowDays},
               {"high", s.score.high},
               {"medium", s.score.medium},
               {"low", s.score.low}}},
             {"totals",
              {{"by_type", by_type}, {"by_severity", by_severity}, {"total", total}, {"blocked", s.counts.blocked}}},
             {"recent", recent}});
      },
      caller);

  RouteOptions admin;
  admin.auth = Auth::kAdmin;
  router.add(
      Method::kGet, "/api/v1/admin/security/threats",
      [&history](Exchange& ex) -> HandlerResult {
        security::ThreatSearch q;
        q.type = std::string(ex.request.query_param("type").value_or(""));
        q.severity = std::string(ex.request.query_param("severity").value_or(""));
        q.manufacturer_id = std::string(ex.request.query_param("manufacturer_id").value_or(""));
        EW_ASSIGN_OR_RETURN(q.from_ms, time_param(ex, "from"));
        EW_ASSIGN_OR_RETURN(q.to_ms, time_param(ex, "to"));
        EW_ASSIGN_OR_RETURN(q.page, int_param(ex, "page", 1, 1, 1'000'000));
        EW_ASSIGN_OR_RETURN(const auto page_size, int_param(ex, "page_size", 50, 1, 200));
        q.page_size = static_cast<int>(page_size);
        EW_ASSIGN_OR_RETURN(const auto page, history.search(q));
        nlohmann::json items = nlohmann::json::array();
        for (const auto& t : page.items) items.push_back(threat_json(t, true));
        return Response::json(200, {{"items", items},
                                    {"total", page.total},
                                    {"page", q.page},
                                    {"page_size", page_size},
                                    {"pages", (page.total + page_size - 1) / page_size}});
      },
      admin);
}

}  // namespace eyewear::http
