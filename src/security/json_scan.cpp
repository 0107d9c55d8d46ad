// The JSON side of InputScanner: a depth-first walk that keeps the path as a stack of segments
// and renders it only for a finding.
#include <cctype>
#include <string>

#include "security/threat_rules.hpp"
#include "security/threat_scan.hpp"

namespace eyewear::security {

namespace {

// The body policy refuses documents nested deeper than 64 levels before they get here; this
// bound only keeps direct callers (the fuzzer) from exhausting the stack.
constexpr std::size_t kMaxDepth = 128;
constexpr std::size_t kMaxKeyBytes = 1024;

std::string render(std::string_view prefix, const std::vector<PathSegment>& path) {
  std::string out(prefix);
  for (const auto& s : path) {
    out += '/';
    if (s.is_index) {
      out += std::to_string(s.index);
    } else if (is_plain_name(s.name)) {
      out += s.name;  // plain names need no JSON-pointer escaping (~0, ~1)
    } else {
      out += '#';
      out += std::to_string(s.index);
    }
  }
  if (path.empty()) out += '/';
  return out;
}

class JsonWalk {
 public:
  JsonWalk(const InputScanner& scanner, const FieldClassifier& fields, ScanReport& report, std::string_view prefix,
           ScreenMemo* memo = nullptr)
      : scanner_(scanner), fields_(fields), report_(report), prefix_(prefix), memo_(memo) {}

  void value(const nlohmann::json& v, std::string_view member, const FieldTraits& traits) {
    if (path_.size() > kMaxDepth) return;
    switch (v.type()) {
      case nlohmann::json::value_t::string:
        scanner_.screen_value(
            v.get_ref<const std::string&>(), traits, fields_, false, [this] { return render(prefix_, path_); }, report_,
            memo_);
        return;
      case nlohmann::json::value_t::object:
        if (traits.scalar) {
          object_in_scalar(v);
          return;
        }
        object(v);
        return;
      case nlohmann::json::value_t::array: {
        std::size_t i = 0;
        for (const auto& item : v) {
          path_.push_back(PathSegment{{}, i++, true});
          value(item, member, traits);
          path_.pop_back();
        }
        return;
      }
      default:
        return;  // numbers, booleans, null, binary
    }
  }

  void object(const nlohmann::json& v) {
    std::size_t position = 0;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      path_.push_back(PathSegment{key, ++position, false});
      this->key(key);
      value(it.value(), key, fields_.classify(key, path_));
      path_.pop_back();
    }
  }

 private:
  void key(std::string_view key) {
    auto path = [this] { return render(prefix_, path_); };
    if (key.starts_with('$')) {
      std::size_t end = 1;
      while (end < key.size() && std::isalpha(static_cast<unsigned char>(key[end])) != 0) ++end;
      const auto op = key.substr(1, end - 1);
      const bool known = rules::is_mongo_operator(op);
      scanner_.add(report_,
                   Detection{ThreatType::kNosqlInjection, known ? Severity::kHigh : Severity::kMedium,
                             known ? 0.95 : 0.5, "json-structure", known ? "operator_key" : "dollar_key"},
                   path(), {});
    }
    if (key.size() > kMaxKeyBytes) {
      scanner_.add(report_, std::move(*rules::oversized_field(key.size(), kMaxKeyBytes)), path(), {});
      return;
    }
    if (auto d = rules::null_byte(key)) scanner_.add(report_, std::move(*d), path(), {});
    if (auto d = rules::control_chars(key)) scanner_.add(report_, std::move(*d), path(), {});
  }

  // The classic operator injection: {"email": "a@b", "password": {"$ne": ""}}.
  void object_in_scalar(const nlohmann::json& v) {
    std::string evidence = "object_in_scalar_field";
    for (auto it = v.begin(); it != v.end(); ++it) {
      const auto& k = it.key();
      if (k.starts_with('$') && rules::is_mongo_operator(std::string_view(k).substr(1))) {
        evidence = "operator_object";
        break;
      }
    }
    scanner_.add(report_,
                 Detection{ThreatType::kNosqlInjection, Severity::kHigh, evidence == "operator_object" ? 0.95 : 0.85,
                           "json-structure", std::move(evidence)},
                 render(prefix_, path_), {});
  }

  const InputScanner& scanner_;
  const FieldClassifier& fields_;
  ScanReport& report_;
  std::string_view prefix_;
  ScreenMemo* memo_;
  std::vector<PathSegment> path_;
};

}  // namespace

void InputScanner::scan_json(const nlohmann::json& document, const FieldClassifier& fields, ScanReport& report) const {
  ScreenMemo memo;  // a bulk array repeats its values
  JsonWalk(*this, fields, report, "", &memo).value(document, "", FieldTraits{});
}

void InputScanner::scan_ndjson(std::string_view text, const FieldClassifier& fields, ScanReport& report) const {
  scan_ndjson(platform::parse_json_lines(text, 0), fields, report);  // one line at a time
}

void InputScanner::scan_ndjson(const platform::JsonLines& lines, const FieldClassifier& fields,
                               ScanReport& report) const {
  ScreenMemo memo;  // the lines of an upload repeat their values
  // Lines past those kept are parsed, screened and dropped one at a time.
  platform::for_each_json_line(lines, [&](const platform::JsonLine& l) {
    if (l.value.is_discarded()) return true;
    const std::string prefix = "ndjson[" + std::to_string(l.line) + "]";
    JsonWalk(*this, fields, report, prefix, &memo).value(l.value, "", FieldTraits{});
    return true;
  });
}

}  // namespace eyewear::security
