// Business-field validators against valid and invalid vectors. The VAT numbers are real ones as
// published online (collected in python-stdnum's test data); the "mangled" ones are the same
// numbers with one digit changed, so their check digits no longer match.
#include "security/validation.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace eyewear::security {
namespace {

std::string rule_of(const platform::Error& e) {
  const auto* r = e.detail("rule");
  return r ? std::get<std::string>(*r) : "";
}
std::string field_of(const platform::Error& e) {
  const auto* f = e.detail("field");
  return f ? std::get<std::string>(*f) : "";
}

template <typename T>
std::string rule(const Result<T>& r) {
  return r ? "ok" : rule_of(r.error());
}

TEST(ValidationTest, Email) {
  EXPECT_EQ(*validate_email("  Owner@Acme-Optics.COM "), "owner@acme-optics.com");
  EXPECT_EQ(*validate_email("first.last+frames@mail.example.co.uk"), "first.last+frames@mail.example.co.uk");
  EXPECT_EQ(*validate_email("optik@brillen-müller.de"), "optik@brillen-müller.de") << "internationalised domain";
  EXPECT_EQ(rule(validate_email("")), "required");
  EXPECT_EQ(rule(validate_email("   ")), "required");
  for (const char* bad : {"no-at-sign",     "two@@ats.com",    "a@b@c.com",       "@nolocal.com",  "user@nodot",
                          "user@.dot.com",  "user@dot.",       "sp ace@x.com",    "a@b..com",      "quote\"@x.com",
                          "user@-acme.com", "user@acme-.com",  "user@acme.c",     "user@10.0.0.1", ".user@acme.com",
                          "user.@acme.com", "us..er@acme.com", "user@[10.0.0.1]", "a<b>@acme.com", "user@acme.com\n"}) {
    EXPECT_EQ(rule(validate_email(bad)), bad == std::string("user@acme.com\n") ? "ok" : "format") << bad;
  }
  // RFC 5321: a local part of 64, an address of 254 at most; a domain label of 63.
  EXPECT_EQ(rule(validate_email(std::string(64, 'a') + "@x.com")), "ok");
  EXPECT_EQ(rule(validate_email(std::string(65, 'a') + "@x.com")), "max_length");
  const std::string label(63, 'b');
  EXPECT_EQ(rule(validate_email("a@" + label + ".com")), "ok");
  EXPECT_EQ(rule(validate_email("a@" + label + "b.com")), "format");
  EXPECT_EQ(rule(validate_email("a@" + label + "." + label + "." + label + "." + std::string(58, 'c') + ".com")),
            "max_length");
  const auto e = validate_email("nope", "contact_email");
  EXPECT_EQ(field_of(e.error()), "contact_email");
}

TEST(ValidationTest, CompanyName) {
  EXPECT_EQ(*validate_company_name("  Acme   Optics  "), "Acme Optics") << "trimmed, inner spaces collapsed";
  for (const char* ok : {"Estée Lauder Companies (The)", "Brown–Forman", "O’Reilly Automotive", "Yum! Brands", "AT&T",
                         "3M", "Lowe's", "Procter & Gamble", "Optik Müller GmbH & Co. KG", "Ray-Ban", "株式会社メガネ",
                         "Οπτικά Παπαδόπουλος", "Lens/Frame Co.", "A+ Eyewear", "#1 Optics", "Zeiss: Vision Care"}) {
    EXPECT_EQ(rule(validate_company_name(ok)), "ok") << ok;
  }
  EXPECT_EQ(rule(validate_company_name("")), "required");
  EXPECT_EQ(rule(validate_company_name("A")), "length");
  EXPECT_EQ(rule(validate_company_name(std::string(101, 'x'))), "length");
  EXPECT_EQ(rule(validate_company_name(std::string(100, 'x'))), "ok");
  EXPECT_EQ(rule(validate_company_name(std::string(50, 'x') + std::string(100, ' ') + std::string(49, 'x'))), "ok");
  // 100 code points of two-byte letters are 200 bytes and still fine.
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "ä";
  EXPECT_EQ(rule(validate_company_name(umlauts)), "ok");
  for (const char* bad : {"Acme <script>", "Acme; DROP TABLE", "Acme\tOptics", "Acme\nOptics", "{{7*7}} Optics",
                          "Acme $where", "Acme | Co", "Acme=Optics", "Acme \"Optics\"", "--", "&&"}) {
    EXPECT_EQ(rule(validate_company_name(bad)), "characters") << bad;
  }
  EXPECT_EQ(rule(validate_company_name(std::string("Acme\xff Optics"))), "encoding");
  EXPECT_EQ(rule(validate_company_name(std::string("Acme\xc3"))), "encoding");
  const auto e = validate_company_name("A");
  EXPECT_EQ(std::get<std::int64_t>(*e.error().detail("min")), 2);
  EXPECT_EQ(std::get<std::int64_t>(*e.error().detail("max")), 100);
}

TEST(ValidationTest, CompanyNamesOfTheCorpusAllPass) {
  std::ifstream in(EYEWEAR_CORPORA_DIR "/benign/sp500_company_names.txt");
  if (!in) GTEST_SKIP() << "corpora not available";
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++n;
    EXPECT_EQ(rule(validate_company_name(line)), "ok") << line;
  }
  EXPECT_GT(n, 500);
}

