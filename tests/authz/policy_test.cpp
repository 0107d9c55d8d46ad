#include "authz/policy.hpp"

#include <gtest/gtest.h>

#include "authz/period.hpp"
#include "authz/service.hpp"

namespace eyewear::authz {
namespace {

TEST(PolicyTest, DefaultMatrixMatchesTheIssue) {
  const Policy p;
  const std::vector<Permission> free = {Permission::kUploadProducts, Permission::kViewBasicAnalytics,
                                        Permission::kAccessMlTools};
  EXPECT_EQ(p.permissions_of(Tier::kFree), free);
  EXPECT_EQ(p.permissions_of(Tier::kProfessional).size(), 7u);
  EXPECT_FALSE(p.allows(Tier::kProfessional, Permission::kWhiteLabelAccess));
  EXPECT_EQ(p.permissions_of(Tier::kEnterprise).size(), 8u);
  EXPECT_EQ(p.limit(Tier::kFree, Resource::kProductUploads), 100);
  EXPECT_EQ(p.limit(Tier::kFree, Resource::kMlRequests), 50);
  EXPECT_EQ(p.limit(Tier::kFree, Resource::kApiCalls), 1000);
  EXPECT_EQ(p.limit(Tier::kFree, Resource::kDataExports), 5);
  EXPECT_EQ(p.limit(Tier::kProfessional, Resource::kProductUploads), 1000);
  EXPECT_EQ(p.limit(Tier::kProfessional, Resource::kDataExports), 50);
  EXPECT_EQ(p.limit(Tier::kEnterprise, Resource::kProductUploads), kUnlimited);
  EXPECT_EQ(p.limit(Tier::kEnterprise, Resource::kApiCalls), 100000);
  EXPECT_EQ(p.cheapest_with(Permission::kExportData), Tier::kProfessional);
  EXPECT_EQ(p.cheapest_with(Permission::kWhiteLabelAccess), Tier::kEnterprise);
  EXPECT_EQ(p.cheapest_with(Permission::kUploadProducts), Tier::kFree);
}

TEST(PolicyTest, ConfigurationOverridesAndIsValidated) {
  auto p = Policy::configure("free=upload_products|view_basic_analytics|access_ml_tools|export_data",
                             "free.product_uploads=200, enterprise.ml_requests=-1");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_TRUE(p->allows(Tier::kFree, Permission::kExportData));
  EXPECT_EQ(p->cheapest_with(Permission::kExportData), Tier::kFree);
  EXPECT_EQ(p->limit(Tier::kFree, Resource::kProductUploads), 200);
  EXPECT_EQ(p->limit(Tier::kEnterprise, Resource::kMlRequests), kUnlimited);

  for (const auto& [perms, limits] : std::vector<std::pair<std::string, std::string>>{
           {"gold=upload_products", ""},
           {"free=teleport", ""},
           {"", "free.teleports=3"},
           {"", "free.product_uploads=-2"},
           {"", "free.product_uploads=lots"},
           {"", "product_uploads=3"},
           {"enterprise=upload_products", ""}}) {  // enterprise would lose what professional grants
    auto bad = Policy::configure(perms, limits);
    EXPECT_FALSE(bad.has_value()) << perms << " / " << limits;
    if (!bad) {
      EXPECT_EQ(bad.error().code, platform::ErrorCode::kValidationFailed);
    }
  }
}

TEST(PeriodTest, UtcCalendarMonths) {
  platform::SystemTime t;
  ASSERT_TRUE(platform::parse_rfc3339("2026-11-30T23:59:59.999Z", t));
  EXPECT_EQ(period_of(t), "2026-11");
  EXPECT_EQ(day_of(t), "2026-11-30");
  EXPECT_EQ(platform::format_rfc3339(platform::from_unix_ms(next_period_start_ms(t))), "2026-12-01T00:00:00.000Z");
  EXPECT_EQ(platform::format_rfc3339(platform::from_unix_ms(period_start_ms(t))), "2026-11-01T00:00:00.000Z");
  ASSERT_TRUE(platform::parse_rfc3339("2026-12-15T10:00:00Z", t));
  EXPECT_EQ(platform::format_rfc3339(platform::from_unix_ms(next_period_start_ms(t))), "2027-01-01T00:00:00.000Z");
  ASSERT_TRUE(platform::parse_rfc3339("2026-12-01T00:30:00+01:00", t));  // still November in UTC
  EXPECT_EQ(period_of(t), "2026-11");
}

TEST(RecommendationsTest, AdviceFollowsTheFigures) {
  platform::PerfMonitor::Report slow_query{"sqlite: SELECT products", "db.query", 20, 500, 5, 45, 80, 12, 30, 12, 30};
  platform::PerfMonitor::Report fine_route{"GET /api/v1/me", "http.request", 250, 1000, 0.3, 0.6, 0.9, 0.35, 0, 0, 0};
  const auto advice = recommendations_for({slow_query, fine_route});
  ASSERT_EQ(advice.size(), 2u);
  EXPECT_NE(advice[0].find("12 times in the last hour"), std::string::npos);
  EXPECT_NE(advice[1].find("indexed"), std::string::npos);
  EXPECT_EQ(recommendations_for({fine_route}), std::vector<std::string>{"All monitored operations are within their thresholds."});
}

}  // namespace
}  // namespace eyewear::authz
