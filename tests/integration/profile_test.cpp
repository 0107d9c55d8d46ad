// The manufacturer business profile over HTTP on SQLite and PostgreSQL: validation with exact
// codes and details, warnings, sealed storage (no plaintext in the database, the audit log or the
// logs), who may read and write it, and refusal of sealed values moved inside the database.
#include <nlohmann/json.hpp>

#include "integration/identity_fixture.hpp"

namespace eyewear::testing {
namespace {

using nlohmann::json;

const json kProfile = {{"company_name", "  Acme   Optics GmbH "},
                       {"phone", "030 901820"},
                       {"tax_id", "de 811 125 440"},
                       {"licence_number", "HRB 12345/B"},
                       {"product_count", 1200},
                       {"website", "HTTPS://Acme-Optics.example/frames"},
                       {"country", "de"}};
const std::vector<std::string> kSecrets = {"+4930901820", "901820",      "DE811125440", "811125440",
                                           "811 125 440", "HRB 12345/B", "12345"};

class ProfileTest : public IdentityTest {
 protected:
  HttpResponse get(const Tokens& t) { return client_->get("/api/v1/manufacturer/profile", {bearer(t.access)}); }
  HttpResponse put(const Tokens& t, const json& body) {
    return client_->put("/api/v1/manufacturer/profile", body, {bearer(t.access)});
  }
  std::string mid_of(const Tokens& t) { return me(t.access).json()["manufacturer"]["id"]; }

  // Every text a table holds, one string per row (for "no plaintext" checks).
  std::vector<std::string> dump(const std::string& sql) {
    auto rows = server_->app().database().transact(storage::TxMode::kRead,
                                                   [&](storage::Connection& c) { return c.query(sql); });
    std::vector<std::string> out;
    if (!rows) return out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      std::string row;
      for (std::size_t col = 0; col < rows->columns(); ++col) row += (*rows)[i].str(col) + "|";
      out.push_back(row);
    }
    return out;
  }

  void expect_no_plaintext() {
    for (const auto& table : {"SELECT * FROM manufacturer_profiles", "SELECT * FROM security_audit_log",
                              "SELECT * FROM data_keys", "SELECT * FROM keyring_versions"}) {
      for (const auto& row : dump(table)) {
        for (const auto& secret : kSecrets) EXPECT_EQ(row.find(secret), std::string::npos) << table << ": " << row;
      }
    }
    for (const auto& line : server_->logs().lines()) {
      for (const auto& secret : kSecrets) EXPECT_EQ(line.find(secret), std::string::npos) << line;
    }
  }

  void expect_refused(const Tokens& t, json body, const std::string& field, const std::string& rule) {
    const auto r = put(t, body);
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.body;
    EXPECT_EQ(r.error_code(), "VALIDATION_FAILED");
    EXPECT_EQ(r.json()["error"]["details"]["field"], field) << body.dump();
    EXPECT_EQ(r.json()["error"]["details"]["rule"], rule) << body.dump();
  }
};

TEST_P(ProfileTest, PutThenGetReturnsNormalisedValuesSealedAtRest) {
  const auto t = sign_up(*client_, server_->data_dir(), "owner@acme.example");
  const auto mid = mid_of(t);
  const auto empty = get(t);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json()["company_name"], "Acme Optics");
  EXPECT_TRUE(empty.json()["phone"].is_null());
  EXPECT_TRUE(empty.json()["updated_at"].is_null());
  EXPECT_EQ(empty.json()["encryption"], json::object());

