// Bulk bodies (JSON array, NDJSON, CSV with its edge cases), the export formats, and the export
// -> import round trip at the codec level.
#include <gtest/gtest.h>

#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "catalog/validation.hpp"

namespace eyewear::catalog {
namespace {

const char* kHeader = "sku,name,brand,category,price,currency\r\n";

std::string rule_of(const Error& e) {
  const auto* r = e.detail("rule");
  return r ? std::get<std::string>(*r) : "";
}
std::string field_of(const Error& e) {
  const auto* r = e.detail("field");
  return r ? std::get<std::string>(*r) : "";
}

TEST(CatalogCsv, QuotedCommasNewlinesAndBom) {
  const std::string body = std::string("\xEF\xBB\xBF") + "sku,name,brand,category,price,currency,description\r\n" +
                           "A-1,\"Round, Small\",Brand,optical,10.50,EUR,\"two\nlines, \"\"quoted\"\"\"\n" +
                           "A-2,Plain,Brand,optical,3,EUR,\n";
  auto rows = parse_bulk(body, BulkFormat::kCsv);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& p = (*rows)[0].patch;
  EXPECT_EQ(*p.sku, "A-1") << "the BOM is not part of the first column's name";
  EXPECT_EQ(*p.name, "Round, Small");
  EXPECT_EQ(*p.description, "two\nlines, \"quoted\"");
  EXPECT_EQ(p.price, (Decimal{105, 1}));
  EXPECT_EQ((*rows)[1].row, 2u);
  EXPECT_FALSE((*rows)[1].patch.description.has_value()) << "an empty cell is an absent field";
}

TEST(CatalogCsv, WrongHeadersAreRefusedWhole) {
  auto unknown = parse_bulk("sku,name,brand,category,price,currency,colour\r\n", BulkFormat::kCsv);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, platform::ErrorCode::kValidationFailed);
  EXPECT_EQ(rule_of(unknown.error()), "unknown_column");
  auto missing = parse_bulk("sku,name,brand,price,currency\r\nA,b,c,1,EUR\r\n", BulkFormat::kCsv);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(rule_of(missing.error()), "missing_column");
  auto twice = parse_bulk("sku,name,brand,category,price,currency,sku\r\n", BulkFormat::kCsv);
  EXPECT_EQ(rule_of(twice.error()), "duplicate_column");
  auto empty = parse_bulk("", BulkFormat::kCsv);
  EXPECT_EQ(rule_of(empty.error()), "missing_header");
  auto broken = parse_bulk(std::string(kHeader) + "A,\"unterminated,b,c,1,EUR\r\n", BulkFormat::kCsv);
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(rule_of(broken.error()), "csv");
  // Header names are case- and space-insensitive.
  EXPECT_TRUE(parse_bulk(" SKU ,Name,BRAND,category,price,currency\r\n", BulkFormat::kCsv).has_value());
}

TEST(CatalogCsv, RowLevelProblemsStayRowErrors) {
  auto rows = parse_bulk(std::string(kHeader) + "A,b,c,optical,1,EUR,extra\r\nB,b,c,optical,abc,EUR\r\n" +
                             "C,b,c,optical,2,EUR\r\n",
                         BulkFormat::kCsv);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(rule_of(*(*rows)[0].error), "field_count");
  EXPECT_EQ(field_of(*(*rows)[1].error), "price");
  EXPECT_FALSE((*rows)[2].error.has_value());
}

TEST(CatalogCsv, NestedColumnsListsAndFormulas) {
  const std::string body =
      "sku,name,brand,category,price,currency,dimensions.lens_width,materials,images.url,images.alt,metadata,"
      "is_active,description\r\n"
      "A,b,c,optical,1,EUR,52.5,acetate|steel \\| wire,https://a.example/1.jpg|https://a.example/2.jpg,front|,"
      "\"{\"\"k\"\":1}\",false,'=SUM(A1)\r\n";
  auto rows = parse_bulk(body, BulkFormat::kCsv);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  const auto& p = (*rows)[0].patch;
  ASSERT_FALSE((*rows)[0].error.has_value()) << (*rows)[0].error->message;
  EXPECT_EQ(*p.lens_width, (std::optional<Decimal>(Decimal{525, 1})));
  EXPECT_EQ(*p.materials, (std::vector<std::string>{"acetate", "steel | wire"}));
  ASSERT_EQ(p.images->size(), 2u);
  EXPECT_EQ((*p.images)[0].alt, "front");
  EXPECT_EQ((*p.images)[1].position, 1);
  EXPECT_EQ(*p.metadata, R"({"k":1})");
  EXPECT_EQ(*p.is_active, false);
  EXPECT_EQ(*p.description, "=SUM(A1)") << "the export's neutralising quote is undone";
}

TEST(CatalogJson, ArraysAndNdjson) {
  auto rows = parse_bulk(R"([{"sku":"A"}, 3, {"sku":"B","bogus":1}])", BulkFormat::kJson);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_FALSE((*rows)[0].error.has_value());
  EXPECT_EQ(rule_of(*(*rows)[1].error), "type");
  EXPECT_EQ(rule_of(*(*rows)[2].error), "unknown_field");
  auto malformed = parse_bulk(R"([{"sku":"A"},)", BulkFormat::kJson);
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code, platform::ErrorCode::kInvalidJson);
  EXPECT_FALSE(parse_bulk(R"({"sku":"A"})", BulkFormat::kJson).has_value()) << "must be an array";
  EXPECT_EQ(parse_bulk(std::string(100, '[') + std::string(100, ']'), BulkFormat::kJson).error().code,
            platform::ErrorCode::kInvalidJson);

