#include "http/profile_routes.hpp"

#include <algorithm>
#include <cstdint>

#include "http/auth_middleware.hpp"
#include "http/json_body.hpp"

namespace eyewear::http {

namespace {

using platform::Error;
using platform::fail;

nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

nlohmann::json profile_json(const security::Profile& p) {
  nlohmann::json sealed = nlohmann::json::object();
  for (const auto& s : p.sealed) {
    sealed[s.field] = {{"algorithm", security::algorithm_name(s.algorithm)}, {"key_version", s.key_version}};
  }
  return {{"manufacturer_id", p.manufacturer_id},
          {"company_name", p.company_name},
          {"phone", text_or_null(p.phone)},
          {"tax_id", text_or_null(p.tax_id)},
          {"licence_number", text_or_null(p.licence_number)},
          {"product_count", p.product_count ? nlohmann::json(*p.product_count) : nlohmann::json(nullptr)},
          {"website", text_or_null(p.website)},
          {"country", text_or_null(p.country)},
          {"updated_at", p.updated_at == 0
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(platform::format_rfc3339(platform::from_unix_ms(p.updated_at)))},
          {"encryption", sealed}};
}

security::ProfileCaller caller_of_profile(const Exchange& ex) {
  return security::ProfileCaller{ex.principal->account_id, ex.principal->manufacturer_id, meta_of(ex)};
}

platform::Result<security::ProfileInput> input_of(const Exchange& ex) {
  EW_ASSIGN_OR_RETURN(auto f, JsonFields::of(ex));
  static constexpr std::string_view kFields[] = {"company_name",  "phone",   "tax_id", "licence_number",
                                                 "product_count", "website", "country"};
  for (const auto& [key, _] : f.raw().items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return fail(Error::validation(key.size() > 64 ? key.substr(0, 64) : key, "unknown_field",
                                    "the profile has no field of this name"));
    }
  }
  security::ProfileInput in;
  EW_ASSIGN_OR_RETURN(in.company_name, f.required_string("company_name", 400));
  EW_ASSIGN_OR_RETURN(in.phone, f.optional_string("phone", 256));
  EW_ASSIGN_OR_RETURN(in.tax_id, f.optional_string("tax_id", 256));
  EW_ASSIGN_OR_RETURN(in.licence_number, f.optional_string("licence_number", 256));
  EW_ASSIGN_OR_RETURN(in.website, f.optional_string("website", 1024));
  EW_ASSIGN_OR_RETURN(in.country, f.optional_string("country", 64));
  EW_ASSIGN_OR_RETURN(in.product_count, f.optional_int("product_count", INT64_MIN, INT64_MAX));
  return in;
}

}  // namespace

void add_profile_routes(Router& router, security::ProfileService& profiles) {
  RouteOptions read;
  read.auth = Auth::kSession;
  router.add(
      Method::kGet, "/api/v1/manufacturer/profile",
      [&profiles](Exchange& ex) -> HandlerResult {
        EW_ASSIGN_OR_RETURN(const auto profile, profiles.get(caller_of_profile(ex)));
        return Response::json(200, profile_json(profile));
      },
      read);

  RouteOptions write;
  write.auth = Auth::kSession;
  write.body = BodyPolicy::kJson;
  router.add(
      Method::kPut, "/api/v1/manufacturer/profile",
      [&profiles](Exchange& ex) -> HandlerResult {
        EW_ASSIGN_OR_RETURN(const auto input, input_of(ex));
        EW_ASSIGN_OR_RETURN(const auto saved, profiles.put(caller_of_profile(ex), input));
        auto body = profile_json(saved.profile);
        nlohmann::json warnings = nlohmann::json::array();
        for (const auto& w : saved.warnings)
          warnings.push_back({{"field", w.field}, {"rule", w.rule}, {"message", w.message}});
        body["warnings"] = warnings;
        return Response::json(200, body);
      },
      write);
}

}  // namespace eyewear::http
