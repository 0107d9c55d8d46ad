// libFuzzer target: the threat detector on arbitrary bytes, in every field context, and the
// claims its speed rests on: libinjection's XSS tokenizer never matches a value the `<`/`=`
// pre-check skips, and the false-positive exceptions only ever clear what libinjection flagged.
// Any crash, leak, hang or violated claim fails the run (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "security/threat_detector.hpp"
#include "security/threat_rules.hpp"

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace eyewear::security;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  static const ThreatDetector detector(ThreatDetector::Options{4096});

  require(rules::may_be_xss(value) || !libinjection::is_xss(value));
  const auto sqli = rules::analyse_sqli(value);
  require(!sqli.injection() || sqli.libinjection);

  std::vector<Detection> out;
  for (auto kind : {FieldKind::kText, FieldKind::kSecret, FieldKind::kFileName, FieldKind::kTemplate}) {
    for (bool cell : {false, true}) {
      out.clear();
      detector.screen(value, FieldContext{kind, cell, 0}, out);
      for (const auto& d : out) {
        require(d.confidence > 0.0 && d.confidence <= 1.0);
        require(!d.detector.empty());
        require(kind != FieldKind::kSecret || d.type == ThreatType::kOversizedField);
      }
    }
  }
  for (std::size_t t = 0; t < kThreatTypeCount; ++t) (void)detector.detect(static_cast<ThreatType>(t), value);
  return 0;
}