  auto nd = parse_bulk("{\"sku\":\"A\"}\r\n\n{broken\n  \n{\"sku\":\"C\"}", BulkFormat::kNdjson);
  ASSERT_TRUE(nd.has_value());
  ASSERT_EQ(nd->size(), 3u);
  EXPECT_EQ(*(*nd)[0].patch.sku, "A");
  EXPECT_EQ((*nd)[1].error->code, platform::ErrorCode::kInvalidJson);
  EXPECT_EQ((*nd)[2].row, 3u);
}

TEST(CatalogJson, TooManyRows) {
  std::string nd;
  for (int i = 0; i <= 10'000; ++i) nd += "{}\n";
  auto r = parse_bulk(nd, BulkFormat::kNdjson);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(rule_of(r.error()), "max_rows");
  nd.resize(nd.size() - 3);  // exactly 10,000 rows
  auto exactly = parse_bulk(nd, BulkFormat::kNdjson);
  ASSERT_TRUE(exactly.has_value());
  EXPECT_EQ(exactly->size(), 10'000u);
  EXPECT_EQ(exactly->back().row, 10'000u);
}

std::string describe(const std::optional<Decimal>& d) {
  return d ? std::to_string(d->digits) + "e-" + std::to_string(d->scale) : "-";
}

// Everything a row holds, as text.
std::string describe(const BulkRow& r) {
  std::string out = std::to_string(r.row) + " ";
  if (r.error) {
    out += "error " + std::string(platform::code_name(r.error->code)) + " " + r.error->message + " " +
           field_of(*r.error) + " " + rule_of(*r.error);
    return out;
  }
  const auto& p = r.patch;
  auto text = [&](const std::optional<std::string>& s) { out += (s ? "[" + *s + "]" : "-") + " "; };
  auto list = [&](const std::optional<std::vector<std::string>>& l) {
    if (!l) {
      out += "- ";
      return;
    }
    out += "(";
    for (const auto& x : *l) out += "[" + x + "]";
    out += ") ";
  };
  text(p.sku), text(p.name), text(p.brand), text(p.category), text(p.description), text(p.currency), text(p.metadata);
  out += describe(p.price) + " ";
  for (const auto* d :
       {&p.lens_width, &p.lens_height, &p.bridge_width, &p.temple_length, &p.frame_width, &p.frame_height}) {
    out += (*d ? "<" + describe(**d) + ">" : "-") + " ";
  }
  list(p.materials), list(p.colors);
  if (p.images) {
    for (const auto& img : *p.images) out += "{" + img.url + "|" + img.alt + "|" + std::to_string(img.position) + "}";
  }
  out += p.is_active ? (*p.is_active ? " active" : " inactive") : " -";
  return out;
}

// Bulk rows are read from simdjson's documents; a row is what patch_from_json reads from
// nlohmann's tree of the same line: same fields, same first error, same metadata text.
TEST(CatalogJson, BulkRowsAreWhatTheJsonTreeReads) {
  CatalogGenerator gen({.seed = 11});
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) lines.push_back(generated_json(gen.product(static_cast<std::uint64_t>(i))));
  const std::string metadata = R"({"z":1,"a":[1.5,-0.0,1e2,"\u00e9\ud83d\ude00",{"b":null,"b":true}],"\u0061":"dup"})";
  lines.insert(lines.end(),
               {
                   R"({"sku":"D","sku":"E","name":"n","price":"bad","price":5})",
                   R"({"price":18446744073709551616,"sku":"big"})",
                   R"({"price":9223372036854775808})",
                   R"({"price":-0,"dimensions":{"lens_width":-0.0,"bridge_width":18446744073709551615}})",
                   R"({"price":1e2,"dimensions":{"lens_width":52.5,"frame_height":null,"lens_width":"53.25"}})",
                   R"({"price":1e300})",
                   R"({"price":0.1e1})",
                   R"({"price":true})",
                   R"({"name":null,"sku":null})",
                   R"({"metadata":)" + metadata + "}",
                   R"({"metadata":{"big":123456789012345678901234,"esc":"\u0001\u007f\n\/"}})",
                   R"({"metadata":[]})",
                   R"({"images":["https://x/a.jpg",{"url":"https://x/b.jpg","alt":null,"position":7}]})",
                   R"({"images":[{"url":"u","position":18446744073709551615}]})",
                   R"({"images":[{"url":"u","position":1.0}]})",
                   R"({"images":[{"url":"u","zoom":1}]})",
                   R"({"images":[{"alt":"a"}]})",
                   R"({"images":[1]})",
                   R"({"images":{}})",
                   R"({"materials":["acetate",1],"colors":"red"})",
                   R"({"materials":null,"colors":["Red","red"]})",
                   R"({"dimensions":{"depth":3}})",
                   R"({"dimensions":[]})",
                   R"({"is_active":"yes"})",
                   R"({"is_active":false})",
                   R"({"id":"prd_1","price_minor":5,"created_at":1,"updated_at":2,"extra":1})",
                   R"({"$ne":1})",
                   R"([1,2])",
                   R"("text")",
                   R"({})",
               });
  std::string nd, array = "[";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    nd += lines[i] + "\n";
    array += (i > 0 ? "," : "") + lines[i];
  }
  array += "]";
  const auto from_lines = parse_bulk(nd, BulkFormat::kNdjson);
  const auto from_array = parse_bulk(array, BulkFormat::kJson);
  ASSERT_TRUE(from_lines.has_value());
  ASSERT_TRUE(from_array.has_value());
  ASSERT_EQ(from_lines->size(), lines.size());
  ASSERT_EQ(from_array->size(), lines.size());
  std::size_t errors = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    BulkRow expected{i + 1, {}, {}};
    auto patch = patch_from_json(nlohmann::json::parse(lines[i]));
    if (patch) {
      expected.patch = std::move(*patch);
    } else {
      expected.error = std::move(patch).error();
      ++errors;
    }
    EXPECT_EQ(describe((*from_lines)[i]), describe(expected)) << lines[i];
    EXPECT_EQ(describe((*from_array)[i]), describe(expected)) << lines[i];
  }
  EXPECT_GT(errors, 15u);
  EXPECT_EQ(*(*from_lines)[50].patch.sku, "E") << "the last of duplicate keys wins";
  EXPECT_EQ((*from_lines)[50].patch.price, (Decimal{5, 0}));
  EXPECT_EQ(*(*from_lines)[59].patch.metadata, nlohmann::json::parse(metadata).dump());
}

