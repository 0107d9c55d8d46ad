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

// Every line is screened, whatever comes before it, and the two parsers' documents give the same
// findings at the same paths (the members of an object in the same order, the last duplicate).
TEST_F(ScanTest, NdjsonLinesAreScreenedAsTheirJsonBodies) {
  const std::vector<std::string> lines = {
      R"({"name": "<script>alert(1)</script>"})",
      "",
      R"({"name": "ok"})",
      "not json",
      R"({"name": "1' OR '1'='1", "n": 123456789012345678901234})",
      R"({"b": "<script>alert(1)</script>", "a": {"$ne": 1}, "b": "fine", "x\u0001": 1, "p": {"$where": "1"}})"};
  std::string body;
  for (const auto& l : lines) body += l + "\n";
  ScanReport r;
  scanner_.scan_ndjson(body, FieldClassifier(), r);
  ScanReport by_tree;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto doc = json::parse(lines[i], nullptr, false);
    if (lines[i].empty() || doc.is_discarded()) continue;
    ScanReport one;
    scanner_.scan_json(doc, FieldClassifier(), one);
    for (auto f : one.findings) {
      f.field = "ndjson[" + std::to_string(i + 1) + "]" + f.field;
      by_tree.findings.push_back(f);
    }
    by_tree.fields += one.fields;
  }
  ASSERT_EQ(r.findings.size(), by_tree.findings.size());
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    EXPECT_EQ(r.findings[i].field, by_tree.findings[i].field) << i;
    EXPECT_EQ(r.findings[i].type, by_tree.findings[i].type) << i;
    EXPECT_EQ(r.findings[i].evidence, by_tree.findings[i].evidence) << i;
  }
  EXPECT_EQ(r.fields, by_tree.fields);
  ASSERT_GE(r.findings.size(), 4u) << "xss, sqli, the operator key, the control character in a key";
  EXPECT_EQ(r.findings[0].field, "ndjson[1]/name");
  EXPECT_EQ(r.findings[1].field, "ndjson[5]/name");
}

// A value repeated across an upload is screened once (ScreenMemo) but reported wherever it is,
// with the verdict of each place's field kind.
TEST_F(ScanTest, RepeatedValuesAreReportedAtEveryPlaceWithThatPlacesVerdict) {
  FieldPolicy policy;
  policy.file_names = {"file"};
  policy.templates = {"body"};
  const std::string sqli = "1' OR '1'='1";
  std::string ndjson;
  for (int i = 0; i < 3; ++i) {
    ndjson += json{{"name", sqli},        {"password", sqli},    {"file", "../x"},
                   {"body", "{{ 7*7 }}"}, {"note", "{{ 7*7 }}"}, {"ok", "fine"}}
                  .dump() +
              "\n";
  }
  ndjson += json{{"note", "../x"}, {"file", "fine"}}.dump() + "\n";
  ScanReport r;
  scanner_.scan_ndjson(ndjson, FieldClassifier(policy), r);
  Pairs expected;
  for (int line = 1; line <= 3; ++line) {
    const auto at = "ndjson[" + std::to_string(line) + "]/";
    expected.push_back({at + "file", "path_traversal"});
    expected.push_back({at + "name", "sql_injection"});
    expected.push_back({at + "note", "script_injection"});
  }
  EXPECT_EQ(fields_and_types(r), expected) << "no finding for the password, the template body or the text ../x";
  EXPECT_EQ(r.fields, 3u * 6u + 2u);
  for (std::size_t i = 1; i < r.findings.size(); ++i) EXPECT_FALSE(r.findings[i].value_hash.empty());
  EXPECT_EQ(r.findings[1].value_hash, r.findings[4].value_hash);

  ScanReport csv;
  scanner_.scan_csv("name,file,note\r\n=1+1,../x,../x\r\n=1+1,../x,=1+1\r\n", FieldClassifier(policy), csv);
  EXPECT_EQ(fields_and_types(csv), (Pairs{{"csv[2].name", "csv_formula"},
                                          {"csv[2].file", "path_traversal"},
                                          {"csv[3].name", "csv_formula"},
                                          {"csv[3].file", "path_traversal"},
                                          {"csv[3].note", "csv_formula"}}));
}

