// The keyring against real SQLite and PostgreSQL: sealing bound to the record, refusal of
// tampered, moved, truncated, malformed and foreign values with their reasons, rotation picked
// up by other nodes, per-tenant rotation, the minimum decryption version, the document API and
// identity's sealer over it. Rewrap and status: keyring_rewrap_test.cpp.
#include <gtest/gtest.h>

#include <thread>

#include "app/keyring_setup.hpp"
#include "security/envelope.hpp"
#include "security/keyring_admin.hpp"
#include "security/keyring_fixture.hpp"

namespace eyewear::testing {
namespace {

TEST_P(KeyringTest, SealsBoundToTheRecordAndItsHeader) {
  const FieldRef ref{"m-1", "manufacturer_profiles", "tax_id", "m-1"};
  add_manufacturer("m-1");
  auto sealed = ring_->seal(ref, "DE811125440");
  ASSERT_TRUE(sealed.has_value()) << sealed.error().internal;
  EXPECT_TRUE(sealed->starts_with("ew1:v1:xchacha:")) << *sealed;
  EXPECT_EQ(sealed->find("DE811125440"), std::string::npos);
  EXPECT_NE(*ring_->seal(ref, "DE811125440"), *sealed) << "a fresh nonce each time";
  EXPECT_EQ(*ring_->open(ref, *sealed), "DE811125440");

  add_manufacturer("m-2");
  EXPECT_EQ(outcome(ring_->open({"m-1", "manufacturer_profiles", "tax_id", "m-2"}, *sealed)), "authentication_failed")
      << "moved to another row";
  EXPECT_EQ(outcome(ring_->open({"m-1", "manufacturer_profiles", "phone", "m-1"}, *sealed)), "authentication_failed")
      << "moved to another column";
  EXPECT_EQ(outcome(ring_->open({"m-1", "accounts", "tax_id", "m-1"}, *sealed)), "authentication_failed")
      << "moved to another table";
  EXPECT_EQ(outcome(ring_->open({"m-2", "manufacturer_profiles", "tax_id", "m-1"}, *sealed)), "wrong_tenant")
      << "moved to another tenant";
  const auto e = ring_->open({"m-2", "manufacturer_profiles", "tax_id", "m-1"}, *sealed).error();
  EXPECT_EQ(e.code, platform::ErrorCode::kDecryptionFailed);
  EXPECT_EQ(e.message.find("DE811125440"), std::string::npos);

  // The platform tenant (accounts) has its own data key.
  const FieldRef mfa{security::kPlatformTenant, "accounts", "mfa_secret", "a-1"};
  auto secret = ring_->seal(mfa, "totp-secret");
  EXPECT_EQ(*ring_->open(mfa, *secret), "totp-secret");
  EXPECT_NE(security::parse_sealed(*secret)->kid, security::parse_sealed(*sealed)->kid);
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE state = 'active'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE wrapped_key LIKE '%totp%'"), 0);
}

TEST_P(KeyringTest, TamperedTruncatedMalformedAndForeignValuesAreRefusedWithTheirReason) {
  add_manufacturer("m-1");
  const FieldRef ref{"m-1", "manufacturer_profiles", "phone", "m-1"};
  const auto sealed = *ring_->seal(ref, "+4930901820");
  const auto h = *security::parse_sealed(sealed);
  const std::string header(h.header);
  const std::string payload(h.payload);

  auto flipped = sealed;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(outcome(ring_->open(ref, flipped)), "authentication_failed") << "a flipped payload bit";
  auto nonce_flipped = header + (payload[0] == 'A' ? "B" : "A") + payload.substr(1);
  EXPECT_EQ(outcome(ring_->open(ref, nonce_flipped)), "authentication_failed") << "a flipped nonce bit";

  // Header edits: every field of it is authenticated.
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  const std::string v2 = "ew1:v2:xchacha:" + std::string(h.kid) + ":" + payload;
  EXPECT_EQ(outcome(ring_->open(ref, v2)), "authentication_failed") << "version edited";
  const std::string v9 = "ew1:v9:xchacha:" + std::string(h.kid) + ":" + payload;
  EXPECT_EQ(outcome(ring_->open(ref, v9)), "authentication_failed") << "an unknown version";
  const std::string aes = "ew1:v1:aesgcm:" + std::string(h.kid) + ":" + payload;
  EXPECT_EQ(outcome(ring_->open(ref, aes)), security::algorithm_available(security::Algorithm::kAes256Gcm)
                                                ? "authentication_failed"
                                                : "algorithm_unavailable")
      << "algorithm edited";
  const std::string other_kid = "ew1:v1:xchacha:0123456789abcdef:" + payload;
  EXPECT_EQ(outcome(ring_->open(ref, other_kid)), "unknown_key");
  auto new_kid = ring_->rotate_tenant("m-1", kActor);
  ASSERT_TRUE(new_kid.has_value());
  const std::string swapped_kid = "ew1:v2:xchacha:" + *new_kid + ":" + payload;
  EXPECT_EQ(outcome(ring_->open(ref, swapped_kid)), "authentication_failed") << "another key of the same tenant";
  EXPECT_EQ(*ring_->open(ref, sealed), "+4930901820") << "the original still opens after both rotations";

  // Truncation and garbage.
  EXPECT_EQ(outcome(ring_->open(ref, header + "AAAA")), "truncated");
  EXPECT_EQ(outcome(ring_->open(ref, header + payload.substr(0, 48))), "truncated") << "36 bytes < nonce + tag";
  EXPECT_EQ(outcome(ring_->open(ref, sealed.substr(0, sealed.size() - 8))), "authentication_failed") << "tag cut";
  EXPECT_EQ(outcome(ring_->open(ref, header)), "malformed") << "no payload";
  EXPECT_EQ(outcome(ring_->open(ref, sealed.substr(0, 10))), "malformed") << "cut inside the header";
  EXPECT_EQ(outcome(ring_->open(ref, "")), "malformed");
  EXPECT_EQ(outcome(ring_->open(ref, "+4930901820")), "malformed") << "plaintext";
  EXPECT_EQ(outcome(ring_->open(ref, header + "AA$A" + payload)), "malformed") << "not base64url";
  EXPECT_EQ(outcome(ring_->open(ref, "ew1:v0:xchacha:" + std::string(h.kid) + ":" + payload)), "malformed");
  EXPECT_EQ(outcome(ring_->open(ref, "ew1:vx:xchacha:" + std::string(h.kid) + ":" + payload)), "malformed");
  EXPECT_EQ(outcome(ring_->open(ref, "ew1:v1:xchacha:XYZ:" + payload)), "malformed") << "bad kid";
  EXPECT_EQ(outcome(ring_->open(ref, "ew2:v1:xchacha:" + std::string(h.kid) + ":" + payload)), "unsupported_format");
  EXPECT_EQ(outcome(ring_->open(ref, "ew1:v1:rot13:" + std::string(h.kid) + ":" + payload)), "unsupported_algorithm");
  EXPECT_EQ(outcome(ring_->open(ref, "lk1:" + payload)), "malformed") << "the interim sealer's format";
}

TEST_P(KeyringTest, WrongMasterKeyAndForeignKeyringsAreRefused) {
  add_manufacturer("m-1");
  const FieldRef ref{"m-1", "manufacturer_profiles", "phone", "m-1"};
  const auto sealed = *ring_->seal(ref, "+4930901820");
  platform::Error error;
  EXPECT_EQ(make_ring(kMasterB, {}, &error), nullptr) << "a node with another master key does not start";
  EXPECT_EQ(reason(error), "wrong_master_key");
  EXPECT_NE(error.message.find(security::master_fingerprint(security::SecretKey(kMasterA))), std::string::npos)
      << "names the stored fingerprint";
  EXPECT_EQ(make_ring(std::string(31, 'A'), {}, &error), nullptr);
  EXPECT_EQ(error.code, platform::ErrorCode::kValidationFailed);

  // A value sealed by an unrelated keyring (another database) names a key this one lacks.
  auto other_db = open("sqlite:" + dir_.file("other.db"));
  ASSERT_TRUE(storage::migrate(*other_db, nullptr).has_value());
  auto other_store = stores::make_keyring_store(*other_db);
  security::KeyringOptions o;
  o.master_key = kMasterA;
  auto other = Keyring::create(*other_store, clock_, random_, logger_, o);
  ASSERT_TRUE(other.has_value());
  const auto foreign = *(*other)->seal(ref, "+4930901820");
  EXPECT_EQ(outcome(ring_->open(ref, foreign)), "unknown_key");
  EXPECT_EQ(outcome((*other)->open(ref, sealed)), "unknown_key");

  // A data key whose wrapping was tampered with in the database.
  const auto kid = std::string(security::parse_sealed(sealed)->kid);
  exec("UPDATE data_keys SET wrapped_key = $2 WHERE kid = $1",
       {kid, text("SELECT wrapped_key FROM data_keys WHERE tenant_id = 'platform'")});
  auto fresh = make_ring(kMasterA);  // nothing cached
  EXPECT_EQ(outcome(fresh->open(ref, sealed)), "authentication_failed");
}

TEST_P(KeyringTest, RotationIsPickedUpByOtherNodesAndOldVersionsStillOpen) {
  add_manufacturer("m-1");
  const FieldRef ref{"m-1", "manufacturer_profiles", "phone", "m-1"};
  const auto v1 = *ring_->seal(ref, "+4930901820");
  security::KeyringOptions o;
  o.poll = std::chrono::milliseconds(20);
  auto node = make_ring(kMasterA, o);  // a second server on the same database
  node->start();
  EXPECT_EQ(*node->open(ref, v1), "+4930901820");

  auto version = ring_->rotate(kActor);
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*version, 2);
  EXPECT_TRUE(ring_->seal(ref, "x")->starts_with("ew1:v2:")) << "this node seals under the new version at once";
  EXPECT_TRUE(eventually([&] { return node->state().primary_version == 2; })) << "the other node polls it";
  const auto v2 = *node->seal(ref, "+4930901821");
  EXPECT_TRUE(v2.starts_with("ew1:v2:"));
  EXPECT_EQ(*ring_->open(ref, v2), "+4930901821");
  EXPECT_EQ(*node->open(ref, v1), "+4930901820") << "older versions keep opening";
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE tenant_id = 'm-1' AND state = 'active'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE tenant_id = 'platform' AND key_version = 2"), 1)
      << "the platform tenant's key is ready before the version is used";
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'keyring_rotated' "
                  "AND details LIKE '%\"version\":2%'"),
            1);
  node->stop();
}

