// The whole-input scans: JSON documents, query parameters, CSV and NDJSON uploads, with the
// field paths they report and the route-declared field policy.
#include "security/threat_scan.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eyewear::security {
namespace {

using nlohmann::json;

class ScanTest : public ::testing::Test {
 protected:
  ScanReport json_scan(const json& doc, const FieldPolicy& policy = {}) {
    ScanReport r;
    scanner_.scan_json(doc, FieldClassifier(policy), r);
    return r;
  }
  static std::vector<std::pair<std::string, std::string>> fields_and_types(const ScanReport& r) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : r.findings) out.emplace_back(f.field, std::string(name_of(f.type)));
    return out;
  }
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  ThreatDetector detector_;
  InputScanner scanner_{detector_, "test-hash-key"};
};

TEST_F(ScanTest, JsonPathsArePointers) {
  const auto doc = json::parse(R"({"products": [{"name": "Aviator"}, {"name": "x"}, {"name": "ok"},
      {"name": "1' OR '1'='1", "tags": ["fine", "<script>alert(1)</script>"]}], "note": "Select your colour"})");
  const auto r = json_scan(doc);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"/products/3/name", "sql_injection"}, {"/products/3/tags/1", "xss"}}));
  EXPECT_EQ(r.fields, 7u);
  EXPECT_TRUE(r.has(Severity::kHigh));
  EXPECT_EQ(r.first(Severity::kHigh)->field, "/products/3/name");
}

TEST_F(ScanTest, KeysThatAreNotPlainAreShownByPosition) {
  // The payload hides in a key: the path must not echo it. (Positions count members in key
  // order, as the parsed document holds them.)
  const auto doc = json::parse(R"({"z": 1, "<img src=x onerror=alert(1)>": "1' OR '1'='1"})");
  const auto r = json_scan(doc);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].field, "/#1");
  EXPECT_EQ(r.findings[0].field.find("onerror"), std::string::npos);
}

TEST_F(ScanTest, OperatorObjectsInScalarFields) {
  const auto doc = json::parse(R"({"email": {"$ne": null}, "password": {"$gt": ""}})");
  const auto r = json_scan(doc);
  ASSERT_EQ(r.findings.size(), 2u);
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.type, ThreatType::kNosqlInjection);
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(f.evidence, "operator_object");
    EXPECT_EQ(f.detector, "json-structure");
  }
  EXPECT_EQ(r.findings[0].field, "/email");
  EXPECT_EQ(r.findings[1].field, "/password");
}

TEST_F(ScanTest, AnObjectIsFineWhereObjectsAreExpectedButDollarKeysAreNot) {
  EXPECT_TRUE(json_scan(json::parse(R"({"dimensions": {"lens": 52, "bridge": 18}})")).findings.empty());
  const auto r = json_scan(json::parse(R"j({"filter": {"price": {"$where": "1"}}})j"));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].field, "/filter/price/#1");
  EXPECT_EQ(r.findings[0].evidence, "operator_key");
  EXPECT_EQ(r.findings[0].severity, Severity::kHigh);
  const auto schema = json_scan(json::parse(R"({"$schema": "x"})"));
  ASSERT_EQ(schema.findings.size(), 1u);
  EXPECT_EQ(schema.findings[0].severity, Severity::kMedium);
}

TEST_F(ScanTest, RouteDeclaredScalarsAndNonScalarEmail) {
  FieldPolicy policy;
  policy.scalars = {"sku"};
  const auto r = json_scan(json::parse(R"({"sku": {"a": 1}, "name": {"a": 1}})"), policy);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"/sku", "nosql_injection"}}));
  EXPECT_EQ(r.findings[0].evidence, "object_in_scalar_field");
}

TEST_F(ScanTest, SecretFieldsAreNeitherScreenedNorHashed) {
  const auto doc = json::parse(R"({"email": "buyer@example.com", "password": "' OR 1=1 -- <script>",
      "new_password": "1 union select 1", "code": "{{7*7}}"})");
  EXPECT_TRUE(json_scan(doc).findings.empty());
  FieldPolicy policy;
  policy.secret = {"license_key"};
  const auto declared = json_scan(json::parse(R"({"license_key": "' OR 1=1 --"})"), policy);
  EXPECT_TRUE(declared.findings.empty());
  const auto oversized = json_scan(json::parse(json{{"password", std::string(20'000, 'x')}}.dump()));
  ASSERT_EQ(oversized.findings.size(), 1u);
  EXPECT_EQ(oversized.findings[0].type, ThreatType::kOversizedField);
  EXPECT_TRUE(oversized.findings[0].value_hash.empty()) << "a secret's hash is a secret too";
}

TEST_F(ScanTest, TextOverridesADefaultSecretName) {
  FieldPolicy policy;
  policy.text = {"code"};
  const auto r = json_scan(json::parse(R"({"code": "1' OR '1'='1"})"), policy);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"/code", "sql_injection"}}));
  EXPECT_EQ(r.findings[0].value_hash.size(), 16u);
}

TEST_F(ScanTest, FileNameAndTemplatePoliciesByNameAndPointer) {
  FieldPolicy policy;
  policy.file_names = {"/images/*/file"};
  policy.templates = {"email_body"};
  const auto doc = json::parse(R"({"images": [{"file": "../../etc/passwd"}], "file": "../x",
      "email_body": "Hello {{ name }}", "subject": "{{ 7*7 }}"})");
  EXPECT_EQ(fields_and_types(json_scan(doc, policy)),
            (Pairs{{"/images/0/file", "path_traversal"}, {"/subject", "script_injection"}}));
}

TEST_F(ScanTest, ValueHashesCorrelateWithoutRevealing) {
  const auto a = json_scan(json::parse(R"({"q": "1' OR '1'='1"})"));
  const auto b = json_scan(json::parse(R"({"other": "1' OR '1'='1"})"));
  ASSERT_EQ(a.findings.size(), 1u);
  ASSERT_EQ(b.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].value_hash, b.findings[0].value_hash);
  ThreatDetector d;
  InputScanner other_key(d, "another-key");
  ScanReport c;
  other_key.scan_json(json::parse(R"({"q": "1' OR '1'='1"})"), FieldClassifier(), c);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_NE(c.findings[0].value_hash, a.findings[0].value_hash) << "the hash is keyed";
}