TEST(ValidationTest, PhoneE164) {
  EXPECT_EQ(*validate_phone("+49 30 901820"), "+4930901820");
  EXPECT_EQ(*validate_phone("+1 (650) 253-0000"), "+16502530000");
  EXPECT_EQ(*validate_phone("+44 20 7031 3000"), "+442070313000");
  EXPECT_EQ(*validate_phone("+33 1 42 68 53 00"), "+33142685300");
  EXPECT_EQ(*validate_phone("030 901820", "DE"), "+4930901820") << "national format with the profile's country";
  EXPECT_EQ(*validate_phone("(650) 253-0000", "US"), "+16502530000");
  EXPECT_EQ(*validate_phone("00 49 30 901820", "FR"), "+4930901820") << "international prefix from France";
  EXPECT_EQ(rule(validate_phone("")), "required");
  EXPECT_EQ(rule(validate_phone("030 901820")), "country_code") << "no + and no country";
  EXPECT_EQ(rule(validate_phone("+999 1234567")), "country_code");
  EXPECT_EQ(rule(validate_phone("call me maybe")), "format");
  EXPECT_EQ(rule(validate_phone("+49 1")), "too_short");
  EXPECT_EQ(rule(validate_phone("+49 30 9018201234567890")), "too_long");
  EXPECT_EQ(rule(validate_phone("+1 555 0100")), "invalid_number");
  EXPECT_EQ(rule(validate_phone("+1 200 555 0100")), "invalid_number") << "US area codes do not start with 2-0-0";
  EXPECT_EQ(rule(validate_phone("+49 30 901820 ext. 12")), "format") << "E.164 has no extensions";
  EXPECT_EQ(rule(validate_phone(std::string(65, '1'))), "max_length");
}

struct VatCase {
  const char* number;
  const char* expect;  // ok | checksum | format | length | component | country
};

void expect_tax(const std::vector<VatCase>& cases, std::string_view country = {}) {
  for (const auto& c : cases) {
    const auto r = validate_tax_id(c.number, country);
    EXPECT_EQ(rule(r), c.expect) << c.number << " (country " << country << ")";
  }
}

