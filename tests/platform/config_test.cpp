#include "platform/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace eyewear::platform {
namespace {

TEST(ConfigTest, DefaultsApplyWithoutEnvironment) {
  auto c = load_config({});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->http.host, "127.0.0.1");
  EXPECT_EQ(c->http.port, 8080);
  EXPECT_EQ(c->effective_database_url(), "sqlite:./data/eyewear.db");
  EXPECT_EQ(c->http.max_body_bytes, 1024u * 1024u);
  EXPECT_TRUE(c->database.migrate_on_start);
}

TEST(ConfigTest, EnvironmentOverridesDefaults) {
  auto c = load_config({{"EYEWEAR_PORT", "9090"},
                        {"EYEWEAR_DATA_DIR", "/srv/eyewear"},
                        {"EYEWEAR_READ_TIMEOUT", "1500ms"},
                        {"EYEWEAR_DRAIN_TIMEOUT", "2m"},
                        {"EYEWEAR_MAX_BODY_BYTES", "512KiB"},
                        {"EYEWEAR_CORS_ORIGINS", "https://a.example, https://b.example"},
                        {"EYEWEAR_BEHIND_TLS", "yes"},
                        {"EYEWEAR_SLOW_THRESHOLDS", "http.request=200ms,db.query=20ms"}});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->http.port, 9090);
  EXPECT_EQ(c->effective_database_url(), "sqlite:/srv/eyewear/eyewear.db");
  EXPECT_EQ(c->http.read_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->http.drain_timeout, std::chrono::minutes(2));
  EXPECT_EQ(c->http.max_body_bytes, 512u * 1024u);
  EXPECT_EQ(c->http.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(c->http.behind_tls);
  EXPECT_EQ(c->perf.thresholds.at("db.query"), std::chrono::milliseconds(20));
}

TEST(ConfigTest, InvalidValueNamesTheVariable) {
  auto c = load_config({{"EYEWEAR_PORT", "70000"}});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kValidationFailed);
  ASSERT_NE(c.error().detail("field"), nullptr);
  EXPECT_EQ(std::get<std::string>(*c.error().detail("field")), "EYEWEAR_PORT");

  auto d = load_config({{"EYEWEAR_READ_TIMEOUT", "soon"}});
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(std::get<std::string>(*d.error().detail("field")), "EYEWEAR_READ_TIMEOUT");

  auto e = load_config({{"EYEWEAR_DATABASE_URL", "mysql://x"}});
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(std::get<std::string>(*e.error().detail("field")), "EYEWEAR_DATABASE_URL");
}

TEST(ConfigTest, CrossFieldRulesAreChecked) {
  auto c = load_config({{"EYEWEAR_MAX_BODY_BYTES", "10MiB"}, {"EYEWEAR_MAX_UPLOAD_BYTES", "1MiB"}});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(std::get<std::string>(*c.error().detail("field")), "EYEWEAR_MAX_BODY_BYTES");
}

TEST(ConfigTest, DescribeMasksSecrets) {
  auto c = load_config({{"EYEWEAR_DATABASE_URL", "postgresql://app:s3cret@db.internal:5432/eyewear"}});
  ASSERT_TRUE(c.has_value());
  bool found = false;
  for (const auto& s : describe_config(*c, {{"EYEWEAR_DATABASE_URL", "x"}})) {
    EXPECT_EQ(s.value.find("s3cret"), std::string::npos) << s.name;
    if (s.name == "EYEWEAR_DATABASE_URL") {
      found = true;
      EXPECT_EQ(s.value, "postgresql://app:****@db.internal:5432/eyewear");
      EXPECT_TRUE(s.from_environment);
    }
  }
  EXPECT_TRUE(found);
}

