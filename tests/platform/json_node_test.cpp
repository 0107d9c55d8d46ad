// The two node types read the same documents the same way: for any text, JsonReader finds a
// document exactly when nlohmann::json::parse does, and then every reading through the node
// interface (kinds, numbers, strings, member order, dump) is the same as through nlohmann's tree.
#include "platform/json_node.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace eyewear::platform {
namespace {

// Everything the node interface tells about a value, as text.
template <typename Node>
void describe(Node v, std::string& out) {
  char buf[32];
  switch (v.kind()) {
    case JsonKind::kNull:
      out += "n";
      return;
    case JsonKind::kBool:
      out += v.boolean() ? "t" : "f";
      return;
    case JsonKind::kInt:
      out += "i" + std::to_string(v.integer());
      return;
    case JsonKind::kUnsigned: {
      std::string dumped;
      v.dump(dumped);
      out += "u" + dumped;
      return;
    }
    case JsonKind::kDouble:
      std::snprintf(buf, sizeof buf, "d%016llx",
                    static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(v.real())));
      out += buf;
      return;
    case JsonKind::kString:
      out += "s" + std::to_string(v.string().size()) + ":" + std::string(v.string());
      return;
    case JsonKind::kArray:
      out += "[" + std::to_string(v.size()) + ":";
      v.items([&](Node item) {
        describe(item, out);
        out += ",";
        return true;
      });
      out += "]";
      return;
    case JsonKind::kObject:
      out += "{" + std::to_string(v.size()) + ":";
      v.members([&](std::string_view key, Node value) {
        out += std::to_string(key.size()) + ":" + std::string(key) + "=";
        describe(value, out);
        out += ",";
        return true;
      });
      out += "}";
      return;
  }
}

// Checks one text; returns whether it is a document.
bool same_reading(JsonReader& reader, const std::string& text) {
  const auto tree = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto node = reader.read(text);
  EXPECT_EQ(node.has_value(), !tree.is_discarded()) << text;
  if (!node || tree.is_discarded()) return false;
  std::string a, b;
  describe(NlohmannNode(tree), a);
  describe(*node, b);
  EXPECT_EQ(a, b) << text;
  std::string dumped;
  node->dump(dumped);
  EXPECT_EQ(dumped, tree.dump()) << text;
  return true;
}

TEST(JsonNodeTest, EdgeCasesReadAlike) {
  const std::vector<std::string> texts = {
      "0",
      "-0",
      "-0.0",
      "1.0",
      "1E2",
      "1e-2",
      "0.1",
      "123456789.123456789",
      "1e308",
      "1e309",
      "-1e-400",
      "4.9e-324",
      "2.2250738585072014e-308",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "18446744073709551615",
      "18446744073709551616",
      "123456789012345678901234567890",
      "[1,18446744073709551616,{\"a\":1e400}]",
      "01",
      "1.",
      ".5",
      "-",
      "+1",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\udc00\"",
      "\"\\ud83d\\ude00\"",
      "\"\\u0000\"",
      "\"\\u00e9\"",
      "\"\xc3\xa9\"",
      "\"\xff\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"a\tb\"",
      "\"\x7f\"",
      "\"\\/\"",
      "\"\\x\"",
      "{\"a\":1,\"a\":2}",
      "{\"b\":1,\"a\":2,\"b\":3,\"a\":4}",
      "{\"\\u0061\":1,\"a\":2}",
      "{\"\xc3\xa9\":1,\"z\":2,\"E\":3}",
      "{\"a\":{\"b\":[]},\"a\":null}",
      "[1,]",
      "{\"a\":1,}",
      "{,}",
      "[]",
      "{}",
      " [ 1 , 2 ] ",
      "1 2",
      "\xEF\xBB\xBF{\"a\":1}",
      "\xEF\xBB\xBF",
      "",
      " ",
      "nul",
      "truex",
      "[true,false,null]",
      "\"unterminated",
      "{\"a\"}",
      "{\"a\":}",
      "[\"\\u12\"]",
  };
  JsonReader reader;
  for (const auto& t : texts) same_reading(reader, t);
}

// Objects on both sides of the insertion-sort bound of SimdNode's member order (32 members),
// keys shuffled and repeated, read in nlohmann's order with the last duplicate winning.
TEST(JsonNodeTest, LargeAndSmallObjectsKeepKeyOrderAndLastDuplicate) {
  std::mt19937 rng(6);
  JsonReader reader;
  for (const std::size_t members : {2, 31, 32, 33, 40, 200}) {
    for (int round = 0; round < 20; ++round) {
      std::string text = "{";
      for (std::size_t i = 0; i < members; ++i) {
        if (i > 0) text += ",";
        text += "\"k" + std::to_string(rng() % (members / 2 + 1)) + "\":" + std::to_string(i);
      }
      text += "}";
      EXPECT_TRUE(same_reading(reader, text)) << text;
    }
  }
}

// Random documents built to hit the differences between the parsers (duplicate and escaped keys,
// numbers at every boundary, escapes, multi-byte text), and random damage done to them.
class Documents {
 public:
  explicit Documents(std::uint32_t seed) : rng_(seed) {}

