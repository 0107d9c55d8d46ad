// Randomness as a seam. SecureRandom draws from the OS CSPRNG (libsodium); tests may inject a
// deterministic source. Identifiers are UUIDv7 (time-ordered, index-friendly) built from both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "platform/clock.hpp"

namespace eyewear::platform {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. Thread-safe.
  virtual void fill(std::span<std::uint8_t> out) = 0;

  [[nodiscard]] std::string bytes(std::size_t n);
  [[nodiscard]] std::uint64_t next_u64();
  // Uniform in [0, bound).
  [[nodiscard]] std::uint32_t uniform(std::uint32_t bound);
};

// libsodium's randombytes_buf: the kernel CSPRNG.
class SecureRandom final : public Random {
 public:
  SecureRandom();
  void fill(std::span<std::uint8_t> out) override;
};

// Deterministic xoshiro256** stream for tests and generators; NOT for secrets.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::uint64_t s_[4];
};

// A UUIDv7 (RFC 9562) as lowercase text: 48-bit unix ms timestamp then 74 random bits.
[[nodiscard]] std::string new_uuid_v7(const Clock& clock, Random& random);

// A 128-bit request identifier as 32 hex characters from a fast thread-local generator seeded
// from the CSPRNG. Request ids are correlation handles, not secrets.
[[nodiscard]] std::string new_request_id();

}  // namespace eyewear::platform
