// libFuzzer target: the whole-input scans on arbitrary bytes, as a JSON document, as NDJSON and as
// a query string, under a policy with every kind of field. Paths are checked to be printable
// ASCII without spaces: they are built from plain names, positions and indices only, so a payload
// hidden in a key can never be echoed through them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "security/threat_scan.hpp"

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void check(const eyewear::security::ScanReport& report) {
  require(report.findings.size() <= 16);
  for (const auto& f : report.findings) {
    require(!f.field.empty());
    for (char c : f.field) require(c > 0x20 && c < 0x7f);
    require(f.value_hash.empty() || f.value_hash.size() == 16);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace eyewear::security;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const ThreatDetector detector(ThreatDetector::Options{2048});
  static const InputScanner scanner(detector, "fuzz-key", 16);
  static const FieldClassifier fields([] {
    FieldPolicy p;
    p.secret = {"pin", "/auth/*/secret"};
    p.file_names = {"file", "/images/*/name"};
    p.templates = {"body"};
    p.scalars = {"sku"};
    p.text = {"code"};
    return p;
  }());

  // The body policy refuses nesting deeper than 64 before a document reaches the scan.
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    ScanReport r;
    scanner.scan_json(doc, fields, r);
    check(r);
  }
  ScanReport nd;
  scanner.scan_ndjson(text, fields, nd);
  check(nd);

  std::vector<std::pair<std::string, std::string>> query;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto amp = text.find('&', start);
    const auto pair = text.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const auto eq = pair.find('=');
    query.emplace_back(std::string(pair.substr(0, eq)),
                       eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  ScanReport q;
  scanner.scan_query(query, fields, q);
  check(q);
  return 0;
}
