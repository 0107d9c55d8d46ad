#include "platform/json_node.hpp"

#include <algorithm>
#include <cstring>

#include "platform/logging.hpp"

namespace eyewear::platform {

JsonKind NlohmannNode::kind() const {
  switch (v_->type()) {
    case nlohmann::json::value_t::boolean:
      return JsonKind::kBool;
    case nlohmann::json::value_t::number_integer:
      return JsonKind::kInt;
    case nlohmann::json::value_t::number_unsigned:
      return v_->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX) ? JsonKind::kUnsigned : JsonKind::kInt;
    case nlohmann::json::value_t::number_float:
      return JsonKind::kDouble;
    case nlohmann::json::value_t::string:
      return JsonKind::kString;
    case nlohmann::json::value_t::array:
      return JsonKind::kArray;
    case nlohmann::json::value_t::object:
      return JsonKind::kObject;
    default:
      return JsonKind::kNull;  // null; discarded and binary values are never read
  }
}

JsonKind SimdNode::kind() const {
  using simdjson::dom::element_type;
  switch (e_.type()) {
    case element_type::BOOL:
      return JsonKind::kBool;
    case element_type::INT64:
      return JsonKind::kInt;
    case element_type::UINT64:
      return JsonKind::kUnsigned;  // simdjson uses it only above INT64_MAX
    case element_type::DOUBLE:
      return JsonKind::kDouble;
    case element_type::STRING:
      return JsonKind::kString;
    case element_type::ARRAY:
      return JsonKind::kArray;
    case element_type::OBJECT:
      return JsonKind::kObject;
    case element_type::NULL_VALUE:
      return JsonKind::kNull;
  }
  return JsonKind::kNull;
}

std::size_t SimdNode::size() const {
  simdjson::dom::array array;
  if (e_.get_array().get(array) == simdjson::SUCCESS) return array.size();
  if (e_.is_object()) return sorted_members().size();
  return 1;  // as nlohmann counts a scalar
}

constexpr std::size_t kInsertionSortMembers = 32;

SimdNode::Members SimdNode::sorted_members() const {
  Members out;
  simdjson::dom::object object;
  if (e_.get_object().get(object) != simdjson::SUCCESS) return out;
  out.reserve(object.size());
  for (auto field : object) out.emplace_back(field.key, field.value);
  const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (out.size() <= kInsertionSortMembers) {
    // Objects are small and often already in key order (nlohmann writes them so): an insertion
    // sort is stable, needs no buffer and is linear on sorted input, where std::stable_sort
    // allocates one per object.
    for (std::size_t i = 1; i < out.size(); ++i) {
      for (std::size_t j = i; j > 0 && by_key(out[j], out[j - 1]); --j) std::swap(out[j], out[j - 1]);
    }
  } else {
    std::stable_sort(out.begin(), out.end(), by_key);
  }
  // Of a run of equal keys, the last one written wins (nlohmann assigns each in turn).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i + 1 < out.size() && out[i + 1].first == out[i].first) continue;
    out[kept++] = out[i];
  }
  out.resize(kept);
  return out;
}

void SimdNode::dump(std::string& out) const {
  switch (kind()) {
    case JsonKind::kNull:
      out += "null";
      return;
    case JsonKind::kBool:
      out += boolean() ? "true" : "false";
      return;
    case JsonKind::kInt:
      out += std::to_string(integer());
      return;
    case JsonKind::kUnsigned:
      out += std::to_string(e_.get_uint64().value_unsafe());
      return;
    case JsonKind::kDouble:
      out += nlohmann::json(real()).dump();
      return;  // its float format
    case JsonKind::kString:
      append_json_string(out, string(), JsonEscape::kDump);
      return;
    case JsonKind::kArray: {
      out.push_back('[');
      bool first = true;
      items([&](SimdNode item) {
        if (!first) out.push_back(',');
        first = false;
        item.dump(out);
        return true;
      });
      out.push_back(']');
      return;
    }
    case JsonKind::kObject: {
      out.push_back('{');
      bool first = true;
      members([&](std::string_view key, SimdNode value) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key, JsonEscape::kDump);
        out.push_back(':');
        value.dump(out);
        return true;
      });
      out.push_back('}');
      return;
    }
  }
}

std::optional<SimdNode> JsonReader::parse_padded(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the text: it is copied into a buffer that
  // has them, reused from text to text.
  if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING)
    buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
  if (!text.empty()) std::memcpy(buffer_.data(), text.data(), text.size());
  simdjson::dom::element e;
  if (parser_.parse(buffer_.data(), text.size(), false).get(e) != simdjson::SUCCESS) return std::nullopt;
  return SimdNode(e);
}

int SimdNode::depth(int limit) const {
  // Depth first over simdjson's own order (no sorting): only the deepest branch matters.
  const auto walk = [limit](const auto& self, simdjson::dom::element e, int level) -> int {
    using simdjson::dom::element_type;
    const auto type = e.type();
    if (type != element_type::ARRAY && type != element_type::OBJECT) return level;
    int deepest = level + 1;
    if (deepest > limit) return deepest;
    const auto visit = [&](simdjson::dom::element child) {
      const auto t = child.type();
      if (t == element_type::ARRAY || t == element_type::OBJECT)
        deepest = std::max(deepest, self(self, child, level + 1));
      return deepest <= limit;
    };
    if (type == element_type::ARRAY) {
      const simdjson::dom::array array = e.get_array().value_unsafe();
      for (auto item : array) {
        if (!visit(item)) break;
      }
    } else {
      const simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) {
        if (!visit(field.value)) break;
      }
    }
    return deepest;
  };
  return walk(walk, e_, 0);
}

std::optional<SimdNode> JsonReader::read(std::string_view text) {
  direct_ = true;
  if (auto node = parse_padded(text)) return node;
  direct_ = false;
  // What simdjson refuses, nlohmann may still read (an integer past 64 bits, as a double); its
  // dump says the same in terms simdjson reads.
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  return parse_padded(doc.dump());
}

}  // namespace eyewear::platform
