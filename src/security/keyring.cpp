#include "security/keyring.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "platform/crypto.hpp"

namespace eyewear::security {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

// Wrapping contexts: a wrapped key only unwraps as what it was wrapped for.
std::string version_ad(int version) {
  std::string ad = "eyewear.kv.v1";
  append_part(ad, std::to_string(version));
  return ad;
}

std::string data_key_ad(const DataKeyRecord& r) {
  std::string ad = "eyewear.dk.v1";
  append_part(ad, r.kid);
  append_part(ad, r.tenant);
  append_part(ad, std::to_string(r.version));
  append_part(ad, algorithm_name(r.algorithm));
  return ad;
}

// Data keys are immutable, so caching them is only bounded by memory: 32 bytes plus bookkeeping
// each; beyond this many the cache starts over.
constexpr std::size_t kMaxCachedKeys = 100'000;

Error conflict(std::string what) { return Error(ErrorCode::kConflict, std::move(what)); }

}  // namespace

Keyring::Keyring(KeyringStore& store, const platform::Clock& clock, platform::Random& random, platform::Logger& logger,
                 KeyringOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      logger_(logger),
      options_(std::move(options)),
      master_(options_.master_key),
      fingerprint_(master_fingerprint(master_)) {
  platform::secure_wipe(options_.master_key);
}

Keyring::~Keyring() { stop(); }

Result<std::unique_ptr<Keyring>> Keyring::create(KeyringStore& store, const platform::Clock& clock,
                                                 platform::Random& random, platform::Logger& logger,
                                                 KeyringOptions options) {
  if (sodium_init() < 0) return fail(Error::internal_error("libsodium initialisation failed"));
  if (options.master_key.size() != SecretKey::kSize) {
    return fail(Error::validation("EYEWEAR_MASTER_KEY", "format", "the master key must be 32 bytes (base64)"));
  }
  if (!algorithm_available(options.algorithm)) {
    return fail(Error::validation("EYEWEAR_KEYRING_ALGORITHM", "available",
                                  "aes256gcm needs a CPU with AES-NI; use xchacha20poly1305"));
  }
  std::unique_ptr<Keyring> ring(new Keyring(store, clock, random, logger, std::move(options)));
  EW_TRY(ring->bootstrap());
  return ring;
}

Status Keyring::bootstrap() {
  const auto now = now_ms();
  EW_TRY(store_.write([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto existing, tx.state());
    if (existing) return {};
    const auto key = SecretKey::generate(random_);
    EW_TRY(tx.insert_version(KeyVersionRecord{1, wrap_key(master_, key, version_ad(1), random_), fingerprint_, now}));
    EW_ASSIGN_OR_RETURN(const bool created, tx.insert_state(KeyringState{1, 1, 1, now}));
    if (!created) return {};
    return tx.append_audit(audit_event("keyring_created", KeyActor{{"", "eyewear", ""}, ""}, R"({"version":1})"));
  }));
  return refresh();
}

Status Keyring::load_versions(const std::vector<KeyVersionRecord>& versions) {
  std::vector<std::pair<int, SecretKey>> fresh;
  {
    std::shared_lock lock(mu_);
    for (const auto& v : versions) {
      if (version_keys_.contains(v.version)) continue;
      const auto wrong = [&] {
        return fail(decryption_error(OpenFailure::kWrongMasterKey,
                                     "the configured master key does not open keyring version " +
                                         std::to_string(v.version) + " (master key fingerprint " + fingerprint_ +
                                         ", stored " + v.master_fingerprint + ")"));
      };
      if (!platform::constant_time_equal(v.master_fingerprint, fingerprint_)) return wrong();
      auto key = unwrap_key(master_, v.wrapped_key, version_ad(v.version));
      if (!key) return wrong();
      fresh.emplace_back(v.version, *key);
    }
  }
  if (fresh.empty()) return {};
  std::unique_lock lock(mu_);
  for (auto& [version, key] : fresh) version_keys_.emplace(version, key);
  return {};
}

Status Keyring::refresh() {
  std::lock_guard serial(refresh_mu_);
  std::optional<KeyringState> fresh;
  std::vector<KeyVersionRecord> versions;
  EW_TRY(store_.read([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(fresh, tx.state());
    EW_ASSIGN_OR_RETURN(versions, tx.versions());
    return {};
  }));
  if (!fresh) return fail(Error::internal_error("the keyring state row is missing"));
  EW_TRY(load_versions(versions));
  KeyringState old;
  {
    std::shared_lock lock(mu_);
    old = state_;
  }
  if (old.epoch == fresh->epoch) return {};
  // Tenant keys may have changed. Resolve the platform tenant's key of the new state before
  // publishing it, so that sealing for the platform tenant never has to write (identity seals
  // inside its own write transactions).
  EW_ASSIGN_OR_RETURN(auto platform_key, ensure_data_key(kPlatformTenant, false, nullptr));
  {
    std::unique_lock lock(mu_);
    state_ = *fresh;
    current_by_tenant_.clear();
    keys_by_kid_[platform_key->kid] = platform_key;
    current_by_tenant_[platform_key->tenant] = platform_key;
  }
  if (old.epoch != 0) {
    logger_.info("keyring state changed", {{"primary_version", fresh->primary_version},
                                           {"min_decryption_version", fresh->min_decryption_version},
                                           {"epoch", fresh->epoch}});
  }
  return {};
}

