// An NDJSON body read line by line: each non-blank line parsed (simdjson, through JsonReader,
// so a line is JSON exactly when nlohmann would read it), handed to a visitor and dropped. The
// threat screen and the bulk handler each read the body this way; parsing a line costs a few
// microseconds, so reading it twice is cheaper than holding thousands of parsed lines.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include "platform/json_node.hpp"

namespace eyewear::platform {

inline constexpr int kJsonLineDepthCap = 64;

struct JsonLine {
  std::size_t line = 0;    // 1-based line of the body; blank lines are counted, not visited
  std::size_t offset = 0;  // byte offset of the line in the body
  std::string_view text;   // the line, without its trailing blanks
  std::optional<SimdNode> value;  // empty when the line is not JSON; valid during the visit only
  bool value_is_text = false;     // `value` was parsed from `text` itself (JsonReader)

  // The line's nesting depth, counted up to kJsonLineDepthCap + 1: computed when asked (the
  // threat screen never asks), from the parsed document when it holds all of the text, else
  // from the text (json_nesting_depth). Both count the same brackets.
  [[nodiscard]] int depth() const;
};

// Visits the non-blank lines of `body` in order (a UTF-8 byte order mark at its start is skipped;
// a line's trailing spaces, tabs and carriage return are not part of it); stops when `visit`
// returns false. Lines are parsed however deep they nest, up to simdjson's 1,024 levels (a line
// deeper than that has no value).
void for_each_json_line(std::string_view body, const std::function<bool(const JsonLine&)>& visit);

}  // namespace eyewear::platform
