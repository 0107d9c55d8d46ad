// The catalogue API: products (CRUD), bulk upload, search with facets, statistics and export.
#pragma once

#include <memory>

#include "authz/service.hpp"
#include "catalog/service.hpp"
#include "http/router.hpp"

namespace eyewear::http {

struct CatalogRouteServices {
  catalog::CatalogService& catalog;
  authz::Authorizer& authorizer;
  authz::Quotas& quotas;
  platform::Logger* logger = nullptr;  // the end of each export (rows, complete) is logged here
};

void add_catalog_routes(Router& router, CatalogRouteServices services);

// The product_uploads quota, as the catalogue consumes it for bulk uploads.
[[nodiscard]] std::unique_ptr<catalog::UploadAllowance> make_upload_allowance(authz::Quotas& quotas);

}  // namespace eyewear::http
