// Facts about this process for /metrics: resident memory, open descriptors, start time.
#pragma once

#include <cstdint>
#include <optional>

namespace eyewear::platform {

[[nodiscard]] std::optional<std::uint64_t> resident_memory_bytes();
[[nodiscard]] std::optional<std::uint64_t> open_file_descriptors();
[[nodiscard]] std::optional<std::uint64_t> max_file_descriptors();
[[nodiscard]] double process_cpu_seconds();

}  // namespace eyewear::platform
