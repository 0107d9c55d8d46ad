#include "platform/json_lines.hpp"

#include "platform/json_depth.hpp"

namespace eyewear::platform {

namespace {

// Reads the body's lines from `pos` (line numbers after `line_number`); `on_line` returns false to
// stop before the line it was given, which is then left unparsed.
template <typename OnLine>
void read_lines(std::string_view body, std::size_t pos, std::size_t line_number, OnLine&& on_line) {
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    auto text = body.substr(pos, end - pos);
    const std::size_t start = pos;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.find_first_not_of(" \t") != std::string_view::npos) {
      if (!on_line(start, line_number, text)) return;
    }
    pos = end + 1;
    ++line_number;
  }
}

JsonLine parse_line(std::size_t offset, std::size_t line_number, std::string_view text) {
  JsonLine l;
  l.line = line_number + 1;
  l.offset = offset;
  l.depth = json_nesting_depth(text, kJsonLineDepthCap);
  l.value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return l;
}

}  // namespace

JsonLines parse_json_lines(std::string_view body, std::size_t keep) {
  JsonLines out;
  read_lines(body, body.starts_with("\xEF\xBB\xBF") ? 3 : 0, 0,
             [&](std::size_t offset, std::size_t line_number, std::string_view text) {
               if (out.lines.size() == keep) {
                 out.rest = body.substr(offset);
                 out.rest_offset = offset;
                 out.rest_line = line_number;
                 return false;
               }
               out.lines.push_back(parse_line(offset, line_number, text));
               return true;
             });
  return out;
}

void for_each_rest_line(const JsonLines& lines, const std::function<bool(const JsonLine&)>& visit) {
  if (lines.rest.empty()) return;
  // `rest` starts at a line's first byte: offsets in it are shifted back to the body's.
  read_lines(lines.rest, 0, lines.rest_line, [&](std::size_t offset, std::size_t line_number, std::string_view text) {
    return visit(parse_line(lines.rest_offset + offset, line_number, text));
  });
}

void for_each_json_line(const JsonLines& lines, const std::function<bool(const JsonLine&)>& visit) {
  for (const auto& l : lines.lines) {
    if (!visit(l)) return;
  }
  for_each_rest_line(lines, visit);
}

}  // namespace eyewear::platform
