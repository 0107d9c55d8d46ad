#include "platform/json_depth.hpp"

#include <algorithm>
#include <cstring>

namespace eyewear::platform {

int json_nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      // Most of a document is string contents: jump from quote to quote (memchr is vectorised);
      // a quote closes the string unless an odd run of backslashes escapes it.
      while (true) {
        const auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
        if (q == nullptr) return deepest;  // an unterminated string runs to the end
        const char* slash = q;
        while (slash > p && slash[-1] == '\\') --slash;
        p = q + 1;
        if ((q - slash) % 2 == 0) break;
      }
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace eyewear::platform
