// The keyring: envelope encryption of secret fields with key rotation.
//
//   master key (EYEWEAR_MASTER_KEY, EYEWEAR_MASTER_KEY_FILE or <secrets-dir>/secrets/master.key; never in the database)
//     wraps keyring versions (random keys, one per `eyewear keys rotate`, in keyring_versions)
//       which wrap per-tenant data keys (one active per manufacturer, in data_keys)
//         which seal the fields (keyring_format.hpp).
//
// New values are sealed under the tenant's active data key of the primary version; older versions
// keep opening until the minimum decryption version passes them. Every node polls the shared
// state (keyring_state) and picks up rotations made by any other node or by the CLI.
//
// Thread-safe. seal() may write a new data key (its own write transaction) the first time a tenant
// seals after a rotation: callers holding a write transaction call prepare(tenant) before it. The
// platform tenant is always prepared (identity seals inside its own transactions).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "platform/audit.hpp"
#include "platform/clock.hpp"
#include "platform/logging.hpp"
#include "platform/random.hpp"
#include "security/keyring_format.hpp"
#include "security/keyring_store.hpp"

namespace eyewear::security {

struct KeyringOptions {
  std::string master_key;                               // 32 raw bytes
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;  // of data keys created from now on
  std::chrono::milliseconds poll{5000};                 // how often the shared state is re-read
  int min_decryption_floor = 0;                         // a per-node floor under the stored minimum decryption version
};

// Who performed a key operation, for the audit log.
struct KeyActor {
  platform::RequestMeta meta;
  std::string account_id;  // empty for the CLI
};

class Keyring {
 public:
  // Opens the keyring, creating version 1 on first use. Fails with DECRYPTION_FAILED
  // (reason wrong_master_key) when the master key does not open the stored versions.
  [[nodiscard]] static Result<std::unique_ptr<Keyring>> create(KeyringStore& store, const platform::Clock& clock,
                                                               platform::Random& random, platform::Logger& logger,
                                                               KeyringOptions options);
  ~Keyring();
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Seals `plaintext` for the record `ref` (see the class comment about write transactions).
  [[nodiscard]] Result<std::string> seal(const FieldRef& ref, std::string_view plaintext);
  // Opens a value sealed for `ref`; DECRYPTION_FAILED with a reason otherwise.
  [[nodiscard]] Result<std::string> open(const FieldRef& ref, std::string_view sealed);
  // Opens whatever the minimum decryption version says (rewrap moves such values forward).
  [[nodiscard]] Result<std::string> open_for_maintenance(const FieldRef& ref, std::string_view sealed);
  // Makes sure the tenant has a data key of the primary version, so seal() will not write.
  [[nodiscard]] Status prepare(std::string_view tenant);
  // True when `h` is sealed under the tenant's active key of the primary version.
  [[nodiscard]] Result<bool> is_current(std::string_view tenant, const SealedHeader& h);

  // Creates a new primary version; returns it. Older versions keep opening.
  [[nodiscard]] Result<int> rotate(const KeyActor& actor);
  // Gives one tenant a new active data key (of the primary version); returns its kid.
  [[nodiscard]] Result<std::string> rotate_tenant(std::string_view tenant, const KeyActor& actor);
  // Values below `version` stop opening (except for maintenance). 1 <= version <= primary.
  [[nodiscard]] Status set_min_decryption_version(int version, const KeyActor& actor);

  // Re-reads the shared state now (the poller does it every `poll`).
  [[nodiscard]] Status refresh();
  void start();
  void stop();

  [[nodiscard]] KeyringState state() const;
  [[nodiscard]] int effective_min_version() const;
  [[nodiscard]] Algorithm algorithm() const { return options_.algorithm; }
  [[nodiscard]] KeyringStore& store() { return store_; }
  [[nodiscard]] std::int64_t now_ms() const { return platform::to_unix_ms(clock_.now()); }

 private:
  struct DataKey {
    std::string kid;
    std::string tenant;
    int version = 0;
    Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
    SecretKey key;
  };
  using DataKeyPtr = std::shared_ptr<const DataKey>;

  Keyring(KeyringStore& store, const platform::Clock& clock, platform::Random& random, platform::Logger& logger,
          KeyringOptions options);
  Status bootstrap();
  // Unwraps versions not cached yet; wrong_master_key when one does not open.
  Status load_versions(const std::vector<KeyVersionRecord>& versions);
  Result<DataKeyPtr> current_key(std::string_view tenant);
  Result<DataKeyPtr> key_by_kid(std::string_view kid);
  Result<DataKeyPtr> unwrap_data_key(const DataKeyRecord& record);
  // Creates an active key for `tenant` under the primary version unless `force` is false and one exists.
  Result<DataKeyPtr> ensure_data_key(std::string_view tenant, bool force, const KeyActor* actor);
  Result<std::string> open_impl(const FieldRef& ref, std::string_view sealed, bool enforce_minimum);
  void remember(const DataKeyPtr& key, bool current);
  platform::AuditEvent audit_event(std::string type, const KeyActor& actor, std::string details) const;
  std::string new_kid();

  KeyringStore& store_;
  const platform::Clock& clock_;
  platform::Random& random_;
  platform::Logger& logger_;
  KeyringOptions options_;
  SecretKey master_;
  std::string fingerprint_;

  mutable std::shared_mutex mu_;
  KeyringState state_;
  std::map<int, SecretKey> version_keys_;
  std::unordered_map<std::string, DataKeyPtr> keys_by_kid_;
  std::unordered_map<std::string, DataKeyPtr> current_by_tenant_;

  std::mutex refresh_mu_;  // one refresh at a time
  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace eyewear::security
