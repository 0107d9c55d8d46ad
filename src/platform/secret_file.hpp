// Secrets kept as files in the data directory: read if present, otherwise generated once and
// written with owner-only permissions (0600), atomically (temp file + rename), so concurrent
// first starts agree on one value.
#pragma once

#include <functional>
#include <string>

#include "platform/error.hpp"

namespace eyewear::platform {

// Returns the file's content, creating it with `generate()` first when it does not exist.
[[nodiscard]] Result<std::string> load_or_create_secret(const std::string& path,
                                                        const std::function<std::string()>& generate);

// Reads a whole file; NOT_FOUND when absent.
[[nodiscard]] Result<std::string> read_file(const std::string& path);
// Writes a file with the given mode atomically.
[[nodiscard]] Status write_file_atomic(const std::string& path, const std::string& content, unsigned mode);

}  // namespace eyewear::platform