KeyringState Keyring::state() const {
  std::shared_lock lock(mu_);
  return state_;
}

int Keyring::effective_min_version() const {
  std::shared_lock lock(mu_);
  return std::max(state_.min_decryption_version, options_.min_decryption_floor);
}

void Keyring::remember(const DataKeyPtr& key, bool current) {
  std::unique_lock lock(mu_);
  if (keys_by_kid_.size() >= kMaxCachedKeys) keys_by_kid_.clear();
  keys_by_kid_[key->kid] = key;
  if (current) current_by_tenant_[key->tenant] = key;
}

Result<Keyring::DataKeyPtr> Keyring::unwrap_data_key(const DataKeyRecord& record) {
  std::optional<SecretKey> version_key;
  {
    std::shared_lock lock(mu_);
    if (auto it = version_keys_.find(record.version); it != version_keys_.end()) version_key = it->second;
  }
  if (!version_key) {
    return fail(decryption_error(OpenFailure::kUnknownKey,
                                 "keyring version " + std::to_string(record.version) + " is not known to this node"));
  }
  auto key = unwrap_key(*version_key, record.wrapped_key, data_key_ad(record));
  if (!key) return fail(decryption_error(OpenFailure::kAuthenticationFailed, "a data key does not unwrap"));
  return std::make_shared<const DataKey>(DataKey{record.kid, record.tenant, record.version, record.algorithm, *key});
}

Result<Keyring::DataKeyPtr> Keyring::ensure_data_key(std::string_view tenant, bool force, const KeyActor* actor) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    DataKeyPtr result;
    const auto now = now_ms();
    auto st = store_.write([&](KeyringTx& tx) -> Status {
      EW_ASSIGN_OR_RETURN(auto state, tx.state());
      if (!state) return fail(Error::internal_error("the keyring state row is missing"));
      EW_ASSIGN_OR_RETURN(auto versions, tx.versions());
      EW_TRY(load_versions(versions));
      EW_ASSIGN_OR_RETURN(auto active, tx.active_data_key(tenant));
      if (!force && active && active->version >= state->primary_version) {
        EW_ASSIGN_OR_RETURN(result, unwrap_data_key(*active));
        return {};
      }
      std::optional<SecretKey> version_key;
      {
        std::shared_lock lock(mu_);
        if (auto it = version_keys_.find(state->primary_version); it != version_keys_.end()) version_key = it->second;
      }
      if (!version_key) return fail(Error::internal_error("the primary keyring version is missing"));
      const auto key = SecretKey::generate(random_);
      DataKeyRecord record{new_kid(), std::string(tenant), state->primary_version, options_.algorithm, "", true,
                           now,       std::nullopt};
      record.wrapped_key = wrap_key(*version_key, key, data_key_ad(record), random_);
      EW_TRY(tx.replace_active_data_key(record, active ? std::string_view(active->kid) : std::string_view(), now));
      if (force) {
        // Other nodes cache the tenant's active key; a new epoch makes them drop it.
        KeyringState next = *state;
        next.epoch += 1;
        next.updated_at = now;
        EW_ASSIGN_OR_RETURN(const bool updated, tx.update_state(next, state->epoch));
        if (!updated) return fail(conflict("the keyring changed meanwhile"));
        auto event = audit_event("data_key_rotated", *actor,
                                 nlohmann::json({{"kid", record.kid},
                                                 {"previous_kid", active ? active->kid : std::string()},
                                                 {"version", record.version}})
                                     .dump());
        if (tenant != kPlatformTenant) event.manufacturer_id = std::string(tenant);
        EW_TRY(tx.append_audit(event));
      }
      result =
          std::make_shared<const DataKey>(DataKey{record.kid, record.tenant, record.version, record.algorithm, key});
      return {};
    });
    if (st) return result;
    if (st.error().code != ErrorCode::kConflict) return fail(st.error());
  }
  return fail(conflict("the tenant's data key kept changing; try again"));
}

