// Typed query parameters shared by the listing routes: errors name the parameter and the rule.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/types.hpp"
#include "platform/error.hpp"

namespace eyewear::http {

// An integer query parameter in [min, max], or `fallback` when absent.
[[nodiscard]] platform::Result<std::int64_t> int_param(const Exchange& ex, std::string_view name, std::int64_t fallback,
                                                       std::int64_t min, std::int64_t max);

// An RFC 3339 time as Unix milliseconds, or 0 when absent.
[[nodiscard]] platform::Result<std::int64_t> time_param(const Exchange& ex, std::string_view name);

}  // namespace eyewear::http
