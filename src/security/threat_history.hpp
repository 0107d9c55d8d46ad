// The threat history as callers see it: a manufacturer's summary (totals by type and severity,
// the latest findings, a security score) and the platform-wide search for administrators.
//
// The security score reads the last 30 days of findings attributed to the manufacturer's
// credentials (its accounts and API keys):
//   score = max(0, 100 - 10·high - 3·medium - 1·low)
// 80 and above is "good", 50 to 79 "fair", below 50 "poor". A clean tenant scores 100; one refused
// attack costs 10 points, and the score recovers as findings age out of the window. It says how
// much hostile input arrives with the tenant's credentials: a falling score points at a leaked
// key or a compromised account rather than at anything the tenant configured.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/clock.hpp"
#include "security/threat_recorder.hpp"
#include "security/threat_store.hpp"

namespace eyewear::security {

inline constexpr int kScoreWindowDays = 30;
inline constexpr int kLatestFindings = 10;

struct SecurityScore {
  int score = 100;
  std::string_view level = "good";  // good | fair | poor
  std::int64_t high = 0;
  std::int64_t medium = 0;
  std::int64_t low = 0;
};
[[nodiscard]] SecurityScore security_score(std::int64_t high, std::int64_t medium, std::int64_t low) noexcept;

struct ThreatSummary {
  std::string manufacturer_id;
  ThreatCounts counts;
  SecurityScore score;
};

struct ThreatSearch {
  std::string type;      // a threat type name, or empty
  std::string severity;  // low | medium | high, or empty
  std::string manufacturer_id;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t page = 1;
  int page_size = 50;
};

class ThreatHistory {
 public:
  ThreatHistory(ThreatStore& store, ThreatRecorder& recorder, const platform::Clock& clock);

  [[nodiscard]] Result<ThreatSummary> summary(std::string_view manufacturer_id);
  // VALIDATION_FAILED naming the field for an unknown type or severity, or `from` after `to`.
  [[nodiscard]] Result<ThreatPage> search(const ThreatSearch& search);

 private:
  ThreatStore& store_;
  ThreatRecorder& recorder_;
  const platform::Clock& clock_;
};

}  // namespace eyewear::security
