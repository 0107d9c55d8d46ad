#include "app/demo_data.hpp"

#include "identity/service.hpp"
#include "security/profile.hpp"

namespace eyewear::app {

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
  return {};
}

}  // namespace eyewear::app
