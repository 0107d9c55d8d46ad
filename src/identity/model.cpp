#include "identity/model.hpp"

namespace eyewear::identity {

const char* to_string(AccountStatus s) {
  switch (s) {
    case AccountStatus::kPendingVerification: return "pending_verification";
    case AccountStatus::kActive: return "active";
    case AccountStatus::kDisabled: return "disabled";
    case AccountStatus::kErased: return "erased";
  }
  return "disabled";
}

AccountStatus account_status_from(std::string_view s) {
  if (s == "pending_verification") return AccountStatus::kPendingVerification;
  if (s == "active") return AccountStatus::kActive;
  if (s == "erased") return AccountStatus::kErased;
  return AccountStatus::kDisabled;
}

}  // namespace eyewear::identity
