#include "app/demo_data.hpp"

#include "identity/service.hpp"

namespace eyewear::app {

platform::Status seed_demo_data(Application& app) {
  auto id = app.identity().provision_account(kDemoEmail, kDemoPassword, "Demo Optics", "professional", {});
  if (!id) {
    if (id.error().code == platform::ErrorCode::kConflict) return {};  // seeded before
    return std::unexpected(id.error());
  }
  app.logger().info("demo account created", {{"email", kDemoEmail}, {"password", kDemoPassword}, {"tier", "professional"}});
  return {};
}

}  // namespace eyewear::app
