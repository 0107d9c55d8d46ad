// The JSON side of InputScanner: a depth-first walk that keeps the path as a stack of segments
// and renders it only for a finding.
#include <cctype>
#include <string>

#include "platform/json_lines.hpp"
#include "platform/json_node.hpp"
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

// Walks either parser's documents (platform::NlohmannNode, platform::SimdNode): both give the
// members of an object in the same order, so paths and findings are the same.
template <typename Node>
class JsonWalk {
 public:
  JsonWalk(const InputScanner& scanner, const FieldClassifier& fields, ScanReport& report, std::string_view prefix,
           ScreenMemo* memo = nullptr)
      : scanner_(scanner), fields_(fields), report_(report), prefix_(prefix), memo_(memo) {}

  void value(Node v, std::string_view member, const FieldTraits& traits) {
    if (path_.size() > kMaxDepth) return;
    switch (v.kind()) {
      case platform::JsonKind::kString:
        scanner_.screen_value(
            v.string(), traits, fields_, false, [this] { return render(prefix_, path_); }, report_, memo_);
        return;
      case platform::JsonKind::kObject:
        if (traits.scalar) {
          object_in_scalar(v);
          return;
        }
        object(v);
        return;
      case platform::JsonKind::kArray: {
        std::size_t i = 0;
        v.items([&](Node item) {
          path_.push_back(PathSegment{{}, i++, true});
          value(item, member, traits);
          path_.pop_back();
          return true;
        });
        return;
      }
      default:
        return;  // numbers, booleans, null
    }
  }

  void object(Node v) {
    std::size_t position = 0;
    v.members([&](std::string_view key, Node child) {
      path_.push_back(PathSegment{key, ++position, false});
      this->key(key);
      value(child, key, fields_.classify(key, path_));
      path_.pop_back();
      return true;
    });
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
  void object_in_scalar(Node v) {
    std::string evidence = "object_in_scalar_field";
    v.members([&](std::string_view k, Node) {
      if (k.starts_with('$') && rules::is_mongo_operator(k.substr(1))) {
        evidence = "operator_object";
        return false;
      }
      return true;
    });
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
  JsonWalk<platform::NlohmannNode>(*this, fields, report, "", &memo)
      .value(platform::NlohmannNode(document), "", FieldTraits{});
}

void InputScanner::scan_ndjson(std::string_view text, const FieldClassifier& fields, ScanReport& report) const {
  ScreenMemo memo;  // the lines of an upload repeat their values
  platform::for_each_json_line(text, [&](const platform::JsonLine& l) {
    if (!l.value) return true;
    const std::string prefix = "ndjson[" + std::to_string(l.line) + "]";
    JsonWalk<platform::SimdNode>(*this, fields, report, prefix, &memo).value(*l.value, "", FieldTraits{});
    return true;
  });
}

}  // namespace eyewear::security
