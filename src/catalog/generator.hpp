// A generator of realistic eyewear catalogues for demos, benchmarks and other modules' tests
// (the threat detector's false-positive fixture): brands (some with apostrophes and diacritics),
// frame shapes, materials, colours, plausible dimensions and prices, and descriptive text with
// the things naive filters trip over (`52□18-140`, `--`, `#1 seller`, percentages, quotes).
//
// Deterministic for a seed on every platform and standard library: its own PRNG (SplitMix64)
// and its own mapping to ranges (Lemire's multiply-shift with rejection), no <random>
// distributions. Product `index` i of seed s is the same whatever count or start is asked for.
#pragma once

#include <cstdint>
#include <string>

#include "catalog/model.hpp"

namespace eyewear::catalog {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  [[nodiscard]] std::uint64_t next();
  // Uniform in [0, n), n > 0.
  [[nodiscard]] std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi].
  [[nodiscard]] std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability percent/100.
  [[nodiscard]] bool chance(unsigned percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::string sku_prefix = "EW";
};

class CatalogGenerator {
 public:
  explicit CatalogGenerator(GeneratorOptions options) : options_(std::move(options)) {}
  // The product at `index` (0-based): valid by the catalogue's rules, SKU unique per index.
  [[nodiscard]] Product product(std::uint64_t index) const;

 private:
  GeneratorOptions options_;
};

// One generated product as an input object: the API representation without read-only fields.
[[nodiscard]] std::string generated_json(const Product& p);

}  // namespace eyewear::catalog