TEST(CatalogJson, MalformedArraysNameTheByte) {
  const auto r = parse_bulk("[{\"sku\":\"A\"},\n{\"sku\" \"B\"}]", BulkFormat::kJson);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, platform::ErrorCode::kInvalidJson);
  EXPECT_EQ(r.error().message, "malformed JSON at byte 24") << "where nlohmann stops reading, as before";
  const auto big = parse_bulk("[{\"price\":123456789012345678901234567890}]", BulkFormat::kJson);
  ASSERT_TRUE(big.has_value()) << "what nlohmann reads (a number past 64 bits) is still read";
  ASSERT_EQ(big->size(), 1u);
  EXPECT_EQ(rule_of(*(*big)[0].error), "range");
}

TEST(CatalogExport, CsvAndJsonRoundTripsReproduceProducts) {
  CatalogGenerator gen({.seed = 7});
  std::string csv = csv_header();
  std::string nd;
  std::vector<Product> originals;
  for (int i = 0; i < 200; ++i) {
    auto p = gen.product(static_cast<std::uint64_t>(i));
    if (i == 3) p.description = "-- lightweight; =cmd|' /C calc'!A0 and +1";
    if (i == 4) p.name = "@risk 'quoted' name";
    if (i == 5) p.images[0].alt = "front | side \\ top";
    append_csv_row(csv, p);
    nd += generated_json(p) + "\n";
    originals.push_back(std::move(p));
  }
  EXPECT_NE(csv.find(",'-- lightweight"), std::string::npos) << "formula cells are neutralised";
  for (auto format : {BulkFormat::kCsv, BulkFormat::kNdjson}) {
    auto rows = parse_bulk(format == BulkFormat::kCsv ? csv : nd, format);
    ASSERT_TRUE(rows.has_value()) << rows.error().message;
    ASSERT_EQ(rows->size(), originals.size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
      ASSERT_FALSE((*rows)[i].error.has_value()) << i << ": " << (*rows)[i].error->message;
      auto back = build_product((*rows)[i].patch);
      ASSERT_TRUE(back.has_value()) << i << ": " << back.error().message;
      const auto& o = originals[i];
      EXPECT_EQ(back->sku, o.sku);
      EXPECT_EQ(back->name, o.name);
      EXPECT_EQ(back->brand, o.brand);
      EXPECT_EQ(back->category, o.category);
      EXPECT_EQ(back->description, o.description);
      EXPECT_EQ(back->price_minor, o.price_minor);
      EXPECT_EQ(back->currency, o.currency);
      EXPECT_EQ(back->dimensions, o.dimensions);
      EXPECT_EQ(back->materials, o.materials);
      EXPECT_EQ(back->colors, o.colors);
      EXPECT_EQ(back->images, o.images) << i;
      EXPECT_EQ(back->metadata, o.metadata);
      EXPECT_EQ(back->is_active, o.is_active);
    }
  }
}