  std::string document() {
    std::string out;
    value(out, 0);
    return out;
  }

  std::string damaged(std::string text) {
    static const std::string bytes = "{}[]\",:\\0123456789eE.-+ tfnua\x80\xff\xc3";
    switch (pick(4)) {
      case 0:
        if (!text.empty()) text.erase(pick(text.size()), 1);
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(pick(text.size() + 1)), bytes[pick(bytes.size())]);
        break;
      case 2:
        text.resize(pick(text.size() + 1));
        break;
      default:
        if (!text.empty()) text[pick(text.size())] = bytes[pick(bytes.size())];
        break;
    }
    return text;
  }

 private:
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  void space(std::string& out) {
    static const char* kSpaces[] = {"", "", "", " ", "\t", "\r\n", "  "};
    out += kSpaces[pick(7)];
  }
  void string(std::string& out, bool key) {
    static const char* kKeys[] = {
        "a", "b",        "B",  "ab", "a b", "\\u0061", "\xc3\xa9", "\\u00e9", "$ne", "", "\\ud83d\\ude00",
        "z", "a\\u0000", "\\n"};
    static const char* kParts[] = {"x",
                                   "Hello",
                                   " ",
                                   "\\n",
                                   "\\t",
                                   "\\\"",
                                   "\\\\",
                                   "\\/",
                                   "\\u0001",
                                   "\\u007f",
                                   "\x7f",
                                   "\xc3\xa9",
                                   "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80",
                                   "\\ud83d\\ude00",
                                   "\\u00e9",
                                   "1' OR '1'='1",
                                   "<script>",
                                   "\\b\\f\\r"};
    out += '"';
    if (key) {
      out += kKeys[pick(std::size(kKeys))];
    } else {
      for (std::size_t i = pick(5); i > 0; --i) out += kParts[pick(std::size(kParts))];
    }
    out += '"';
  }
  void value(std::string& out, int depth) {
    static const char* kNumbers[] = {"0",
                                     "-0",
                                     "1",
                                     "-1",
                                     "42",
                                     "9223372036854775807",
                                     "9223372036854775808",
                                     "-9223372036854775808",
                                     "18446744073709551615",
                                     "18446744073709551616",
                                     "-9223372036854775809",
                                     "1.5",
                                     "-0.0",
                                     "1e2",
                                     "1E-2",
                                     "0.1",
                                     "129.99",
                                     "123456789.123456789",
                                     "1e308",
                                     "4.9e-324",
                                     "2.5e-310",
                                     "1e-400",
                                     "3.0",
                                     "100000000000000000000000"};
    space(out);
    const std::size_t kind = depth > 4 ? pick(4) : pick(6);
    switch (kind) {
      case 0:
        out += kNumbers[pick(std::size(kNumbers))];
        break;
      case 1:
        string(out, false);
        break;
      case 2:
        out += pick(3) == 0 ? "null" : pick(2) == 0 ? "true" : "false";
        break;
      case 3:
        out += std::to_string(static_cast<std::int64_t>(rng_()) - (1LL << 31));
        break;
      case 4: {
        out += '[';
        for (std::size_t i = 0, n = pick(4); i < n; ++i) {
          if (i > 0) out += ',';
          value(out, depth + 1);
        }
        out += ']';
        break;
      }
      default: {
        out += '{';
        for (std::size_t i = 0, n = pick(6); i < n; ++i) {
          if (i > 0) out += ',';
          space(out);
          string(out, true);
          space(out);
          out += ':';
          value(out, depth + 1);
        }
        out += '}';
        break;
      }
    }
    space(out);
  }

  std::mt19937 rng_;
};

TEST(JsonNodeTest, RandomDocumentsAndTheirDamageReadAlike) {
  Documents docs(20261202);
  JsonReader reader;
  std::size_t documents = 0, damaged_documents = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto text = docs.document();
    documents += same_reading(reader, text) ? 1 : 0;
    for (int j = 0; j < 4; ++j) damaged_documents += same_reading(reader, docs.damaged(text)) ? 1 : 0;
  }
  EXPECT_EQ(documents, 3000u) << "every generated document is JSON";
  EXPECT_GT(damaged_documents, 0u) << "some damage leaves JSON";
  EXPECT_LT(damaged_documents, 12000u) << "most damage does not";
}

TEST(JsonNodeTest, VisitorsStopEarly) {
  JsonReader reader;
  const auto node = reader.read("{\"c\":3,\"a\":1,\"b\":2,\"a\":0}");
  ASSERT_TRUE(node.has_value());
  std::vector<std::string> keys;
  node->members([&](std::string_view k, SimdNode) {
    keys.emplace_back(k);
    return keys.size() < 2;
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  std::size_t items = 0;
  reader.read("[1,2,3]")->items([&](SimdNode) { return ++items < 2; });
  EXPECT_EQ(items, 2u);
}

}  // namespace
}  // namespace eyewear::platform
