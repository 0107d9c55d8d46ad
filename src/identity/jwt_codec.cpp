#include "identity/jwt_codec.hpp"

#include "platform/logging.hpp"

namespace eyewear::identity::jwt_codec {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  std::optional<Object> object() {
    Object out;
    ws();
    if (!eat('{')) return std::nullopt;
    ws();
    if (eat('}')) return finish(std::move(out));
    for (;;) {
      ws();
      auto key = string();
      if (!key) return std::nullopt;
      ws();
      if (!eat(':')) return std::nullopt;
      ws();
      auto v = value();
      if (!v) return std::nullopt;
      if (!out.emplace(std::move(*key), std::move(*v)).second) return std::nullopt;  // duplicate key
      ws();
      if (eat(',')) continue;
      if (eat('}')) return finish(std::move(out));
      return std::nullopt;
    }
  }

 private:
  std::optional<Object> finish(Object o) {
    ws();
    if (i_ != s_.size()) return std::nullopt;
    return o;
  }

  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::optional<std::uint32_t> hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = hex(s_[i_++]);
      if (h < 0) return std::nullopt;
      v = v * 16 + static_cast<std::uint32_t>(h);
    }
    return v;
  }

  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      // Copy the run up to the next quote, backslash or control character in one go.
      const std::size_t start = i_;
      while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' && static_cast<unsigned char>(s_[i_]) >= 0x20) ++i_;
      out.append(s_.data() + start, i_ - start);
      if (i_ >= s_.size()) return std::nullopt;
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') return std::nullopt;  // a control character
      if (i_ >= s_.size()) return std::nullopt;
      switch (s_[i_++]) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp <= 0xDBFF) {  // surrogate pair
            if (!literal("\\u")) return std::nullopt;
            auto lo = hex4();
            if (!lo || *lo < 0xDC00 || *lo > 0xDFFF) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*lo - 0xDC00);
          } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
            return std::nullopt;
          }
          put_utf8(out, *cp);
          break;
        }
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<Value> value() {
    if (i_ >= s_.size()) return std::nullopt;
    const char c = s_[i_];
    if (c == '"') {
      auto v = string();
      if (!v) return std::nullopt;
      return Value(std::move(*v));
    }
    if (c == '[') {
      ++i_;
      std::vector<std::string> items;
      ws();
      if (eat(']')) return Value(std::move(items));
      for (;;) {
        ws();
        auto item = string();
        if (!item) return std::nullopt;
        items.push_back(std::move(*item));
        ws();
        if (eat(',')) continue;
        if (eat(']')) return Value(std::move(items));
        return std::nullopt;
      }
    }
    if (literal("true")) return Value(true);
    if (literal("false")) return Value(false);
    if (c == '-' || (c >= '0' && c <= '9')) {
      bool negative = eat('-');
      if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return std::nullopt;
      if (s_[i_] == '0' && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') return std::nullopt;
      std::uint64_t v = 0;
      int digits = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (++digits > 18) return std::nullopt;  // no overflow possible below 10^18
        v = v * 10 + static_cast<std::uint64_t>(s_[i_++] - '0');
      }
      if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return std::nullopt;
      const auto signed_v = static_cast<std::int64_t>(v);
      return Value(negative ? -signed_v : signed_v);
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<Object> parse(std::string_view text) { return Parser(text).object(); }

std::string serialize(const Object& object) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : object) {
    if (!first) out.push_back(',');
    first = false;
    platform::append_json_string(out, key);
    out.push_back(':');
    if (const auto* s = std::get_if<std::string>(&value)) {
      platform::append_json_string(out, *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      out += std::to_string(*i);
    } else if (const auto* b = std::get_if<bool>(&value)) {
      out += *b ? "true" : "false";
    } else {
      out.push_back('[');
      bool first_item = true;
      for (const auto& item : std::get<std::vector<std::string>>(value)) {
        if (!first_item) out.push_back(',');
        first_item = false;
        platform::append_json_string(out, item);
      }
      out.push_back(']');
    }
  }
  out.push_back('}');
  return out;
}

const std::string* get_string(const Object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : std::get_if<std::string>(&it->second);
}

std::optional<std::int64_t> get_int(const Object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
  return std::nullopt;
}

}  // namespace eyewear::identity::jwt_codec
