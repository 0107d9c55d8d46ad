#include "catalog/generator.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"

namespace eyewear::catalog {

std::uint64_t Rng::next() {
  // SplitMix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator with good mixing.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

__extension__ using Uint128 = unsigned __int128;

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire's nearly divisionless mapping; the rejection keeps it exactly uniform.
  for (;;) {
    const Uint128 m = static_cast<Uint128>(next()) * n;
    const auto low = static_cast<std::uint64_t>(m);
    if (low >= n || low >= (0 - n) % n) return static_cast<std::uint64_t>(m >> 64);
  }
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
}

namespace {

template <std::size_t N>
std::string_view pick(Rng& r, const std::array<std::string_view, N>& a) {
  return a[r.below(N)];
}

constexpr std::array<std::string_view, 24> kBrands = {
    "Lunette d'Or", "O'Malley Optics", "Kjær & Søn", "Zürich Frames", "Maison Élise", "Northlight", "Atelier 52",
    "Bergström", "Café Optique", "Ray & Co", "Visione Milano", "Tortuga", "Hawkeye", "Brillenwerk", "Ocular Lab",
    "Sol y Sombra", "Fjord Eyewear", "McAllister's", "Kōyō", "Brightside", "Monocle & Muse", "Ostrava", "Lumen",
    "Peregrine"};
constexpr std::array<std::string_view, 7> kCategories = {"optical", "sunglasses", "sports", "reading",
                                                         "kids",    "safety",     "blue-light"};
constexpr std::array<std::string_view, 14> kShapes = {"aviator", "wayfarer", "round",    "cat-eye",   "rectangle",
                                                      "square",  "oval",     "browline", "geometric", "butterfly",
                                                      "shield",  "pantos",   "hexagonal", "clubmaster"};
constexpr std::array<std::string_view, 13> kMaterials = {
    "acetate", "bio-acetate", "titanium", "beta-titanium", "stainless steel", "tr90",     "nylon",
    "aluminium", "carbon fibre", "wood",   "buffalo horn",  "monel",          "polycarbonate"};
constexpr std::array<std::string_view, 18> kColors = {
    "black", "tortoise", "havana", "crystal", "gold", "silver", "gunmetal", "navy", "burgundy",
    "olive", "rose gold", "matte black", "champagne", "blue", "green", "grey", "amber", "honey"};
constexpr std::array<std::string_view, 20> kModels = {
    "Marais", "Brera", "Shoreditch", "Kreuzberg", "Gion", "Nyhavn", "Trastevere", "Soho", "Vesterbro", "Chiado",
    "Montmartre", "Pigalle", "Alfama", "Kallio", "Zamalek", "Palermo", "Roma", "Ginza", "Lavapiés", "Södermalm"};
constexpr std::array<std::string_view, 10> kFeatures = {
    "spring hinges", "adjustable nose pads", "five-barrel hinges", "keyhole bridge", "riveted temples",
    "anti-reflective coating", "scratch-resistant lenses", "polarised lenses", "UV400 protection",
    "blue-light filter"};
constexpr std::array<std::string_view, 8> kTaglines = {
    "Our #1 seller -- now in {color}.", "Select your colour: {color} or {color2}.",
    "Handmade in small batches -- no two alike.", "The customer's favourite for everyday wear.",
    "Made with {pct}% recycled {material}.", "Fits 9 out of 10 faces -- \"it just works\".",
    "Lightweight: only {grams} g.", "A classic {shape} shape, re-cut for today's faces."};

struct Currency {
  std::string_view code;
  int exponent;
  unsigned share;  // percent of products
};
constexpr std::array<Currency, 4> kCurrencyMix = {{{"EUR", 2, 70}, {"USD", 2, 20}, {"GBP", 2, 7}, {"JPY", 0, 3}}};

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size())) {
    text.replace(pos, key.size(), value);
  }
  return text;
}

std::string capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

}  // namespace

