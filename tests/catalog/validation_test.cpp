// Every product field's rules: the error names the field and the rule, and nothing invalid
// passes; normalisation (trimming, lower-casing, de-duplication, image order) is applied.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"

namespace eyewear::catalog {
namespace {

using nlohmann::json;

json valid() {
  return {{"sku", "AV-5218-BLK"},
          {"name", "Marais Aviator"},
          {"brand", "Lunette d'Or"},
          {"category", "Sunglasses"},
          {"description", "Gold aviator, 52\xE2\x96\xA1" "18-140 -- our #1 seller."},
          {"price", 129.99},
          {"currency", "EUR"},
          {"dimensions", {{"lens_width", 52}, {"bridge_width", 18}, {"temple_length", 140}, {"lens_height", 45.5}}},
          {"materials", {"Titanium", "acetate", "titanium"}},
          {"colors", {"gold"}},
          {"images", {{{"url", "https://cdn.example.com/b.jpg"}, {"position", 2}},
                      {{"url", "https://cdn.example.com/a.jpg"}, {"alt", "front"}, {"position", 1}}}},
          {"metadata", {{"collection", "Spring 2027"}}}};
}

Result<Product> build(const json& j) {
  auto patch = patch_from_json(j);
  if (!patch) return std::unexpected(patch.error());
  return build_product(*patch);
}

// The (field, rule) an invalid product is refused with.
std::pair<std::string, std::string> refusal(const json& j) {
  auto p = build(j);
  if (p) return {"<accepted>", ""};
  const auto* field = p.error().detail("field");
  const auto* rule = p.error().detail("rule");
  return {field ? std::get<std::string>(*field) : "?", rule ? std::get<std::string>(*rule) : "?"};
}

json with(json j, const json::json_pointer& ptr, json value) {
  j[ptr] = std::move(value);
  return j;
}

json without(json j, const std::string& key) {
  j.erase(key);
  return j;
}

using FR = std::pair<std::string, std::string>;

TEST(CatalogValidation, AValidProductIsNormalised) {
  auto p = build(valid());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->category, "sunglasses");
  EXPECT_EQ(p->price_minor, 12999);
  EXPECT_EQ(p->dimensions.lens_width, 520);
  EXPECT_EQ(p->dimensions.lens_height, 455);
  EXPECT_EQ(p->materials, (std::vector<std::string>{"titanium", "acetate"}));
  ASSERT_EQ(p->images.size(), 2u);
  EXPECT_EQ(p->images[0].url, "https://cdn.example.com/a.jpg") << "ordered by position";
  EXPECT_EQ(p->metadata, R"({"collection":"Spring 2027"})");
  EXPECT_TRUE(p->is_active);
}

TEST(CatalogValidation, RequiredFields) {
  for (const char* f : {"sku", "name", "brand", "category", "price", "currency"}) {
    EXPECT_EQ(refusal(without(valid(), f)), FR(f, "required")) << f;
  }
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/name"), "   ")), FR("name", "required"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/brand"), nullptr)), FR("brand", "required"));
}

TEST(CatalogValidation, TextRules) {
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/sku"), std::string(65, 'A'))), FR("sku", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/sku"), "AB 12")), FR("sku", "format"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/sku"), "AB;DROP")), FR("sku", "format"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/name"), std::string(201, 'x'))), FR("name", "max_length"));
  // 200 characters of two bytes each are still 200 characters.
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "\xC3\xBC";
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/name"), umlauts)), FR("<accepted>", ""));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/brand"), std::string(101, 'b'))), FR("brand", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/category"), std::string(65, 'c'))), FR("category", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/description"), std::string(5001, 'd'))),
            FR("description", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/name"), "tab\there")), FR("name", "control_characters"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/description"), "two\nlines\tok")), FR("<accepted>", ""));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/description"), std::string("nul\0byte", 8))),
            FR("description", "control_characters"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/name"), 42)), FR("name", "type"));
}

