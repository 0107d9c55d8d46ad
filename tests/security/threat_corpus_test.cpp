// Measured quality of the threat detector on public labelled corpora (../shared/corpora, never
// copied into the repository) and on the committed eyewear catalogue fixture. The thresholds are
// the issue's: SQLi recall >= 99.5 %, XSS recall >= 99 %, no finding on ordinary English or company
// names, at most 5 % on the hard-negative product searches, none on catalogue copy, and NoSQL
// payloads refused when they arrive as operator objects in scalar fields.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "platform/csv.hpp"
#include "security/threat_libinjection.hpp"
#include "security/threat_scan.hpp"

namespace eyewear::security {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCorpora = EYEWEAR_CORPORA_DIR;
const fs::path kFixture = fs::path(EYEWEAR_SOURCE_DIR) / "tests/fixtures/eyewear_catalogue_texts.txt";

// libinjection's data files hold query-string values: `+` and %XX decoded once, by length
// (values contain %00).
std::string url_decode(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

struct Corpus {
  std::vector<std::string> items;
};

Corpus read_lines(const fs::path& file, bool url_encoded) {
  Corpus c;
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << file;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (url_encoded && line[0] == '#')) continue;
    c.items.push_back(url_encoded ? url_decode(line) : line);
  }
  return c;
}

Corpus read_dir(const fs::path& dir, std::string_view prefix) {
  Corpus all;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with(prefix) && e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto c = read_lines(f, true);
    all.items.insert(all.items.end(), c.items.begin(), c.items.end());
  }
  return all;
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_directory(kCorpora))
        << "the labelled corpora are expected at " << kCorpora << " (../shared/corpora beside the checkout)";
  }

  // Any finding at all, as a product text field would be screened.
  bool flagged(const std::string& text) {
    ScanReport r;
    scanner_.scan_json(json{{"description", text}}, FieldClassifier(), r);
    return !r.findings.empty();
  }

  ThreatDetector detector_;
  InputScanner scanner_{detector_, "corpus"};
};

