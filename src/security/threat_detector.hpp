// ThreatDetector decides which attack patterns one text value carries, given what kind of field
// it sits in. It is stateless and thread-safe; one instance serves every request.
//
// Cost matters more than elegance here: every string of every request passes through screen(),
// and bulk uploads bring 10,000 rows at a time. One pass over the bytes finds NUL, control
// characters and non-ASCII (only then is UTF-8 validated); the tokenizers run only where they
// can match (libinjection's XSS tokenizer needs `<` or `=`, the NoSQL check a `$`, the template
// check a brace or `<%`). SQL injection always runs libinjection: a number followed by words can
// be an injection ("1 union select ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "security/threat_types.hpp"

namespace eyewear::security {

enum class FieldKind : std::uint8_t {
  kText,      // ordinary text: every text check
  kSecret,    // passwords, tokens, codes: never screened as text, never hashed or recorded
  kFileName,  // ordinary text, and path traversal
  kTemplate,  // may hold `{{ }}`/`${ }` placeholders legitimately: no script_injection
};

struct FieldContext {
  FieldKind kind = FieldKind::kText;
  bool csv_cell = false;      // a cell of an uploaded CSV file: also csv_formula
  std::size_t max_bytes = 0;  // 0: the detector's default
};

class ThreatDetector {
 public:
  struct Options {
    std::size_t max_field_bytes = 16 * 1024;
  };
  ThreatDetector() = default;
  explicit ThreatDetector(Options options) : options_(options) {}

  // Runs the one detector for `type` on `value` as text (path_traversal as a file name,
  // csv_formula as a cell). nullopt when the value is clean for that type.
  [[nodiscard]] std::optional<Detection> detect(ThreatType type, std::string_view value) const;

  // Appends a detection for every threat type found in a field of this context. A value over
  // the size limit yields oversized_field only (it is refused whatever else it holds); a secret
  // field gets the size check only.
  void screen(std::string_view value, const FieldContext& context, std::vector<Detection>& out) const;

  [[nodiscard]] std::size_t max_field_bytes() const noexcept { return options_.max_field_bytes; }

 private:
  Options options_;
};

// detect() on a detector with default options: the module API the seeds ask for.
[[nodiscard]] std::optional<Detection> detect_threat(ThreatType type, std::string_view value);

}  // namespace eyewear::security
