// The vocabulary of threat detection, shared by the detector, the input scans, the HTTP
// middleware and the threat history: what was found (type), how bad it is (severity, which
// decides whether a request is refused), how sure the detector is (confidence) and where it was
// (a field path). A finding never carries the value it was found in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eyewear::security {

enum class ThreatType {
  kSqlInjection,
  kXss,
  kNosqlInjection,
  kScriptInjection,
  kNullByte,
  kControlChars,
  kInvalidUtf8,
  kOversizedField,
  kPathTraversal,
  kCsvFormula,
};
inline constexpr std::size_t kThreatTypeCount = 10;

// HIGH refuses the request (in block mode); MEDIUM and LOW are recorded only.
enum class Severity { kLow, kMedium, kHigh };
inline constexpr std::size_t kSeverityCount = 3;

[[nodiscard]] std::string_view name_of(ThreatType type) noexcept;    // "sql_injection"
[[nodiscard]] std::string_view name_of(Severity severity) noexcept;  // "high"
[[nodiscard]] std::optional<ThreatType> threat_type_from(std::string_view name) noexcept;
[[nodiscard]] std::optional<Severity> severity_from(std::string_view name) noexcept;

// What one detector concluded about one value.
struct Detection {
  ThreatType type = ThreatType::kSqlInjection;
  Severity severity = Severity::kHigh;
  double confidence = 0;      // 0..1, from the detector's evidence
  std::string_view detector;  // static text, e.g. "libinjection-sqli"
  std::string evidence;       // what the detector saw, never the value: a fingerprint, a rule name
};

// A detection located in a request.
struct Finding {
  ThreatType type = ThreatType::kSqlInjection;
  Severity severity = Severity::kHigh;
  double confidence = 0;
  std::string field;  // "/products/3/name", "query.q", "csv[12].description"
  std::string detector;
  std::string evidence;
  std::string value_hash;  // short keyed hash of the value for correlation; empty for secret fields
};

}  // namespace eyewear::security
