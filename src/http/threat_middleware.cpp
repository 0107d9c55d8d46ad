#include "http/threat_middleware.hpp"

#include <algorithm>

namespace eyewear::http {

namespace {

using security::Severity;

std::string media_type_of(std::string_view content_type) {
  const auto semi = content_type.find(';');
  auto mt = content_type.substr(0, semi);
  while (!mt.empty() && mt.back() == ' ') mt.remove_suffix(1);
  while (!mt.empty() && mt.front() == ' ') mt.remove_prefix(1);
  std::string out(mt);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A user agent is attacker-chosen bytes: printable ASCII only, bounded, before it is stored.
std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

class ThreatScreen final : public Middleware {
 public:
  explicit ThreatScreen(ThreatScreenDeps deps)
      : deps_(deps),
        found_(deps.metrics.counter("eyewear_threats_detected_total",
                                    "Threat findings in requests, by type and severity", {"type", "severity"})),
        refused_(
            deps.metrics.counter("eyewear_threats_refused_total", "Requests refused with THREAT_DETECTED").with({})) {
    for (const auto& route : deps.router.routes()) {
      if (route->id >= policies_.size()) policies_.resize(route->id + 1);
      policies_[route->id] = std::make_unique<security::FieldClassifier>(route->options.threats);
    }
  }

  std::string_view name() const override { return "threat_screen"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    if (ex.route == nullptr || ex.route->options.operational) return std::nullopt;
    const auto& fields = policy(*ex.route);
    if (!fields.screens()) return std::nullopt;
    security::ScanReport report;
    const auto& scanner = deps_.scanner;
    if (!ex.params.empty()) scanner.scan_params(ex.params, "path.", fields, report);
    if (!ex.request.query.empty()) scanner.scan_query(ex.request.query, fields, report);
    if (ex.json) {
      scanner.scan_json(*ex.json, fields, report);
    } else if (ex.route->options.body == BodyPolicy::kUpload && !ex.request.body.empty()) {
      const auto mt = media_type_of(ex.request.headers.get("Content-Type").value_or(""));
      if (mt == "text/csv" || mt == "application/csv") {
        scanner.scan_csv(ex.request.body, fields, report);
      } else if (mt == "application/x-ndjson" || mt == "application/ndjson" || mt == "application/jsonl") {
        scanner.scan_ndjson(ex.request.body, fields, report);
      } else if (mt == "application/json") {
        auto doc = nlohmann::json::parse(ex.request.body, nullptr, /*allow_exceptions=*/false);
        if (!doc.is_discarded()) scanner.scan_json(doc, fields, report);
      }
    }
    if (report.findings.empty()) return std::nullopt;
    return act(ex, report);
  }

 private:
  const security::FieldClassifier& policy(const Route& route) {
    if (route.id < policies_.size() && policies_[route.id]) return *policies_[route.id];
    return default_policy_;  // a route added after start-up (tests)
  }

  std::optional<HandlerResult> act(Exchange& ex, const security::ScanReport& report) {
    const bool refuse = deps_.block && report.has(Severity::kHigh);
    const auto now = platform::to_unix_ms(deps_.clock.now());
    const auto user_agent = printable(ex.request.headers.get("User-Agent").value_or(""), 256);
    std::vector<security::ThreatRecord> records;
    records.reserve(report.findings.size());
    nlohmann::json refused = nlohmann::json::array();
    for (const auto& f : report.findings) {
      found_.with({security::name_of(f.type), security::name_of(f.severity)}).inc();
      security::ThreatRecord r;
      if (ex.principal) {
        r.manufacturer_id = ex.principal->manufacturer_id;
        r.account_id = ex.principal->account_id;
        r.api_key_id = ex.principal->api_key_id;
      }
      r.ip = ex.client_ip;
      r.user_agent = user_agent;
      r.request_id = ex.request_id;
      r.route = ex.route->label;
      r.type = f.type;
      r.severity = f.severity;
      r.confidence = f.confidence;
      r.field = f.field;
      r.detector = f.detector;
      r.evidence = f.evidence;
      r.value_hash = f.value_hash;
      r.blocked = refuse;
      r.at_ms = now;
      records.push_back(std::move(r));
      if (f.severity == Severity::kHigh && refused.size() < 10) {
        refused.push_back({{"field", f.field}, {"type", security::name_of(f.type)}});
      }
    }
    std::optional<platform::AuditEvent> audit;
    if (refuse) {
      refused_.inc();
      platform::AuditEvent e;
      e.type = "threat_blocked";
      e.outcome = "denied";
      if (ex.principal) {
        e.account_id = ex.principal->account_id;
        e.manufacturer_id = ex.principal->manufacturer_id;
      }
      e.ip = ex.client_ip;
      e.user_agent = user_agent;
      e.request_id = ex.request_id;
      e.details =
          nlohmann::json{{"route", ex.route->label}, {"findings", refused}, {"total", report.findings.size()}}.dump();
      e.at_ms = now;
      audit = std::move(e);
    }
    const auto& first = refuse ? *report.first(Severity::kHigh) : report.findings.front();
    deps_.logger.warn("threat detected", {{"request_id", ex.request_id},
                                          {"route", ex.route->label},
                                          {"findings", report.findings.size() + report.suppressed},
                                          {"field", first.field},
                                          {"type", security::name_of(first.type)},
                                          {"severity", security::name_of(first.severity)},
                                          {"refused", refuse}});
    deps_.recorder.record(std::move(records), std::move(audit));
    if (!refuse) return std::nullopt;
    return platform::fail(platform::Error(
        platform::ErrorCode::kThreatDetected,
        "the request was refused: " + first.field + " carries " + std::string(security::name_of(first.type)),
        {{"field", first.field},
         {"type", std::string(security::name_of(first.type))},
         {"findings", platform::RawJson{refused.dump()}}}));
  }

  ThreatScreenDeps deps_;
  platform::Family<platform::Counter>& found_;
  platform::Counter& refused_;
  std::vector<std::unique_ptr<security::FieldClassifier>> policies_;
  security::FieldClassifier default_policy_;
};

}  // namespace

std::unique_ptr<Middleware> make_threat_screen(ThreatScreenDeps deps) { return std::make_unique<ThreatScreen>(deps); }

}  // namespace eyewear::http