TEST(CatalogValidation, InvalidUtf8IsRefused) {
  Product base;
  ProductPatch patch;
  patch.sku = "A1";
  patch.name = std::string("bad \xC3\x28 utf8");
  patch.brand = "b";
  patch.category = "optical";
  patch.price = Decimal{100, 0};
  patch.currency = "EUR";
  auto p = build_product(patch);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(std::get<std::string>(*p.error().detail("rule")), "utf8");
  patch.name = std::string("overlong \xC0\xAF");
  EXPECT_FALSE(build_product(patch).has_value());
  patch.name = std::string("surrogate \xED\xA0\x80");
  EXPECT_FALSE(build_product(patch).has_value());
}

TEST(CatalogValidation, PriceAndCurrency) {
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/price"), -1)), FR("price", "non_negative"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/price"), 1.005)), FR("price", "precision"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/price"), 1000001)), FR("price", "range"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/price"), "12,50")), FR("price", "format"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/price"), true)), FR("price", "type"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/currency"), "EURO")), FR("currency", "currency"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/currency"), "eur")), FR("currency", "currency"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/currency"), "XXX")), FR("currency", "currency"));
  // JPY has no minor unit, BHD three.
  auto yen = with(with(valid(), json::json_pointer("/currency"), "JPY"), json::json_pointer("/price"), 15000);
  EXPECT_EQ(build(yen)->price_minor, 15000);
  EXPECT_EQ(refusal(with(yen, json::json_pointer("/price"), 150.5)), FR("price", "precision"));
  auto dinar = with(with(valid(), json::json_pointer("/currency"), "BHD"), json::json_pointer("/price"), "12.345");
  EXPECT_EQ(build(dinar)->price_minor, 12345);
  EXPECT_EQ(build(with(valid(), json::json_pointer("/price"), "0"))->price_minor, 0);
  EXPECT_EQ(build(with(valid(), json::json_pointer("/price"), "19.90"))->price_minor, 1990);
}

TEST(CatalogValidation, EveryDimensionHasAPlausibleRange) {
  for (const auto& r : dimension_ranges()) {
    const std::string key = std::string(r.field).substr(std::string("dimensions.").size());
    const auto ptr = json::json_pointer("/dimensions/" + key);
    EXPECT_EQ(refusal(with(valid(), ptr, r.min_mm)), FR("<accepted>", "")) << r.field;
    EXPECT_EQ(refusal(with(valid(), ptr, r.max_mm)), FR("<accepted>", "")) << r.field;
    EXPECT_EQ(refusal(with(valid(), ptr, r.min_mm - 0.1)), FR(r.field, "range")) << r.field;
    EXPECT_EQ(refusal(with(valid(), ptr, r.max_mm + 1)), FR(r.field, "range")) << r.field;
    EXPECT_EQ(refusal(with(valid(), ptr, r.min_mm + 0.25)), FR(r.field, "precision")) << r.field;
    EXPECT_EQ(refusal(with(valid(), ptr, "wide")), FR(r.field, "format")) << r.field;
  }
  EXPECT_EQ(range_of_lens_width().min_mm, 30);
  EXPECT_EQ(range_of_lens_width().max_mm, 80);
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/dimensions/nose"), 3)), FR("dimensions.nose", "unknown_field"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/dimensions"), 52)), FR("dimensions", "type"));
}

