// The search query model (parameters, words, full-text expressions, cursors) and the
// generator's determinism and validity.
#include <gtest/gtest.h>

#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "catalog/search.hpp"
#include "catalog/validation.hpp"
#include "support/mixed_bytes.hpp"

namespace eyewear::catalog {
namespace {

std::string search_rule_of(const Error& e) {
  const auto* r = e.detail("rule");
  return r ? std::get<std::string>(*r) : "";
}
std::string search_field_of(const Error& e) {
  const auto* r = e.detail("field");
  return r ? std::get<std::string>(*r) : "";
}

TEST(CatalogSearch, WordsAndExpressionsCarryNoSyntax) {
  EXPECT_EQ(split_terms("Round ACETATE"), (std::vector<std::string>{"round", "acetate"}));
  EXPECT_EQ(split_terms("\"a\" OR b* NEAR(c) -d ^e"), (std::vector<std::string>{"a", "or", "b", "near", "c", "d", "e"}));
  EXPECT_EQ(split_terms("'; DROP TABLE products; --"), (std::vector<std::string>{"drop", "table", "products"}));
  EXPECT_EQ(split_terms("Café Zürich"), (std::vector<std::string>{"café", "zürich"}));
  EXPECT_TRUE(split_terms(" ,.;:!?()[]{}'\"*").empty());
  EXPECT_EQ(split_terms("a b c d e f g h i j k l").size(), 10u);
  EXPECT_EQ(fts5_expression({"round", "ace"}), "\"round\"* AND \"ace\"*");
  EXPECT_EQ(tsquery_expression({"round", "ace"}), "'round':* & 'ace':*");
  // A 64-byte cut never leaves half a UTF-8 character.
  std::string long_word;
  for (int i = 0; i < 40; ++i) long_word += "\xC3\xA9";
  const auto terms = split_terms(long_word);
  ASSERT_EQ(terms.size(), 1u);
  std::size_t n = 0;
  EXPECT_TRUE(utf8_length(terms[0], n));
  EXPECT_EQ(terms[0].size(), 64u);
}

TEST(CatalogSearch, WordsSplitWhereTheTokenizerSplits) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(words_of("52\xE2\x96\xA1" "18-140"), (V{"52", "18", "140"})) << "\xE2\x96\xA1 (U+25A1) separates";
  EXPECT_EQ(words_of("Kj\xC3\xA6r & S\xC3\xB8n"), (V{"Kj\xC3\xA6r", "S\xC3\xB8n"}));
  EXPECT_EQ(words_of("men's \xE2\x80\x94 #1 seller \xC2\xAB" "50%\xC2\xBB"), (V{"men", "s", "1", "seller", "50"}));
  EXPECT_EQ(words_of("x\xF0\x9F\x98\x80y"), (V{"x", "y"})) << "emoji separate";
  EXPECT_EQ(words_of("\xC2\xB5m \xC2\xBD"), (V{"\xC2\xB5m", "\xC2\xBD"})) << "Latin-1 letters and numbers stay";
  EXPECT_TRUE(words_of(" -- ").empty());
  EXPECT_EQ(split_terms("52\xE2\x96\xA1" "18"), (std::vector<std::string>{"52", "18"}));
}

// The one-pass writer of prefixed words (the full-text columns) writes exactly the words words_of
// finds, on prose and on arbitrary bytes (invalid UTF-8, separators of every kind, words at the
// very start and end), after whatever the string already held.
TEST(CatalogSearch, PrefixedWordsAreTheWordsOfTheText) {
  const auto reference = [](std::string_view text, std::string_view prefix) {
    std::string out = "head:";
    bool ascii = true;
    const auto words = words_of(text);
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i != 0) out += ' ';
      out += prefix;
      out += words[i];
      for (const char c : words[i]) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    }
    return std::tuple(out, words.size(), ascii);
  };
  std::vector<std::string> texts = {"",
                                    " ",
                                    "a",
                                    "Round acetate frame in black, 50\xE2\x96\xA1"
                                    "20-140. Spring hinges.",
                                    "Kj\xC3\xA6r & S\xC3\xB8n",
                                    "men's \xE2\x80\x94 #1 seller \xC2\xAB"
                                    "50%\xC2\xBB",
                                    "x\xF0\x9F\x98\x80y",
                                    "\xC2\xB5m \xC2\xBD",
                                    "a b c d e f",
                                    "trailing\xE2\x96",
                                    "\xFF\xFEword\xC3"};
  testing::MixedBytes bytes(7);
  for (int i = 0; i < 3000; ++i) texts.push_back(bytes.next(40, 2 + i % 5));
  for (const auto& text : texts) {
    for (const std::string_view prefix : {std::string_view(""), std::string_view("t42x")}) {
      std::string out = "head:";
      const auto r = append_prefixed_words(out, text, prefix);
      const auto [want, count, ascii] = reference(text, prefix);
      ASSERT_EQ(out, want) << ::testing::PrintToString(text);
      EXPECT_EQ(r.count, count);
      EXPECT_EQ(r.ascii, ascii) << ::testing::PrintToString(text);
    }
  }
}

