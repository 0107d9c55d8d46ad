// Evaluates the threat detector on the labelled corpora (../shared/corpora) and the eyewear
// catalogue fixture, against two baselines: libinjection's verdict alone, and the keyword regexes
// of the seed documents (000, _build_sql_injection_patterns / _build_xss_patterns), which exist
// only here, to be measured. Prints a Markdown table (recall on attack corpora, false-positive
// rate on benign ones) and the mean cost per value of each method.
//   threat_eval [corpora-dir]        (scripts/bench threats)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "security/threat_rules.hpp"
#include "security/threat_scan.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eyewear;

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

std::vector<std::string> read_lines(const fs::path& file, bool url_encoded) {
  std::vector<std::string> out;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (url_encoded && line[0] == '#')) continue;
    out.push_back(url_encoded ? url_decode(line) : line);
  }
  return out;
}

std::vector<std::string> read_dir(const fs::path& dir, std::string_view prefix, bool url_encoded) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with(prefix) && e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> all;
  for (const auto& f : files) {
    auto lines = read_lines(f, url_encoded);
    all.insert(all.end(), lines.begin(), lines.end());
  }
  return all;
}

// ---- the seeds' baseline: Python `re.search(..., re.IGNORECASE)` on the value, transcribed to
// ECMAScript regexes (byte-based: \w and \b do not see non-ASCII letters, as Python's would).
struct SeedPatterns {
  std::vector<std::regex> sqli;
  std::vector<std::regex> xss;
  SeedPatterns() {
    const auto flags = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;
    for (const char* p :
         {R"((\b(SELECT|INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|EXEC|UNION)\b))", R"((\b(OR|AND)\s+\d+\s*=\s*\d+))",
          R"((\b(OR|AND)\s+['"]?\w+['"]?\s*=\s*['"]?\w+['"]?))", R"((--|#|/\*|\*/))", R"((\bUNION\s+SELECT\b))",
          R"((\b(INFORMATION_SCHEMA|SYSOBJECTS|SYSCOLUMNS)\b))"}) {
      sqli.emplace_back(p, flags);
    }
    for (const char* p : {R"(<script[^>]*>.*?</script>)", R"(javascript:)", R"(on\w+\s*=)", R"(<iframe[^>]*>)",
                          R"(<object[^>]*>)", R"(<embed[^>]*>)", R"(<link[^>]*>)", R"(<meta[^>]*>)"}) {
      xss.emplace_back(p, flags);
    }
  }
  static bool any(const std::vector<std::regex>& rs, const std::string& v) {
    return std::any_of(rs.begin(), rs.end(), [&](const std::regex& r) { return std::regex_search(v, r); });
  }
};

using Method = std::function<bool(const std::string&)>;

struct Row {
  std::string corpus;
  bool attack;
  std::size_t n;
  std::vector<std::size_t> hits;  // per method
};

struct Timing {
  double total_us = 0;
  std::size_t values = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const fs::path corpora = argc > 1 ? fs::path(argv[1]) : fs::path(EYEWEAR_CORPORA_DIR);
  const fs::path fixture = fs::path(EYEWEAR_SOURCE_DIR) / "tests/fixtures/eyewear_catalogue_texts.txt";
  if (!fs::is_directory(corpora)) {
    std::cerr << "threat_eval: no corpora at " << corpora << "\n";
    return 2;
  }
  const security::ThreatDetector detector;
  const security::InputScanner scanner(detector, "eval");
  const security::FieldClassifier text_fields;
  const SeedPatterns seeds;

  // Each method answers "flagged?" for a value; for attack corpora it is the detector of that
  // attack's type, for benign ones every check a text field gets.
  // What the JSON scan does for a plain text field such as "description".
  auto ours_any = [&](const std::string& v) {
    std::vector<security::Detection> out;
    detector.screen(v, {}, out);
    return !out.empty();
  };
  auto ours_sqli = [&](const std::string& v) { return security::rules::sql_injection(v).has_value(); };
  auto ours_xss = [&](const std::string& v) { return security::rules::xss(v).has_value(); };
  auto ours_nosql = [&](const std::string& v) { return security::rules::nosql_operator(v).has_value(); };
  auto li_sqli = [&](const std::string& v) {
    security::libinjection::Fingerprint fp;
    return security::libinjection::is_sqli(v, fp);
  };
  auto li_xss = [&](const std::string& v) { return security::libinjection::is_xss(v); };
  auto li_any = [&](const std::string& v) { return li_sqli(v) || li_xss(v); };
  auto seed_sqli = [&](const std::string& v) { return SeedPatterns::any(seeds.sqli, v); };
  auto seed_xss = [&](const std::string& v) { return SeedPatterns::any(seeds.xss, v); };
  auto seed_any = [&](const std::string& v) { return seed_sqli(v) || seed_xss(v); };
  // Fragments meant to follow a value, tried as they are and after `1` and `1'`.
  auto in_context = [](Method m) { return [m](const std::string& v) { return m(v) || m("1" + v) || m("1'" + v); }; };

