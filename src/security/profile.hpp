// The manufacturer's business profile: company name, contact and registration details. Phone,
// tax id and licence number are sealed by the keyring (bound to the manufacturer and the
// column) and never stored, logged or audited in plaintext; the other fields are plain. The
// owner (or an admin member) of the manufacturer reads and replaces it; onboarding reads it
// through profile_of(). Every change writes an audit entry naming the changed fields only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "platform/audit.hpp"
#include "platform/clock.hpp"
#include "security/keyring.hpp"
#include "security/validation.hpp"

namespace eyewear::security {

// What the store holds: sealed values as they are at rest.
struct StoredProfile {
  std::string manufacturer_id;
  std::string company_name;  // manufacturers.company_name
  std::string website;
  std::string country;
  std::optional<std::int64_t> product_count;
  std::string phone_sealed;
  std::string tax_id_sealed;
  std::string licence_number_sealed;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;  // 0: no profile saved yet
};

class ProfileTx {
 public:
  virtual ~ProfileTx() = default;
  // The caller's role in the manufacturer (owner | admin | member), nullopt when not a member.
  [[nodiscard]] virtual Result<std::optional<std::string>> membership_role(std::string_view account_id,
                                                                           std::string_view manufacturer_id) = 0;
  // nullopt when the manufacturer does not exist; updated_at 0 when it has no saved profile.
  [[nodiscard]] virtual Result<std::optional<StoredProfile>> profile(std::string_view manufacturer_id) = 0;
  // Inserts or replaces the profile row and the manufacturer's company name.
  [[nodiscard]] virtual Status save_profile(const StoredProfile& p) = 0;
  [[nodiscard]] virtual Status append_audit(const platform::AuditEvent& event) = 0;
};

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;
  [[nodiscard]] virtual Status write(const std::function<Status(ProfileTx&)>& work) = 0;
  [[nodiscard]] virtual Status read(const std::function<Status(ProfileTx&)>& work) = 0;
};

// The profile in the clear. Empty strings and nullopt are absent fields.
struct Profile {
  std::string manufacturer_id;
  std::string company_name;
  std::string phone;
  std::string tax_id;
  std::string licence_number;
  std::optional<std::int64_t> product_count;
  std::string website;
  std::string country;
  std::int64_t updated_at = 0;
  struct Sealed {
    std::string field;
    Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
    int key_version = 0;
  };
  std::vector<Sealed> sealed;  // how each present secret field is sealed
};

// A replacement profile as the client sent it (PUT): absent fields are cleared.
struct ProfileInput {
  std::string company_name;
  std::optional<std::string> phone;
  std::optional<std::string> tax_id;
  std::optional<std::string> licence_number;
  std::optional<std::int64_t> product_count;
  std::optional<std::string> website;
  std::optional<std::string> country;
};

struct ProfileCaller {
  std::string account_id;
  std::string manufacturer_id;
  platform::RequestMeta meta;
};

struct SavedProfile {
  Profile profile;
  std::vector<ValidationWarning> warnings;
};

struct ProfileOptions {
  std::string phone_default_region;  // for numbers without + when the profile has no country
};

class ProfileService {
 public:
  ProfileService(ProfileStore& store, Keyring& keyring, LicencePattern licence, const platform::Clock& clock,
                 ProfileOptions options);

  // PERMISSION_DENIED unless the caller is the manufacturer's owner or an admin member.
  [[nodiscard]] Result<Profile> get(const ProfileCaller& caller);
  // Validates every field (VALIDATION_FAILED names the first failing field; details.errors
  // lists all), seals the secret ones and replaces the profile in one transaction.
  [[nodiscard]] Result<SavedProfile> put(const ProfileCaller& caller, const ProfileInput& input);
  // For other modules (onboarding): the profile without a caller check.
  [[nodiscard]] Result<Profile> profile_of(std::string_view manufacturer_id);

  [[nodiscard]] static constexpr std::string_view table() { return "manufacturer_profiles"; }

 private:
  struct Normalised;
  Result<Normalised> validate(const ProfileInput& input) const;
  Status require_manager(ProfileTx& tx, const ProfileCaller& caller);
  Result<Profile> open_profile(const StoredProfile& stored);

  ProfileStore& store_;
  Keyring& keyring_;
  LicencePattern licence_;
  const platform::Clock& clock_;
  ProfileOptions options_;
};

}  // namespace eyewear::security
