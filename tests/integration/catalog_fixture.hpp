// The catalogue over HTTP against the real server on SQLite and PostgreSQL: accounts on any
// tier, bulk uploads in the three formats, generated products.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/generator.hpp"
#include "identity/service.hpp"
#include "integration/identity_fixture.hpp"

namespace eyewear::testing {

struct Tenant {
  std::string token;
  std::string manufacturer_id;
};

class CatalogTest : public IdentityTest {
 protected:
  Tenant tenant(const std::string& email, const std::string& tier = "professional") {
    auto id = server_->app().identity().provision_account(email, kPassword, "Optics " + email, tier, {});
    EXPECT_TRUE(id.has_value()) << (id ? "" : id.error().message);
    Tenant t;
    t.token = sign_in(*client_, email).access;
    t.manufacturer_id = me(t.token).json()["manufacturer"]["id"];
    return t;
  }

  HttpResponse bulk(const Tenant& t, const std::string& body, const std::string& content_type = "application/json",
                    const std::string& query = "", HeaderList extra = {}) {
    extra.emplace_back("Content-Type", content_type);
    extra.push_back(bearer(t.token));
    return client_->request("POST", "/api/v1/products/bulk" + query, body, extra);
  }

  // `n` generated products as an NDJSON body.
  static std::string generated(std::size_t n, std::uint64_t seed = 11, std::uint64_t start = 0,
                               const std::string& prefix = "EW") {
    catalog::CatalogGenerator gen({.seed = seed, .sku_prefix = prefix});
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += catalog::generated_json(gen.product(start + i)) + "\n";
    return out;
  }

  static nlohmann::json product(const std::string& sku, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json p = {{"sku", sku},          {"name", "Frame " + sku}, {"brand", "Tortuga"},
                        {"category", "optical"}, {"price", 120},          {"currency", "EUR"}};
    for (auto& [k, v] : extra.items()) p[k] = v;
    return p;
  }

  HttpResponse search(const Tenant& t, const std::string& query) {
    return client_->get("/api/v1/products" + query, {bearer(t.token)});
  }

  std::int64_t products_of(const Tenant& t) {
    return count("SELECT COUNT(*) FROM products WHERE manufacturer_id = $1", {t.manufacturer_id});
  }
  std::int64_t uploads_used(const Tenant& t) {
    return count("SELECT COALESCE(SUM(used), 0) FROM usage_counters WHERE manufacturer_id = $1 AND "
                 "resource = 'product_uploads'",
                 {t.manufacturer_id});
  }
};

}  // namespace eyewear::testing