TEST(CatalogSearch, ParametersAreValidatedByName) {
  auto refused = [](QueryParams params) {
    auto r = parse_search(params, "m1");
    return r ? std::pair<std::string, std::string>{"<accepted>", ""}
             : std::pair<std::string, std::string>{search_field_of(r.error()), search_rule_of(r.error())};
  };
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(refused({{"page_size", "101"}}), P("page_size", "range"));
  EXPECT_EQ(refused({{"page_size", "0"}}), P("page_size", "range"));
  EXPECT_EQ(refused({{"page", "0"}}), P("page", "range"));
  EXPECT_EQ(refused({{"page", "100000"}}), P("page", "range")) << "deep offsets go by cursor";
  EXPECT_EQ(refused({{"sort", "rank"}}), P("sort", "enum"));
  EXPECT_EQ(refused({{"order", "up"}}), P("order", "enum"));
  EXPECT_EQ(refused({{"price_min", "-1"}}), P("price_min", "non_negative"));
  EXPECT_EQ(refused({{"price_min", "ten"}}), P("price_min", "format"));
  EXPECT_EQ(refused({{"price_min", "20"}, {"price_max", "10"}}), P("price_min", "range"));
  EXPECT_EQ(refused({{"created_from", "yesterday"}}), P("created_from", "format"));
  EXPECT_EQ(refused({{"active", "maybe"}}), P("active", "enum"));
  EXPECT_EQ(refused({{"currency", "XYZ"}}), P("currency", "currency"));
  EXPECT_EQ(refused({{"categroy", "optical"}}), P("categroy", "unknown_parameter"));
  EXPECT_EQ(refused({{"brand", "a"}, {"brand", "b"}}), P("brand", "repeated"));
  EXPECT_EQ(refused({{"q", std::string(201, 'a')}}), P("q", "max_length"));
  EXPECT_EQ(refused({{"cursor", "garbage"}}), P("cursor", "format"));

  auto ok = parse_search({{"q", "Aviator"}, {"category", "Sunglasses"}, {"price_min", "99.5"}, {"page", "3"},
                          {"page_size", "10"}, {"active", "all"}},
                         "m1");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->query.sort, SortKey::kRelevance);
  EXPECT_TRUE(ok->query.descending);
  EXPECT_EQ(*ok->query.category, "sunglasses");
  EXPECT_EQ(*ok->query.price_min_scaled, 99500);
  EXPECT_EQ(ok->query.offset, 20);
  EXPECT_EQ(ok->query.limit, 10);
  EXPECT_EQ(ok->query.active, ActiveFilter::kAll);
  auto plain = parse_search({{"sort", "price"}}, "m1");
  EXPECT_EQ(plain->query.sort, SortKey::kPrice);
  EXPECT_FALSE(plain->query.descending);
  EXPECT_EQ(parse_search({}, "m1")->query.sort, SortKey::kCreatedAt) << "no text: newest first";
}

TEST(CatalogSearch, CursorsAreBoundToTheirQuery) {
  auto first = parse_search({{"q", "round"}, {"brand", "Tortuga"}}, "m1");
  ASSERT_TRUE(first.has_value());
  const auto cursor = encode_cursor(SearchQuery::After{1.25, "", 77}, first->fingerprint);
  auto next = parse_search({{"q", "round"}, {"brand", "Tortuga"}, {"cursor", cursor}}, "m1");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->page, 0);
  EXPECT_EQ(next->query.after->seq, 77);
  EXPECT_EQ(next->query.after->number, 1.25);
  auto other = parse_search({{"q", "round"}, {"brand", "Hawkeye"}, {"cursor", cursor}}, "m1");
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(search_rule_of(other.error()), "cursor_mismatch");
  auto both = parse_search({{"q", "round"}, {"brand", "Tortuga"}, {"cursor", cursor}, {"page", "2"}}, "m1");
  EXPECT_EQ(search_rule_of(both.error()), "exclusive");
}

TEST(CatalogGenerator, DeterministicAndIndependentOfSlicing) {
  CatalogGenerator a({.seed = 42});
  CatalogGenerator b({.seed = 42});
  CatalogGenerator c({.seed = 43});
  EXPECT_EQ(generated_json(a.product(123)), generated_json(b.product(123)));
  EXPECT_NE(generated_json(a.product(123)), generated_json(c.product(123)));
  // Pinned: the same seed gives these bytes on every platform (no <random> distributions).
  const auto p = a.product(0);
  EXPECT_EQ(p.sku.substr(0, 11), "EW-0000000-");
  Rng r(1);
  EXPECT_EQ(r.next(), 0x910A2DEC89025CC1ULL) << "SplitMix64's published first output for seed 1";
  Rng s(5);
  for (int i = 0; i < 1000; ++i) {
    const auto v = s.between(46, 58);
    ASSERT_GE(v, 46);
    ASSERT_LE(v, 58);
  }
}

TEST(CatalogGenerator, EveryGeneratedProductIsValidAndRealistic) {
  CatalogGenerator gen({.seed = 9});
  std::size_t with_measure = 0, with_dashes = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const auto p = gen.product(i);
    auto rows = parse_bulk("[" + generated_json(p) + "]", BulkFormat::kJson);
    ASSERT_TRUE(rows.has_value());
    ASSERT_FALSE((*rows)[0].error.has_value()) << (*rows)[0].error->message;
    auto built = build_product((*rows)[0].patch);
    ASSERT_TRUE(built.has_value()) << i << ": " << built.error().message;
    with_measure += p.description.find("\xE2\x96\xA1") != std::string::npos;
    with_dashes += p.description.find("--") != std::string::npos;
  }
  EXPECT_EQ(with_measure, 2000u);
  EXPECT_GT(with_dashes, 100u);
}

}  // namespace
}  // namespace eyewear::catalog
