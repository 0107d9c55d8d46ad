#include "platform/json_lines.hpp"

#include "platform/json_depth.hpp"

namespace eyewear::platform {

std::vector<JsonLine> parse_json_lines(std::string_view body) {
  std::vector<JsonLine> out;
  std::size_t pos = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  std::size_t line_number = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    auto line = body.substr(pos, end - pos);
    const std::size_t start = pos;
    pos = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    JsonLine& l = out.emplace_back();
    l.line = line_number;
    l.offset = start;
    l.depth = json_nesting_depth(line, kJsonLineDepthCap);
    l.value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  }
  return out;
}

}  // namespace eyewear::platform
