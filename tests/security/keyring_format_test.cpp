// The sealed-value format and the AEAD/key-wrapping primitives, without storage.
#include "security/keyring_format.hpp"

#include <gtest/gtest.h>

namespace eyewear::security {
namespace {

platform::SecureRandom random_source;

TEST(KeyringFormatTest, HeaderRoundTripsAndParsesStrictly) {
  const auto header = format_header(12, Algorithm::kXChaCha20Poly1305, "0123456789abcdef");
  EXPECT_EQ(header, "ew1:v12:xchacha:0123456789abcdef:");
  const auto sealed = header + "QUJD";
  const auto h = parse_sealed(sealed);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->version, 12);
  EXPECT_EQ(h->algorithm, Algorithm::kXChaCha20Poly1305);
  EXPECT_EQ(h->kid, "0123456789abcdef");
  EXPECT_EQ(h->header, header);
  EXPECT_EQ(h->payload, "QUJD");
  EXPECT_EQ(parse_sealed(format_header(1, Algorithm::kAes256Gcm, "ffffffffffffffff") + "QUJD")->algorithm,
            Algorithm::kAes256Gcm);
  const auto reason_of = [](std::string_view s) {
    auto r = parse_sealed(s);
    return r ? std::string("ok") : std::string(failure_name(*open_failure_of(r.error())));
  };
  EXPECT_EQ(reason_of("ew1:v1:xchacha:0123456789ABCDEF:QUJD"), "malformed") << "kid is lower-case hex";
  EXPECT_EQ(reason_of("ew1:v1:xchacha:0123456789abcde:QUJD"), "malformed");
  EXPECT_EQ(reason_of("ew1:v01:xchacha:0123456789abcdef:QUJD"), "malformed");
  EXPECT_EQ(reason_of("ew1:v99999999999:xchacha:0123456789abcdef:QUJD"), "malformed");
  EXPECT_EQ(reason_of("ew1:v1:xchacha:0123456789abcdef:QU:JD"), "malformed");
  EXPECT_EQ(reason_of("ew1:v1:xchacha:0123456789abcdef:QU=D"), "malformed");
  EXPECT_EQ(reason_of("ew10:v1:xchacha:0123456789abcdef:QUJD"), "unsupported_format");
  EXPECT_EQ(reason_of("ewx:v1:xchacha:0123456789abcdef:QUJD"), "malformed");
  EXPECT_EQ(reason_of("ew1:v1:chacha:0123456789abcdef:QUJD"), "unsupported_algorithm");
  EXPECT_EQ(reason_of(std::string("ew1:v1:xchacha:0123456789abcdef:QU\0D", 36)), "malformed");
}

TEST(KeyringFormatTest, AssociatedDataIsUnambiguous) {
  const auto h = "ew1:v1:xchacha:0123456789abcdef:";
  EXPECT_NE(field_associated_data(h, {"ab", "c", "d", "e"}), field_associated_data(h, {"a", "bc", "d", "e"}));
  EXPECT_NE(field_associated_data(h, {"a", "b", "c", "d"}), field_associated_data(h, {"a", "b", "cd", ""}));
  EXPECT_EQ(field_associated_data(h, {"a", "b", "c", "d"}), field_associated_data(h, {"a", "b", "c", "d"}));
}

TEST(KeyringFormatTest, AeadRoundTripAndTamperForBothAlgorithms) {
  for (auto alg : {Algorithm::kXChaCha20Poly1305, Algorithm::kAes256Gcm}) {
    if (!algorithm_available(alg)) continue;
    const auto key = SecretKey::generate(random_source);
    const auto box = aead_seal(alg, key, "secret", "ad", random_source);
    EXPECT_EQ(box.size(), 6 + aead_overhead(alg));
    std::string out;
    ASSERT_TRUE(aead_open(alg, key, box, "ad", out));
    EXPECT_EQ(out, "secret");
    EXPECT_FALSE(aead_open(alg, key, box, "AD", out)) << "other associated data";
    EXPECT_TRUE(out.empty());
    auto tampered = box;
    tampered[box.size() / 2] ^= 1;
    EXPECT_FALSE(aead_open(alg, key, tampered, "ad", out));
    EXPECT_FALSE(aead_open(alg, SecretKey::generate(random_source), box, "ad", out)) << "another key";
    EXPECT_FALSE(aead_open(alg, key, box.substr(0, aead_overhead(alg) - 1), "ad", out));
    ASSERT_TRUE(aead_open(alg, key, aead_seal(alg, key, "", "ad", random_source), "ad", out)) << "empty plaintext";
    EXPECT_EQ(out, "");
  }
}

TEST(KeyringFormatTest, WrappedKeysOnlyUnwrapInTheirContext) {
  const auto kek = SecretKey::generate(random_source);
  const auto key = SecretKey::generate(random_source);
  const auto wrapped = wrap_key(kek, key, "context-1", random_source);
  const auto back = unwrap_key(kek, wrapped, "context-1");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(back->data()), 32),
            std::string_view(reinterpret_cast<const char*>(key.data()), 32));
  EXPECT_FALSE(unwrap_key(kek, wrapped, "context-2").has_value());
  EXPECT_FALSE(unwrap_key(SecretKey::generate(random_source), wrapped, "context-1").has_value());
  EXPECT_FALSE(unwrap_key(kek, "not base64!", "context-1").has_value());
  EXPECT_EQ(master_fingerprint(kek), master_fingerprint(kek));
  EXPECT_NE(master_fingerprint(kek), master_fingerprint(key));
  EXPECT_EQ(master_fingerprint(kek).size(), 32u);
}

TEST(KeyringFormatTest, FailureNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(OpenFailure::kWrongMasterKey); ++i) {
    const auto f = static_cast<OpenFailure>(i);
    const auto e = decryption_error(f, "x");
    EXPECT_EQ(e.code, platform::ErrorCode::kDecryptionFailed);
    EXPECT_EQ(open_failure_of(e), f);
  }
  EXPECT_FALSE(open_failure_of(platform::Error::internal_error("x")).has_value());
}

}  // namespace
}  // namespace eyewear::security
