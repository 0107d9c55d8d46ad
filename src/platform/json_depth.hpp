// How deeply a JSON text nests, counted without parsing it (strings and escapes respected), so
// that a parser is never handed a document deeper than a route allows.
#pragma once

#include <string_view>

namespace eyewear::platform {

// The deepest nesting of objects and arrays in `text`; stops counting once it passes `limit`.
[[nodiscard]] int json_nesting_depth(std::string_view text, int limit);

}  // namespace eyewear::platform
