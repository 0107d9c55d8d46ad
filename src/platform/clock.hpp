// Time as a seam: production code reads the wall clock through Clock so that lockout windows,
// TOTP steps, quota months and token expiry are testable with ManualClock, without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace eyewear::platform {

using SystemTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC); used for expiry, periods and records.
  [[nodiscard]] virtual SystemTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] SystemTime now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : ms_(to_ms(start)) {}
  [[nodiscard]] SystemTime now() const override { return SystemTime(Millis(ms_.load())); }
  void advance(Millis d) { ms_.fetch_add(d.count()); }
  void set(SystemTime t) { ms_.store(to_ms(t)); }

 private:
  static std::int64_t to_ms(SystemTime t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  }
  std::atomic<std::int64_t> ms_;
};

[[nodiscard]] inline std::int64_t to_unix_ms(SystemTime t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
[[nodiscard]] inline std::int64_t to_unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}
[[nodiscard]] inline SystemTime from_unix_ms(std::int64_t ms) { return SystemTime(Millis(ms)); }

// RFC 3339 / ISO 8601 in UTC with millisecond precision: 2026-11-22T10:00:00.123Z
[[nodiscard]] std::string format_rfc3339(SystemTime t);
// Parses RFC 3339 timestamps (Z or numeric offset, optional fraction); false on bad input.
[[nodiscard]] bool parse_rfc3339(std::string_view text, SystemTime& out);

}  // namespace eyewear::platform