TEST_F(ScanTest, FindingsAreCappedAndTheRestCounted) {
  ThreatDetector d;
  InputScanner capped(d, "k", 3);
  json doc = json::array();
  for (int i = 0; i < 10; ++i) doc.push_back("1' OR '1'='1");
  ScanReport r;
  capped.scan_json(doc, FieldClassifier(), r);
  EXPECT_EQ(r.findings.size(), 3u);
  EXPECT_EQ(r.suppressed, 7u);
  EXPECT_EQ(r.findings[2].field, "/2");
}

TEST_F(ScanTest, QueryParameters) {
  ScanReport r;
  scanner_.scan_query({{"q", "aviator 52"},
                       {"sort", "1 union select password from users--"},
                       {"email[$ne]", "x"},
                       {"$where", "1"},
                       {"token", "' or 1=1 --"}},
                      FieldClassifier(), r);
  EXPECT_EQ(fields_and_types(r),
            (Pairs{{"query.sort", "sql_injection"}, {"query.#3", "nosql_injection"}, {"query.#4", "nosql_injection"}}));
  EXPECT_EQ(r.findings[1].severity, Severity::kHigh);
  EXPECT_EQ(r.findings[2].severity, Severity::kHigh);
}

TEST_F(ScanTest, PathParametersUseTheirOwnPrefix) {
  ScanReport r;
  scanner_.scan_params({{"id", "m-123"}, {"token", "' or 1=1 --"}, {"slug", "<script>alert(1)</script>"}}, "path.",
                       FieldClassifier(), r);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"path.slug", "xss"}}));
}

TEST_F(ScanTest, CsvCellsByLineAndColumn) {
  const std::string csv =
      "sku,name,description,image_file\r\n"
      "AV-52,Aviator,\"52□18-140 -- matte black\",aviator.jpg\r\n"
      "HL-51,Harlow,\"multi\nline\",harlow.jpg\r\n"
      "X-1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\"<script>alert(1)</script>\",../../x.jpg\r\n";
  FieldPolicy policy;
  policy.file_names = {"image_file"};
  ScanReport r;
  scanner_.scan_csv(csv, FieldClassifier(policy), r);
  EXPECT_EQ(
      fields_and_types(r),
      (Pairs{{"csv[5].name", "csv_formula"}, {"csv[5].description", "xss"}, {"csv[5].image_file", "path_traversal"}}));
  EXPECT_EQ(r.fields, 16u);
}

TEST_F(ScanTest, CellsOurExportNeutralisedAreScreenedAsTheTextTheyStandFor) {
  const std::string csv =
      "sku,name,description\r\n"
      "F-1,'-- lightweight,\"'=HYPERLINK(\"\"http://evil.example\"\")\"\r\n"  // an export of stored text
      "F-2,''quoted,'-1 union select password from users --\r\n"                  // still an injection
      "F-3,'1' OR '1'='1,x\r\n";                                                    // not a neutralised cell
  ScanReport r;
  scanner_.scan_csv(csv, FieldClassifier(), r);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"csv[3].description", "sql_injection"}, {"csv[4].name", "sql_injection"}}));
}

TEST_F(ScanTest, MalformedCsvStopsTheScanQuietly) {
  ScanReport r;
  scanner_.scan_csv("a,b\r\n1' OR '1'='1,x\r\nbad\"quote,y\r\n<script>alert(1)</script>,z\r\n", FieldClassifier(), r);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"csv[2].a", "sql_injection"}}));
}

TEST_F(ScanTest, NdjsonLines) {
  ScanReport r;
  scanner_.scan_ndjson("{\"name\": \"ok\"}\n\nnot json\n{\"name\": \"1' OR '1'='1\"}\n", FieldClassifier(), r);
  EXPECT_EQ(fields_and_types(r), (Pairs{{"ndjson[4]/name", "sql_injection"}}));
}

}  // namespace
}  // namespace eyewear::security
