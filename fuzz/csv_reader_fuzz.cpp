// libFuzzer target: platform::csv::Reader on arbitrary bytes with small limits, the threat scan of
// the same bytes as an upload, and the writer/reader round trip: every record the reader accepts,
// written back with append_record, reads back as the same fields; formula neutralisation is undone
// exactly by restore_formula.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/csv.hpp"
#include "security/threat_scan.hpp"

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace csv = eyewear::platform::csv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  csv::Reader reader(text, csv::Limits{256, 16});
  std::vector<std::string> fields;
  std::size_t last_line = 0;
  while (true) {
    auto more = reader.next(fields);
    if (!more || !*more) break;
    require(reader.record_line() > last_line);  // every record starts on a later line
    require(reader.offset() <= text.size());
    require(!fields.empty() && fields.size() <= 16);
    last_line = reader.record_line();
    // Each record, written back, reads back as the same fields (as a file of its own).
    std::string written;
    csv::append_record(written, fields);
    csv::Reader again(written, csv::Limits{1024, 16});
    std::vector<std::string> back;
    auto read = again.next(back);
    require(read.has_value() && *read);
    require(back == fields);
    for (const auto& f : fields) require(csv::restore_formula(csv::neutralise_formula(f)) == f);
  }

  static const eyewear::security::ThreatDetector detector;
  static const eyewear::security::InputScanner scanner(detector, "fuzz-key", 16);
  static const eyewear::security::FieldClassifier policy;
  eyewear::security::ScanReport report;
  scanner.scan_csv(text, policy, report);
  for (const auto& f : report.findings) require(f.field.starts_with("csv["));
  return 0;
}
