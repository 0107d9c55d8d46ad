// The effective configuration of one process: defaults, overridden by EYEWEAR_* environment
// variables, overridden by command-line flags (applied by the CLI). Every setting is declared
// once in the table in config.cpp, which also drives `eyewear config` and validation; the
// reference for operators is docs/CONFIGURATION.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::platform {

struct HttpConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t threads = 0;  // 0: one per core
  std::size_t max_connections = 4096;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_upload_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds handler_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{15'000};
  std::vector<std::string> cors_origins;
  bool behind_tls = false;
  bool access_log = true;
  std::size_t gzip_min_bytes = 1024;
  std::vector<std::string> trusted_proxies;
  std::string public_url;  // base URL used in links sent by email; default http://host:port
};

struct DatabaseConfig {
  std::string url;  // empty: sqlite:<data_dir>/eyewear.db
  std::size_t pool_size = 0;  // 0: derived from thread counts
  std::chrono::milliseconds busy_timeout{5'000};
  std::chrono::milliseconds connect_timeout{30'000};
  // SQLite: bytes of the database file each connection reads through a memory map instead of
  // read() calls (PRAGMA mmap_size); 0, the default, turns it off. Off by default because SQLite
  // unmaps and maps the file again in every connection after another one has written, and those
  // calls take the process-wide memory-map lock (docs/CONFIGURATION.md).
  std::size_t sqlite_mmap_size = 0;
  // SQLite: the page size a new database file is created with (PRAGMA page_size); a file that
  // exists keeps its own. 8 KiB rather than SQLite's 4 KiB: half the log frames and b-tree
  // pages for a bulk upload's rows and index entries (docs/BENCHMARKS.md, "Upload path, stop 17").
  std::size_t sqlite_page_size = 8192;
  bool migrate_on_start = true;
};

struct WorkerConfig {
  std::size_t threads = 0;  // 0: one per core
  std::size_t queue_limit = 1024;
};

struct LogConfig {
  std::string level = "info";
  bool json = true;
};

struct PerfConfig {
  std::chrono::milliseconds default_threshold{250};
  // Operation or kind -> threshold. A bulk write holds the SQLite writer lock for about half a
  // second per 10,000 rows, so that kind starts at a second (EYEWEAR_SLOW_THRESHOLDS replaces it).
  std::map<std::string, std::chrono::milliseconds> thresholds{{"db.writer", std::chrono::milliseconds{1000}}};
};

struct IdentityConfig {
  std::string jwt_algorithm = "ES256";  // ES256 | HS256
  std::string jwt_secret;               // HS256 only; empty: generated into the data dir
  std::string jwt_issuer;               // empty: the public URL
  std::string jwt_audience = "eyewear-api";
  std::chrono::milliseconds access_token_ttl{15 * 60 * 1000};
  std::chrono::milliseconds session_idle_timeout{30 * 60 * 1000};
  std::chrono::milliseconds session_max_lifetime{30LL * 24 * 3600 * 1000};
  int lockout_threshold = 5;
  std::chrono::milliseconds lockout_duration{15 * 60 * 1000};
  int ip_max_failures = 50;
  std::chrono::milliseconds ip_failure_window{15 * 60 * 1000};
  std::uint64_t argon2_opslimit = 2;
  std::size_t argon2_memlimit = 64 * 1024 * 1024;
  int password_min_score = 3;
  int password_history = 5;
  std::chrono::milliseconds trusted_device_ttl{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds verify_token_ttl{24 * 3600 * 1000};
  std::chrono::milliseconds reset_token_ttl{3600 * 1000};
  std::chrono::milliseconds magic_link_ttl{15 * 60 * 1000};
  std::chrono::milliseconds mfa_challenge_ttl{5 * 60 * 1000};
  std::chrono::milliseconds revocation_poll{500};
};

struct AuthzConfig {
  std::string tier_permissions;  // overrides, e.g. "free=upload_products|view_basic_analytics;enterprise=*"
  std::string tier_limits;       // overrides, e.g. "free.product_uploads=200,enterprise.ml_requests=-1"
};

struct CatalogConfig {
  std::chrono::milliseconds idempotency_ttl{24LL * 3600 * 1000};  // how long a bulk answer is replayed
  std::size_t export_page_rows = 1000;  // products read per transaction while exporting
  std::size_t demo_products = 250;      // generated into the demo account by --demo-data
};

// Envelope encryption of secret fields (security module, docs/SECURITY.md).
struct KeyringConfig {
  std::string master_key;       // secret: base64 of 32 bytes; empty: master_key_file or the data dir
  std::string master_key_file;  // empty: <secrets-dir>/secrets/master.key, created on first run
  std::string algorithm = "xchacha20poly1305";  // of new data keys: xchacha20poly1305 | aes256gcm | auto
  std::chrono::milliseconds poll{5000};         // how often a node picks up rotations
  int min_decryption_version = 0;               // a floor under the stored minimum (0: none)
  std::size_t rewrap_batch = 500;               // rows per transaction of `eyewear keys rewrap`
};

// Business-field validation (security module).
struct ValidationConfig {
  std::string licence_pattern = "[A-Za-z0-9][A-Za-z0-9 ./-]{2,39}";  // ECMAScript, whole value
  std::string phone_default_region;  // ISO 3166 region for numbers without + when the profile has no country
};

// A GCRA limit: `count` requests per `period`, `burst` more at once; count 0 disables it.
struct RateSpec {
  std::int64_t count = 0;
  std::chrono::milliseconds period{60'000};
  std::int64_t burst = 0;
};

struct RateLimitConfig {
  std::string redis_url;  // redis://...; empty: limits are kept in this process
  std::string redis_prefix = "eyewear:";
  std::chrono::milliseconds redis_timeout{250};
  bool fail_open = true;  // when Redis is unreachable: allow (and count) rather than refuse
  RateSpec ip{60, std::chrono::milliseconds(60'000), 20};                      // mutating routes, per client address
  RateSpec api_key{600, std::chrono::milliseconds(60'000), 100};               // every route, per API key
  RateSpec login_failures{20, std::chrono::milliseconds(86'400'000), 10};      // failed sign-ins, per account
  std::size_t local_max_keys = 1'000'000;
};

struct ThreatConfig {
  std::string mode = "block";               // block: HIGH findings refuse the request | log: record only
  std::size_t max_field_bytes = 16 * 1024;  // a longer string value is oversized_field (HIGH)
  std::size_t queue_limit = 10'000;         // threat records waiting to be written
  std::chrono::milliseconds flush_interval{200};
};

struct MailConfig {
  std::string smtp_url;       // smtp://host:port or smtps://host:port; empty: .eml files in <data-dir>/outbox
  std::string smtp_user;
  std::string smtp_password;  // secret
  std::string from = "Eyewear <no-reply@eyewear.local>";
  std::chrono::milliseconds poll_interval{1000};
};

struct Config {
  std::string data_dir = "./data";
  std::string secrets_dir;  // signing keys and secrets; empty: the data dir. Nodes of one deployment share it
  std::string environment = "production";  // production | development | test
  bool demo_data = false;
  HttpConfig http;
  DatabaseConfig database;
  WorkerConfig workers;
  LogConfig log;
  PerfConfig perf;
  IdentityConfig identity;
  AuthzConfig authz;
  CatalogConfig catalog;
  ThreatConfig threats;
  KeyringConfig keyring;
  ValidationConfig validation;
  MailConfig mail;
  RateLimitConfig rate_limit;

  // The database URL after defaults are applied.
  [[nodiscard]] std::string effective_database_url() const;
  [[nodiscard]] std::size_t effective_http_threads() const;
  [[nodiscard]] std::size_t effective_worker_threads() const;
  [[nodiscard]] std::size_t effective_pool_size() const;
  [[nodiscard]] std::string effective_public_url() const;
  [[nodiscard]] std::string effective_jwt_issuer() const;
  // Where generated keys and secrets live: <secrets_dir or data_dir>/keys/jwt and .../secrets.
  [[nodiscard]] std::string effective_secrets_dir() const;
};

using EnvMap = std::map<std::string, std::string>;

// Reads the process environment's EYEWEAR_* variables.
[[nodiscard]] EnvMap read_environment();

// Builds a configuration from defaults and `env`; the first invalid variable is reported with
// its name (details.field) and the rule it broke.
[[nodiscard]] Result<Config> load_config(const EnvMap& env);

// Checks cross-field rules after flags have been applied.
[[nodiscard]] Status validate_config(const Config& config);

struct SettingView {
  std::string name;         // EYEWEAR_*
  std::string value;        // effective value, secrets masked
  std::string description;
  bool from_environment;
};
// The effective configuration for display, secrets masked.
[[nodiscard]] std::vector<SettingView> describe_config(const Config& config, const EnvMap& env);

// Value parsers shared with the CLI.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text);
[[nodiscard]] Result<std::size_t> parse_size(std::string_view text);
[[nodiscard]] Result<bool> parse_bool(std::string_view text);
// "60/1m" (count per period), "0" or "off" to disable; the burst is set separately.
[[nodiscard]] Status parse_rate(std::string_view text, RateSpec& out);
[[nodiscard]] std::string format_rate(const RateSpec& spec);

// Masks the password of a URL such as postgresql://user:secret@host/db.
[[nodiscard]] std::string mask_url_password(const std::string& url);

}  // namespace eyewear::platform
