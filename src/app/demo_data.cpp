#include "app/demo_data.hpp"

#include <nlohmann/json.hpp>

#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "catalog/service.hpp"
#include "identity/service.hpp"
#include "security/profile.hpp"

namespace eyewear::app {

namespace {

// A small generated catalogue for the demo account, through the real bulk upload.
platform::Status seed_demo_catalogue(Application& app, const std::string& account_id) {
  const auto count = app.config().catalog.demo_products;
  if (count == 0) return {};
  EW_ASSIGN_OR_RETURN(auto rows, app.database().transact(storage::TxMode::kRead, [&](storage::Connection& c) {
    return c.query("SELECT manufacturer_id FROM memberships WHERE account_id = $1", {account_id});
  }));
  if (rows.empty()) return {};
  const auto manufacturer = rows.front().str(0);
  catalog::CatalogGenerator generator({.seed = 52, .sku_prefix = "DEMO"});
  std::vector<catalog::BulkRow> batch;
  for (std::size_t i = 0; i < count; ++i) {
    auto patch = catalog::patch_from_json(nlohmann::json::parse(catalog::generated_json(generator.product(i))));
    if (!patch) return std::unexpected(patch.error());
    batch.push_back(catalog::BulkRow{i + 1, std::move(*patch), std::nullopt});
    if (batch.size() == 1000 || i + 1 == count) {
      catalog::BulkOptions options;
      options.request_id = "demo-data";
      EW_ASSIGN_OR_RETURN(auto answer, app.catalog().bulk(manufacturer, std::move(batch), options, {"", "", "demo-data"}));
      batch.clear();
      (void)answer;
    }
  }
  app.logger().info("demo catalogue created", {{"products", static_cast<std::int64_t>(count)}});
  return {};
}

}  // namespace

platform::Status seed_demo_data(Application& app) {
  auto id = app.identity().provision_account(kDemoEmail, kDemoPassword, "Demo Optics", "professional", {});
  if (!id) {
    if (id.error().code == platform::ErrorCode::kConflict) return {};  // seeded before
    return std::unexpected(id.error());
  }
  app.logger().info("demo account created", {{"email", kDemoEmail}, {"password", kDemoPassword}, {"tier", "professional"}});
  // A business profile, so the sealed fields have something to show (demo values, not secrets).
  EW_ASSIGN_OR_RETURN(const auto account, app.identity().me(identity::Caller{*id, "", "", {}}));
  security::ProfileInput profile;
  profile.company_name = "Demo Optics";
  profile.phone = "+49 30 901820";
  profile.tax_id = "DE811125440";
  profile.licence_number = "HRB 12345 B";
  profile.product_count = 240;
  profile.website = "https://demo-optics.example";
  profile.country = "DE";
  EW_TRY(app.profiles().put(security::ProfileCaller{*id, account.manufacturer_id, {"", "eyewear demo data", ""}},
                            profile));
  return seed_demo_catalogue(app, *id);
}

}  // namespace eyewear::app