TEST_P(KeyringTest, OneManufacturersKeyRotatesAlone) {
  add_manufacturer("m-1");
  add_manufacturer("m-2");
  const FieldRef a{"m-1", "manufacturer_profiles", "phone", "m-1"};
  const FieldRef b{"m-2", "manufacturer_profiles", "phone", "m-2"};
  const auto a1 = *ring_->seal(a, "+4930901820");
  const auto b1 = *ring_->seal(b, "+4930901821");
  security::KeyringOptions o;
  o.poll = std::chrono::milliseconds(20);
  auto node = make_ring(kMasterA, o);
  node->start();
  EXPECT_EQ(*node->open(a, a1), "+4930901820");  // caches m-1's key
  EXPECT_TRUE(node->seal(a, "warm")->find(security::parse_sealed(a1)->kid) != std::string::npos);

  auto kid = ring_->rotate_tenant("m-1", kActor);
  ASSERT_TRUE(kid.has_value()) << kid.error().message;
  EXPECT_NE(*kid, std::string(security::parse_sealed(a1)->kid));
  EXPECT_EQ(security::parse_sealed(*ring_->seal(a, "x"))->kid, *kid);
  EXPECT_EQ(security::parse_sealed(*ring_->seal(b, "x"))->kid, security::parse_sealed(b1)->kid) << "m-2 unaffected";
  EXPECT_TRUE(eventually([&] { return security::parse_sealed(*node->seal(a, "y"))->kid == *kid; }))
      << "the other node drops its cached key of m-1";
  EXPECT_EQ(*node->open(a, a1), "+4930901820");
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE tenant_id = 'm-1'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE tenant_id = 'm-1' AND state = 'active'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM security_audit_log WHERE event_type = 'data_key_rotated' "
                  "AND manufacturer_id = 'm-1' AND actor_account_id IS NULL AND user_agent = 'keyring test'"),
            1);
  EXPECT_EQ(ring_->rotate_tenant("no-such-manufacturer", kActor).error().code, platform::ErrorCode::kNotFound);
  node->stop();
}