  const std::vector<std::string> method_names = {"ours", "libinjection alone", "seeds' regexes"};
  std::vector<Timing> timing(3);
  std::vector<Row> rows;
  auto evaluate = [&](std::string name, bool attack, const std::vector<std::string>& items, std::vector<Method> methods,
                      bool timed) {
    Row row{std::move(name), attack, items.size(), std::vector<std::size_t>(methods.size(), 0)};
    for (std::size_t m = 0; m < methods.size(); ++m) {
      const auto start = std::chrono::steady_clock::now();
      for (const auto& v : items) row.hits[m] += methods[m](v) ? 1 : 0;
      if (timed) {
        timing[m].total_us +=
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        timing[m].values += items.size();
      }
    }
    rows.push_back(std::move(row));
  };

  const auto sqli = read_dir(corpora / "attack/sqli/libinjection", "sqli-", true);
  const auto fuzzdb = read_dir(corpora / "attack/sqli/fuzzdb", "", false);
  const auto xss = read_dir(corpora / "attack/xss/libinjection", "", true);
  const auto nosql = read_dir(corpora / "attack/nosql", "", false);
  const auto sentences = read_lines(corpora / "benign/ud_ewt_dev_sentences.txt", false);
  const auto companies = read_lines(corpora / "benign/sp500_company_names.txt", false);
  const auto hard = read_lines(corpora / "benign/libinjection_false_positives.txt", true);
  const auto eyewear = read_lines(fixture, false);

  evaluate("SQLi, libinjection samples", true, sqli, {ours_sqli, li_sqli, seed_sqli}, false);
  evaluate("SQLi, fuzzdb probes (as is)", true, fuzzdb, {ours_sqli, li_sqli, seed_sqli}, false);
  evaluate("SQLi, fuzzdb probes (as is, after `1`, after `1'`)", true, fuzzdb,
           {in_context(ours_sqli), in_context(li_sqli), in_context(seed_sqli)}, false);
  evaluate("XSS, libinjection samples", true, xss, {ours_xss, li_xss, seed_xss}, false);
  // Neither baseline has a NoSQL check: what their SQL and XSS checks make of the payloads.
  evaluate("NoSQL payloads as strings", true, nosql, {ours_nosql, li_any, seed_any}, false);
  // As a JSON API receives them: an operator object where a scalar is expected.
  std::size_t refused = 0;
  const std::regex op(R"(\$([A-Za-z]+))");
  for (const auto& p : nosql) {
    std::smatch m;
    const std::string name = std::regex_search(p, m, op) ? "$" + m[1].str() : "$where";
    security::ScanReport r;
    scanner.scan_json(nlohmann::json{{"email", {{name, p}}}}, text_fields, r);
    refused += r.has(security::Severity::kHigh) ? 1 : 0;
  }
  rows.push_back(Row{"NoSQL payloads as operator objects in scalar fields", true, nosql.size(), {refused, 0, 0}});
  evaluate("English web sentences (UD EWT dev)", false, sentences, {ours_any, li_any, seed_any}, true);
  evaluate("S&P 500 company names", false, companies, {ours_any, li_any, seed_any}, true);
  evaluate("Hard negatives (product searches)", false, hard, {ours_any, li_any, seed_any}, true);
  evaluate("Eyewear catalogue fixture", false, eyewear, {ours_any, li_any, seed_any}, true);

  std::printf("| corpus | kind | n | %s | %s | %s |\n| --- | --- | ---: | ---: | ---: | ---: |\n",
              method_names[0].c_str(), method_names[1].c_str(), method_names[2].c_str());
  for (const auto& r : rows) {
    std::printf("| %s | %s | %zu |", r.corpus.c_str(), r.attack ? "recall" : "false positives", r.n);
    for (std::size_t m = 0; m < r.hits.size(); ++m) {
      const bool not_applicable = m > 0 && r.corpus.starts_with("NoSQL payloads as operator");
      if (not_applicable) {
        std::printf(" n/a |");
      } else {
        std::printf(" %.2f%% (%zu) |", 100.0 * static_cast<double>(r.hits[m]) / static_cast<double>(r.n), r.hits[m]);
      }
    }
    std::printf("\n");
  }
  std::printf(
      "\nMean cost per benign value (every check a text field gets / libinjection SQLi+XSS / the seeds' 14 "
      "regexes), this build, one thread:\n");
  for (std::size_t m = 0; m < timing.size(); ++m) {
    std::printf("- %s: %.2f µs\n", method_names[m].c_str(), timing[m].total_us / static_cast<double>(timing[m].values));
  }
  std::printf("\nlibinjection %s; corpora %s\n", std::string(security::libinjection::version()).c_str(),
              corpora.string().c_str());
  return 0;
}
