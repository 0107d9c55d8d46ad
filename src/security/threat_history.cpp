#include "security/threat_history.hpp"

#include <algorithm>

namespace eyewear::security {

using platform::Error;
using platform::fail;

SecurityScore security_score(std::int64_t high, std::int64_t medium, std::int64_t low) noexcept {
  SecurityScore s;
  s.high = high;
  s.medium = medium;
  s.low = low;
  const auto penalty = 10 * high + 3 * medium + low;
  s.score = static_cast<int>(std::max<std::int64_t>(0, 100 - std::min<std::int64_t>(penalty, 100)));
  s.level = s.score >= 80 ? "good" : s.score >= 50 ? "fair" : "poor";
  return s;
}

ThreatHistory::ThreatHistory(ThreatStore& store, ThreatRecorder& recorder, const platform::Clock& clock)
    : store_(store), recorder_(recorder), clock_(clock) {}

Result<ThreatSummary> ThreatHistory::summary(std::string_view manufacturer_id) {
  // This node's findings of the last moments are still queued: write them first.
  (void)recorder_.flush();
  const auto now = platform::to_unix_ms(clock_.now());
  const std::int64_t window_start = now - std::int64_t{kScoreWindowDays} * 24 * 3600 * 1000;
  EW_ASSIGN_OR_RETURN(auto counts, store_.counts(manufacturer_id, window_start, kLatestFindings));
  ThreatSummary s;
  s.manufacturer_id = std::string(manufacturer_id);
  const auto& r = counts.recent_severity;
  s.score = security_score(r[static_cast<std::size_t>(Severity::kHigh)], r[static_cast<std::size_t>(Severity::kMedium)],
                           r[static_cast<std::size_t>(Severity::kLow)]);
  s.counts = std::move(counts);
  return s;
}

Result<ThreatPage> ThreatHistory::search(const ThreatSearch& q) {
  if (!q.type.empty() && !threat_type_from(q.type)) {
    return fail(Error(platform::ErrorCode::kValidationFailed, "type is not a threat type",
                      {{"field", "type"}, {"rule", "enum"}}));
  }
  if (!q.severity.empty() && !severity_from(q.severity)) {
    return fail(Error(platform::ErrorCode::kValidationFailed, "severity must be low, medium or high",
                      {{"field", "severity"}, {"rule", "enum"}}));
  }
  if (q.to_ms != 0 && q.from_ms > q.to_ms) {
    return fail(Error(platform::ErrorCode::kValidationFailed, "from must not be after to",
                      {{"field", "from"}, {"rule", "range"}}));
  }
  (void)recorder_.flush();
  ThreatQuery query;
  query.type = q.type;
  query.severity = q.severity;
  query.manufacturer_id = q.manufacturer_id;
  query.from_ms = q.from_ms;
  query.to_ms = q.to_ms;
  query.limit = q.page_size;
  query.offset = (std::max<std::int64_t>(q.page, 1) - 1) * q.page_size;
  return store_.search(query);
}

}  // namespace eyewear::security
