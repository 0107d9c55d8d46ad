#include "platform/clock.hpp"

#include <gtest/gtest.h>

namespace eyewear::platform {
namespace {

TEST(ClockTest, Rfc3339RoundTrips) {
  const auto t = from_unix_ms(1795350896123);
  const auto text = format_rfc3339(t);
  EXPECT_EQ(text.size(), 24u);
  EXPECT_EQ(text.back(), 'Z');
  SystemTime parsed;
  ASSERT_TRUE(parse_rfc3339(text, parsed));
  EXPECT_EQ(to_unix_ms(parsed), 1795350896123);
}

TEST(ClockTest, ParsesOffsetsAndRejectsGarbage) {
  SystemTime a, b;
  ASSERT_TRUE(parse_rfc3339("2026-11-01T10:00:00+02:00", a));
  ASSERT_TRUE(parse_rfc3339("2026-11-01T08:00:00Z", b));
  EXPECT_EQ(a, b);
  SystemTime x;
  EXPECT_FALSE(parse_rfc3339("2026-13-01T00:00:00Z", x));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z", x));
  EXPECT_FALSE(parse_rfc3339("yesterday", x));
  EXPECT_FALSE(parse_rfc3339("2026-11-01T08:00:00", x));
  EXPECT_FALSE(parse_rfc3339("2026-11-01T08:00:00Zjunk", x));
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(from_unix_ms(1000));
  EXPECT_EQ(to_unix_ms(clock.now()), 1000);
  clock.advance(std::chrono::minutes(15));
  EXPECT_EQ(to_unix_ms(clock.now()), 1000 + 15 * 60 * 1000);
}

}  // namespace
}  // namespace eyewear::platform