Product CatalogGenerator::product(std::uint64_t index) const {
  // Each product has its own stream, so product i never depends on how many came before it.
  Rng r(options_.seed * 0x100000001B3ULL ^ (index + 1) * 0x9E3779B97F4A7C15ULL);
  (void)r.next();
  Product p;
  const auto brand = pick(r, kBrands);
  const auto category = pick(r, kCategories);
  const auto shape = pick(r, kShapes);
  const auto model = pick(r, kModels);
  p.brand = std::string(brand);
  p.category = std::string(category);
  const bool sun = category == "sunglasses" || category == "sports";

  p.materials.emplace_back(pick(r, kMaterials));
  if (r.chance(35)) {
    const auto second = pick(r, kMaterials);
    if (second != p.materials[0]) p.materials.emplace_back(second);
  }
  p.colors.emplace_back(pick(r, kColors));
  if (r.chance(40)) {
    const auto second = pick(r, kColors);
    if (second != p.colors[0]) p.colors.emplace_back(second);
  }

  // Dimensions: children's and reading frames run small, sports frames wide.
  const std::int64_t lens_lo = category == "kids" ? 40 : 46;
  const std::int64_t lens_hi = category == "kids" ? 48 : (category == "sports" ? 66 : 58);
  const auto lens = r.between(lens_lo, lens_hi);
  const auto bridge = r.between(14, 24);
  const auto temple = category == "kids" ? r.between(120, 135) : r.between(135, 150);
  const auto lens_height = std::min<std::int64_t>(lens - r.between(6, 16), 60);
  p.dimensions.lens_width = static_cast<std::int32_t>(lens * 10);
  p.dimensions.bridge_width = static_cast<std::int32_t>(bridge * 10);
  p.dimensions.temple_length = static_cast<std::int32_t>(temple * 10);
  p.dimensions.lens_height = static_cast<std::int32_t>(std::max<std::int64_t>(lens_height, 25) * 10 + r.between(0, 1) * 5);
  const auto frame_width = std::clamp<std::int64_t>(2 * lens + bridge + r.between(6, 14), 100, 170);
  p.dimensions.frame_width = static_cast<std::int32_t>(frame_width * 10);
  if (r.chance(60)) p.dimensions.frame_height = static_cast<std::int32_t>((lens_height + r.between(4, 10)) * 10);

  // Price: mostly round retail points.
  std::uint64_t roll = r.below(100);
  const Currency* cur = &kCurrencyMix[0];
  for (const auto& c : kCurrencyMix) {
    if (roll < c.share) {
      cur = &c;
      break;
    }
    roll -= c.share;
  }
  p.currency = std::string(cur->code);
  const auto major = r.between(sun ? 79 : 59, sun ? 420 : 390);
  if (cur->exponent == 0) {
    p.price_minor = major * 150 / 10 * 10;
  } else {
    constexpr std::array<int, 5> cents = {0, 50, 90, 95, 99};
    p.price_minor = major * 100 + cents[r.below(cents.size())];
  }

  const char* kind = sun ? "Sunglasses" : (category == "reading" ? "Readers" : "Frame");
  p.name = std::string(brand) + " " + std::string(model) + " " + capitalised(shape) + " " + kind;
  const std::string measure = std::to_string(lens) + "\xE2\x96\xA1" + std::to_string(bridge) + "-" + std::to_string(temple);
  const std::string color = p.colors[0];
  std::string d = capitalised(shape) + " " + std::string(category == "kids" ? "kids' " : "") + p.materials[0] +
                  " frame in " + color + ", " + measure + ". ";
  d += capitalised(pick(r, kFeatures)) + " and " + std::string(pick(r, kFeatures)) + ". ";
  auto tagline = std::string(pick(r, kTaglines));
  tagline = replace_all(tagline, "{color2}", pick(r, kColors));
  tagline = replace_all(tagline, "{color}", color);
  tagline = replace_all(tagline, "{pct}", std::to_string(r.between(30, 100)));
  tagline = replace_all(tagline, "{material}", p.materials[0]);
  tagline = replace_all(tagline, "{grams}", std::to_string(r.between(9, 32)));
  tagline = replace_all(tagline, "{shape}", shape);
  d += tagline;
  if (sun) d += " Category 3 lenses, 100% UV protection.";
  p.description = std::move(d);

  char sku[64];
  std::snprintf(sku, sizeof sku, "%s-%07llu-%s", options_.sku_prefix.c_str(), static_cast<unsigned long long>(index),
                std::string(shape.substr(0, 3)).c_str());
  p.sku = sku;
  for (auto& c : p.sku) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }

  const auto images = r.between(1, 3);
  for (std::int64_t i = 0; i < images; ++i) {
    static constexpr std::array<std::string_view, 3> kViews = {"front", "side", "on model"};
    p.images.push_back(Image{"https://cdn.eyewear.example/" + p.sku + "/" + std::to_string(i + 1) + ".jpg",
                             p.name + " - " + std::string(kViews[static_cast<std::size_t>(i)]) + " view",
                             static_cast<std::int32_t>(i)});
  }
  nlohmann::json meta = {{"collection", std::string(r.chance(50) ? "Spring " : "Autumn ") +
                                            std::to_string(2024 + r.below(4))},
                         {"gender", std::array<const char*, 3>{"unisex", "women", "men"}[r.below(3)]}};
  if (r.chance(30)) meta["rx_ready"] = true;
  p.metadata = meta.dump();
  p.is_active = !r.chance(4);
  return p;
}

std::string generated_json(const Product& p) {
  auto j = product_json(p);
  for (const char* k : {"id", "price_minor", "created_at", "updated_at"}) j.erase(k);
  return j.dump();
}

}  // namespace eyewear::catalog
