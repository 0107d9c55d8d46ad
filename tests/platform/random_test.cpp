#include "platform/random.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace eyewear::platform {
namespace {

TEST(RandomTest, UuidV7IsWellFormedAndTimeOrdered) {
  ManualClock clock(from_unix_ms(1'700'000'000'000));
  SecureRandom random;
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const auto a = new_uuid_v7(clock, random);
  clock.advance(std::chrono::milliseconds(1));
  const auto b = new_uuid_v7(clock, random);
  EXPECT_TRUE(std::regex_match(a, shape)) << a;
  EXPECT_LT(a, b);
}

TEST(RandomTest, RequestIdsAreUniqueHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_request_id();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, SeededRandomIsDeterministicAndUniformIsBounded) {
  SeededRandom a(42), b(42);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.uniform(7), 7u);
}

}  // namespace
}  // namespace eyewear::platform
