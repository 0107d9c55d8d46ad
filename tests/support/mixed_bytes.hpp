// Deterministic strings of arbitrary bytes with some letters among them, for the tests of byte
// scanners that work a word at a time: control bytes, quotes and bytes of 0x80 and above land
// next to each other and several to a word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace eyewear::testing {

class MixedBytes {
 public:
  explicit MixedBytes(std::uint64_t seed) : state_(seed) {}

  // Up to `max_len` bytes; about one in `letter_every` is a lower-case letter.
  std::string next(std::size_t max_len, unsigned letter_every) {
    std::string s;
    const std::size_t len = step() % (max_len + 1);
    for (std::size_t k = 0; k < len; ++k) {
      const auto r = static_cast<unsigned>(step() >> 23);
      s += static_cast<char>(r % letter_every == 0 ? 'a' + r % 26 : r);
    }
    return s;
  }

 private:
  std::uint64_t step() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  std::uint64_t state_;
};

}  // namespace eyewear::testing