TEST_P(KeyringTest, MinimumDecryptionVersionRefusesOldValuesUntilRewrapped) {
  const auto plain = add_profile(*ring_, "m-1");
  const FieldRef phone{"m-1", "manufacturer_profiles", "phone", "m-1"};
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  EXPECT_EQ(ring_->set_min_decryption_version(3, kActor).error().code, platform::ErrorCode::kValidationFailed)
      << "above the primary version";
  EXPECT_EQ(ring_->set_min_decryption_version(0, kActor).error().code, platform::ErrorCode::kValidationFailed);
  ASSERT_TRUE(ring_->set_min_decryption_version(2, kActor).has_value());
  EXPECT_EQ(outcome(ring_->open(phone, stored("m-1", "phone"))), "key_version_retired");
  EXPECT_EQ(*ring_->open_for_maintenance(phone, stored("m-1", "phone")), plain[0]);

  auto report = security::rewrap(*ring_, {}, kActor, logger_);
  ASSERT_TRUE(report.has_value()) << report.error().internal;
  EXPECT_EQ(report->rewrapped(), 3);
  EXPECT_TRUE(stored("m-1", "phone").starts_with("ew1:v2:"));
  EXPECT_EQ(*ring_->open(phone, stored("m-1", "phone")), plain[0]);

  // A node may hold a stricter floor than the shared minimum.
  ASSERT_TRUE(ring_->set_min_decryption_version(1, kActor).has_value());
  const auto old_style = *ring_->seal(phone, "x");
  security::KeyringOptions o;
  o.min_decryption_floor = 3;
  auto strict = make_ring(kMasterA, o);
  ASSERT_TRUE(ring_->rotate(kActor).has_value());
  ASSERT_TRUE(strict->refresh().has_value());
  EXPECT_EQ(strict->effective_min_version(), 3);
  EXPECT_EQ(outcome(strict->open(phone, old_style)), "key_version_retired");
  EXPECT_EQ(*ring_->open(phone, old_style), "x");
}