// Without pointer rules the classifier answers from a table of the names its rules name; with
// one it walks its rules. Both give every name the same traits.
TEST(FieldClassifierTest, NameTableAgreesWithTheRuleWalk) {
  FieldPolicy policy;
  policy.text = {"Code"};
  policy.secret = {"license_key", "PASSWORD"};
  policy.file_names = {"image_file", "license_key"};
  policy.templates = {"body", "token"};
  policy.scalars = {"sku", "Email", "pin"};
  FieldPolicy with_pointer = policy;
  with_pointer.templates.push_back("/never/*/matched");
  const FieldClassifier table(policy), walk(with_pointer);
  const std::vector<std::string> names = {
      "code",       "CODE",       "license_key", "License_Key",   "password", "Password",
      "image_file", "IMAGE_FILE", "body",        "token",         "sku",      "SKU",
      "email",      "EMAIL",      "pin",         "Pin",           "name",     "description",
      "",           "passwordx",  "api_key",     "authorization", "totp",     "é"};
  for (const auto& n : names) {
    const auto a = table.classify(n), b = walk.classify(n);
    EXPECT_EQ(a.kind, b.kind) << n;
    EXPECT_EQ(a.scalar, b.scalar) << n;
  }
  EXPECT_EQ(table.classify("Code").kind, FieldKind::kText) << "text before the default secret";
  EXPECT_EQ(table.classify("LICENSE_KEY").kind, FieldKind::kSecret) << "declared secret before file name";
  EXPECT_EQ(table.classify("token").kind, FieldKind::kTemplate) << "declarations before defaults";
  EXPECT_EQ(table.classify("refresh_token").kind, FieldKind::kSecret);
  EXPECT_TRUE(table.classify("pin").scalar);
  EXPECT_TRUE(table.classify("eMail").scalar);
  EXPECT_FALSE(table.classify("name").scalar);
  EXPECT_EQ(table.classify("name").kind, FieldKind::kText);
}

TEST_F(ScanTest, ScreenMemoKeepsVerdictsApartByContextAndBound) {
  ScreenMemo memo;
  const FieldContext text{FieldKind::kText, false, 0}, csv{FieldKind::kText, true, 0},
      file{FieldKind::kFileName, false, 0};
  EXPECT_EQ(memo.find("v", text), nullptr);
  memo.remember({Detection{ThreatType::kXss, Severity::kHigh, 1, "t", "e"}});
  ASSERT_NE(memo.find("v", text), nullptr);
  EXPECT_EQ(memo.find("v", text)->size(), 1u);
  EXPECT_EQ(memo.find("v", csv), nullptr);
  memo.remember({});
  EXPECT_EQ(memo.find("v", file), nullptr);
  memo.remember({});
  EXPECT_TRUE(memo.find("v", csv)->empty());
  EXPECT_EQ(memo.find("v", text)->size(), 1u);
  EXPECT_EQ(memo.find("v", FieldContext{FieldKind::kText, false, 10}), nullptr)
      << "the size limit is part of the context";
  const std::string long_value(ScreenMemo::kMaxValueBytes + 1, 'x');
  EXPECT_EQ(memo.find(long_value, text), nullptr);
  memo.remember({});
  EXPECT_EQ(memo.find(long_value, text), nullptr) << "long values are not remembered";
  for (std::size_t i = 0; i < ScreenMemo::kMaxEntries + 10; ++i) {
    if (memo.find(std::to_string(i), text) == nullptr) memo.remember({});
  }
  EXPECT_NE(memo.find("5", text), nullptr);
  EXPECT_EQ(memo.find(std::to_string(ScreenMemo::kMaxEntries + 5), text), nullptr) << "bounded";
}

}  // namespace
}  // namespace eyewear::security
