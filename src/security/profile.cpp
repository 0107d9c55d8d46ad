#include "security/profile.hpp"

#include <nlohmann/json.hpp>

#include "platform/crypto.hpp"

namespace eyewear::security {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

constexpr std::string_view kPhone = "phone";
constexpr std::string_view kTaxId = "tax_id";
constexpr std::string_view kLicence = "licence_number";

FieldRef ref_of(std::string_view manufacturer_id, std::string_view column) {
  return FieldRef{manufacturer_id, ProfileService::table(), column, manufacturer_id};
}

// The VAT prefix a profile country corresponds to (Greece's VAT prefix is EL).
std::string vat_prefix_of(const std::string& country) { return country == "GR" ? "EL" : country; }

}  // namespace

struct ProfileService::Normalised {
  std::string company_name;
  std::string phone;
  std::string tax_id;
  std::string licence_number;
  std::optional<std::int64_t> product_count;
  std::string website;
  std::string country;
  std::vector<ValidationWarning> warnings;
};

ProfileService::ProfileService(ProfileStore& store, Keyring& keyring, LicencePattern licence,
                               const platform::Clock& clock, ProfileOptions options)
    : store_(store), keyring_(keyring), licence_(std::move(licence)), clock_(clock), options_(std::move(options)) {}

Result<ProfileService::Normalised> ProfileService::validate(const ProfileInput& in) const {
  Normalised n;
  std::vector<Error> errors;
  const auto take = [&](auto result, auto& out) {
    if (result) {
      out = std::move(*result);
    } else {
      errors.push_back(std::move(result).error());
    }
  };
  take(validate_company_name(in.company_name), n.company_name);
  if (in.country) take(validate_country(*in.country), n.country);
  if (in.website) take(validate_website(*in.website), n.website);
  const std::string region = n.country.empty() ? options_.phone_default_region : n.country;
  if (in.phone) take(validate_phone(*in.phone, region), n.phone);
  if (in.tax_id) {
    auto tax = validate_tax_id(*in.tax_id, n.country);
    if (tax) {
      n.tax_id = tax->value;
      if (!n.country.empty() && tax->country != vat_prefix_of(n.country) &&
          !(tax->country == "XI" && n.country == "GB")) {
        n.warnings.push_back(
            {"tax_id", "country_mismatch",
             "the tax id is registered in " + tax->country + ", the profile's country is " + n.country});
      }
    } else {
      errors.push_back(std::move(tax).error());
    }
  }
  if (in.licence_number) take(licence_.validate(*in.licence_number), n.licence_number);
  if (in.product_count) {
    auto warnings = validate_product_count(*in.product_count);
    if (warnings) {
      n.product_count = in.product_count;
      n.warnings.insert(n.warnings.end(), warnings->begin(), warnings->end());
    } else {
      errors.push_back(std::move(warnings).error());
    }
  }
  if (errors.empty()) return n;
  // The first failure names details.field and details.rule; details.errors lists them all.
  nlohmann::json all = nlohmann::json::array();
  for (const auto& e : errors) {
    const auto* field = e.detail("field");
    const auto* rule = e.detail("rule");
    all.push_back({{"field", field ? std::get<std::string>(*field) : std::string()},
                   {"rule", rule ? std::get<std::string>(*rule) : std::string()},
                   {"message", e.message}});
  }
  auto first = errors.front();
  first.details.emplace_back("errors", platform::RawJson{all.dump()});
  return fail(std::move(first));
}

Status ProfileService::require_manager(ProfileTx& tx, const ProfileCaller& caller) {
  EW_ASSIGN_OR_RETURN(const auto role, tx.membership_role(caller.account_id, caller.manufacturer_id));
  if (!role || (*role != "owner" && *role != "admin")) {
    return fail(Error(ErrorCode::kPermissionDenied, "only the manufacturer's owner or an admin manages its profile",
                      {{"reason", "owner_required"}, {"role", role.value_or("none")}}));
  }
  return {};
}

Result<Profile> ProfileService::open_profile(const StoredProfile& s) {
  Profile p;
  p.manufacturer_id = s.manufacturer_id;
  p.company_name = s.company_name;
  p.product_count = s.product_count;
  p.website = s.website;
  p.country = s.country;
  p.updated_at = s.updated_at;
  const std::pair<std::string_view, std::pair<const std::string*, std::string*>> secrets[] = {
      {kPhone, {&s.phone_sealed, &p.phone}},
      {kTaxId, {&s.tax_id_sealed, &p.tax_id}},
      {kLicence, {&s.licence_number_sealed, &p.licence_number}}};
  for (const auto& [column, io] : secrets) {
    const auto& [sealed, plain] = io;
    if (sealed->empty()) continue;
    EW_ASSIGN_OR_RETURN(*plain, keyring_.open(ref_of(s.manufacturer_id, column), *sealed));
    EW_ASSIGN_OR_RETURN(const auto header, parse_sealed(*sealed));
    p.sealed.push_back(Profile::Sealed{std::string(column), header.algorithm, header.version});
  }
  return p;
}

