#include "platform/json_lines.hpp"

#include "platform/json_depth.hpp"

namespace eyewear::platform {

void for_each_json_line(std::string_view body, const std::function<bool(const JsonLine&)>& visit) {
  JsonReader reader;
  std::size_t pos = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  std::size_t line_number = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    auto text = body.substr(pos, end - pos);
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.find_first_not_of(" \t") != std::string_view::npos) {
      JsonLine l;
      l.line = line_number + 1;
      l.offset = pos;
      l.depth = json_nesting_depth(text, kJsonLineDepthCap);
      l.value = reader.read(text);
      if (!visit(l)) return;
    }
    pos = end + 1;
    ++line_number;
  }
}

}  // namespace eyewear::platform
