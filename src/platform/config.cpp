#include "platform/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <regex>
#include <thread>

#include "platform/crypto.hpp"

extern char** environ;

namespace eyewear::platform {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const auto piece = trim(s.substr(start, comma == std::string_view::npos ? s.size() - start : comma - start));
    if (!piece.empty()) out.push_back(piece);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 86'400'000 == 0 && ms != 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Result<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max) {
  const auto t = trim(text);
  std::int64_t v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) {
    return fail(ErrorCode::kValidationFailed, "not an integer");
  }
  if (v < min || v > max) {
    return fail(ErrorCode::kValidationFailed,
                "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

struct Setting {
  const char* name;
  const char* description;
  bool secret;
  std::function<std::string(const Config&)> get;
  std::function<Status(Config&, std::string_view)> set;
};

template <typename T>
Status set_int(T& field, std::string_view v, std::int64_t min, std::int64_t max) {
  EW_ASSIGN_OR_RETURN(auto n, parse_int(v, min, max));
  field = static_cast<T>(n);
  return {};
}

Status set_duration(std::chrono::milliseconds& field, std::string_view v) {
  EW_ASSIGN_OR_RETURN(auto d, parse_duration(v));
  field = d;
  return {};
}

Status set_size(std::size_t& field, std::string_view v) {
  EW_ASSIGN_OR_RETURN(auto n, parse_size(v));
  field = n;
  return {};
}

Status set_bool(bool& field, std::string_view v) {
  EW_ASSIGN_OR_RETURN(auto b, parse_bool(v));
  field = b;
  return {};
}

Status set_thresholds(PerfConfig& perf, std::string_view v) {
  perf.thresholds.clear();
  for (const auto& item : split_list(v)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::kValidationFailed, "expected operation=duration pairs");
    }
    EW_ASSIGN_OR_RETURN(auto d, parse_duration(std::string_view(item).substr(eq + 1)));
    perf.thresholds[trim(item.substr(0, eq))] = d;
  }
  return {};
}

