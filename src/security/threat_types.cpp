#include "security/threat_types.hpp"

#include <array>

namespace eyewear::security {

namespace {

constexpr std::array<std::string_view, kThreatTypeCount> kTypeNames = {
    "sql_injection", "xss",          "nosql_injection", "script_injection", "null_byte",
    "control_chars", "invalid_utf8", "oversized_field", "path_traversal",   "csv_formula",
};
constexpr std::array<std::string_view, kSeverityCount> kSeverityNames = {"low", "medium", "high"};

}  // namespace

std::string_view name_of(ThreatType type) noexcept { return kTypeNames[static_cast<std::size_t>(type)]; }
std::string_view name_of(Severity severity) noexcept { return kSeverityNames[static_cast<std::size_t>(severity)]; }

std::optional<ThreatType> threat_type_from(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<ThreatType>(i);
  }
  return std::nullopt;
}

std::optional<Severity> severity_from(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace eyewear::security
