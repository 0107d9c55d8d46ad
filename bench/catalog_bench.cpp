// Per-row costs of a bulk upload before the database: reading a row (NDJSON, CSV), validating it,
// and answering; plus the generator. Each benchmark processes a 1,000-row body and reports per row.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "catalog/service.hpp"
#include "catalog/validation.hpp"
#include "platform/json_lines.hpp"
#include "security/threat_scan.hpp"

namespace {

using namespace eyewear::catalog;

constexpr std::size_t kRows = 1000;

const std::string& ndjson_body() {
  static const std::string body = [] {
    CatalogGenerator gen({.seed = 3});
    std::string out;
    for (std::size_t i = 0; i < kRows; ++i) out += generated_json(gen.product(i)) + "\n";
    return out;
  }();
  return body;
}

const std::string& csv_body() {
  static const std::string body = [] {
    CatalogGenerator gen({.seed = 3});
    std::string out = csv_header();
    for (std::size_t i = 0; i < kRows; ++i) append_csv_row(out, gen.product(i));
    return out;
  }();
  return body;
}

void BM_CatalogParseNdjsonRow(benchmark::State& state) {
  for (auto _ : state) {
    auto rows = parse_bulk(ndjson_body(), BulkFormat::kNdjson);
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * ndjson_body().size()));
}
BENCHMARK(BM_CatalogParseNdjsonRow)->Unit(benchmark::kMicrosecond);

// Reading the NDJSON body's lines as documents, as the threat screen and the bulk reader each do
// (simdjson, through platform::JsonReader) ...
void BM_CatalogReadJsonLinesRow(benchmark::State& state) {
  for (auto _ : state) {
    std::size_t n = 0;
    eyewear::platform::for_each_json_line(ndjson_body(), [&](const eyewear::platform::JsonLine& l) {
      n += l.value ? 1 : 0;
      return true;
    });
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_CatalogReadJsonLinesRow)->Unit(benchmark::kMicrosecond);

// ... and, the baseline, as nlohmann's tree (what they read before): parsed and freed a line at a time.
void BM_CatalogReadJsonLinesNlohmannRow(benchmark::State& state) {
  for (auto _ : state) {
    std::size_t n = 0;
    std::string_view rest = ndjson_body();
    while (!rest.empty()) {
      const auto end = std::min(rest.find('\n'), rest.size());
      const auto doc = nlohmann::json::parse(rest.substr(0, end), nullptr, false);
      n += doc.is_discarded() ? 0 : 1;
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_CatalogReadJsonLinesNlohmannRow)->Unit(benchmark::kMicrosecond);

// The threat screen over the body, lines parsed as it goes, as the upload route's middleware runs it.
void BM_CatalogScreenNdjsonRow(benchmark::State& state) {
  static const eyewear::security::ThreatDetector detector;
  const eyewear::security::InputScanner scanner(detector, "bench-key");
  const eyewear::security::FieldClassifier fields;
  std::size_t screened = 0;
  for (auto _ : state) {
    eyewear::security::ScanReport report;
    scanner.scan_ndjson(ndjson_body(), fields, report);
    screened = report.fields;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetLabel(std::to_string(screened / kRows) + " strings a row");
}
BENCHMARK(BM_CatalogScreenNdjsonRow)->Unit(benchmark::kMicrosecond);

void BM_CatalogParseCsvRow(benchmark::State& state) {
  for (auto _ : state) {
    auto rows = parse_bulk(csv_body(), BulkFormat::kCsv);
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv_body().size()));
}
BENCHMARK(BM_CatalogParseCsvRow)->Unit(benchmark::kMicrosecond);

void BM_CatalogValidateRow(benchmark::State& state) {
  auto rows = *parse_bulk(ndjson_body(), BulkFormat::kNdjson);
  for (auto _ : state) {
    for (const auto& r : rows) {
      auto p = build_product(r.patch);
      benchmark::DoNotOptimize(p);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_CatalogValidateRow)->Unit(benchmark::kMicrosecond);

void BM_CatalogAnswerRow(benchmark::State& state) {
  BulkOutcome out;
  for (std::size_t i = 0; i < kRows; ++i) {
    out.rows.push_back(RowResult{i + 1, "EW-000" + std::to_string(i), RowStatus::kCreated, "prd_" + std::to_string(i), {}});
  }
  for (auto _ : state) {
    auto body = bulk_answer_json(out, BulkOptions{});
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_CatalogAnswerRow)->Unit(benchmark::kMicrosecond);

void BM_CatalogGenerateRow(benchmark::State& state) {
  CatalogGenerator gen({.seed = 5});
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto s = generated_json(gen.product(i++));
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CatalogGenerateRow);

}  // namespace
