// The keyring's persistence seam: keyring versions (wrapped by the master key), per-tenant data
// keys (wrapped by a version), the shared state every node polls, rewrap progress, and access to
// the sealed columns of other tables so `keys rewrap` and `keys status` can reach every stored
// field. SQL lives in src/stores/keyring_store.cpp, which also owns the list of sealed columns.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/audit.hpp"
#include "platform/error.hpp"
#include "security/keyring_format.hpp"

namespace eyewear::security {

struct KeyringState {
  int primary_version = 0;
  int min_decryption_version = 1;
  std::int64_t epoch = 0;  // bumped by every key change (rotation, tenant key rotation, minimum)
  std::int64_t updated_at = 0;
};

struct KeyVersionRecord {
  int version = 0;
  std::string wrapped_key;         // under the master key
  std::string master_fingerprint;  // of the master key that wrapped it
  std::int64_t created_at = 0;
};

struct DataKeyRecord {
  std::string kid;
  std::string tenant;
  int version = 0;  // the keyring version that wraps it
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
  std::string wrapped_key;
  bool active = true;  // the tenant's current key (one per tenant)
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at;
};

// A column holding sealed values, with the FieldRef its values are bound to.
struct SealedColumn {
  std::string name;    // "accounts.mfa_secret": what status reports
  std::string table;   // FieldRef::table
  std::string column;  // FieldRef::column (two physical columns may share one binding)
};

struct SealedRow {
  std::string row;     // FieldRef::row
  std::string tenant;  // FieldRef::tenant
  std::string value;
};

// Number of values of one column per (version, algorithm token, kid) as found in their headers;
// values that are not in the ew1 format are counted under version 0.
struct HeaderCount {
  int version = 0;
  std::string algorithm;
  std::string kid;
  std::int64_t count = 0;
};

struct RewrapProgress {
  std::string column;
  std::int64_t epoch = 0;  // the keyring epoch the pass works towards
  std::string cursor;      // last row id done
  std::int64_t rewrapped = 0;
  std::optional<std::int64_t> completed_at;
  std::int64_t updated_at = 0;
};

class KeyringTx {
 public:
  virtual ~KeyringTx() = default;

  [[nodiscard]] virtual Result<std::optional<KeyringState>> state() = 0;
  // Creates the state row; false when another process created it first.
  [[nodiscard]] virtual Result<bool> insert_state(const KeyringState& s) = 0;
  // Replaces the state if its epoch is still `expected_epoch`; false otherwise.
  [[nodiscard]] virtual Result<bool> update_state(const KeyringState& s, std::int64_t expected_epoch) = 0;

  [[nodiscard]] virtual Result<std::vector<KeyVersionRecord>> versions() = 0;
  // False when the version exists already.
  [[nodiscard]] virtual Result<bool> insert_version(const KeyVersionRecord& v) = 0;

  [[nodiscard]] virtual Result<std::optional<DataKeyRecord>> active_data_key(std::string_view tenant) = 0;
  [[nodiscard]] virtual Result<std::optional<DataKeyRecord>> data_key(std::string_view kid) = 0;
  // Retires `previous_kid` (the active key the caller read; empty: it read none) and inserts
  // `key` as the tenant's active one. CONFLICT when another process changed the tenant's active
  // key meanwhile (under READ COMMITTED a decision taken on an older read must not replace it).
  [[nodiscard]] virtual Status replace_active_data_key(const DataKeyRecord& key, std::string_view previous_kid,
                                                       std::int64_t now) = 0;
  // (version, number of data keys) for every version with keys.
  [[nodiscard]] virtual Result<std::vector<std::pair<int, std::int64_t>>> data_keys_per_version() = 0;
  [[nodiscard]] virtual Result<std::vector<DataKeyRecord>> data_keys_of(std::string_view tenant) = 0;
  // The active key of every tenant: kid -> tenant (for status).
  [[nodiscard]] virtual Result<std::vector<DataKeyRecord>> active_data_keys() = 0;
  // True for an existing manufacturer id.
  [[nodiscard]] virtual Result<bool> tenant_exists(std::string_view tenant) = 0;

  [[nodiscard]] virtual const std::vector<SealedColumn>& sealed_columns() const = 0;
  // Non-empty values of column `index` with row ids after `after`, in row-id order.
  [[nodiscard]] virtual Result<std::vector<SealedRow>> scan_sealed(std::size_t index, std::string_view after,
                                                                   int limit) = 0;
  // Replaces one value if it is still `old_value`; false when it changed meanwhile.
  [[nodiscard]] virtual Result<bool> replace_sealed(std::size_t index, std::string_view row, std::string_view old_value,
                                                    std::string_view new_value) = 0;
  [[nodiscard]] virtual Result<std::vector<HeaderCount>> count_sealed(std::size_t index) = 0;

  [[nodiscard]] virtual Result<std::optional<RewrapProgress>> rewrap_progress(std::string_view column) = 0;
  [[nodiscard]] virtual Status save_rewrap_progress(const RewrapProgress& p) = 0;

  [[nodiscard]] virtual Status append_audit(const platform::AuditEvent& event) = 0;
};

class KeyringStore {
 public:
  virtual ~KeyringStore() = default;
  [[nodiscard]] virtual Status write(const std::function<Status(KeyringTx&)>& work) = 0;
  [[nodiscard]] virtual Status read(const std::function<Status(KeyringTx&)>& work) = 0;
};

}  // namespace eyewear::security
