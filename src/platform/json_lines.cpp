#include "platform/json_lines.hpp"

#include "platform/json_depth.hpp"

namespace eyewear::platform {

int JsonLine::depth() const {
  if (value && value_is_text) return value->depth(kJsonLineDepthCap);
  return json_nesting_depth(text, kJsonLineDepthCap);
}

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
      l.text = text;
      l.value = reader.read(text);
      l.value_is_text = reader.read_text_itself();
      if (!visit(l)) return;
    }
    pos = end + 1;
    ++line_number;
  }
}

}  // namespace eyewear::platform