Result<Keyring::DataKeyPtr> Keyring::current_key(std::string_view tenant) {
  std::int64_t epoch;
  {
    std::shared_lock lock(mu_);
    if (auto it = current_by_tenant_.find(std::string(tenant)); it != current_by_tenant_.end()) return it->second;
    epoch = state_.epoch;
  }
  std::optional<DataKeyRecord> active;
  std::optional<KeyringState> db_state;
  EW_TRY(store_.read([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(active, tx.active_data_key(tenant));
    EW_ASSIGN_OR_RETURN(db_state, tx.state());
    EW_ASSIGN_OR_RETURN(auto versions, tx.versions());
    return load_versions(versions);
  }));
  DataKeyPtr key;
  if (active && db_state && active->version >= db_state->primary_version) {
    EW_ASSIGN_OR_RETURN(key, unwrap_data_key(*active));
  } else {
    EW_ASSIGN_OR_RETURN(key, ensure_data_key(tenant, false, nullptr));
  }
  // Cache it as current only if no key change was published meanwhile (it might be stale then).
  bool unchanged;
  {
    std::shared_lock lock(mu_);
    unchanged = state_.epoch == epoch;
  }
  remember(key, unchanged);
  return key;
}

Result<Keyring::DataKeyPtr> Keyring::key_by_kid(std::string_view kid) {
  {
    std::shared_lock lock(mu_);
    if (auto it = keys_by_kid_.find(std::string(kid)); it != keys_by_kid_.end()) return it->second;
  }
  // Only reads: open() runs inside other modules' write transactions.
  std::optional<DataKeyRecord> record;
  EW_TRY(store_.read([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(record, tx.data_key(kid));
    if (!record) return {};
    bool version_known;
    {
      std::shared_lock lock(mu_);
      version_known = version_keys_.contains(record->version);
    }
    if (version_known) return {};
    EW_ASSIGN_OR_RETURN(auto versions, tx.versions());
    return load_versions(versions);
  }));
  if (!record) return fail(decryption_error(OpenFailure::kUnknownKey, "the sealed value names an unknown data key"));
  EW_ASSIGN_OR_RETURN(auto key, unwrap_data_key(*record));
  remember(key, false);
  return key;
}

Status Keyring::prepare(std::string_view tenant) {
  EW_TRY(current_key(tenant));
  return {};
}

Result<std::string> Keyring::seal(const FieldRef& ref, std::string_view plaintext) {
  if (ref.tenant.empty() || ref.table.empty() || ref.column.empty() || ref.row.empty()) {
    return fail(Error::internal_error("a sealed value needs a tenant, table, column and row"));
  }
  EW_ASSIGN_OR_RETURN(const auto key, current_key(ref.tenant));
  auto out = format_header(key->version, key->algorithm, key->kid);
  const auto box = aead_seal(key->algorithm, key->key, plaintext, field_associated_data(out, ref), random_);
  out += platform::base64url_encode(box);
  return out;
}

Result<std::string> Keyring::open(const FieldRef& ref, std::string_view sealed) { return open_impl(ref, sealed, true); }

Result<std::string> Keyring::open_for_maintenance(const FieldRef& ref, std::string_view sealed) {
  return open_impl(ref, sealed, false);
}

Result<std::string> Keyring::open_impl(const FieldRef& ref, std::string_view sealed, bool enforce_minimum) {
  EW_ASSIGN_OR_RETURN(const auto h, parse_sealed(sealed));
  if (enforce_minimum && h.version < effective_min_version()) {
    return fail(decryption_error(OpenFailure::kKeyVersionRetired,
                                 "the value is sealed under keyring version " + std::to_string(h.version) +
                                     ", below the minimum decryption version; run `eyewear keys rewrap`"));
  }
  if (!algorithm_available(h.algorithm)) {
    return fail(decryption_error(OpenFailure::kAlgorithmUnavailable, "this CPU cannot run AES-256-GCM"));
  }
  EW_ASSIGN_OR_RETURN(const auto key, key_by_kid(h.kid));
  if (key->tenant != ref.tenant) {
    return fail(decryption_error(OpenFailure::kWrongTenant, "the value is sealed under another tenant's key"));
  }
  const auto box = platform::base64url_decode(h.payload);
  if (!box) return fail(decryption_error(OpenFailure::kMalformed, "the sealed value is malformed: bad payload"));
  if (box->size() < aead_overhead(h.algorithm)) {
    return fail(decryption_error(OpenFailure::kTruncated, "the sealed value is truncated"));
  }
  std::string plain;
  if (key->version != h.version || key->algorithm != h.algorithm ||
      !aead_open(h.algorithm, key->key, *box, field_associated_data(h.header, ref), plain)) {
    return fail(
        decryption_error(OpenFailure::kAuthenticationFailed, "the sealed value does not authenticate for this record"));
  }
  return plain;
}

