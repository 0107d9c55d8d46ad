// The security module's settings: parsing, refusal naming the variable, masking, and what the
// binary does with them at start-up.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/keyring_setup.hpp"
#include "platform/config.hpp"
#include "platform/crypto.hpp"
#include "support/environment.hpp"

namespace eyewear::testing {
namespace {

std::string field_of(const platform::Error& e) { return std::get<std::string>(*e.detail("field")); }

TEST(KeyringConfigTest, SettingsParseAndInvalidValuesNameTheVariable) {
  const auto key = platform::base64_encode(std::string(32, 'k'));
  auto c = platform::load_config({{"EYEWEAR_MASTER_KEY", key},
                                  {"EYEWEAR_KEYRING_ALGORITHM", "auto"},
                                  {"EYEWEAR_KEYRING_POLL", "250ms"},
                                  {"EYEWEAR_KEYRING_MIN_VERSION", "3"},
                                  {"EYEWEAR_KEYRING_REWRAP_BATCH", "50"},
                                  {"EYEWEAR_LICENCE_PATTERN", "OPT-[0-9]{6}"},
                                  {"EYEWEAR_PHONE_DEFAULT_REGION", "de"}});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->keyring.master_key, key);
  EXPECT_EQ(c->keyring.algorithm, "auto");
  EXPECT_EQ(c->keyring.poll, std::chrono::milliseconds(250));
  EXPECT_EQ(c->keyring.min_decryption_version, 3);
  EXPECT_EQ(c->keyring.rewrap_batch, 50u);
  EXPECT_EQ(c->validation.licence_pattern, "OPT-[0-9]{6}");
  EXPECT_EQ(c->validation.phone_default_region, "DE");
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"EYEWEAR_MASTER_KEY", "too-short"},
           {"EYEWEAR_MASTER_KEY", platform::base64_encode(std::string(31, 'k'))},
           {"EYEWEAR_KEYRING_ALGORITHM", "rot13"},
           {"EYEWEAR_KEYRING_POLL", "1ms"},
           {"EYEWEAR_KEYRING_MIN_VERSION", "-1"},
           {"EYEWEAR_KEYRING_REWRAP_BATCH", "0"},
           {"EYEWEAR_LICENCE_PATTERN", "OPT-[0-9"},
           {"EYEWEAR_PHONE_DEFAULT_REGION", "DEU"}}) {
    auto bad = platform::load_config({{name, value}});
    ASSERT_FALSE(bad.has_value()) << name << "=" << value;
    EXPECT_EQ(field_of(bad.error()), name);
    if (name == "EYEWEAR_MASTER_KEY") {
      EXPECT_EQ(bad.error().message.find(value), std::string::npos) << "the secret is not echoed";
    }
  }
  const auto shown = platform::describe_config(*c, {});
  for (const auto& s : shown) {
    if (s.name == "EYEWEAR_MASTER_KEY") {
      EXPECT_EQ(s.value, "****");
    }
  }
}

TEST(KeyringConfigTest, MasterKeyComesFromTheVariableAFileOrTheDataDir) {
  TempDir dir;
  platform::SecureRandom random;
  platform::Logger logger(std::make_shared<platform::CaptureSink>(), platform::LogLevel::kInfo);
  platform::Config c;
  c.data_dir = dir.path();
  auto generated = app::keyring_options(c, random, logger);
  ASSERT_TRUE(generated.has_value());
  EXPECT_EQ(generated->master_key.size(), 32u);
  EXPECT_EQ(std::filesystem::status(dir.file("secrets/master.key")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(app::keyring_options(c, random, logger)->master_key, generated->master_key) << "the same key next time";

  c.keyring.master_key_file = dir.file("missing.key");
  auto missing = app::keyring_options(c, random, logger);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(field_of(missing.error()), "EYEWEAR_MASTER_KEY_FILE");

  c.keyring.master_key = platform::base64_encode(std::string(32, 'v'));
  EXPECT_EQ(app::keyring_options(c, random, logger)->master_key, std::string(32, 'v')) << "the variable wins";
}

TEST(KeyringConfigTest, TheBinaryRefusesABadMasterKeyAndMasksAGoodOne) {
  TempDir dir;
  auto [code, out] = run_command({eyewear_binary(), "serve", "--data-dir", dir.path()},
                                 {{"EYEWEAR_MASTER_KEY", "not-base64-of-32-bytes"}});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("EYEWEAR_MASTER_KEY"), std::string::npos) << out;
  EXPECT_EQ(out.find("not-base64-of-32-bytes"), std::string::npos) << "the value is not echoed";
  const auto key = platform::base64_encode(std::string(32, 's'));
  auto [ccode, cout] = run_command({eyewear_binary(), "config"}, {{"EYEWEAR_MASTER_KEY", key}});
  EXPECT_EQ(ccode, 0);
  EXPECT_EQ(cout.find(key), std::string::npos);

  // Another master key than the one the database's keyring was created with: no start.
  ASSERT_EQ(run_command({eyewear_binary(), "keys", "status", "--data-dir", dir.path()}).first, 0);
  auto [wrong, wrong_out] =
      run_command({eyewear_binary(), "keys", "status", "--data-dir", dir.path()}, {{"EYEWEAR_MASTER_KEY", key}});
  EXPECT_EQ(wrong, 1);
  EXPECT_NE(wrong_out.find("does not open keyring version 1"), std::string::npos) << wrong_out;
}

}  // namespace
}  // namespace eyewear::testing