TEST(CatalogJson, TheDirectWriterWritesWhatTheJsonTreeDumps) {
  // append_product_json (search pages, exports) must write exactly product_json(p).dump().
  CatalogGenerator gen({.seed = 31});
  std::vector<Product> products;
  for (int i = 0; i < 400; ++i) {
    auto p = gen.product(static_cast<std::uint64_t>(i));
    p.id = "prd_" + std::to_string(1000 + i);
    p.created_at = 1'700'000'000'123 + i;
    p.updated_at = p.created_at + 5;
    products.push_back(std::move(p));
  }
  auto edge = products[0];
  edge.name = std::string("quote \" backslash \\ controls \b\f\n\r\t \x01\x1f del \x7f é 😀");
  edge.description.clear();
  edge.materials.clear();
  edge.colors = {"a\"b", ""};
  edge.images.clear();
  edge.metadata = R"({"a":[1,2.5,{"b":null}],"c":"x\"y","d":true})";
  edge.dimensions = {};
  edge.dimensions.lens_width = 495;  // 49.5 mm
  edge.dimensions.bridge_width = 180;
  edge.is_active = false;
  products.push_back(edge);
  for (const char* currency : {"JPY", "KWD", "EUR"}) {  // exponents 0, 3 and 2
    auto p = products[1];
    p.currency = currency;
    p.price_minor = 123457;
    products.push_back(std::move(p));
  }
  auto unreadable = products[2];
  unreadable.metadata = "{not json";
  products.push_back(unreadable);
  for (const auto& p : products) {
    std::string direct;
    append_product_json(direct, p);
    EXPECT_EQ(direct, product_json(p).dump()) << p.sku;
  }
}

TEST(CatalogIds, ProductIds) {
  EXPECT_EQ(product_id(1099511627777), "prd_1099511627777");
  EXPECT_EQ(product_seq("prd_1099511627777"), 1099511627777);
  for (const char* bad : {"prd_", "prd_-1", "prd_12x", "1", "prd_0", "prd_99999999999999999999"}) {
    EXPECT_FALSE(product_seq(bad).has_value()) << bad;
  }
  EXPECT_EQ(split_list("a\\|b|c\\\\|"), (std::vector<std::string>{"a|b", "c\\", ""}));
  EXPECT_EQ(join_list({"a|b", "c\\"}), "a\\|b|c\\\\");
}

}  // namespace
}  // namespace eyewear::catalog
