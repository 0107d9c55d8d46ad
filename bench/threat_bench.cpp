// Threat detection costs: one field of each kind, one 1 KiB field, a 1 KiB product request (what
// the middleware scans), a bulk CSV upload (per row). Figures in docs/BENCHMARKS.md and
// docs/SECURITY.md; the budget is < 100 µs for a 1 KiB request.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

#include "catalog/generator.hpp"
#include "platform/csv.hpp"
#include "security/threat_libinjection.hpp"
#include "security/threat_rules.hpp"
#include "security/threat_scan.hpp"

namespace {

using namespace eyewear;
using nlohmann::json;

const security::ThreatDetector& detector() {
  static const security::ThreatDetector d;
  return d;
}

const char* const kFieldValues[] = {
    "Aviator 58□14-135",                                                                 // a name
    "Round acetate frame, 52□18-140 -- matte black. Spring hinges, 100% UV400 lenses.",  // a short description
    "1' OR '1'='1",                                                                      // an injection
    "<img src=x onerror=alert(1)>",                                                      // markup
};

void BM_ThreatScreenField(benchmark::State& state) {
  const std::string value = kFieldValues[state.range(0)];
  std::vector<security::Detection> out;
  for (auto _ : state) {
    out.clear();
    detector().screen(value, {}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(std::to_string(value.size()) + " B" + (out.empty() ? "" : ", flagged"));
}
BENCHMARK(BM_ThreatScreenField)->DenseRange(0, 3);

// A 1 KiB description: the cost of one long field.
void BM_ThreatScreenField1KiB(benchmark::State& state) {
  std::string value;
  while (value.size() < 1024) value += "Lightweight titanium frame, 49□20-145 -- 12 g, with OBE flex hinges. ";
  value.resize(1024);
  std::vector<security::Detection> out;
  for (auto _ : state) {
    out.clear();
    detector().screen(value, {}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_ThreatScreenField1KiB);

void BM_LibinjectionSqli(benchmark::State& state) {
  const std::string value = kFieldValues[1];
  security::libinjection::Fingerprint fp;
  for (auto _ : state) benchmark::DoNotOptimize(security::libinjection::is_sqli(value, fp));
}
BENCHMARK(BM_LibinjectionSqli);

// Catalogue prose as a bulk upload sends it (the generator's descriptions, one per product),
// checked with libinjection's keyword lookups answered from the per-thread cache, and by the
// library alone (the baseline, same run): the ratio is what the cache saves per value.
const std::vector<std::string>& generated_descriptions() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    const catalog::CatalogGenerator generator(catalog::GeneratorOptions{.seed = 7});
    for (std::uint64_t i = 0; i < 512; ++i) {
      const auto p = generator.product(i);
      out.push_back(p.description);
      out.push_back(p.name);
    }
    return out;
  }();
  return texts;
}

void BM_LibinjectionSqliCatalogueText(benchmark::State& state) {
  const bool cached = state.range(0) == 1;
  const auto& texts = generated_descriptions();
  security::libinjection::Fingerprint fp;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& v = texts[i++ % texts.size()];
    benchmark::DoNotOptimize(cached ? security::libinjection::is_sqli(v, fp)
                                    : security::libinjection::is_sqli_uncached(v, fp));
  }
  state.SetLabel(cached ? "keyword cache" : "libinjection alone");
}
BENCHMARK(BM_LibinjectionSqliCatalogueText)->Arg(0)->Arg(1);

// A product as the catalogue API would receive it: 1 KiB of JSON, 22 strings.
json product_1kib() {
  json p = {
      {"sku", "AV-5814-MB"},
      {"name", "Aviator 58□14-135"},
      {"brand", "O'Neill's Optical"},
      {"description",
       "Classic aviator in 18K gold-plated steel, 58□14-135 -- polarised category 3 lenses with 100% "
       "UV400 protection. Double bridge, adjustable silicone nose pads, spring hinges. Our #1 seller "
       "since 2019; \"the only aviator I wear\" -- Anna, Leeds."},
      {"shape", "aviator"},
      {"material", "stainless steel"},
      {"colours", {"gold/green", "silver/grey", "gunmetal/black", "rose gold/brown"}},
      {"lens", {{"type", "polarised"}, {"tint", "G-15"}, {"category", "3"}, {"coating", "anti-reflective"}}},
      {"measurements", {{"lens_width", 58}, {"bridge", 14}, {"temple", 135}, {"lens_height", 50}}},
      {"gender", "unisex"},
      {"tags", {"aviator", "polarised", "metal", "bestseller"}},
      {"image_file", "aviator-5814-gold.jpg"},
      {"price", "149.00"},
      {"currency", "GBP"},
  };
  while (p.dump().size() < 1024) p["notes"] = p.value("notes", std::string()) + "Case & cloth included. ";
  return p;
}

void BM_ThreatScanRequest1KiB(benchmark::State& state) {
  const auto doc = product_1kib();
  const security::InputScanner scanner(detector(), "bench-key");
  security::FieldPolicy policy;
  policy.file_names = {"image_file"};
  const security::FieldClassifier fields(policy);
  std::size_t n = 0;
  for (auto _ : state) {
    security::ScanReport report;
    scanner.scan_json(doc, fields, report);
    n = report.fields;
    benchmark::DoNotOptimize(report.findings.data());
  }
  state.SetLabel(std::to_string(doc.dump().size()) + " B, " + std::to_string(n) + " strings");
}
BENCHMARK(BM_ThreatScanRequest1KiB);

// A bulk upload, reported per row (8 cells of catalogue copy each).
void BM_ThreatScanCsvPerRow(benchmark::State& state) {
  const int rows = 1000;
  std::string csv;
  platform::csv::append_record(csv, {"sku", "name", "brand", "description", "colour", "size", "price", "image_file"});
  for (int i = 0; i < rows; ++i) {
    platform::csv::append_record(csv, {"AV-" + std::to_string(i), "Aviator " + std::to_string(i), "Harlow & Finch",
                                       "Round acetate, 52□18-140 -- matte black; 100% UV400", "tortoise/gold",
                                       "52-18-140", "129.00", "aviator-" + std::to_string(i) + ".jpg"});
  }
  const security::InputScanner scanner(detector(), "bench-key");
  const security::FieldClassifier fields;
  for (auto _ : state) {
    security::ScanReport report;
    scanner.scan_csv(csv, fields, report);
    benchmark::DoNotOptimize(report.findings.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * rows);
}
BENCHMARK(BM_ThreatScanCsvPerRow)->Unit(benchmark::kMillisecond);

}  // namespace