TEST_P(KeyringTest, PlaintextCannotBeStoredInSealedColumns) {
  add_manufacturer("m-1");
  auto r = db_->transact(TxMode::kWrite, [&](storage::Connection& c) {
    return c.execute(
        "INSERT INTO manufacturer_profiles (manufacturer_id, tax_id_sealed, created_at, updated_at) "
        "VALUES ('m-1', 'DE811125440', 1, 1)");
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, platform::ErrorCode::kConflict) << "a CHECK constraint refuses it";
}

TEST_P(KeyringTest, TwoNodesCreatingATenantKeyAtOnceAgreeOnOne) {
  auto other = make_ring(kMasterA);
  std::vector<std::string> tenants;
  for (int i = 0; i < 20; ++i) tenants.push_back("t-" + std::to_string(i));
  std::thread a([&] {
    for (const auto& t : tenants) EXPECT_TRUE(ring_->prepare(t).has_value());
  });
  std::thread b([&] {
    for (const auto& t : tenants) EXPECT_TRUE(other->prepare(t).has_value());
  });
  a.join();
  b.join();
  EXPECT_EQ(count("SELECT COUNT(*) FROM data_keys WHERE tenant_id LIKE 't-%'"), 20);
  for (const auto& t : tenants) {
    const FieldRef ref{t, "x", "y", "z"};
    EXPECT_EQ(*other->open(ref, *ring_->seal(ref, "v")), "v");
  }
}

TEST_P(KeyringTest, Aes256GcmWhenTheCpuHasIt) {
  if (!security::algorithm_available(security::Algorithm::kAes256Gcm)) GTEST_SKIP() << "no AES-NI";
  add_manufacturer("m-1");
  const FieldRef ref{"m-1", "manufacturer_profiles", "phone", "m-1"};
  const auto chacha = *ring_->seal(ref, "+4930901820");
  security::KeyringOptions o;
  o.algorithm = security::Algorithm::kAes256Gcm;
  auto aes_node = make_ring(kMasterA, o);
  ASSERT_TRUE(aes_node->rotate(kActor).has_value());  // new data keys from now on are AES-256-GCM
  const auto aes = *aes_node->seal(ref, "+4930901821");
  EXPECT_TRUE(aes.starts_with("ew1:v2:aesgcm:")) << aes;
  EXPECT_EQ(*aes_node->open(ref, chacha), "+4930901820");
  EXPECT_EQ(*ring_->open(ref, aes), "+4930901821") << "any node opens either algorithm";
  auto tampered = aes;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(outcome(ring_->open(ref, tampered)), "authentication_failed");
  EXPECT_EQ(security::key_status(*ring_)->versions.back().version, 2);
}

TEST_P(KeyringTest, EncryptManufacturerDataDocuments) {
  add_manufacturer("m-1");
  security::Envelope envelope(*ring_, clock_);
  const security::DocumentRef ref{"m-1", "manufacturer_documents", "bank_details", "doc-1"};
  const nlohmann::json data = {{"iban", "DE89370400440532013000"}, {"holder", "Acme Optics GmbH"}, {"limit", 5000}};
  auto doc = envelope.encrypt_manufacturer_data(ref, data);
  ASSERT_TRUE(doc.has_value());
  const auto j = doc->to_json();
  EXPECT_TRUE(j["encrypted_payload"].get<std::string>().starts_with("ew1:v1:xchacha:"));
  EXPECT_EQ(j["encryption_metadata"]["algorithm"], "xchacha20poly1305");
  EXPECT_EQ(j["encryption_metadata"]["key_version"], 1);
  EXPECT_EQ(j["encryption_metadata"]["encrypted_at"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(j.dump().find("DE89370400440532013000"), std::string::npos);
  auto parsed = security::EncryptedDocument::from_json(j);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*envelope.decrypt_manufacturer_data(ref, *parsed), data);

  auto lying = j;
  lying["encryption_metadata"]["key_version"] = 2;
  EXPECT_EQ(outcome(envelope.decrypt_manufacturer_data(ref, *security::EncryptedDocument::from_json(lying))),
            "malformed");
  add_manufacturer("m-2");
  EXPECT_EQ(outcome(envelope.decrypt_manufacturer_data({"m-2", ref.table, ref.column, ref.row}, *parsed)),
            "wrong_tenant");
  EXPECT_EQ(outcome(envelope.decrypt_manufacturer_data({"m-1", ref.table, ref.column, "doc-2"}, *parsed)),
            "authentication_failed");
  auto missing = j;
  missing["encryption_metadata"].erase("algorithm");
  const auto refused = security::EncryptedDocument::from_json(missing);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(std::get<std::string>(*refused.error().detail("field")), "encryption_metadata.algorithm");
}

TEST_P(KeyringTest, IdentitysSealerOverTheKeyring) {
  auto sealer = app::make_keyring_sealer(*ring_);
  const auto sealed = sealer->seal("JBSWY3DPEHPK3PXP", "accounts.mfa_secret:acc-1");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_TRUE(sealed->starts_with("ew1:v1:xchacha:"));
  EXPECT_EQ(*sealer->open(*sealed, "accounts.mfa_secret:acc-1"), "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(*ring_->open({security::kPlatformTenant, "accounts", "mfa_secret", "acc-1"}, *sealed), "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(outcome(sealer->open(*sealed, "accounts.mfa_secret:acc-2")), "authentication_failed")
      << "moved to another account";
  EXPECT_EQ(outcome(sealer->open(*sealed, "accounts.mfa_pending:acc-1")), "authentication_failed");
  for (const char* bad : {"accounts", "accounts.mfa_secret", "accounts.mfa_secret:", ".x:1", "accounts.:1"}) {
    EXPECT_EQ(sealer->seal("x", bad).error().code, platform::ErrorCode::kInternal) << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyringTest, ::testing::Values("sqlite", "postgres"), backend_name);

}  // namespace
}  // namespace eyewear::testing
