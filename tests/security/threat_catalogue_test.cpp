// The threat screen against the catalogue generator's output: realistic eyewear copy (as JSON
// product objects and as the export's CSV) must pass with no finding at all, or the catalogue's
// own uploads would be refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "security/threat_scan.hpp"

namespace eyewear::security {
namespace {

constexpr std::uint64_t kProducts = 20'000;

TEST(ThreatScreenOnCatalogueCopy, GeneratedProductsAsJsonHaveNoFindings) {
  const ThreatDetector detector;
  const InputScanner scanner(detector, "test-key");
  const FieldClassifier fields;
  std::size_t screened = 0;
  std::vector<std::string> offenders;
  for (std::uint64_t seed : {1ULL, 2ULL, 3ULL, 1042ULL}) {
    const catalog::CatalogGenerator generator({seed, "EW"});
    for (std::uint64_t i = 0; i < kProducts / 4; ++i) {
      const auto product = generator.product(i);
      ScanReport report;
      scanner.scan_json(nlohmann::json::parse(catalog::generated_json(product)), fields, report);
      screened += report.fields;
      for (const auto& f : report.findings) {
        if (offenders.size() < 20) offenders.push_back(f.field + " " + std::string(name_of(f.type)) + ": " + product.description);
      }
    }
  }
  EXPECT_GT(screened, kProducts * 8);
  EXPECT_TRUE(offenders.empty()) << offenders.size() << " findings, e.g.\n" << [&] {
    std::string s;
    for (const auto& o : offenders) s += o + "\n";
    return s;
  }();
}

TEST(ThreatScreenOnCatalogueCopy, TheExportCsvOfGeneratedProductsHasNoFindings) {
  const ThreatDetector detector;
  const InputScanner scanner(detector, "test-key");
  const FieldClassifier fields;
  const catalog::CatalogGenerator generator({7, "EW"});
  std::string csv = catalog::csv_header();
  for (std::uint64_t i = 0; i < 5'000; ++i) catalog::append_csv_row(csv, generator.product(i));
  ScanReport report;
  scanner.scan_csv(csv, fields, report);
  EXPECT_GT(report.fields, 5'000u * 8);
  std::string first;
  for (const auto& f : report.findings) {
    if (first.size() < 2000) first += f.field + " " + std::string(name_of(f.type)) + " (" + f.evidence + ")\n";
  }
  EXPECT_TRUE(report.findings.empty()) << report.findings.size() << " findings:\n" << first;
}

}  // namespace
}  // namespace eyewear::security
