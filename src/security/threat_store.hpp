// The threat history's persistence seam (table security_threats; SQL in
// src/stores/threat_store.cpp). Records are written in batches by ThreatRecorder, together with
// the audit entries of the requests that were refused, in one transaction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/audit.hpp"
#include "platform/error.hpp"
#include "security/threat_types.hpp"

namespace eyewear::security {

using platform::Result;
using platform::Status;

// One finding of one request, as recorded. Never the payload.
struct ThreatRecord {
  std::string manufacturer_id;  // empty when the caller was not authenticated
  std::string account_id;
  std::string api_key_id;
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string route;  // the route's label, "POST /api/v1/api-keys"
  ThreatType type = ThreatType::kSqlInjection;
  Severity severity = Severity::kHigh;
  double confidence = 0;
  std::string field;
  std::string detector;
  std::string evidence;
  std::string value_hash;
  bool blocked = false;  // the request was refused because of this request's findings
  std::int64_t at_ms = 0;
};

struct StoredThreat {
  std::int64_t id = 0;
  ThreatRecord record;
};

// Admin search; empty strings and zero times match everything.
struct ThreatQuery {
  std::string type;
  std::string severity;
  std::string manufacturer_id;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;  // inclusive; 0: no upper bound
  std::int64_t offset = 0;
  int limit = 50;
};

struct ThreatPage {
  std::vector<StoredThreat> items;  // newest first
  std::int64_t total = 0;
};

// What the summary of one manufacturer is computed from.
struct ThreatCounts {
  std::array<std::int64_t, kThreatTypeCount> by_type{};        // all time
  std::array<std::int64_t, kSeverityCount> by_severity{};      // all time
  std::array<std::int64_t, kSeverityCount> recent_severity{};  // since the window start
  std::int64_t blocked = 0;                                    // all time
  std::vector<StoredThreat> latest;                            // newest first
};

class ThreatStore {
 public:
  virtual ~ThreatStore() = default;
  // Inserts the records and the audit entries in one transaction.
  [[nodiscard]] virtual Status append(const std::vector<ThreatRecord>& records,
                                      const std::vector<platform::AuditEvent>& audit) = 0;
  [[nodiscard]] virtual Result<ThreatCounts> counts(std::string_view manufacturer_id, std::int64_t window_start_ms,
                                                    int latest) = 0;
  [[nodiscard]] virtual Result<ThreatPage> search(const ThreatQuery& query) = 0;
};

}  // namespace eyewear::security