Result<bool> Keyring::is_current(std::string_view tenant, const SealedHeader& h) {
  EW_ASSIGN_OR_RETURN(const auto key, current_key(tenant));
  return key->kid == h.kid && key->version == h.version;
}

Result<int> Keyring::rotate(const KeyActor& actor) {
  int created = 0;
  const auto now = now_ms();
  EW_TRY(store_.write([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto state, tx.state());
    if (!state) return fail(Error::internal_error("the keyring state row is missing"));
    EW_ASSIGN_OR_RETURN(auto versions, tx.versions());
    EW_TRY(load_versions(versions));  // refuses to add a version under a different master key
    int next = 1;
    for (const auto& v : versions) next = std::max(next, v.version + 1);
    const auto key = SecretKey::generate(random_);
    EW_ASSIGN_OR_RETURN(const bool inserted,
                        tx.insert_version(KeyVersionRecord{next, wrap_key(master_, key, version_ad(next), random_),
                                                           fingerprint_, now}));
    if (!inserted) return fail(conflict("another rotation happened at the same time; try again"));
    KeyringState next_state = *state;
    next_state.primary_version = next;
    next_state.epoch += 1;
    next_state.updated_at = now;
    EW_ASSIGN_OR_RETURN(const bool updated, tx.update_state(next_state, state->epoch));
    if (!updated) return fail(conflict("the keyring changed meanwhile; try again"));
    created = next;
    return tx.append_audit(audit_event(
        "keyring_rotated", actor, nlohmann::json({{"version", next}, {"previous", state->primary_version}}).dump()));
  }));
  EW_TRY(refresh());
  return created;
}

Result<std::string> Keyring::rotate_tenant(std::string_view tenant, const KeyActor& actor) {
  if (tenant.empty()) return fail(Error::validation("manufacturer", "required", "name the manufacturer"));
  if (tenant != kPlatformTenant) {
    bool exists = false;
    EW_TRY(store_.read([&](KeyringTx& tx) -> Status {
      EW_ASSIGN_OR_RETURN(exists, tx.tenant_exists(tenant));
      return {};
    }));
    if (!exists) return fail(Error::not_found("manufacturer"));
  }
  EW_ASSIGN_OR_RETURN(const auto key, ensure_data_key(tenant, true, &actor));
  EW_TRY(refresh());
  return key->kid;
}

Status Keyring::set_min_decryption_version(int version, const KeyActor& actor) {
  const auto now = now_ms();
  EW_TRY(store_.write([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto state, tx.state());
    if (!state) return fail(Error::internal_error("the keyring state row is missing"));
    if (version < 1 || version > state->primary_version) {
      return fail(Error(ErrorCode::kValidationFailed,
                        "the minimum decryption version must be between 1 and the primary version " +
                            std::to_string(state->primary_version),
                        {{"field", "version"},
                         {"rule", "range"},
                         {"min", std::int64_t{1}},
                         {"max", static_cast<std::int64_t>(state->primary_version)}}));
    }
    KeyringState next = *state;
    next.min_decryption_version = version;
    next.epoch += 1;
    next.updated_at = now;
    EW_ASSIGN_OR_RETURN(const bool updated, tx.update_state(next, state->epoch));
    if (!updated) return fail(conflict("the keyring changed meanwhile; try again"));
    return tx.append_audit(
        audit_event("keyring_min_version_set", actor,
                    nlohmann::json({{"version", version}, {"previous", state->min_decryption_version}}).dump()));
  }));
  return refresh();
}

void Keyring::start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        std::unique_lock lock(thread_mu_);
        cv_.wait_for(lock, options_.poll, [this] { return stop_; });
        if (stop_) return;
      }
      try {
        if (auto st = refresh(); !st) {
          logger_.warn("keyring poll failed",
                       {{"code", platform::code_name(st.error().code)},
                        {"detail", st.error().internal.empty() ? st.error().message : st.error().internal}});
        }
      } catch (const std::exception& e) {
        logger_.error("keyring poll failed", {{"error", e.what()}});
      }
    }
  });
}

void Keyring::stop() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

platform::AuditEvent Keyring::audit_event(std::string type, const KeyActor& actor, std::string details) const {
  platform::AuditEvent e;
  e.type = std::move(type);
  e.actor_account_id = actor.account_id;
  e.ip = actor.meta.ip;
  e.user_agent = actor.meta.user_agent;
  e.request_id = actor.meta.request_id;
  e.details = std::move(details);
  e.at_ms = now_ms();
  return e;
}

std::string Keyring::new_kid() { return platform::to_hex(random_.bytes(kKidLength / 2)); }

}  // namespace eyewear::security
