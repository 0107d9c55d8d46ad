// Demo data for `serve --demo-data` (scripts/run): a ready-to-use account so a first look at the
// platform needs no sign-up. Seeded once, only into a database without that account.
#pragma once

#include "app/application.hpp"

namespace eyewear::app {

inline constexpr const char* kDemoEmail = "demo@eyewear.local";
inline constexpr const char* kDemoPassword = "Acetate-Hinge-Bridge-52";

[[nodiscard]] platform::Status seed_demo_data(Application& app);

}  // namespace eyewear::app
