// An NDJSON body split into its lines and parsed once, so that every reader of an upload (the
// threat screen, the bulk handler) walks the same documents instead of parsing the body again.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
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

struct JsonLines {
  std::vector<JsonLine> lines;  // the first `keep` non-blank lines, parsed
  // Where the body goes on past them (not parsed; empty when every line was kept), so that
  // the parsed documents held at once stay bounded by what a reader can use.
  std::string_view rest;
  std::size_t rest_offset = 0;  // of `rest` in the body
  std::size_t rest_line = 0;    // lines of the body before `rest`
};

// The non-blank lines of `body`, at most `keep` of them (a UTF-8 byte order mark at its start is
// skipped; a line's trailing spaces, tabs and carriage return are not part of it).
[[nodiscard]] JsonLines parse_json_lines(std::string_view body,
                                         std::size_t keep = std::numeric_limits<std::size_t>::max());

// Parses the lines of `lines.rest` one at a time, as parse_json_lines would, handing each to
// `visit` and keeping none; stops when `visit` returns false.
void for_each_rest_line(const JsonLines& lines, const std::function<bool(const JsonLine&)>& visit);

// Every line: the kept ones, then the rest as for_each_rest_line reads them; stops when `visit`
// returns false.
void for_each_json_line(const JsonLines& lines, const std::function<bool(const JsonLine&)>& visit);

}  // namespace eyewear::platform