Result<Profile> ProfileService::get(const ProfileCaller& caller) {
  std::optional<StoredProfile> stored;
  EW_TRY(store_.read([&](ProfileTx& tx) -> Status {
    EW_TRY(require_manager(tx, caller));
    EW_ASSIGN_OR_RETURN(stored, tx.profile(caller.manufacturer_id));
    return {};
  }));
  if (!stored) return fail(Error::not_found("manufacturer"));
  return open_profile(*stored);
}

Result<Profile> ProfileService::profile_of(std::string_view manufacturer_id) {
  std::optional<StoredProfile> stored;
  EW_TRY(store_.read([&](ProfileTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(stored, tx.profile(manufacturer_id));
    return {};
  }));
  if (!stored) return fail(Error::not_found("manufacturer"));
  return open_profile(*stored);
}

Result<SavedProfile> ProfileService::put(const ProfileCaller& caller, const ProfileInput& input) {
  EW_ASSIGN_OR_RETURN(auto n, validate(input));
  const auto& mid = caller.manufacturer_id;
  // Seal before the transaction: sealing may create the manufacturer's data key in a write
  // transaction of its own.
  std::string phone_sealed, tax_sealed, licence_sealed;
  const std::tuple<std::string_view, const std::string*, std::string*> to_seal[] = {
      {kPhone, &n.phone, &phone_sealed},
      {kTaxId, &n.tax_id, &tax_sealed},
      {kLicence, &n.licence_number, &licence_sealed}};
  for (const auto& [column, plain, out] : to_seal) {
    if (plain->empty()) continue;
    EW_ASSIGN_OR_RETURN(*out, keyring_.seal(ref_of(mid, column), *plain));
  }
  const auto now = platform::to_unix_ms(clock_.now());
  SavedProfile saved;
  EW_TRY(store_.write([&](ProfileTx& tx) -> Status {
    EW_TRY(require_manager(tx, caller));
    EW_ASSIGN_OR_RETURN(auto existing, tx.profile(mid));
    if (!existing) return fail(Error::not_found("manufacturer"));
    // What changed, by field name only. A stored value that no longer opens counts as changed.
    std::vector<std::string> changed;
    const auto differs = [&](std::string_view field, bool diff) {
      if (diff) changed.emplace_back(field);
    };
    auto before = open_profile(*existing);
    const bool known = before.has_value();
    differs("company_name", existing->company_name != n.company_name);
    differs("phone", !known || before->phone != n.phone);
    differs("tax_id", !known || before->tax_id != n.tax_id);
    differs("licence_number", !known || before->licence_number != n.licence_number);
    differs("product_count", existing->product_count != n.product_count);
    differs("website", existing->website != n.website);
    differs("country", existing->country != n.country);
    if (known) {
      platform::secure_wipe(before->phone);
      platform::secure_wipe(before->tax_id);
      platform::secure_wipe(before->licence_number);
    }
    StoredProfile next{mid,        n.company_name,  n.website,
                       n.country,  n.product_count, phone_sealed,
                       tax_sealed, licence_sealed,  existing->updated_at == 0 ? now : existing->created_at,
                       now};
    EW_TRY(tx.save_profile(next));
    platform::AuditEvent e;
    e.type = existing->updated_at == 0 ? "manufacturer_profile_created" : "manufacturer_profile_updated";
    e.account_id = caller.account_id;
    e.manufacturer_id = mid;
    e.ip = caller.meta.ip;
    e.user_agent = caller.meta.user_agent.substr(0, 512);
    e.request_id = caller.meta.request_id;
    e.details = nlohmann::json({{"changed", changed}, {"sealed_fields", {kPhone, kTaxId, kLicence}}}).dump();
    e.at_ms = now;
    EW_TRY(tx.append_audit(e));
    saved.profile.manufacturer_id = mid;
    saved.profile.updated_at = now;
    return {};
  }));
  auto& p = saved.profile;
  p.company_name = std::move(n.company_name);
  p.phone = std::move(n.phone);
  p.tax_id = std::move(n.tax_id);
  p.licence_number = std::move(n.licence_number);
  p.product_count = n.product_count;
  p.website = std::move(n.website);
  p.country = std::move(n.country);
  for (const auto& [column, plain, sealed] : to_seal) {
    if (sealed->empty()) continue;
    EW_ASSIGN_OR_RETURN(const auto header, parse_sealed(*sealed));
    p.sealed.push_back(Profile::Sealed{std::string(column), header.algorithm, header.version});
  }
  saved.warnings = std::move(n.warnings);
  return saved;
}

}  // namespace eyewear::security
