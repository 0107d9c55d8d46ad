// Quota periods are UTC calendar months named in the data ("2026-11"), so a new month starts with
// zero usage by itself and past months stay as history.
#pragma once

#include <cstdint>
#include <string>

#include "platform/clock.hpp"

namespace eyewear::authz {

[[nodiscard]] std::string period_of(platform::SystemTime t);      // "2026-11"
[[nodiscard]] std::string day_of(platform::SystemTime t);         // "2026-11-22"
[[nodiscard]] std::int64_t period_start_ms(platform::SystemTime t);
[[nodiscard]] std::int64_t next_period_start_ms(platform::SystemTime t);

}  // namespace eyewear::authz
