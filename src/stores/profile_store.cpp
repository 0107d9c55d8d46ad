#include "stores/profile_store.hpp"
#include "stores/sql_common.hpp"

namespace eyewear::stores {

namespace {

using platform::Result;
using platform::Status;
using security::ProfileTx;
using security::StoredProfile;
using storage::Connection;
using storage::Param;

class SqlProfileTx final : public ProfileTx {
 public:
  explicit SqlProfileTx(Connection& c) : c_(c) {}

  Result<std::optional<std::string>> membership_role(std::string_view account_id,
                                                     std::string_view manufacturer_id) override {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query("SELECT role FROM memberships WHERE account_id = $1 AND manufacturer_id = $2",
                                 {account_id, manufacturer_id}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows.front().str(0));
  }

  Result<std::optional<StoredProfile>> profile(std::string_view manufacturer_id) override {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query("SELECT m.id, m.company_name, COALESCE(p.website, ''), COALESCE(p.country, ''), "
                                 "p.product_count, COALESCE(p.phone_sealed, ''), COALESCE(p.tax_id_sealed, ''), "
                                 "COALESCE(p.licence_number_sealed, ''), COALESCE(p.created_at, 0), "
                                 "COALESCE(p.updated_at, 0) FROM manufacturers m "
                                 "LEFT JOIN manufacturer_profiles p ON p.manufacturer_id = m.id WHERE m.id = $1",
                                 {manufacturer_id}));
    if (rows.empty()) return std::optional<StoredProfile>();
    const auto r = rows.front();
    return std::optional<StoredProfile>(StoredProfile{r.str(0), r.str(1), r.str(2), r.str(3), r.opt_i64(4), r.str(5),
                                                      r.str(6), r.str(7), r.i64(8), r.i64(9)});
  }

  Status save_profile(const StoredProfile& p) override {
    auto sealed = [](const std::string& s) { return s.empty() ? Param() : Param(s); };
    EW_TRY(
        c_.execute("INSERT INTO manufacturer_profiles (manufacturer_id, website, country, product_count, phone_sealed, "
                   "tax_id_sealed, licence_number_sealed, created_at, updated_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (manufacturer_id) DO UPDATE SET "
                   "website = excluded.website, country = excluded.country, product_count = excluded.product_count, "
                   "phone_sealed = excluded.phone_sealed, tax_id_sealed = excluded.tax_id_sealed, "
                   "licence_number_sealed = excluded.licence_number_sealed, updated_at = excluded.updated_at",
                   {p.manufacturer_id, p.website, p.country, p.product_count, sealed(p.phone_sealed),
                    sealed(p.tax_id_sealed), sealed(p.licence_number_sealed), p.created_at, p.updated_at}));
    EW_TRY(
        c_.execute("UPDATE manufacturers SET company_name = $2, updated_at = $3 WHERE id = $1 AND company_name <> $2",
                   {p.manufacturer_id, p.company_name, p.updated_at}));
    return {};
  }

  Status append_audit(const platform::AuditEvent& e) override { return insert_audit_event(c_, e); }

 private:
  Connection& c_;
};

using SqlProfileStore = SqlStore<security::ProfileStore, ProfileTx, SqlProfileTx>;

}  // namespace

std::unique_ptr<security::ProfileStore> make_profile_store(storage::Database& db) {
  return std::make_unique<SqlProfileStore>(db);
}

}  // namespace eyewear::stores
