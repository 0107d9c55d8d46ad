#include "identity/totp.hpp"

#include <gtest/gtest.h>

#include "platform/crypto.hpp"

namespace eyewear::identity {
namespace {

const std::string kRfcSecret = "12345678901234567890";

TEST(TotpTest, Rfc4226HotpVectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(hotp(kRfcSecret, counter), expected[counter]) << "counter " << counter;
  }
}

TEST(TotpTest, Rfc6238Sha1Vectors) {
  const std::pair<std::int64_t, const char*> vectors[] = {{59, "94287082"},         {1111111109, "07081804"},
                                                          {1111111111, "14050471"}, {1234567890, "89005924"},
                                                          {2000000000, "69279037"}, {20000000000, "65353130"}};
  TotpParams eight;
  eight.digits = 8;
  for (const auto& [t, code] : vectors) EXPECT_EQ(totp(kRfcSecret, t, eight), code) << "t=" << t;
}

TEST(TotpTest, VerifyAcceptsOneStepEitherSideAndReportsTheStep) {
  const auto now = platform::from_unix_ms(1'800'000'015'000);  // 15 s into a step
  const auto seconds = platform::to_unix_seconds(now);
  const auto step = totp_step(seconds);
  EXPECT_EQ(verify_totp(kRfcSecret, totp(kRfcSecret, seconds), now), step);
  EXPECT_EQ(verify_totp(kRfcSecret, totp(kRfcSecret, seconds - 30), now), step - 1);
  EXPECT_EQ(verify_totp(kRfcSecret, totp(kRfcSecret, seconds + 30), now), step + 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, totp(kRfcSecret, seconds - 60), now).has_value());
  EXPECT_FALSE(verify_totp(kRfcSecret, totp(kRfcSecret, seconds + 60), now).has_value());
  EXPECT_FALSE(verify_totp(kRfcSecret, "12345", now).has_value());
  EXPECT_FALSE(verify_totp(kRfcSecret, "12345a", now).has_value());
  EXPECT_FALSE(verify_totp(kRfcSecret, "", now).has_value());
}

TEST(TotpTest, ProvisioningUriAndQrCode) {
  const auto uri = otpauth_uri("Eyewear", "owner@acme.example", kRfcSecret);
  EXPECT_EQ(uri, "otpauth://totp/Eyewear:owner%40acme.example?secret=" + platform::base32_encode(kRfcSecret) +
                     "&issuer=Eyewear&algorithm=SHA1&digits=6&period=30");
  const auto svg = qr_svg(uri);
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(svg.find("<path fill=\"#000\" d=\"M"), std::string::npos);
}

}  // namespace
}  // namespace eyewear::identity
