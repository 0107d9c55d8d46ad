// Screens whole inputs field by field: a JSON document, query parameters, the cells of an
// uploaded CSV file, the lines of an NDJSON upload. Each finding names its field with a path:
//   JSON     /products/3/name          (JSON pointer; NDJSON lines: ndjson[7]/name)
//   query    query.q                   (route path parameters: path.id)
//   CSV      csv[12].description       (12 = the line the record starts on)
// A member name that is not a plain identifier ([A-Za-z0-9_.-], at most 64 bytes) is shown by its
// 1-based position among its object's members in key order, `#3`, so that a path never echoes
// a payload hidden in a key. Structural NoSQL injection is found here: an object where a scalar
// is expected, a `$`-prefixed key, a query parameter such as `email[$ne]`.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "security/threat_detector.hpp"
#include "security/threat_policy.hpp"

namespace eyewear::security {

struct ScanReport {
  std::vector<Finding> findings;
  std::size_t fields = 0;      // values screened
  std::size_t suppressed = 0;  // findings past the cap: counted, not kept

  [[nodiscard]] bool has(Severity severity) const noexcept;
  [[nodiscard]] const Finding* first(Severity severity) const noexcept;
};

// The detections of values already screened within one input. A bulk upload repeats its
// brands, categories, materials and colours on every row, and a value's detections depend only
// on the value and its field context, so each distinct short value is screened once per input.
// Bounded: past kMaxEntries values are screened without being remembered.
class ScreenMemo {
 public:
  static constexpr std::size_t kMaxValueBytes = 128;
  static constexpr std::size_t kMaxEntries = 4096;

  // The remembered detections, or null.
  [[nodiscard]] const std::vector<Detection>* find(std::string_view value, const FieldContext& context);
  void remember(std::vector<Detection> found);  // for the value of the last find() that missed

 private:
  std::string key_;  // of the last find()
  bool storable_ = false;
  std::unordered_map<std::string, std::vector<Detection>> seen_;
};

class InputScanner {
 public:
  // `hash_key` keys the short value hash of findings (correlation without storing payloads).
  InputScanner(const ThreatDetector& detector, std::string hash_key, std::size_t max_findings = 100);

  void scan_json(const nlohmann::json& document, const FieldClassifier& fields, ScanReport& report) const;
  void scan_query(const std::vector<std::pair<std::string, std::string>>& params, const FieldClassifier& fields,
                  ScanReport& report) const {
    scan_params(params, "query.", fields, report);
  }
  // Name/value pairs under a path prefix: "query." for the query string, "path." for the
  // parameters of the route's pattern.
  void scan_params(const std::vector<std::pair<std::string, std::string>>& params, std::string_view prefix,
                   const FieldClassifier& fields, ScanReport& report) const;
  // The first record is the header. Stops quietly at a malformed record: the upload handler
  // refuses the file with its own error.
  void scan_csv(std::string_view text, const FieldClassifier& fields, ScanReport& report) const;
  // One JSON document a line; lines that are not JSON are skipped (the handler refuses them).
  void scan_ndjson(std::string_view text, const FieldClassifier& fields, ScanReport& report) const;

  [[nodiscard]] const ThreatDetector& detector() const noexcept { return detector_; }

  // Helpers shared by the scans. `path()` renders the field's path; it is called only when
  // something was found, so clean fields cost no string building.
  template <typename PathFn>
  void screen_value(std::string_view value, const FieldTraits& traits, const FieldClassifier& fields, bool csv_cell,
                    PathFn&& path, ScanReport& report, ScreenMemo* memo = nullptr) const {
    ++report.fields;
    const FieldContext context{traits.kind, csv_cell, fields.max_field_bytes()};
    std::vector<Detection> found;
    if (memo == nullptr) {
      detector_.screen(value, context, found);
    } else if (const auto* known = memo->find(value, context)) {
      found = *known;
    } else {
      detector_.screen(value, context, found);
      memo->remember(found);
    }
    if (found.empty()) return;
    const std::string where = path();
    const std::string value_hash = traits.kind == FieldKind::kSecret ? std::string() : hash(value);
    for (auto& d : found) add(report, std::move(d), where, value_hash);
  }
  void add(ScanReport& report, Detection&& d, std::string_view path, std::string_view value_hash) const;
  [[nodiscard]] std::string hash(std::string_view value) const;

 private:
  const ThreatDetector& detector_;
  std::string hash_key_;
  std::size_t max_findings_;
};

// A member name as it may appear in a path: itself when plain, `#<position>` otherwise.
[[nodiscard]] bool is_plain_name(std::string_view name) noexcept;
void append_path_name(std::string& out, std::string_view name, std::size_t position);

}  // namespace eyewear::security
