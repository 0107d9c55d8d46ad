// The word-at-a-time ASCII scans (platform/ascii.hpp) stop exactly where a byte loop would: every
// byte value at every offset of strings of 1 to 24 bytes, from every start, and random strings.
#include "platform/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/mixed_bytes.hpp"

namespace eyewear::platform::ascii {
namespace {

std::size_t naive_printable(std::string_view s, std::size_t from) {
  while (from < s.size() && static_cast<unsigned char>(s[from]) >= 0x20 && static_cast<unsigned char>(s[from]) < 0x7F)
    ++from;
  return from;
}

std::size_t naive_ascii(std::string_view s, std::size_t from) {
  while (from < s.size() && static_cast<unsigned char>(s[from]) < 0x80) ++from;
  return from;
}

TEST(AsciiScanTest, StopsAtTheFirstByteOfAnotherKind) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t len = 1; len <= 24; ++len) {
      for (std::size_t at = 0; at < len; ++at) {
        std::string s(len, 'k');
        s[at] = static_cast<char>(byte);
        for (std::size_t from = 0; from <= len; ++from) {
          ASSERT_EQ(skip_printable(s, from), naive_printable(s, from)) << byte << " at " << at << " from " << from;
          ASSERT_EQ(skip_ascii(s, from), naive_ascii(s, from)) << byte << " at " << at << " from " << from;
        }
      }
    }
  }
  testing::MixedBytes mixed(7);
  for (int n = 0; n < 20'000; ++n) {
    const auto s = mixed.next(39, 3);
    ASSERT_EQ(skip_printable(s, 0), naive_printable(s, 0)) << n;
    ASSERT_EQ(skip_ascii(s, 0), naive_ascii(s, 0)) << n;
  }
}

}  // namespace
}  // namespace eyewear::platform::ascii
