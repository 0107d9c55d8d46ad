// An NDJSON body split into its lines and parsed once, so that every reader of an upload (the
// threat screen, the bulk handler) walks the same documents instead of parsing the body again.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace eyewear::platform {

struct JsonLine {
  std::size_t line = 0;    // 1-based line of the body; blank lines are counted, not kept
  std::size_t offset = 0;  // byte offset of the line in the body
  int depth = 0;           // nesting depth, counted up to kJsonLineDepthCap + 1
  nlohmann::json value;    // discarded when the line is not JSON
};

inline constexpr int kJsonLineDepthCap = 64;

// The non-blank lines of `body` (a UTF-8 byte order mark at its start is skipped; a line's
// trailing spaces, tabs and carriage return are not part of it).
[[nodiscard]] std::vector<JsonLine> parse_json_lines(std::string_view body);

}  // namespace eyewear::platform