std::string format_thresholds(const PerfConfig& perf) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : perf.thresholds) parts.push_back(k + "=" + format_duration(v));
  return join(parts);
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"EYEWEAR_DATA_DIR", "Directory for the SQLite file, generated keys and the mail outbox", false,
       [](const Config& c) { return c.data_dir; },
       [](Config& c, std::string_view v) -> Status {
         if (trim(v).empty()) return fail(ErrorCode::kValidationFailed, "must not be empty");
         c.data_dir = trim(v);
         return {};
       }},
      {"EYEWEAR_SECRETS_DIR",
       "Directory for generated signing keys and secrets (keys/jwt, secrets/); empty: the data dir. "
       "Nodes of one deployment must share it",
       false, [](const Config& c) { return c.secrets_dir; },
       [](Config& c, std::string_view v) -> Status {
         c.secrets_dir = trim(v);
         return {};
       }},
      {"EYEWEAR_ENV", "production | development | test", false, [](const Config& c) { return c.environment; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "production" && t != "development" && t != "test") {
           return fail(ErrorCode::kValidationFailed, "must be production, development or test");
         }
         c.environment = t;
         return {};
       }},
      {"EYEWEAR_DEMO_DATA", "Seed demo data at start-up when the database is empty", false,
       [](const Config& c) { return c.demo_data ? "true" : "false"; },
       [](Config& c, std::string_view v) { return set_bool(c.demo_data, v); }},
      {"EYEWEAR_HOST", "Address to listen on", false, [](const Config& c) { return c.http.host; },
       [](Config& c, std::string_view v) -> Status {
         if (trim(v).empty()) return fail(ErrorCode::kValidationFailed, "must not be empty");
         c.http.host = trim(v);
         return {};
       }},
      {"EYEWEAR_PORT", "TCP port to listen on (0 picks a free one)", false,
       [](const Config& c) { return std::to_string(c.http.port); },
       [](Config& c, std::string_view v) { return set_int(c.http.port, v, 0, 65535); }},
      {"EYEWEAR_HTTP_THREADS", "HTTP I/O threads (0: one per core)", false,
       [](const Config& c) { return std::to_string(c.http.threads); },
       [](Config& c, std::string_view v) { return set_int(c.http.threads, v, 0, 256); }},
      {"EYEWEAR_MAX_CONNECTIONS", "Open connections allowed; one beyond it is closed at once", false,
       [](const Config& c) { return std::to_string(c.http.max_connections); },
       [](Config& c, std::string_view v) { return set_int(c.http.max_connections, v, 1, 1'000'000); }},
      {"EYEWEAR_MAX_BODY_BYTES", "Request body limit of ordinary routes (413 above it)", false,
       [](const Config& c) { return std::to_string(c.http.max_body_bytes); },
       [](Config& c, std::string_view v) { return set_size(c.http.max_body_bytes, v); }},
      {"EYEWEAR_MAX_UPLOAD_BYTES", "Request body limit of upload routes; also the transport's hard cap", false,
       [](const Config& c) { return std::to_string(c.http.max_upload_bytes); },
       [](Config& c, std::string_view v) { return set_size(c.http.max_upload_bytes, v); }},
      {"EYEWEAR_READ_TIMEOUT", "Time a client has to send a complete request, headers and body", false,
       [](const Config& c) { return format_duration(c.http.read_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.http.read_timeout, v); }},
      {"EYEWEAR_HANDLER_TIMEOUT", "Time a request may take to be answered before the connection is closed", false,
       [](const Config& c) { return format_duration(c.http.handler_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.http.handler_timeout, v); }},
      {"EYEWEAR_WRITE_TIMEOUT", "Time a client has to read a response", false,
       [](const Config& c) { return format_duration(c.http.write_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.http.write_timeout, v); }},
      {"EYEWEAR_DRAIN_TIMEOUT", "On SIGTERM/SIGINT, how long in-flight requests may finish", false,
       [](const Config& c) { return format_duration(c.http.drain_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.http.drain_timeout, v); }},
      {"EYEWEAR_CORS_ORIGINS", "Comma-separated origins allowed by CORS (exact match; * for any)", false,
       [](const Config& c) { return join(c.http.cors_origins); },
       [](Config& c, std::string_view v) -> Status {
         c.http.cors_origins = split_list(v);
         return {};
       }},
      {"EYEWEAR_BEHIND_TLS", "Set when a TLS terminator fronts the server: enables HSTS", false,
       [](const Config& c) { return c.http.behind_tls ? "true" : "false"; },
       [](Config& c, std::string_view v) { return set_bool(c.http.behind_tls, v); }},
      {"EYEWEAR_ACCESS_LOG", "One JSON access-log line per request", false,
       [](const Config& c) { return c.http.access_log ? "true" : "false"; },
       [](Config& c, std::string_view v) { return set_bool(c.http.access_log, v); }},
      {"EYEWEAR_GZIP_MIN_BYTES", "Responses at least this large are gzipped when the client accepts it", false,
       [](const Config& c) { return std::to_string(c.http.gzip_min_bytes); },
       [](Config& c, std::string_view v) { return set_size(c.http.gzip_min_bytes, v); }},
      {"EYEWEAR_TRUSTED_PROXIES", "Comma-separated proxy addresses whose X-Forwarded-For is believed", false,
       [](const Config& c) { return join(c.http.trusted_proxies); },
       [](Config& c, std::string_view v) -> Status {
         c.http.trusted_proxies = split_list(v);
         return {};
       }},
      {"EYEWEAR_PUBLIC_URL", "Base URL of the service as users reach it (links in emails)", false,
       [](const Config& c) { return c.effective_public_url(); },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (!t.starts_with("http://") && !t.starts_with("https://")) {
           return fail(ErrorCode::kValidationFailed, "must start with http:// or https://");
         }
         c.http.public_url = t;
         while (!c.http.public_url.empty() && c.http.public_url.back() == '/') c.http.public_url.pop_back();
         return {};
       }},
      {"EYEWEAR_DATABASE_URL", "sqlite:PATH (default <data-dir>/eyewear.db) or postgresql://user:pass@host:port/db",
       true, [](const Config& c) { return mask_url_password(c.effective_database_url()); },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (!t.empty() && !t.starts_with("sqlite:") && !t.starts_with("postgresql://") &&
             !t.starts_with("postgres://")) {
           return fail(ErrorCode::kValidationFailed, "must start with sqlite:, postgresql:// or postgres://");
         }
         c.database.url = t;
         return {};
       }},
      {"EYEWEAR_DB_POOL_SIZE", "Database connections (0: derived from the thread counts)", false,
       [](const Config& c) { return std::to_string(c.effective_pool_size()); },
       [](Config& c, std::string_view v) { return set_int(c.database.pool_size, v, 0, 1024); }},
      {"EYEWEAR_DB_BUSY_TIMEOUT", "SQLite: how long a statement waits for a lock", false,
       [](const Config& c) { return format_duration(c.database.busy_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.database.busy_timeout, v); }},
      {"EYEWEAR_SQLITE_MMAP_SIZE", "SQLite: bytes of the database read through a memory map (0: off)", false,
       [](const Config& c) { return std::to_string(c.database.sqlite_mmap_size); },
       [](Config& c, std::string_view v) { return set_size(c.database.sqlite_mmap_size, v); }},
      {"EYEWEAR_SQLITE_PAGE_SIZE", "SQLite: page size of a new database file (a power of two, 512 to 65536)", false,
       [](const Config& c) { return std::to_string(c.database.sqlite_page_size); },
       [](Config& c, std::string_view v) -> Status {
         EW_ASSIGN_OR_RETURN(const auto n, parse_int(v, 512, 65536));
         if ((n & (n - 1)) != 0) return fail(ErrorCode::kValidationFailed, "not a power of two");
         c.database.sqlite_page_size = static_cast<std::size_t>(n);
         return {};
       }},
      {"EYEWEAR_DB_CONNECT_TIMEOUT", "PostgreSQL: how long start-up keeps retrying the connection", false,
       [](const Config& c) { return format_duration(c.database.connect_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.database.connect_timeout, v); }},
      {"EYEWEAR_MIGRATE_ON_START", "Apply pending migrations when `serve` starts", false,
       [](const Config& c) { return c.database.migrate_on_start ? "true" : "false"; },
       [](Config& c, std::string_view v) { return set_bool(c.database.migrate_on_start, v); }},
      {"EYEWEAR_WORKER_THREADS", "Worker threads for CPU-heavy work such as password hashing (0: one per core)", false,
       [](const Config& c) { return std::to_string(c.workers.threads); },
       [](Config& c, std::string_view v) { return set_int(c.workers.threads, v, 0, 256); }},
      {"EYEWEAR_WORKER_QUEUE", "Tasks that may wait for a worker before requests get 503 OVERLOADED", false,
       [](const Config& c) { return std::to_string(c.workers.queue_limit); },
       [](Config& c, std::string_view v) { return set_int(c.workers.queue_limit, v, 1, 1'000'000); }},
      {"EYEWEAR_LOG_LEVEL", "trace | debug | info | warn | error", false, [](const Config& c) { return c.log.level; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "trace" && t != "debug" && t != "info" && t != "warn" && t != "error") {
           return fail(ErrorCode::kValidationFailed, "must be trace, debug, info, warn or error");
         }
         c.log.level = t;
         return {};
       }},
      {"EYEWEAR_LOG_FORMAT", "json | text", false, [](const Config& c) { return c.log.json ? "json" : "text"; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "json" && t != "text") return fail(ErrorCode::kValidationFailed, "must be json or text");
         c.log.json = t == "json";
         return {};
       }},
      // ---- identity
      {"EYEWEAR_JWT_ALG", "Access-token signature: ES256 (default) or HS256", false,
       [](const Config& c) { return c.identity.jwt_algorithm; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "ES256" && t != "HS256") return fail(ErrorCode::kValidationFailed, "must be ES256 or HS256");
         c.identity.jwt_algorithm = t;
         return {};
       }},
      {"EYEWEAR_JWT_SECRET", "HS256 secret (at least 32 bytes); default: generated into the data dir", true,
       [](const Config& c) { return c.identity.jwt_secret.empty() ? "" : "****"; },
       [](Config& c, std::string_view v) -> Status {
         if (!v.empty() && v.size() < 32) return fail(ErrorCode::kValidationFailed, "must be at least 32 bytes");
         c.identity.jwt_secret = std::string(v);
         return {};
       }},
      {"EYEWEAR_JWT_ISSUER", "iss claim of access tokens (default: the public URL)", false,
       [](const Config& c) { return c.effective_jwt_issuer(); },
       [](Config& c, std::string_view v) -> Status {
         c.identity.jwt_issuer = trim(v);
         return {};
       }},
      {"EYEWEAR_JWT_AUDIENCE", "aud claim of access tokens", false,
       [](const Config& c) { return c.identity.jwt_audience; },
       [](Config& c, std::string_view v) -> Status {
         if (trim(v).empty()) return fail(ErrorCode::kValidationFailed, "must not be empty");
         c.identity.jwt_audience = trim(v);
         return {};
       }},
      {"EYEWEAR_ACCESS_TOKEN_TTL", "Lifetime of access tokens", false,
       [](const Config& c) { return format_duration(c.identity.access_token_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.access_token_ttl, v); }},
      {"EYEWEAR_SESSION_IDLE_TIMEOUT", "A session unused this long ends", false,
       [](const Config& c) { return format_duration(c.identity.session_idle_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.session_idle_timeout, v); }},
      {"EYEWEAR_SESSION_MAX_LIFETIME", "A session ends this long after sign-in, however active", false,
       [](const Config& c) { return format_duration(c.identity.session_max_lifetime); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.session_max_lifetime, v); }},
      {"EYEWEAR_LOCKOUT_THRESHOLD", "Consecutive sign-in failures for one email that lock it", false,
       [](const Config& c) { return std::to_string(c.identity.lockout_threshold); },
       [](Config& c, std::string_view v) { return set_int(c.identity.lockout_threshold, v, 1, 1000); }},
      {"EYEWEAR_LOCKOUT_DURATION", "How long a locked email stays locked", false,
       [](const Config& c) { return format_duration(c.identity.lockout_duration); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.lockout_duration, v); }},
      {"EYEWEAR_LOGIN_IP_MAX_FAILURES", "Failed sign-ins from one IP within the window before it is throttled", false,
       [](const Config& c) { return std::to_string(c.identity.ip_max_failures); },
       [](Config& c, std::string_view v) { return set_int(c.identity.ip_max_failures, v, 1, 1'000'000); }},
      {"EYEWEAR_LOGIN_IP_WINDOW", "Window of the per-IP sign-in failure throttle", false,
       [](const Config& c) { return format_duration(c.identity.ip_failure_window); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.ip_failure_window, v); }},
      {"EYEWEAR_ARGON2_OPSLIMIT", "argon2id passes; stronger settings upgrade stored hashes at sign-in", false,
       [](const Config& c) { return std::to_string(c.identity.argon2_opslimit); },
       [](Config& c, std::string_view v) { return set_int(c.identity.argon2_opslimit, v, 1, 100); }},
      {"EYEWEAR_ARGON2_MEMLIMIT", "argon2id memory per hash", false,
       [](const Config& c) { return std::to_string(c.identity.argon2_memlimit); },
       [](Config& c, std::string_view v) -> Status {
         EW_TRY(set_size(c.identity.argon2_memlimit, v));
         if (c.identity.argon2_memlimit < 8192) return fail(ErrorCode::kValidationFailed, "must be at least 8KiB");
         return {};
       }},
      {"EYEWEAR_PASSWORD_MIN_SCORE", "Minimum zxcvbn score (0-4) of a new password", false,
       [](const Config& c) { return std::to_string(c.identity.password_min_score); },
       [](Config& c, std::string_view v) { return set_int(c.identity.password_min_score, v, 0, 4); }},
      {"EYEWEAR_PASSWORD_HISTORY", "A new password may not repeat this many previous ones", false,
       [](const Config& c) { return std::to_string(c.identity.password_history); },
       [](Config& c, std::string_view v) { return set_int(c.identity.password_history, v, 0, 24); }},
      {"EYEWEAR_TRUSTED_DEVICE_TTL", "How long a remembered device skips the MFA step", false,
       [](const Config& c) { return format_duration(c.identity.trusted_device_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.trusted_device_ttl, v); }},
      {"EYEWEAR_VERIFY_TOKEN_TTL", "Lifetime of email verification links", false,
       [](const Config& c) { return format_duration(c.identity.verify_token_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.verify_token_ttl, v); }},
      {"EYEWEAR_RESET_TOKEN_TTL", "Lifetime of password reset links", false,
       [](const Config& c) { return format_duration(c.identity.reset_token_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.reset_token_ttl, v); }},
      {"EYEWEAR_MAGIC_LINK_TTL", "Lifetime of magic sign-in links", false,
       [](const Config& c) { return format_duration(c.identity.magic_link_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.magic_link_ttl, v); }},
      {"EYEWEAR_MFA_CHALLENGE_TTL", "Lifetime of the mfa_token between password and second factor", false,
       [](const Config& c) { return format_duration(c.identity.mfa_challenge_ttl); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.mfa_challenge_ttl, v); }},
      {"EYEWEAR_REVOCATION_POLL", "How often a node picks up sessions revoked elsewhere", false,
       [](const Config& c) { return format_duration(c.identity.revocation_poll); },
       [](Config& c, std::string_view v) { return set_duration(c.identity.revocation_poll, v); }},
      // ---- authorization
      {"EYEWEAR_TIER_PERMISSIONS",
       "Overrides of the tier permission matrix, e.g. free=upload_products|view_basic_analytics", false,
       [](const Config& c) { return c.authz.tier_permissions; },
       [](Config& c, std::string_view v) -> Status {
         c.authz.tier_permissions = trim(v);
         return {};
       }},
      {"EYEWEAR_TIER_LIMITS", "Overrides of the monthly limits, e.g. free.product_uploads=200 (-1 = unlimited)", false,
       [](const Config& c) { return c.authz.tier_limits; },
       [](Config& c, std::string_view v) -> Status {
         c.authz.tier_limits = trim(v);
         return {};
       }},
      // ---- catalogue
      {"EYEWEAR_CATALOG_IDEMPOTENCY_TTL", "How long a bulk upload's answer is replayed for its Idempotency-Key", false,
       [](const Config& c) { return format_duration(c.catalog.idempotency_ttl); },
       [](Config& c, std::string_view v) -> Status {
         EW_TRY(set_duration(c.catalog.idempotency_ttl, v));
         if (c.catalog.idempotency_ttl.count() <= 0) return fail(ErrorCode::kValidationFailed, "must be positive");
         return {};
       }},
      {"EYEWEAR_CATALOG_EXPORT_PAGE_ROWS", "Products an export reads per database transaction", false,
       [](const Config& c) { return std::to_string(c.catalog.export_page_rows); },
       [](Config& c, std::string_view v) { return set_int(c.catalog.export_page_rows, v, 1, 100'000); }},
      {"EYEWEAR_CATALOG_DEMO_PRODUCTS", "Generated products in the demo account (--demo-data)", false,
       [](const Config& c) { return std::to_string(c.catalog.demo_products); },
       [](Config& c, std::string_view v) { return set_int(c.catalog.demo_products, v, 0, 100'000); }},
      // ---- threat detection
      {"EYEWEAR_THREAT_MODE",
       "block: refuse requests with HIGH threat findings (400 THREAT_DETECTED) | log: record only", false,
       [](const Config& c) { return c.threats.mode; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "block" && t != "log") return fail(ErrorCode::kValidationFailed, "must be block or log");
         c.threats.mode = t;
         return {};
       }},
      {"EYEWEAR_THREAT_MAX_FIELD_BYTES", "Longest string value a request field may hold (longer: oversized_field)",
       false, [](const Config& c) { return std::to_string(c.threats.max_field_bytes); },
       [](Config& c, std::string_view v) -> Status {
         EW_TRY(set_size(c.threats.max_field_bytes, v));
         if (c.threats.max_field_bytes == 0) return fail(ErrorCode::kValidationFailed, "must be positive");
         return {};
       }},
      {"EYEWEAR_THREAT_QUEUE_LIMIT", "Threat records that may wait to be written before new ones are dropped", false,
       [](const Config& c) { return std::to_string(c.threats.queue_limit); },
       [](Config& c, std::string_view v) { return set_int(c.threats.queue_limit, v, 1, 10'000'000); }},
      {"EYEWEAR_THREAT_FLUSH_INTERVAL", "How often queued threat records are written", false,
       [](const Config& c) { return format_duration(c.threats.flush_interval); },
       [](Config& c, std::string_view v) -> Status {
         EW_TRY(set_duration(c.threats.flush_interval, v));
         if (c.threats.flush_interval.count() <= 0) return fail(ErrorCode::kValidationFailed, "must be positive");
         return {};
       }},
      // ---- keyring and validation (security)
      {"EYEWEAR_MASTER_KEY", "Master key of the keyring (base64, 32 bytes); default: EYEWEAR_MASTER_KEY_FILE", true,
       [](const Config& c) { return c.keyring.master_key.empty() ? "" : "****"; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (!t.empty()) {
           auto raw = base64_decode(t);
           if (!raw) raw = base64url_decode(t);
           const bool ok = raw && raw->size() == 32;
           if (raw) secure_wipe(*raw);
           if (!ok) return fail(ErrorCode::kValidationFailed, "must be base64 of 32 bytes");
         }
         c.keyring.master_key = t;
         return {};
       }},
      {"EYEWEAR_MASTER_KEY_FILE",
       "File holding the master key (base64); default: <secrets-dir>/secrets/master.key, created on first run", false,
       [](const Config& c) { return c.keyring.master_key_file; },
       [](Config& c, std::string_view v) -> Status {
         c.keyring.master_key_file = trim(v);
         return {};
       }},
      {"EYEWEAR_KEYRING_ALGORITHM", "AEAD of new data keys: xchacha20poly1305, aes256gcm (needs AES-NI) or auto", false,
       [](const Config& c) { return c.keyring.algorithm; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t != "xchacha20poly1305" && t != "aes256gcm" && t != "auto") {
           return fail(ErrorCode::kValidationFailed, "must be xchacha20poly1305, aes256gcm or auto");
         }
         c.keyring.algorithm = t;
         return {};
       }},
      {"EYEWEAR_KEYRING_POLL", "How often a node picks up key rotations made elsewhere", false,
       [](const Config& c) { return format_duration(c.keyring.poll); },
       [](Config& c, std::string_view v) -> Status {
         EW_TRY(set_duration(c.keyring.poll, v));
         if (c.keyring.poll.count() < 10) return fail(ErrorCode::kValidationFailed, "must be at least 10ms");
         return {};
       }},
      {"EYEWEAR_KEYRING_MIN_VERSION",
       "This node refuses values sealed below this keyring version (0: the stored minimum)", false,
       [](const Config& c) { return std::to_string(c.keyring.min_decryption_version); },
       [](Config& c, std::string_view v) { return set_int(c.keyring.min_decryption_version, v, 0, 1'000'000); }},
      {"EYEWEAR_KEYRING_REWRAP_BATCH", "Values re-sealed per transaction by `eyewear keys rewrap`", false,
       [](const Config& c) { return std::to_string(c.keyring.rewrap_batch); },
       [](Config& c, std::string_view v) { return set_int(c.keyring.rewrap_batch, v, 1, 100'000); }},
      {"EYEWEAR_LICENCE_PATTERN", "Business licence numbers must match this ECMAScript pattern (whole value)", false,
       [](const Config& c) { return c.validation.licence_pattern; },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (t.empty() || t.size() > 512) return fail(ErrorCode::kValidationFailed, "must be 1 to 512 characters");
         try {
           std::regex compiled(t, std::regex::ECMAScript);
         } catch (const std::regex_error& e) {
           return fail(ErrorCode::kValidationFailed, std::string("does not compile: ") + e.what());
         }
         c.validation.licence_pattern = t;
         return {};
       }},
      {"EYEWEAR_PHONE_DEFAULT_REGION", "Region (ISO 3166) of phone numbers without + when the profile has no country",
       false, [](const Config& c) { return c.validation.phone_default_region; },
       [](Config& c, std::string_view v) -> Status {
         auto t = trim(v);
         std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
         if (!t.empty() && (t.size() != 2 || !std::isalpha(static_cast<unsigned char>(t[0])) ||
                            !std::isalpha(static_cast<unsigned char>(t[1])))) {
           return fail(ErrorCode::kValidationFailed, "must be a two-letter region code such as DE");
         }
         c.validation.phone_default_region = t;
         return {};
       }},
      // ---- mail
      {"EYEWEAR_SMTP_URL", "smtp://host:port or smtps://host:port; empty: .eml files in <data-dir>/outbox", false,
       [](const Config& c) { return mask_url_password(c.mail.smtp_url); },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (!t.empty() && !t.starts_with("smtp://") && !t.starts_with("smtps://")) {
           return fail(ErrorCode::kValidationFailed, "must start with smtp:// or smtps://");
         }
         c.mail.smtp_url = t;
         return {};
       }},
      {"EYEWEAR_SMTP_USER", "SMTP user name", false, [](const Config& c) { return c.mail.smtp_user; },
       [](Config& c, std::string_view v) -> Status {
         c.mail.smtp_user = trim(v);
         return {};
       }},
      {"EYEWEAR_SMTP_PASSWORD", "SMTP password", true,
       [](const Config& c) { return c.mail.smtp_password.empty() ? "" : "****"; },
       [](Config& c, std::string_view v) -> Status {
         c.mail.smtp_password = std::string(v);
         return {};
       }},
      {"EYEWEAR_MAIL_FROM", "From address of outgoing mail", false, [](const Config& c) { return c.mail.from; },
       [](Config& c, std::string_view v) -> Status {
         if (trim(v).empty()) return fail(ErrorCode::kValidationFailed, "must not be empty");
         c.mail.from = trim(v);
         return {};
       }},
      {"EYEWEAR_SLOW_THRESHOLD", "Default threshold above which an operation is logged as slow", false,
       [](const Config& c) { return format_duration(c.perf.default_threshold); },
       [](Config& c, std::string_view v) { return set_duration(c.perf.default_threshold, v); }},
      {"EYEWEAR_SLOW_THRESHOLDS", "Per-operation thresholds, e.g. http.request=200ms,db.query=20ms", false,
       [](const Config& c) { return format_thresholds(c.perf); },
       [](Config& c, std::string_view v) { return set_thresholds(c.perf, v); }},
      {"EYEWEAR_REDIS_URL", "Redis for state shared by several nodes (rate limits); empty: kept in-process", true,
       [](const Config& c) {
         // redis://password@host has no user: mask the whole user part then.
         const auto& url = c.rate_limit.redis_url;
         const auto at = url.find('@');
         if (at != std::string::npos && url.find(':', 8) > at) return "redis://****" + url.substr(at);
         return mask_url_password(url);
       },
       [](Config& c, std::string_view v) -> Status {
         const auto t = trim(v);
         if (!t.empty() && !t.starts_with("redis://"))
           return fail(ErrorCode::kValidationFailed, "must start with redis://");
         c.rate_limit.redis_url = t;
         return {};
       }},
      {"EYEWEAR_REDIS_PREFIX", "Prefix of every Redis key this service writes", false,
       [](const Config& c) { return c.rate_limit.redis_prefix; },
       [](Config& c, std::string_view v) -> Status {
         c.rate_limit.redis_prefix = trim(v);
         return {};
       }},
      {"EYEWEAR_REDIS_TIMEOUT", "Connect and command timeout for Redis", false,
       [](const Config& c) { return format_duration(c.rate_limit.redis_timeout); },
       [](Config& c, std::string_view v) { return set_duration(c.rate_limit.redis_timeout, v); }},
      {"EYEWEAR_RATE_LIMIT_FAIL_OPEN", "Allow requests (and count the errors) when the rate-limit store is unreachable",
       false, [](const Config& c) { return c.rate_limit.fail_open ? "true" : "false"; },
       [](Config& c, std::string_view v) { return set_bool(c.rate_limit.fail_open, v); }},
      {"EYEWEAR_RATE_LIMIT_IP", "Mutating requests per client address, e.g. 60/1m; off disables", false,
       [](const Config& c) { return format_rate(c.rate_limit.ip); },
       [](Config& c, std::string_view v) { return parse_rate(v, c.rate_limit.ip); }},
      {"EYEWEAR_RATE_LIMIT_IP_BURST", "Mutating requests per client address allowed at once beyond the rate", false,
       [](const Config& c) { return std::to_string(c.rate_limit.ip.burst); },
       [](Config& c, std::string_view v) { return set_int(c.rate_limit.ip.burst, v, 0, 1'000'000); }},
      {"EYEWEAR_RATE_LIMIT_API_KEY", "Requests per API key, e.g. 600/1m; off disables", false,
       [](const Config& c) { return format_rate(c.rate_limit.api_key); },
       [](Config& c, std::string_view v) { return parse_rate(v, c.rate_limit.api_key); }},
      {"EYEWEAR_RATE_LIMIT_API_KEY_BURST", "Requests per API key allowed at once beyond the rate", false,
       [](const Config& c) { return std::to_string(c.rate_limit.api_key.burst); },
       [](Config& c, std::string_view v) { return set_int(c.rate_limit.api_key.burst, v, 0, 1'000'000); }},
      {"EYEWEAR_RATE_LIMIT_LOGIN_FAILURES", "Failed sign-ins per account, e.g. 20/1d; off disables", false,
       [](const Config& c) { return format_rate(c.rate_limit.login_failures); },
       [](Config& c, std::string_view v) { return parse_rate(v, c.rate_limit.login_failures); }},
      {"EYEWEAR_RATE_LIMIT_LOGIN_FAILURES_BURST", "Failed sign-ins per account allowed at once beyond the rate", false,
       [](const Config& c) { return std::to_string(c.rate_limit.login_failures.burst); },
       [](Config& c, std::string_view v) { return set_int(c.rate_limit.login_failures.burst, v, 0, 1'000'000); }},
      {"EYEWEAR_RATE_LIMIT_LOCAL_MAX_KEYS", "Most keys the in-process limiter keeps", false,
       [](const Config& c) { return std::to_string(c.rate_limit.local_max_keys); },
       [](Config& c, std::string_view v) { return set_int(c.rate_limit.local_max_keys, v, 1024, 100'000'000); }},
  };
  return table;
}

}  // namespace

std::string Config::effective_database_url() const {
  if (!database.url.empty()) return database.url;
  return "sqlite:" + data_dir + "/eyewear.db";
}

std::size_t Config::effective_http_threads() const {
  if (http.threads != 0) return http.threads;
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

std::size_t Config::effective_worker_threads() const {
  if (workers.threads != 0) return workers.threads;
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

std::size_t Config::effective_pool_size() const {
  if (database.pool_size != 0) return database.pool_size;
  return effective_http_threads() + effective_worker_threads() + 2;
}

std::string Config::effective_jwt_issuer() const {
  return identity.jwt_issuer.empty() ? effective_public_url() : identity.jwt_issuer;
}

std::string Config::effective_secrets_dir() const { return secrets_dir.empty() ? data_dir : secrets_dir; }

std::string Config::effective_public_url() const {
  if (!http.public_url.empty()) return http.public_url;
  const std::string host = (http.host == "0.0.0.0" || http.host == "::") ? "127.0.0.1" : http.host;
  return "http://" + host + ":" + std::to_string(http.port);
}

EnvMap read_environment() {
  EnvMap env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("EYEWEAR_")) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Result<Config> load_config(const EnvMap& env) {
  Config config;
  for (const auto& setting : settings()) {
    const auto it = env.find(setting.name);
    if (it == env.end()) continue;
    if (auto st = setting.set(config, it->second); !st) {
      return fail(Error::validation(setting.name, "invalid_value",
                                    std::string(setting.name) + ": " + st.error().message));
    }
  }
  EW_TRY(validate_config(config));
  return config;
}

Status validate_config(const Config& c) {
  if (c.http.max_body_bytes > c.http.max_upload_bytes) {
    return fail(Error::validation("EYEWEAR_MAX_BODY_BYTES", "not_above_upload_limit",
                                  "EYEWEAR_MAX_BODY_BYTES must not exceed EYEWEAR_MAX_UPLOAD_BYTES"));
  }
  if (c.http.read_timeout.count() <= 0 || c.http.handler_timeout.count() <= 0 || c.http.write_timeout.count() <= 0) {
    return fail(Error::validation("EYEWEAR_READ_TIMEOUT", "positive", "HTTP timeouts must be positive"));
  }
  return {};
}

std::vector<SettingView> describe_config(const Config& config, const EnvMap& env) {
  std::vector<SettingView> out;
  for (const auto& s : settings()) {
    out.push_back(SettingView{s.name, s.get(config), s.description, env.contains(s.name)});
  }
  return out;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  if (digits == 0) return fail(ErrorCode::kValidationFailed, "expected a duration such as 500ms, 30s, 15m, 24h, 30d");
  EW_ASSIGN_OR_RETURN(auto n, parse_int(std::string_view(t).substr(0, digits), 0, 1'000'000'000));
  const auto unit = t.substr(digits);
  std::int64_t factor;
  if (unit.empty() || unit == "s") {
    factor = 1000;
  } else if (unit == "ms") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return fail(ErrorCode::kValidationFailed, "unknown duration unit '" + unit + "'");
  }
  return std::chrono::milliseconds(n * factor);
}

Result<std::size_t> parse_size(std::string_view text) {
  const auto t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  if (digits == 0) return fail(ErrorCode::kValidationFailed, "expected a size such as 1048576, 512KiB, 64MiB");
  EW_ASSIGN_OR_RETURN(auto n, parse_int(std::string_view(t).substr(0, digits), 0, 1LL << 40));
  const auto unit = t.substr(digits);
  std::int64_t factor;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "K" || unit == "KiB" || unit == "k") {
    factor = 1024;
  } else if (unit == "M" || unit == "MiB") {
    factor = 1024 * 1024;
  } else if (unit == "G" || unit == "GiB") {
    factor = 1024LL * 1024 * 1024;
  } else {
    return fail(ErrorCode::kValidationFailed, "unknown size unit '" + unit + "'");
  }
  return static_cast<std::size_t>(n * factor);
}

Status parse_rate(std::string_view text, RateSpec& out) {
  const auto t = trim(text);
  if (t == "0" || t == "off") {
    out.count = 0;
    return {};
  }
  const auto slash = t.find('/');
  if (slash == std::string::npos) return fail(ErrorCode::kValidationFailed, "expected count/period such as 60/1m, or off");
  EW_ASSIGN_OR_RETURN(auto count, parse_int(std::string_view(t).substr(0, slash), 1, 1'000'000'000));
  EW_ASSIGN_OR_RETURN(auto period, parse_duration(std::string_view(t).substr(slash + 1)));
  if (period.count() <= 0) return fail(ErrorCode::kValidationFailed, "the period must be positive");
  out.count = count;
  out.period = period;
  return {};
}

std::string format_rate(const RateSpec& spec) {
  if (spec.count <= 0) return "off";
  return std::to_string(spec.count) + "/" + format_duration(spec.period);
}

Result<bool> parse_bool(std::string_view text) {
  std::string t = trim(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off") return false;
  return fail(ErrorCode::kValidationFailed, "expected true or false");
}

std::string mask_url_password(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) {
    // Also mask password=... query parameters.
    const auto pw = url.find("password=");
    if (pw == std::string::npos) return url;
    const auto end = url.find('&', pw);
    return url.substr(0, pw + 9) + "****" + (end == std::string::npos ? "" : url.substr(end));
  }
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

}  // namespace eyewear::platform