TEST(ValidationTest, EuVatNumbersWithTheirCheckDigits) {
  expect_tax({
      {"ATU 142 43 102", "ok"},
      {"ATU13585627", "ok"},
      {"ATU 57194903", "ok"},
      {"ATU 143 43 102", "checksum"},
      {"ATU46080904", "checksum"},
      {"AT1 142 43 102", "format"},
      {"ATU 151592092", "length"},
      {"BE 0202.239.951", "ok"},
      {"BE0428759497", "ok"},
      {"BE413562567", "ok"},
      {"BE 0406.139.583", "checksum"},
      {"BE697449982", "checksum"},
      {"BE 02A2.239.951", "format"},
      {"BG 175074752", "ok"},
      {"BG7523169263", "ok"},
      {"BG8032056031", "ok"},
      {"BG 1037735942", "checksum"},
      {"BG 147147471", "checksum"},
      {"CY 10246672X", "ok"},
      {"CY-10259033P", "ok"},
      {"CY 10246672F", "checksum"},
      {"CY-12259033P", "component"},
      {"CZ 25123891", "ok"},
      {"CZ 640903926", "ok"},
      {"CZ 7205151536", "ok"},
      {"CZ 736028/5163", "ok"},
      {"CZ 25557481", "checksum"},
      {"CZ 8058018314", "checksum"},
      {"CZ 95123891", "component"},
      {"DE 811125440", "ok"},
      {"DE 136308783", "ok"},
      {"DE 813 11 38 75", "ok"},
      {"DE 125014855", "checksum"},
      {"DE 813 91 38 75", "checksum"},
      {"DE 011125440", "format"},
      {"DE 246X595 415", "format"},
      {"DK 13 31 04 59", "ok"},
      {"DK-27630308", "ok"},
      {"DK 2565 2202", "checksum"},
      {"DK10159817", "checksum"},
      {"EE 100 931 558", "ok"},
      {"EE101256753", "ok"},
      {"EE 100525487", "checksum"},
      {"EE101256754", "checksum"},
      {"EL 094012834", "ok"},
      {"EL 94051189", "ok"},
      {"EL: 094279805", "ok"},
      {"EL 094013834", "checksum"},
      {"GR 094012834", "ok"},
      {"ES A-28184661", "ok"},
      {"ES - Q0818001J", "ok"},
      {"ES 54362315K", "ok"},
      {"ES X5277343Q", "ok"},
      {"ES-x-2482300w", "ok"},
      {"ES W4003922D", "ok"},
      {"ES 54362415K", "checksum"},
      {"Es-a48951310", "checksum"},
      {"ES-x-2322300w", "checksum"},
      {"ES B-583784312", "length"},
      {"FI 0982651-1", "ok"},
      {"FI 20774740", "ok"},
      {"FI-22291240", "ok"},
      {"FI 20774741", "checksum"},
      {"FR 40 303 265 045", "ok"},
      {"FR 61 954 506 077", "ok"},
      {"FR K 7399859412", "ok"},
      {"FR16000063601", "ok"},
      {"FR 04409414264", "checksum"},
      {"FR K 7399859312", "checksum"},
      {"FR L 7399859412", "checksum"},
      {"FR000076090", "length"},
      {"HR 33392005961", "ok"},
      {"HR 33392005962", "checksum"},
      {"HU 10672101", "ok"},
      {"HU-12892312", "ok"},
      {"HU 10672102", "checksum"},
      {"IE 6388047V", "ok"},
      {"IE 9741812E", "ok"},
      {"IE8D79739I", "ok"},
      {"IE6433435IH", "ok"},
      {"IE6433435OA", "ok"},
      {"IE 4731823H", "checksum"},
      {"IE8D79729I", "checksum"},
      {"IE 4550C59S", "format"},
      {"IE 069385V8", "format"},
      {"IT00743110157", "ok"},
      {"IT 00118439991", "ok"},
      {"IT 12920760159", "ok"},
      {"IT 00743110158", "checksum"},
      {"IT 00687129980", "component"},
      {"LT 119511515", "ok"},
      {"LT 100001354118", "ok"},
      {"LT290068995116", "ok"},
      {"LT 119511516", "checksum"},
      {"LT 100001509922", "component"},
      {"LT 100001354", "component"},
      {"LU 10059929", "ok"},
      {"LU 22 22 12 68", "ok"},
      {"LU 10059928", "checksum"},
      {"LV 4000 3521 600", "ok"},
      {"LV 40003189718", "ok"},
      {"LV 90000528023", "ok"},
      {"LV 40003189715", "checksum"},
      {"LV 90000528022", "checksum"},
      {"LV-10103241337", "checksum"},
      {"MT 1039-6417", "ok"},
      {"MT 20630321", "ok"},
      {"MT 1039-6418", "checksum"},
      {"NL 806753742B01", "ok"},
      {"NL001162938B28", "ok"},
      {"NL4495445B01", "ok"},
      {"NL.8143.26.584.B.01", "ok"},
      {"NL 806753743B01", "checksum"},
      {"NL 009122746B00", "format"},
      {"NL 001241643801", "format"},
      {"NL B06753742B01", "format"},
      {"PL 5211355116", "ok"},
      {"PL 584-030-44-72", "ok"},
      {"PL 5211355117", "checksum"},
      {"PT 500 019 720", "ok"},
      {"PT503038083", "ok"},
      {"PT 500 019 721", "checksum"},
      {"RO 11358544", "ok"},
      {"RO 1822964", "ok"},
      {"RO 1630615123457", "ok"},
      {"RO 573768", "ok"},
      {"RO 11358545", "checksum"},
      {"RO 1630615123458", "checksum"},
      {"SE 556058115801", "ok"},
      {"SE-556 644 662 001", "ok"},
      {"SE 556058115802", "component"},
      {"SE 556058115901", "checksum"},
      {"SE 55643359201", "length"},
      {"SI 26808498", "ok"},
      {"SI-83815201", "ok"},
      {"SI 26808499", "checksum"},
      {"SK 2022193459", "ok"},
      {"SK 1078449064", "ok"},
      {"SK 1078449164", "checksum"},
      {"SK 012 274 96 19", "format"},
      {"SK 2010 237 945", "format"},
  });
}

