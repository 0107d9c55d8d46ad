// Read-only views of a parsed JSON value with one interface over two parsers: nlohmann's tree
// (what JSON request bodies are parsed into, shared by every reader of a body) and simdjson's
// tape (what the hot bulk paths parse into, about thirty times cheaper to build and to free).
// Code that reads documents is written once against the interface (a template on the node type)
// and sees the same thing from both: members in nlohmann's order (sorted by key, bytewise) with
// the last of duplicate keys winning, integers split at INT64_MAX, and dump() writing exactly
// nlohmann's dump() of the same document.
//
// Only translation units that read documents include this header: simdjson's is large.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eyewear::platform {

enum class JsonKind {
  kNull,
  kBool,
  kInt,       // fits an int64
  kUnsigned,  // an integer above INT64_MAX that fits a uint64
  kDouble,
  kString,
  kArray,
  kObject,
};

class NlohmannNode {
 public:
  explicit NlohmannNode(const nlohmann::json& v) : v_(&v) {}

  [[nodiscard]] JsonKind kind() const;
  [[nodiscard]] bool boolean() const { return v_->get<bool>(); }
  [[nodiscard]] std::int64_t integer() const { return v_->get<std::int64_t>(); }
  [[nodiscard]] double real() const { return v_->get<double>(); }
  [[nodiscard]] std::string_view string() const { return v_->get_ref<const std::string&>(); }
  [[nodiscard]] std::size_t size() const { return v_->size(); }

  // `f(NlohmannNode)` for each item of an array, until it returns false.
  template <typename F>
  void items(F&& f) const {
    for (const auto& item : *v_) {
      if (!f(NlohmannNode(item))) return;
    }
  }
  // `f(key, NlohmannNode)` for each member of an object in key order, until it returns false.
  template <typename F>
  void members(F&& f) const {
    for (auto it = v_->begin(); it != v_->end(); ++it) {
      if (!f(std::string_view(it.key()), NlohmannNode(it.value()))) return;
    }
  }
  void dump(std::string& out) const { out += v_->dump(); }

 private:
  const nlohmann::json* v_;
};

class SimdNode {
 public:
  explicit SimdNode(simdjson::dom::element e) : e_(e) {}

  [[nodiscard]] JsonKind kind() const;
  [[nodiscard]] bool boolean() const { return e_.get_bool().value_unsafe(); }
  [[nodiscard]] std::int64_t integer() const { return e_.get_int64().value_unsafe(); }
  [[nodiscard]] double real() const { return e_.get_double().value_unsafe(); }
  [[nodiscard]] std::string_view string() const { return e_.get_string().value_unsafe(); }
  [[nodiscard]] std::size_t size() const;

  template <typename F>
  void items(F&& f) const {
    simdjson::dom::array array;
    if (e_.get_array().get(array) != simdjson::SUCCESS) return;
    for (auto item : array) {
      if (!f(SimdNode(item))) return;
    }
  }
  template <typename F>
  void members(F&& f) const {
    for (const auto& [key, value] : sorted_members()) {
      if (!f(key, SimdNode(value))) return;
    }
  }
  // Appends what nlohmann's dump() writes for the same document.
  void dump(std::string& out) const;
  // How deeply arrays and objects nest in this value (a scalar is 0), counting every member
  // simdjson read, duplicates included, and stopping past `limit` (answering limit + 1).
  [[nodiscard]] int depth(int limit) const;

 private:
  using Members = std::vector<std::pair<std::string_view, simdjson::dom::element>>;
  // The members sorted by key (bytewise, stable), only the last of equal keys kept: the members
  // nlohmann's parser would have kept, in the order its std::map holds them.
  [[nodiscard]] Members sorted_members() const;

  simdjson::dom::element e_;
};

// Parses JSON texts with simdjson, one at a time, reusing its buffers. A text is a document
// exactly when nlohmann::json::parse accepts it: the few texts nlohmann reads and simdjson does
// not (integers past 64 bits, which nlohmann reads as doubles) are read by nlohmann and their
// dump parsed instead. Not thread-safe; a node it returns is valid until the next read.
class JsonReader {
 public:
  [[nodiscard]] std::optional<SimdNode> read(std::string_view text);
  // True when the last read parsed the text itself, not nlohmann's dump of it: its document
  // then holds every member the text has, duplicates included.
  [[nodiscard]] bool read_text_itself() const noexcept { return direct_; }

 private:
  [[nodiscard]] std::optional<SimdNode> parse_padded(std::string_view text);

  simdjson::dom::parser parser_;
  std::string buffer_;
  bool direct_ = false;
};

}  // namespace eyewear::platform