TEST(ConfigTest, ParsersAcceptDocumentedForms) {
  EXPECT_EQ(*parse_duration("30"), std::chrono::seconds(30));
  EXPECT_EQ(*parse_duration("15m"), std::chrono::minutes(15));
  EXPECT_EQ(*parse_duration("24h"), std::chrono::hours(24));
  EXPECT_EQ(*parse_duration("30d"), std::chrono::hours(24 * 30));
  EXPECT_FALSE(parse_duration("-1s").has_value());
  EXPECT_FALSE(parse_duration("5 weeks").has_value());
  EXPECT_EQ(*parse_size("64MiB"), 64u * 1024u * 1024u);
  EXPECT_EQ(*parse_size("1024"), 1024u);
  EXPECT_FALSE(parse_size("lots").has_value());
  EXPECT_TRUE(*parse_bool("on"));
  EXPECT_FALSE(*parse_bool("0"));
  EXPECT_FALSE(parse_bool("maybe").has_value());
  EXPECT_EQ(mask_url_password("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(mask_url_password("postgresql://h/db?user=u&password=pw&x=1"), "postgresql://h/db?user=u&password=****&x=1");
}

}  // namespace
}  // namespace eyewear::platform

namespace eyewear::platform {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The operator's references list every setting the binary knows: a new setting without its
// documentation fails here, not in production.
TEST(ConfigTest, EverySettingIsDocumentedAndInTheExampleEnvironment) {
  const auto reference = read_text(std::string(EYEWEAR_SOURCE_DIR) + "/docs/CONFIGURATION.md");
  const auto example = read_text(std::string(EYEWEAR_SOURCE_DIR) + "/.env.example");
  ASSERT_FALSE(reference.empty());
  ASSERT_FALSE(example.empty());
  auto config = load_config({});
  ASSERT_TRUE(config);
  for (const auto& s : describe_config(*config, {})) {
    EXPECT_NE(reference.find("`" + s.name + "`"), std::string::npos) << s.name << " is missing from docs/CONFIGURATION.md";
    EXPECT_NE(example.find(s.name + "="), std::string::npos) << s.name << " is missing from .env.example";
  }
}

TEST(ConfigTest, RatesParseAndRefuseNonsense) {
  auto c = load_config({{"EYEWEAR_RATE_LIMIT_IP", "120/30s"}, {"EYEWEAR_RATE_LIMIT_IP_BURST", "5"},
                        {"EYEWEAR_RATE_LIMIT_API_KEY", "off"}, {"EYEWEAR_REDIS_URL", "redis://:pw@cache:6380/2"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->rate_limit.ip.count, 120);
  EXPECT_EQ(c->rate_limit.ip.period, std::chrono::seconds(30));
  EXPECT_EQ(c->rate_limit.ip.burst, 5);
  EXPECT_EQ(c->rate_limit.api_key.count, 0);
  for (const auto& s : describe_config(*c, {})) {
    if (s.name == "EYEWEAR_REDIS_URL") {
      EXPECT_EQ(s.value.find("pw"), std::string::npos) << s.value;
    }
    if (s.name == "EYEWEAR_RATE_LIMIT_IP") {
      EXPECT_EQ(s.value, "120/30s");
    }
  }
  for (const char* bad : {"60", "x/1m", "60/", "0/1m", "60/0s", "60/1y"}) {
    auto r = load_config({{"EYEWEAR_RATE_LIMIT_IP", bad}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(std::get<std::string>(*r.error().detail("field")), "EYEWEAR_RATE_LIMIT_IP");
  }
  auto pw_only = load_config({{"EYEWEAR_REDIS_URL", "redis://sekret@cache"}});
  ASSERT_TRUE(pw_only);
  for (const auto& s : describe_config(*pw_only, {})) {
    if (s.name == "EYEWEAR_REDIS_URL") {
      EXPECT_EQ(s.value, "redis://****@cache");
    }
  }
  EXPECT_FALSE(load_config({{"EYEWEAR_REDIS_URL", "http://cache"}}));
}

}  // namespace
}  // namespace eyewear::platform