TEST(CatalogValidation, ListsImagesAndMetadata) {
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/materials"), json::array({"acetate", 3}))),
            FR("materials[1]", "type"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/materials"), json::array({" "}))), FR("materials[0]", "required"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/colors"), json::array({std::string(51, 'r')}))),
            FR("colors[0]", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/colors"), json::array({"red|blue"}))), FR("colors[0]", "format"));
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back("m" + std::to_string(i));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/materials"), many)), FR("materials", "max_items"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/colors"), "red")), FR("colors", "type"));

  const auto img = [](json url) { return json::array({{{"url", std::move(url)}}}); };
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("ftp://cdn.example.com/a.jpg"))),
            FR("images[0].url", "url_scheme"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("javascript:alert(1)"))),
            FR("images[0].url", "url_scheme"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("https:///nohost"))), FR("images[0].url", "url"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("https://user@evil.example/a"))),
            FR("images[0].url", "url"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("https://a.example/<x>"))), FR("images[0].url", "url"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), img("https://a.example/" + std::string(2040, 'p')))),
            FR("images[0].url", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"), json::array({{{"alt", "no url"}}}))),
            FR("images[0].url", "required"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"),
                         json::array({{{"url", "https://a.example/a"}, {"position", -1}}}))),
            FR("images[0].position", "range"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"),
                         json::array({{{"url", "https://a.example/a"}, {"alt", std::string(301, 'a')}}}))),
            FR("images[0].alt", "max_length"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"),
                         json::array({{{"url", "https://a.example/a"}}, {{"url", " https://a.example/b\t"}, {"alt", "a\x01b"}}}))),
            FR("images[1].alt", "control_characters"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/images"),
                         json::array({{{"url", "https://a.example/a"}, {"size", 1}}}))),
            FR("images[0].size", "unknown_field"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/metadata"), json::array())), FR("metadata", "type"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/metadata"), {{"blob", std::string(17000, 'x')}})),
            FR("metadata", "max_size"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/is_active"), "yes")), FR("is_active", "type"));
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/colour"), "red")), FR("colour", "unknown_field"));
  // Read-only fields of the representation are accepted (exports upload again) and ignored.
  EXPECT_EQ(refusal(with(valid(), json::json_pointer("/id"), "prd_9")), FR("<accepted>", ""));
}

TEST(CatalogValidation, PatchKeepsWhatItDoesNotName) {
  auto base = build(valid());
  ASSERT_TRUE(base.has_value());
  auto patch = patch_from_json({{"price", 99}, {"dimensions", {{"lens_height", nullptr}}}});
  ASSERT_TRUE(patch.has_value());
  auto p = apply_patch(*base, *patch);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->price_minor, 9900);
  EXPECT_EQ(p->name, base->name);
  EXPECT_FALSE(p->dimensions.lens_height.has_value()) << "null clears a dimension";
  EXPECT_EQ(p->dimensions.lens_width, 520);
  // A new currency alone keeps the amount in major units: 99.00 EUR becomes 99 JPY.
  auto yen = apply_patch(*p, *patch_from_json({{"currency", "JPY"}}));
  ASSERT_TRUE(yen.has_value());
  EXPECT_EQ(yen->price_minor, 99);
  auto odd = apply_patch(*base, *patch_from_json({{"currency", "JPY"}}));
  ASSERT_FALSE(odd.has_value()) << "129.99 has no JPY representation";
  EXPECT_EQ(std::get<std::string>(*odd.error().detail("rule")), "precision");
  EXPECT_FALSE(apply_patch(*base, *patch_from_json({{"sku", ""}})).has_value());
}

TEST(CatalogValidation, DecimalsAndPrices) {
  Decimal d;
  EXPECT_TRUE(parse_decimal("129.99", d));
  EXPECT_EQ(d, (Decimal{12999, 2}));
  EXPECT_TRUE(parse_decimal("12.50", d));
  EXPECT_EQ(d, (Decimal{125, 1}));
  for (const char* bad : {"", "-", ".", "1.", "1e3", "1,5", "+1", "1.2.3", " 1"}) EXPECT_FALSE(parse_decimal(bad, d)) << bad;
  EXPECT_EQ(format_price(12999, 2), "129.99");
  EXPECT_EQ(format_price(5, 2), "0.05");
  EXPECT_EQ(format_price(1500, 0), "1500");
  EXPECT_EQ(format_price(12345, 3), "12.345");
  EXPECT_EQ(scaled_price(12999, 2), 129990);
  EXPECT_EQ(scaled_price(1500, 0), 1500000);
  EXPECT_EQ(format_tenths(525), "52.5");
  EXPECT_EQ(format_tenths(520), "52");
  EXPECT_EQ(currency_exponent("EUR"), 2);
  EXPECT_EQ(currency_exponent("KWD"), 3);
  EXPECT_EQ(currency_exponent("KRW"), 0);
  EXPECT_FALSE(currency_exponent("ABC").has_value());
}

}  // namespace
}  // namespace eyewear::catalog
