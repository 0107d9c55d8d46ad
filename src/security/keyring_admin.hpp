// Keyring maintenance: `eyewear keys rewrap` (re-seal every stored field under its tenant's
// current key of the primary version, in batches, online and resumable) and `eyewear keys status`
// (versions, algorithms and how many fields sit on each).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "security/keyring.hpp"

namespace eyewear::security {

struct RewrapColumnReport {
  std::string column;
  bool resumed = false;  // continued an interrupted pass
  std::int64_t scanned = 0;
  std::int64_t rewrapped = 0;
  std::int64_t already_current = 0;
  std::int64_t changed_meanwhile = 0;  // rewritten by a server during the pass; left as it is
  std::int64_t failed = 0;             // values that do not open (logged by row id, never by value)
  bool complete = false;
};

struct RewrapReport {
  int primary_version = 0;
  std::vector<RewrapColumnReport> columns;
  [[nodiscard]] std::int64_t rewrapped() const;
  [[nodiscard]] std::int64_t failed() const;
  [[nodiscard]] bool complete() const;
};

struct RewrapOptions {
  int batch = 500;
  bool restart = false;  // ignore an interrupted pass and start from the first row
  int max_batches = 0;   // stop after this many batches (0: no limit); the next run resumes
  std::function<void(const RewrapColumnReport&)> on_batch;  // progress
};

[[nodiscard]] Result<RewrapReport> rewrap(Keyring& keyring, const RewrapOptions& options, const KeyActor& actor,
                                          platform::Logger& logger);

struct KeyStatus {
  KeyringState state;
  int effective_min_version = 1;
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;  // of new data keys on this node
  struct Version {
    int version = 0;
    std::int64_t created_at = 0;
    bool primary = false;
    bool below_minimum = false;
    std::int64_t data_keys = 0;
    std::int64_t fields = 0;
  };
  std::vector<Version> versions;
  struct Column {
    std::string name;
    std::int64_t fields = 0;
    std::int64_t pending_rewrap = 0;  // not under their tenant's current key of the primary version
    std::int64_t unrecognised = 0;    // not in the ew1 format
    std::map<int, std::int64_t> by_version;
    std::map<std::string, std::int64_t> by_algorithm;
  };
  std::vector<Column> columns;
  std::int64_t fields = 0;
  std::int64_t pending_rewrap = 0;
  std::int64_t below_minimum = 0;
  std::map<std::string, std::int64_t> by_algorithm;
};

[[nodiscard]] Result<KeyStatus> key_status(Keyring& keyring);

}  // namespace eyewear::security
