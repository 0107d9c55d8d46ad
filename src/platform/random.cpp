#include "platform/random.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace eyewear::platform {

std::string Random::bytes(std::size_t n) {
  std::string out(n, '\0');
  fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), n));
  return out;
}

std::uint64_t Random::next_u64() {
  std::uint64_t v = 0;
  fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&v), sizeof v));
  return v;
}

std::uint32_t Random::uniform(std::uint32_t bound) {
  if (bound == 0) return 0;
  // Rejection sampling removes modulo bias.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    const std::uint64_t v = next_u64();
    if (v < limit) return static_cast<std::uint32_t>(v % bound);
  }
}

SecureRandom::SecureRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

void SecureRandom::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t xoshiro_next(std::uint64_t* s) {
  const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}
}  // namespace

SeededRandom::SeededRandom(std::uint64_t seed) {
  for (auto& v : s_) v = splitmix(seed);
}

void SeededRandom::fill(std::span<std::uint8_t> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    const std::uint64_t v = xoshiro_next(s_);
    const std::size_t n = std::min<std::size_t>(8, out.size() - i);
    std::memcpy(out.data() + i, &v, n);
    i += n;
  }
}

std::string new_uuid_v7(const Clock& clock, Random& random) {
  std::array<std::uint8_t, 16> b{};
  random.fill(b);
  const auto ms = static_cast<std::uint64_t>(to_unix_ms(clock.now()));
  for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x70);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0F]);
  }
  return out;
}

std::string new_request_id() {
  thread_local std::uint64_t state[4] = {0, 0, 0, 0};
  thread_local bool seeded = false;
  if (!seeded) {
    randombytes_buf(state, sizeof state);
    seeded = true;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = xoshiro_next(state);
    for (int i = 0; i < 16; ++i) {
      out[static_cast<std::size_t>(half * 16 + i)] = hex[v & 0x0F];
      v >>= 4;
    }
  }
  return out;
}

}  // namespace eyewear::platform
