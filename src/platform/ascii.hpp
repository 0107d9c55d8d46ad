// Word-at-a-time scans over runs of ASCII, for the byte scanners every request field passes
// through (the threat screen's control-character and UTF-8 checks, the catalogue's text
// validation): eight bytes are tested together while they are all of the common kind, and the
// caller's byte loop takes over at the first byte that is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace eyewear::platform::ascii {

inline constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// True when a byte of `w` is below 0x20 or at or above 0x7F. Each test is exact for the word as
// a whole: "a byte less than n" for n <= 0x80, and a carry out of a byte only starts at 0xFF,
// which is flagged on its own.
[[nodiscard]] constexpr bool any_unprintable(std::uint64_t w) noexcept {
  const bool control = ((w - kEveryByte * 0x20) & ~w & kHighBits) != 0;
  const bool high = ((w | (w + kEveryByte)) & kHighBits) != 0;
  return control || high;
}

// The first index at or after `from` whose byte is not printable ASCII (0x20-0x7E), or s.size().
[[nodiscard]] inline std::size_t skip_printable(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (any_unprintable(w)) break;
    i += 8;
  }
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7F) break;
    ++i;
  }
  return i;
}

// The first index at or after `from` whose byte is 0x80 or above (not ASCII), or s.size().
[[nodiscard]] inline std::size_t skip_ascii(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((w & kHighBits) != 0) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace eyewear::platform::ascii