  const auto saved = put(t, kProfile);
  ASSERT_EQ(saved.status, 200) << saved.body;
  const auto j = saved.json();
  EXPECT_EQ(j["manufacturer_id"], mid);
  EXPECT_EQ(j["company_name"], "Acme Optics GmbH");
  EXPECT_EQ(j["phone"], "+4930901820") << "E.164 from the national number and the country";
  EXPECT_EQ(j["tax_id"], "DE811125440");
  EXPECT_EQ(j["licence_number"], "HRB 12345/B");
  EXPECT_EQ(j["product_count"], 1200);
  EXPECT_EQ(j["website"], "https://acme-optics.example/frames");
  EXPECT_EQ(j["country"], "DE");
  EXPECT_EQ(j["warnings"], json::array());
  EXPECT_EQ(j["updated_at"], "2027-01-15T08:00:00.000Z");
  for (const char* f : {"phone", "tax_id", "licence_number"}) {
    EXPECT_EQ(j["encryption"][f]["algorithm"], "xchacha20poly1305") << f;
    EXPECT_EQ(j["encryption"][f]["key_version"], 1) << f;
  }
  auto read = get(t).json();
  read.erase("updated_at");
  auto expected = j;
  expected.erase("warnings");
  expected.erase("updated_at");
  EXPECT_EQ(read, expected);

