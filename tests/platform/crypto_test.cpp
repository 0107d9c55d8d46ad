#include "platform/crypto.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace eyewear::platform {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(CryptoTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(CryptoTest, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secrets"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST_F(CryptoTest, EncodingsRoundTripAndRejectGarbage) {
  const std::string bytes("\x00\xff\x10 binary\x7f", 11);
  EXPECT_EQ(*from_hex(to_hex(bytes)), bytes);
  EXPECT_EQ(*base64url_decode(base64url_encode(bytes)), bytes);
  EXPECT_EQ(*base64_decode(base64_encode(bytes)), bytes);
  EXPECT_EQ(*base32_decode(base32_encode(bytes)), bytes);
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
  EXPECT_FALSE(base64url_decode("***").has_value());
  EXPECT_FALSE(base32_decode("18").has_value());
}

TEST_F(CryptoTest, Base32MatchesRfc4648Vectors) {
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode("f"), "MY");
  EXPECT_EQ(*base32_decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(*base32_decode("mzxw6ytboi"), "foobar");
}

TEST_F(CryptoTest, SecureWipeClears) {
  std::string s = "password";
  secure_wipe(s);
  EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace eyewear::platform