TEST_F(CorpusTest, SqlInjectionRecall) {
  const auto corpus = read_dir(kCorpora / "attack/sqli/libinjection", "sqli-");
  ASSERT_GT(corpus.items.size(), 17'000u);
  std::size_t hits = 0;
  for (const auto& v : corpus.items) hits += detect_threat(ThreatType::kSqlInjection, v) ? 1 : 0;
  const double recall = static_cast<double>(hits) / static_cast<double>(corpus.items.size());
  std::cout << "sqli recall " << hits << "/" << corpus.items.size() << " = " << recall << "\n";
  EXPECT_GE(recall, 0.995);
}

TEST_F(CorpusTest, XssRecall) {
  const auto corpus = read_dir(kCorpora / "attack/xss/libinjection", "");
  ASSERT_GT(corpus.items.size(), 1'600u);
  std::size_t hits = 0;
  for (const auto& v : corpus.items) hits += detect_threat(ThreatType::kXss, v) ? 1 : 0;
  const double recall = static_cast<double>(hits) / static_cast<double>(corpus.items.size());
  std::cout << "xss recall " << hits << "/" << corpus.items.size() << " = " << recall << "\n";
  EXPECT_GE(recall, 0.99);
}

// The SQL check answers libinjection's keyword lookups from a per-thread cache: over every value
// of every corpus, attacks and prose alike, first from a cold cache, then again from a warm one
// (in reverse, so that slots evicted by later values are filled anew), its answer and fingerprint
// are the library's own.
TEST_F(CorpusTest, CachedKeywordLookupsAnswerExactlyAsTheLibrary) {
  std::vector<std::string> values;
  auto add = [&](const Corpus& c) { values.insert(values.end(), c.items.begin(), c.items.end()); };
  add(read_dir(kCorpora / "attack/sqli/libinjection", "sqli-"));
  add(read_dir(kCorpora / "attack/xss/libinjection", ""));
  add(read_dir(kCorpora / "attack/sqli/fuzzdb", ""));
  add(read_dir(kCorpora / "attack/nosql", ""));
  add(read_lines(kCorpora / "benign/ud_ewt_dev_sentences.txt", false));
  add(read_lines(kCorpora / "benign/sp500_company_names.txt", false));
  add(read_lines(kCorpora / "benign/libinjection_false_positives.txt", true));
  add(read_lines(kFixture, false));
  ASSERT_GT(values.size(), 23'000u);
  std::size_t positives = 0;
  auto compare = [&](const std::string& v) {
    libinjection::Fingerprint cached{};
    libinjection::Fingerprint plain{};
    const bool a = libinjection::is_sqli(v, cached);
    const bool b = libinjection::is_sqli_uncached(v, plain);
    EXPECT_EQ(a, b) << v;
    EXPECT_EQ(std::string(cached.data()), std::string(plain.data())) << v;
    positives += b ? 1 : 0;
  };
  for (const auto& v : values) compare(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) compare(*it);
  EXPECT_GT(positives, 2 * 17'000u) << "the attacks were detected in both passes";
}

TEST_F(CorpusTest, NoFindingOnEnglishSentencesOrCompanyNames) {
  const auto sentences = read_lines(kCorpora / "benign/ud_ewt_dev_sentences.txt", false);
  const auto companies = read_lines(kCorpora / "benign/sp500_company_names.txt", false);
  EXPECT_EQ(sentences.items.size(), 2001u);
  EXPECT_GT(companies.items.size(), 500u);
  for (const auto* c : {&sentences, &companies}) {
    for (const auto& text : c->items) EXPECT_FALSE(flagged(text)) << text;
  }
}

TEST_F(CorpusTest, AtMostFivePercentOnHardNegativeProductSearches) {
  const auto corpus = read_lines(kCorpora / "benign/libinjection_false_positives.txt", true);
  EXPECT_EQ(corpus.items.size(), 421u);
  std::size_t flagged_count = 0;
  for (const auto& text : corpus.items) flagged_count += flagged(text) ? 1 : 0;
  const double rate = static_cast<double>(flagged_count) / static_cast<double>(corpus.items.size());
  std::cout << "hard negatives flagged " << flagged_count << "/" << corpus.items.size() << " = " << rate << "\n";
  EXPECT_LE(rate, 0.05);
}

TEST_F(CorpusTest, NoFindingOnEyewearCatalogueCopy) {
  const auto corpus = read_lines(kFixture, false);
  ASSERT_GE(corpus.items.size(), 1000u);
  FieldPolicy none;
  for (const auto& text : corpus.items) {
    EXPECT_FALSE(flagged(text)) << text;
    // The same copy as a cell of a bulk upload.
    std::string csv = "description\r\n";
    platform::csv::append_record(csv, {text});
    ScanReport r;
    scanner_.scan_csv(csv, FieldClassifier(none), r);
    EXPECT_TRUE(r.findings.empty()) << "as a CSV cell: " << text;
  }
}

// Each payload becomes the operator object a JSON API would receive: the operators it names
// (`$ne`, `$where`...) with the payload as the value, or `$where` for the JavaScript payloads.
TEST_F(CorpusTest, NoSqlPayloadsAsOperatorObjectsInScalarFieldsAreRefused) {
  std::vector<std::string> payloads;
  for (const auto& e : fs::directory_iterator(kCorpora / "attack/nosql")) {
    auto c = read_lines(e.path(), false);
    payloads.insert(payloads.end(), c.items.begin(), c.items.end());
  }
  ASSERT_GT(payloads.size(), 30u);
  const std::regex op(R"(\$([A-Za-z]+))");
  for (const auto& payload : payloads) {
    std::vector<std::string> ops;
    for (auto it = std::sregex_iterator(payload.begin(), payload.end(), op); it != std::sregex_iterator(); ++it) {
      ops.push_back("$" + (*it)[1].str());
    }
    if (ops.empty()) ops.push_back("$where");
    for (const char* field : {"email", "password", "token"}) {
      for (const auto& o : ops) {
        const json body = {{field, {{o, payload}}}};
        ScanReport r;
        scanner_.scan_json(body, FieldClassifier(), r);
        ASSERT_TRUE(r.has(Severity::kHigh)) << body.dump();
        EXPECT_EQ(r.first(Severity::kHigh)->type, ThreatType::kNosqlInjection) << body.dump();
        EXPECT_EQ(r.first(Severity::kHigh)->field, std::string("/") + field);
      }
    }
  }
}

}  // namespace
}  // namespace eyewear::security
