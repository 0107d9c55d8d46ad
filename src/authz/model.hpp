// Records of the authorization module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authz/policy.hpp"
#include "platform/audit.hpp"

namespace eyewear::authz {

struct ManufacturerState {
  std::string id;
  Tier tier = Tier::kFree;
  std::string status;  // active | suspended | deleted
  std::int64_t updated_at = 0;
};

struct QuotaState {
  Resource resource = Resource::kProductUploads;
  std::string period;        // "2026-11"
  std::int64_t limit = 0;    // kUnlimited = -1
  std::int64_t used = 0;
  std::int64_t resets_at = 0;  // ms: first instant of the next UTC month
  [[nodiscard]] bool unlimited() const { return limit == kUnlimited; }
  [[nodiscard]] std::int64_t remaining() const { return unlimited() ? -1 : std::max<std::int64_t>(0, limit - used); }
};

struct ApiKey {
  std::string id;
  std::string manufacturer_id;
  std::string created_by;
  std::string name;
  std::string prefix;  // ewk_ + the first characters, for recognition
  std::string key_hash;
  std::vector<Permission> scopes;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> first_used_at;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
};

struct ManufacturerSummary {
  std::string id;
  std::string company_name;
  std::string tier;
  std::string status;
  std::string owner_email;
  std::int64_t members = 0;
  std::int64_t created_at = 0;
};

struct AuditFilter {
  std::string type;
  std::string manufacturer_id;
  std::string account_id;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;   // 0: no upper bound
  std::int64_t before_id = 0;
  int limit = 50;
};

struct AuditEntry {
  std::int64_t id = 0;
  platform::AuditEvent event;
};

}  // namespace eyewear::authz
