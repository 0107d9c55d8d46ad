// The small JSON dialect of JWT headers and claim sets: one flat object whose values are
// strings, integers, booleans or arrays of strings. A dedicated codec instead of a general JSON
// library keeps token issue and verification in the low microseconds (a general DOM parse cost
// about ten). Input is untrusted (a header is read before its signature is checked): anything
// outside the dialect is rejected, never crashes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace eyewear::identity::jwt_codec {

using Value = std::variant<std::string, std::int64_t, bool, std::vector<std::string>>;
using Object = std::map<std::string, Value, std::less<>>;

// Parses a flat JSON object; nullopt for anything else (nesting, floats, duplicate keys, bad
// escapes, trailing bytes).
[[nodiscard]] std::optional<Object> parse(std::string_view text);

// Serialises in key order.
[[nodiscard]] std::string serialize(const Object& object);

[[nodiscard]] const std::string* get_string(const Object& o, std::string_view key);
[[nodiscard]] std::optional<std::int64_t> get_int(const Object& o, std::string_view key);

}  // namespace eyewear::identity::jwt_codec