  EXPECT_EQ(scalar("SELECT company_name FROM manufacturers WHERE id = $1", {mid}), "Acme Optics GmbH");
  for (const char* col : {"phone_sealed", "tax_id_sealed", "licence_number_sealed"}) {
    const auto v =
        scalar(std::string("SELECT ") + col + " FROM manufacturer_profiles WHERE manufacturer_id = $1", {mid});
    EXPECT_TRUE(v.starts_with("ew1:v1:xchacha:")) << col << ": " << v;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'manufacturer_profile_created' "
                  "AND manufacturer_id = $1",
                  {mid}),
            1);
  const auto details =
      json::parse(scalar("SELECT details FROM security_audit_log WHERE event_type = "
                         "'manufacturer_profile_created'"));
  EXPECT_EQ(details["changed"],
            json({"company_name", "phone", "tax_id", "licence_number", "product_count", "website", "country"}));

  // Replacing: absent fields are cleared, only changed fields are named.
  json next = {
      {"company_name", "Acme Optics GmbH"}, {"phone", "+49 30 901820"}, {"tax_id", "DE811125440"}, {"country", "DE"}};
  const auto replaced = put(t, next);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_TRUE(replaced.json()["licence_number"].is_null());
  EXPECT_TRUE(replaced.json()["product_count"].is_null());
  EXPECT_FALSE(replaced.json()["encryption"].contains("licence_number"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM manufacturer_profiles WHERE licence_number_sealed IS NULL"), 1);
  const auto updated =
      json::parse(scalar("SELECT details FROM security_audit_log WHERE event_type = "
                         "'manufacturer_profile_updated'"));
  EXPECT_EQ(updated["changed"], json({"licence_number", "product_count", "website"}));
  expect_no_plaintext();
}

TEST_P(ProfileTest, EveryFieldIsValidatedWithItsRule) {
  const auto t = sign_up(*client_, server_->data_dir(), "rules@acme.example");
  ASSERT_EQ(put(t, kProfile).status, 200);
  const auto with = [](const char* key, json value) {
    auto b = kProfile;
    b[key] = std::move(value);
    return b;
  };
  expect_refused(t, with("company_name", "A"), "company_name", "length");
  expect_refused(t, with("company_name", "Acme | Optics"), "company_name", "characters");
  {
    // Markup never reaches the validator: the threat screen in front of every route refuses it.
    const auto r = put(t, with("company_name", "Acme <script>alert(1)</script>"));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.error_code(), "THREAT_DETECTED");
    EXPECT_EQ(r.json()["error"]["details"]["field"], "/company_name");
  }
  expect_refused(t, with("company_name", nullptr), "company_name", "required");
  expect_refused(t, with("company_name", 42), "company_name", "type");
  expect_refused(t, with("phone", "12"), "phone", "invalid_number");
  expect_refused(t, with("phone", "+49 1"), "phone", "too_short");
  expect_refused(t, with("phone", "+999 1234567"), "phone", "country_code");
  expect_refused(t, with("phone", "+1 555 0100"), "phone", "invalid_number");
  expect_refused(t, with("phone", 4930901820), "phone", "type");
  expect_refused(t, with("tax_id", "DE 811125441"), "tax_id", "checksum");
  expect_refused(t, with("tax_id", "DE 81112544"), "tax_id", "length");
  expect_refused(t, with("tax_id", "811125441"), "tax_id", "checksum");  // a bare number takes the profile's country
  expect_refused(t, with("tax_id", "CHE-123.456.788"), "tax_id", "country");
  expect_refused(t, with("licence_number", "ab"), "licence_number", "pattern");
  expect_refused(t, with("product_count", 1000001), "product_count", "range");
  expect_refused(t, with("product_count", -1), "product_count", "range");
  expect_refused(t, with("product_count", "12"), "product_count", "type");
  expect_refused(t, with("product_count", 12.5), "product_count", "type");
  expect_refused(t, with("website", "acme.example"), "website", "format");
  expect_refused(t, with("country", "Germany"), "country", "format");
  expect_refused(t, with("country", "QQ"), "country", "unknown");
  expect_refused(t, with("taxid", "DE811125440"), "taxid", "unknown_field");

  // Every failing field is listed; the first is details.field.
  auto many = kProfile;
  many["phone"] = "12";
  many["tax_id"] = "DE 811125441";
  many["product_count"] = 5000000;
  const auto r = put(t, many);
  ASSERT_EQ(r.status, 422);
  const auto errors = r.json()["error"]["details"]["errors"];
  ASSERT_EQ(errors.size(), 3u) << r.body;
  EXPECT_EQ(errors[0]["field"], "phone");
  EXPECT_EQ(errors[1]["field"], "tax_id");
  EXPECT_EQ(errors[1]["rule"], "checksum");
  EXPECT_EQ(errors[2]["field"], "product_count");
  EXPECT_EQ(r.json()["error"]["details"]["field"], "phone");
  EXPECT_EQ(r.body.find("811125441"), std::string::npos) << "errors do not echo the value";

  const auto bad_json =
      client_->request("PUT", "/api/v1/manufacturer/profile",
                       "{\"company_name\": ", {bearer(t.access), {"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.error_code(), "INVALID_JSON");
  const auto array = put(t, json::array({1, 2}));
  EXPECT_EQ(array.status, 422);
  EXPECT_EQ(array.json()["error"]["details"]["field"], "body");

  // Nothing of the refused requests was written.
  const auto after = get(t).json();
  EXPECT_EQ(after["tax_id"], "DE811125440");
  EXPECT_EQ(after["product_count"], 1200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type LIKE 'manufacturer_profile_%'"), 1);
}

TEST_P(ProfileTest, WarningsComeWithTheAnswer) {
  const auto t = sign_up(*client_, server_->data_dir(), "big@acme.example");
  auto body = kProfile;
  body["product_count"] = 250000;
  body["tax_id"] = "FR 40 303 265 045";
  const auto r = put(t, body);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto w = r.json()["warnings"];
  ASSERT_EQ(w.size(), 2u) << r.body;
  EXPECT_EQ(w[0]["field"], "tax_id");
  EXPECT_EQ(w[0]["rule"], "country_mismatch");
  EXPECT_EQ(w[1]["field"], "product_count");
  EXPECT_EQ(w[1]["rule"], "large_catalogue");
  EXPECT_EQ(r.json()["product_count"], 250000);

  auto us = json{
      {"company_name", "Acme Optics Inc."}, {"country", "US"}, {"tax_id", "94-3456789"}, {"phone", "(650) 253-0000"}};
  const auto american = put(t, us);
  ASSERT_EQ(american.status, 200) << american.body;
  EXPECT_EQ(american.json()["tax_id"], "94-3456789");
  EXPECT_EQ(american.json()["phone"], "+16502530000");
  EXPECT_EQ(american.json()["warnings"], json::array());
}

TEST_P(ProfileTest, OnlyTheOwnersSessionManagesIt) {
  const auto a = sign_up(*client_, server_->data_dir(), "a@acme.example", "Alpha Optics");
  const auto b = sign_up(*client_, server_->data_dir(), "b@acme.example", "Beta Optics");
  ASSERT_EQ(put(a, kProfile).status, 200);
  const auto other = get(b);
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.json()["company_name"], "Beta Optics");
  EXPECT_TRUE(other.json()["tax_id"].is_null()) << "each manufacturer sees its own profile only";

  const auto anonymous = client_->get("/api/v1/manufacturer/profile");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.error_code(), "UNAUTHENTICATED");
  const auto forged = client_->get("/api/v1/manufacturer/profile", {bearer("ewk_notakey")});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.json()["error"]["details"]["reason"], "session_required") << "API keys are refused";

  ASSERT_EQ(count("SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = $1",
                  {"b@acme.example"}),
            1);
  auto demoted = server_->app().database().transact(storage::TxMode::kWrite, [&](storage::Connection& c) {
    return c.execute(
        "UPDATE memberships SET role = 'member' WHERE account_id = (SELECT id FROM accounts WHERE email = $1)",
        {"b@acme.example"});
  });
  ASSERT_TRUE(demoted.has_value());
  const auto member = get(b);
  EXPECT_EQ(member.status, 403);
  EXPECT_EQ(member.error_code(), "PERMISSION_DENIED");
  EXPECT_EQ(member.json()["error"]["details"]["reason"], "owner_required");
  EXPECT_EQ(put(b, kProfile).status, 403);
}

TEST_P(ProfileTest, SealedValuesMovedInsideTheDatabaseDoNotOpen) {
  const auto a = sign_up(*client_, server_->data_dir(), "a@acme.example", "Alpha Optics");
  const auto b = sign_up(*client_, server_->data_dir(), "b@acme.example", "Beta Optics");
  ASSERT_EQ(put(a, kProfile).status, 200);
  auto b_profile = kProfile;
  b_profile["tax_id"] = "DE 136308783";
  ASSERT_EQ(put(b, b_profile).status, 200);
  const auto ma = mid_of(a);
  const auto mb = mid_of(b);
  const auto exec = [&](const std::string& sql, std::initializer_list<storage::Param> params) {
    auto r = server_->app().database().transact(storage::TxMode::kWrite,
                                                [&](storage::Connection& c) { return c.execute(sql, params); });
    ASSERT_TRUE(r.has_value()) << r.error().internal;
  };
  // Another tenant's tax id copied into B's row.
  const auto a_tax = scalar("SELECT tax_id_sealed FROM manufacturer_profiles WHERE manufacturer_id = $1", {ma});
  exec("UPDATE manufacturer_profiles SET tax_id_sealed = $2 WHERE manufacturer_id = $1", {mb, a_tax});
  const auto swapped = get(b);
  EXPECT_EQ(swapped.status, 500);
  EXPECT_EQ(swapped.error_code(), "DECRYPTION_FAILED");
  EXPECT_EQ(swapped.json()["error"]["details"]["reason"], "wrong_tenant");
  // A's phone moved into A's tax id column.
  const auto a_phone = scalar("SELECT phone_sealed FROM manufacturer_profiles WHERE manufacturer_id = $1", {ma});
  exec("UPDATE manufacturer_profiles SET tax_id_sealed = $2 WHERE manufacturer_id = $1", {ma, a_phone});
  const auto moved = get(a);
  EXPECT_EQ(moved.status, 500);
  EXPECT_EQ(moved.json()["error"]["details"]["reason"], "authentication_failed");
  // The owner repairs it by saving the profile again.
  ASSERT_EQ(put(a, kProfile).status, 200);
  EXPECT_EQ(get(a).json()["tax_id"], "DE811125440");
  expect_no_plaintext();
}

INSTANTIATE_TEST_SUITE_P(Backends, ProfileTest, ::testing::Values("sqlite", "postgres"), backend_label);

}  // namespace
}  // namespace eyewear::testing
