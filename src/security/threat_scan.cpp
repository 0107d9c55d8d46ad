#include "security/threat_scan.hpp"

#include <cctype>

#include "platform/crypto.hpp"
#include "platform/csv.hpp"
#include "security/threat_rules.hpp"

namespace eyewear::security {

bool ScanReport::has(Severity severity) const noexcept { return first(severity) != nullptr; }

const Finding* ScanReport::first(Severity severity) const noexcept {
  for (const auto& f : findings) {
    if (f.severity == severity) return &f;
  }
  return nullptr;
}

InputScanner::InputScanner(const ThreatDetector& detector, std::string hash_key, std::size_t max_findings)
    : detector_(detector), hash_key_(std::move(hash_key)), max_findings_(max_findings) {}

void InputScanner::add(ScanReport& report, Detection&& d, std::string_view path, std::string_view value_hash) const {
  if (report.findings.size() >= max_findings_) {
    ++report.suppressed;
    return;
  }
  report.findings.push_back(Finding{d.type, d.severity, d.confidence, std::string(path), std::string(d.detector),
                                    std::move(d.evidence), std::string(value_hash)});
}

std::string InputScanner::hash(std::string_view value) const {
  // 8 bytes of HMAC-SHA-256: enough to see the same payload again, too little and too keyed to
  // recover it from the record.
  return platform::to_hex(platform::hmac_sha256(hash_key_, value).substr(0, 8));
}

bool is_plain_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void append_path_name(std::string& out, std::string_view name, std::size_t position) {
  if (is_plain_name(name)) {
    out += name;
  } else {
    out += '#';
    out += std::to_string(position);
  }
}

void InputScanner::scan_params(const std::vector<std::pair<std::string, std::string>>& params, std::string_view prefix,
                               const FieldClassifier& fields, ScanReport& report) const {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& [raw_name, value] = params[i];
    auto path = [&] {
      std::string p(prefix);
      append_path_name(p, raw_name, i + 1);
      return p;
    };
    // qs/PHP-style operator keys (`email[$ne]=1`, `$where=...`) build operator objects in
    // frameworks that expand brackets; nothing legitimate here looks like that.
    std::string_view name = raw_name;
    for (auto at = name.find('$'); at != std::string_view::npos; at = name.find('$', at + 1)) {
      if (at != 0 && name[at - 1] != '[') continue;
      std::size_t end = at + 1;
      while (end < name.size() && std::isalpha(static_cast<unsigned char>(name[end])) != 0) ++end;
      const auto op = name.substr(at + 1, end - at - 1);
      const bool known = rules::is_mongo_operator(op);
      add(report,
          Detection{ThreatType::kNosqlInjection, known ? Severity::kHigh : Severity::kMedium, known ? 0.95 : 0.5,
                    "query-structure", known ? "operator_key" : "dollar_key"},
          path(), {});
      break;
    }
    if (const auto bracket = name.find('['); bracket != std::string_view::npos) name = name.substr(0, bracket);
    std::vector<Detection> key_findings;
    if (auto d = rules::null_byte(raw_name)) key_findings.push_back(std::move(*d));
    if (auto d = rules::control_chars(raw_name)) key_findings.push_back(std::move(*d));
    if (auto d = rules::invalid_utf8(raw_name)) key_findings.push_back(std::move(*d));
    for (auto& d : key_findings) add(report, std::move(d), path(), {});
    screen_value(value, fields.classify(name), fields, false, path, report);
  }
}

const std::vector<Detection>* ScreenMemo::find(std::string_view value, const FieldContext& context) {
  storable_ = value.size() <= kMaxValueBytes;
  if (!storable_) return nullptr;
  key_.clear();
  key_.push_back(static_cast<char>(context.kind));
  key_.push_back(context.csv_cell ? '1' : '0');
  key_.append(reinterpret_cast<const char*>(&context.max_bytes), sizeof context.max_bytes);
  key_.append(value);
  const auto it = seen_.find(key_);
  if (it == seen_.end()) return nullptr;
  return &it->second;
}

void ScreenMemo::remember(std::vector<Detection> found) {
  if (!storable_ || seen_.size() >= kMaxEntries) return;
  seen_.emplace(key_, std::move(found));
  storable_ = false;
}

void InputScanner::scan_csv(std::string_view text, const FieldClassifier& fields, ScanReport& report) const {
  platform::csv::Reader reader(text);
  std::vector<std::string> header;
  std::vector<FieldTraits> traits;
  std::vector<std::string> cells;
  ScreenMemo memo;
  bool first = true;
  while (true) {
    auto more = reader.next(cells);
    if (!more || !*more) return;
    const auto line = reader.record_line();
    for (std::size_t col = 0; col < cells.size(); ++col) {
      auto path = [&] {
        std::string p = "csv[" + std::to_string(line) + "].";
        append_path_name(p, first || col >= header.size() ? std::string_view() : std::string_view(header[col]),
                         col + 1);
        return p;
      };
      const FieldTraits t = first || col >= traits.size() ? FieldTraits{} : traits[col];
      const std::string_view cell = cells[col];
      // A cell our own export neutralised ('=..., ''...) is text to a spreadsheet and is stored
      // restored (platform::csv::restore_formula), to be neutralised again on every export: it
      // is screened as the text it stands for, without the quote (which would read as an SQL
      // string to the tokenizer) and without the formula check it no longer needs.
      const bool neutralised =
          cell.size() >= 2 && cell[0] == '\'' && (platform::csv::looks_like_formula(cell.substr(1)) || cell[1] == '\'');
      if (neutralised) {
        screen_value(cell.substr(1), t, fields, false, path, report, &memo);
      } else {
        screen_value(cell, t, fields, true, path, report, &memo);
      }
    }
    if (first) {
      first = false;
      header = cells;
      for (const auto& name : header) traits.push_back(fields.classify(name));
    }
  }
}

}  // namespace eyewear::security