TEST(ValidationTest, TaxIdWithoutPrefixUsesTheProfileCountry) {
  EXPECT_EQ(validate_tax_id("811125440", "DE")->value, "DE811125440");
  EXPECT_EQ(validate_tax_id("094012834", "GR")->value, "EL094012834") << "Greece's VAT prefix is EL";
  EXPECT_EQ(validate_tax_id("K7399859412", "FR")->value, "FRK7399859412");
  EXPECT_EQ(validate_tax_id("A28184661", "es")->value, "ESA28184661");
  EXPECT_EQ(rule(validate_tax_id("811125441", "DE")), "checksum");
  EXPECT_EQ(rule(validate_tax_id("811125440", "CH")), "country") << "not an EU member state";
  EXPECT_EQ(rule(validate_tax_id("CHE-123.456.788")), "country");
  EXPECT_EQ(rule(validate_tax_id("QQ 124567")), "country");
  const auto vat = validate_tax_id("de 811 125 440");
  EXPECT_EQ(vat->scheme, "eu_vat");
  EXPECT_EQ(vat->country, "DE");
  EXPECT_TRUE(vat->checksum_verified);
  EXPECT_FALSE(validate_tax_id("CZ 450 33 145x").has_value());
  EXPECT_EQ(rule(validate_tax_id("")), "required");
  EXPECT_EQ(rule(validate_tax_id("DE 811125440; DROP TABLE")), "format");
}

TEST(ValidationTest, UsEmployerIdentificationNumbers) {
  const auto ein = validate_tax_id("12-3456789");
  ASSERT_TRUE(ein.has_value());
  EXPECT_EQ(ein->value, "12-3456789");
  EXPECT_EQ(ein->scheme, "us_ein");
  EXPECT_FALSE(ein->checksum_verified) << "EINs carry no check digit";
  EXPECT_EQ(validate_tax_id("943456789", "US")->value, "94-3456789");
  EXPECT_EQ(validate_tax_id("US 46-4150000")->value, "46-4150000");
  for (const char* unused : {"00-1234567", "07-1234567", "89-1234567", "96-1234567", "97-1234567", "49-1234567"}) {
    EXPECT_EQ(rule(validate_tax_id(unused, "US")), "component") << unused;
  }
  EXPECT_EQ(rule(validate_tax_id("12-345678", "US")), "length");
  EXPECT_EQ(rule(validate_tax_id("12-34567890", "US")), "length");
  EXPECT_EQ(rule(validate_tax_id("12-34567AB", "US")), "format");
}

TEST(ValidationTest, ProductCount) {
  EXPECT_TRUE(validate_product_count(0)->empty());
  EXPECT_TRUE(validate_product_count(100'000)->empty());
  const auto warned = validate_product_count(100'001);
  ASSERT_EQ(warned->size(), 1u);
  EXPECT_EQ((*warned)[0].rule, "large_catalogue");
  EXPECT_EQ((*warned)[0].field, "product_count");
  EXPECT_EQ(validate_product_count(1'000'000)->size(), 1u);
  EXPECT_EQ(rule(validate_product_count(1'000'001)), "range");
  EXPECT_EQ(rule(validate_product_count(-1)), "range");
}

TEST(ValidationTest, WebsiteAndCountry) {
  EXPECT_EQ(*validate_website("HTTPS://Acme-Optics.example/Frames?x=1"), "https://acme-optics.example/Frames?x=1");
  EXPECT_EQ(*validate_website("http://acme.example:8080"), "http://acme.example:8080");
  for (const char* bad : {"acme.example", "ftp://acme.example", "javascript:alert(1)", "https://localhost",
                          "https://user:pw@evil.example", "https://acme .example", "https://acme.example:99999999",
                          "https://<x>.example"}) {
    EXPECT_EQ(rule(validate_website(bad)), "format") << bad;
  }
  EXPECT_EQ(rule(validate_website("https://a.example/" + std::string(200, 'x'))), "max_length");
  EXPECT_EQ(*validate_country(" de "), "DE");
  EXPECT_EQ(*validate_country("US"), "US");
  EXPECT_EQ(rule(validate_country("DEU")), "format");
  EXPECT_EQ(rule(validate_country("D1")), "format");
  EXPECT_EQ(rule(validate_country("QQ")), "unknown");
}

TEST(ValidationTest, LicencePatternIsConfigurable) {
  auto standard = LicencePattern::compile(LicencePattern::kDefault);
  ASSERT_TRUE(standard.has_value());
  EXPECT_EQ(*standard->validate("  HRB 12345/B "), "HRB 12345/B");
  EXPECT_EQ(rule(standard->validate("")), "required");
  EXPECT_EQ(rule(standard->validate("ab")), "pattern");
  EXPECT_EQ(rule(standard->validate("-ABC")), "pattern");
  EXPECT_EQ(rule(standard->validate("ABC<script>")), "pattern");
  EXPECT_EQ(rule(standard->validate(std::string(65, 'A'))), "max_length");
  auto strict = LicencePattern::compile("OPT-[0-9]{6}");
  ASSERT_TRUE(strict.has_value());
  EXPECT_EQ(rule(strict->validate("OPT-123456")), "ok");
  const auto refused = strict->validate("OPT-12345");
  EXPECT_EQ(rule(refused), "pattern");
  EXPECT_EQ(std::get<std::string>(*refused.error().detail("pattern")), "OPT-[0-9]{6}");
  EXPECT_EQ(rule(strict->validate("XOPT-123456")), "pattern") << "the whole value must match";
  const auto broken = LicencePattern::compile("OPT-[0-9");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(field_of(broken.error()), "EYEWEAR_LICENCE_PATTERN");
}

}  // namespace
}  // namespace eyewear::security
