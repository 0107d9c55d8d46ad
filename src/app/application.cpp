#include "app/application.hpp"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>

#include "app/keyring_setup.hpp"
#include "authz/policy.hpp"
#include "authz/service.hpp"
#include "authz/tier_cache.hpp"
#include "catalog/service.hpp"
#include "http/auth_middleware.hpp"
#include "http/authz_middleware.hpp"
#include "http/authz_routes.hpp"
#include "http/catalog_routes.hpp"
#include "http/dispatcher.hpp"
#include "http/identity_routes.hpp"
#include "http/middleware.hpp"
#include "http/ops_routes.hpp"
#include "http/profile_routes.hpp"
#include "http/rate_limit_middleware.hpp"
#include "http/server.hpp"
#include "http/threat_middleware.hpp"
#include "http/threat_routes.hpp"
#include "identity/jwt.hpp"
#include "identity/passwords.hpp"
#include "identity/sealer.hpp"
#include "identity/service.hpp"
#include "identity/session_registry.hpp"
#include "mail/mail.hpp"
#include "platform/allocator.hpp"
#include "platform/build_info.hpp"
#include "platform/crypto.hpp"
#include "platform/perf_monitor.hpp"
#include "platform/process_stats.hpp"
#include "platform/random.hpp"
#include "platform/secret_file.hpp"
#include "platform/worker_pool.hpp"
#include "security/keyring.hpp"
#include "security/profile.hpp"
#include "security/rate_limit.hpp"
#include "security/threat_history.hpp"
#include "security/threat_recorder.hpp"
#include "security/threat_scan.hpp"
#include "storage/migrations.hpp"
#include "storage/open.hpp"
#include "storage/redis.hpp"
#include "stores/authz_store.hpp"
#include "stores/catalog_store.hpp"
#include "stores/identity_store.hpp"
#include "stores/keyring_store.hpp"
#include "stores/outbox_store.hpp"
#include "stores/profile_store.hpp"
#include "stores/redis_rate_limiter.hpp"
#include "stores/threat_store.hpp"

namespace eyewear::app {

using platform::fail;

namespace {

class StorageProbe final : public http::DatabaseProbe {
 public:
  explicit StorageProbe(storage::Database& db) : db_(db) {}
  platform::HealthResult ping() override { return db_.ping(); }
  std::string backend() const override { return std::string(storage::dialect_name(db_.dialect())); }
  std::optional<std::pair<int, int>> schema_versions() override {
    auto status = storage::schema_status(db_);
    if (!status) return std::nullopt;
    return std::make_pair(status->current, status->latest);
  }
  std::pair<std::size_t, std::size_t> pool() const override {
    const auto s = db_.pool_stats();
    return {s.size, s.in_use};
  }

 private:
  storage::Database& db_;
};

void register_process_metrics(platform::Registry& registry, std::chrono::system_clock::time_point started) {
  const auto start_seconds = static_cast<double>(platform::to_unix_ms(started)) / 1000.0;
  registry.add_collector([start_seconds](std::string& out) {
    using platform::format_metric_value;
    if (auto rss = platform::resident_memory_bytes()) {
      out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
             "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes " +
             std::to_string(*rss) + "\n";
    }
    if (auto fds = platform::open_file_descriptors()) {
      out += "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds " +
             std::to_string(*fds) + "\n";
    }
    if (auto max = platform::max_file_descriptors()) {
      out += "# HELP process_max_fds Maximum number of open file descriptors.\n# TYPE process_max_fds gauge\nprocess_max_fds " +
             std::to_string(*max) + "\n";
    }
    out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
           "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total " +
           format_metric_value(platform::process_cpu_seconds()) + "\n";
    out += "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
           "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds " +
           format_metric_value(start_seconds) + "\n";
    const double now = static_cast<double>(platform::to_unix_ms(std::chrono::system_clock::now())) / 1000.0;
    out += "# HELP eyewear_uptime_seconds Seconds since the process started.\n# TYPE eyewear_uptime_seconds gauge\n"
           "eyewear_uptime_seconds " +
           format_metric_value(now - start_seconds) + "\n";
    out += std::string("# HELP eyewear_build_info Build information.\n# TYPE eyewear_build_info gauge\n") +
           "eyewear_build_info{version=\"" + platform::build_info::kVersion + "\",commit=\"" +
           platform::build_info::kCommit + "\",compiler=\"" +
           platform::escape_label_value(platform::build_info::kCompiler) + "\"} 1\n";
  });
}

platform::Status ensure_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return fail(platform::Error::validation("EYEWEAR_DATA_DIR", "writable",
                                            "cannot create data directory " + dir + ": " + ec.message()));
  }
  ::chmod(dir.c_str(), 0700);
  return {};
}

platform::Result<std::string> secret_from(const std::string& configured_base64, const std::string& path,
                                          platform::Random& random) {
  if (!configured_base64.empty()) {
    auto decoded = platform::base64_decode(configured_base64);
    if (!decoded) decoded = platform::base64url_decode(configured_base64);
    if (!decoded || decoded->size() != 32) {
      return platform::fail(platform::Error::validation("secret", "format", "must be base64 of 32 bytes"));
    }
    return *decoded;
  }
  EW_ASSIGN_OR_RETURN(auto text, platform::load_or_create_secret(path, [&] {
                        return platform::base64url_encode(random.bytes(32));
                      }));
  auto decoded = platform::base64url_decode(text);
  if (!decoded || decoded->size() != 32) {
    return platform::fail(platform::Error::internal_error("malformed secret file " + path));
  }
  return *decoded;
}

security::RateLimit limit_of(const platform::RateSpec& spec) {
  security::RateLimit l;
  l.count = spec.count;
  l.period = spec.period;
  l.burst = spec.burst;
  return l;
}

// Identity's per-account failure budget over the shared rate limiter. An unreachable store
// never blocks a sign-in (the lockout, kept in the database, still applies).
class LoginFailureLimiter final : public identity::FailureLimiter {
 public:
  LoginFailureLimiter(security::RateLimiter& limiter, security::RateLimit limit, platform::Logger& logger)
      : limiter_(limiter), limit_(limit), logger_(logger) {}

  std::int64_t blocked_for(std::string_view email_hash) override {
    auto d = limiter_.acquire(key(email_hash), limit_, 0);
    if (!d) {
      logger_.warn("sign-in failure limiter unavailable", {{"detail", d.error().internal}});
      return 0;
    }
    return d->allowed ? 0 : std::max<std::int64_t>(1, d->retry_after_ms);
  }
  void charge(std::string_view email_hash) override {
    if (auto d = limiter_.acquire(key(email_hash), limit_, 1); !d) {
      logger_.warn("sign-in failure limiter unavailable", {{"detail", d.error().internal}});
    }
  }

 private:
  static std::string key(std::string_view email_hash) { return "rl:login:" + std::string(email_hash); }
  security::RateLimiter& limiter_;
  const security::RateLimit limit_;
  platform::Logger& logger_;
};

}  // namespace

struct Application::Parts {
  platform::Config config;
  std::shared_ptr<platform::Clock> clock;
  std::unique_ptr<platform::Random> random;
  std::unique_ptr<platform::Logger> logger;
  std::unique_ptr<platform::Registry> registry;
  std::unique_ptr<platform::PerfMonitor> monitor;
  std::unique_ptr<storage::Database> database;
  std::unique_ptr<StorageProbe> probe;
  // keyring (before identity: identity's sealer uses it)
  std::unique_ptr<security::KeyringStore> keyring_store;
  std::unique_ptr<security::Keyring> keyring;
  // shared counters
  std::unique_ptr<storage::Redis> redis;
  std::unique_ptr<security::RateLimiter> rate_limiter;
  std::unique_ptr<LoginFailureLimiter> login_failures;
  // identity
  std::unique_ptr<identity::KeyRing> signing_keys;
  std::unique_ptr<identity::TokenService> tokens;
  std::unique_ptr<identity::PasswordHasher> hasher;
  std::unique_ptr<identity::SecretSealer> sealer;
  std::unique_ptr<identity::IdentityStore> identity_store;
  std::unique_ptr<identity::SessionRegistry> session_registry;
  std::unique_ptr<mail::OutboxStore> outbox_store;
  std::unique_ptr<mail::Transport> mail_transport;
  std::unique_ptr<mail::OutboxDispatcher> outbox;
  std::unique_ptr<identity::IdentityService> identity;
  // authorization
  authz::Policy policy;
  std::unique_ptr<authz::AuthzStore> authz_store;
  std::unique_ptr<authz::TierCache> tier_cache;
  std::unique_ptr<authz::Authorizer> authorizer;
  std::unique_ptr<authz::Quotas> quotas;
  std::unique_ptr<authz::ApiKeys> api_keys;
  std::unique_ptr<authz::Admin> admin;
  // catalogue
  std::unique_ptr<catalog::CatalogStore> catalog_store;
  std::unique_ptr<catalog::UploadAllowance> upload_allowance;
  std::unique_ptr<catalog::CatalogService> catalog;
  // threat detection
  std::unique_ptr<security::ThreatDetector> threat_detector;
  std::unique_ptr<security::InputScanner> input_scanner;
  std::unique_ptr<security::ThreatStore> threat_store;
  std::unique_ptr<security::ThreatRecorder> threat_recorder;
  std::unique_ptr<security::ThreatHistory> threat_history;
  // business profile
  std::unique_ptr<security::ProfileStore> profile_store;
  std::unique_ptr<security::ProfileService> profiles;
  std::unique_ptr<platform::WorkerPool> workers;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<http::Dispatcher> dispatcher;
  std::unique_ptr<http::Server> server;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
};

platform::Result<std::unique_ptr<storage::Database>> open_configured_database(const platform::Config& config,
                                                                             platform::Logger& logger) {
  EW_TRY(ensure_data_dir(config.data_dir));
  storage::DatabaseOptions options;
  options.url = config.effective_database_url();
  options.pool_size = config.effective_pool_size();
  options.busy_timeout = config.database.busy_timeout;
  options.connect_timeout = config.database.connect_timeout;
  options.sqlite_mmap_size = config.database.sqlite_mmap_size;
  options.sqlite_page_size = config.database.sqlite_page_size;
  options.logger = &logger;
  return storage::open_database(options);
}

platform::Status build_keyring(Application::Parts& p) {
  EW_ASSIGN_OR_RETURN(auto options, keyring_options(p.config, *p.random, *p.logger));
  p.keyring_store = stores::make_keyring_store(*p.database);
  EW_ASSIGN_OR_RETURN(p.keyring,
                      security::Keyring::create(*p.keyring_store, *p.clock, *p.random, *p.logger, std::move(options)));
  p.sealer = make_keyring_sealer(*p.keyring);
  return {};
}

platform::Status build_profiles(Application::Parts& p) {
  EW_ASSIGN_OR_RETURN(auto licence, security::LicencePattern::compile(p.config.validation.licence_pattern));
  p.profile_store = stores::make_profile_store(*p.database);
  p.profiles = std::make_unique<security::ProfileService>(*p.profile_store, *p.keyring, std::move(licence), *p.clock,
                                                          security::ProfileOptions{p.config.validation.phone_default_region});
  return {};
}

platform::Status build_rate_limits(Application::Parts& p) {
  const auto& cfg = p.config.rate_limit;
  if (cfg.redis_url.empty()) {
    p.rate_limiter = security::make_local_rate_limiter(*p.clock, cfg.local_max_keys);
  } else {
    storage::RedisOptions options;
    options.url = cfg.redis_url;
    options.timeout = cfg.redis_timeout;
    options.pool_size = p.config.effective_http_threads() + p.config.effective_worker_threads();
    options.logger = p.logger.get();
    EW_ASSIGN_OR_RETURN(p.redis, storage::Redis::open(options));
    if (const auto h = p.redis->ping(); !h.ok) {
      p.logger->warn("redis unreachable at start-up", {{"detail", h.detail}, {"fail_open", cfg.fail_open}});
    }
    p.rate_limiter = stores::make_redis_rate_limiter(*p.redis, *p.clock, cfg.redis_prefix);
  }
  p.login_failures = std::make_unique<LoginFailureLimiter>(*p.rate_limiter, limit_of(cfg.login_failures), *p.logger);
  return {};
}

platform::Status build_identity(Application::Parts& p) {
  const auto& cfg = p.config;
  const auto secrets = cfg.effective_secrets_dir() + "/secrets";
  identity::KeyRingOptions key_options;
  key_options.directory = cfg.effective_secrets_dir() + "/keys/jwt";
  key_options.algorithm = cfg.identity.jwt_algorithm == "HS256" ? identity::JwtAlgorithm::kHS256 : identity::JwtAlgorithm::kES256;
  key_options.hs256_secret = cfg.identity.jwt_secret;
  key_options.token_ttl = cfg.identity.access_token_ttl;
  EW_ASSIGN_OR_RETURN(p.signing_keys, identity::KeyRing::open(key_options, *p.clock, *p.random));
  p.tokens = std::make_unique<identity::TokenService>(*p.signing_keys, *p.clock, cfg.effective_jwt_issuer(),
                                                      cfg.identity.jwt_audience);
  p.hasher = std::make_unique<identity::PasswordHasher>(
      identity::HashParameters{cfg.identity.argon2_opslimit, cfg.identity.argon2_memlimit});
  EW_ASSIGN_OR_RETURN(auto pepper, secret_from("", secrets + "/token_pepper", *p.random));
  p.identity_store = stores::make_identity_store(*p.database);
  identity::SessionRegistry::Options registry_options;
  registry_options.poll = cfg.identity.revocation_poll;
  registry_options.remember = cfg.identity.access_token_ttl;
  registry_options.idle_timeout = cfg.identity.session_idle_timeout;
  p.session_registry =
      std::make_unique<identity::SessionRegistry>(*p.identity_store, *p.clock, *p.logger, registry_options);
  EW_TRY(p.session_registry->load());
  p.outbox_store = stores::make_outbox_store(*p.database);
  if (!cfg.mail.smtp_url.empty()) {
    p.mail_transport = mail::make_smtp_transport(cfg.mail, *p.clock);
  } else {
    p.mail_transport = mail::make_file_transport(cfg.data_dir + "/outbox", cfg.mail.from, *p.clock, *p.logger,
                                                 cfg.environment != "production");
  }
  p.outbox = std::make_unique<mail::OutboxDispatcher>(*p.outbox_store, *p.mail_transport, *p.clock, *p.logger,
                                                      cfg.mail.poll_interval);
  auto* outbox = p.outbox.get();
  p.identity = std::make_unique<identity::IdentityService>(identity::IdentityDeps{
      *p.identity_store, *p.hasher, *p.tokens, *p.sealer, *p.session_registry, *p.clock, *p.random, *p.logger,
      cfg.identity, cfg.effective_public_url(), std::move(pepper), [outbox] { outbox->notify(); },
      p.login_failures.get()});
  return {};
}

platform::Status build_authz(Application::Parts& p) {
  const auto& cfg = p.config;
  EW_ASSIGN_OR_RETURN(p.policy, authz::Policy::configure(cfg.authz.tier_permissions, cfg.authz.tier_limits));
  p.authz_store = stores::make_authz_store(*p.database);
  p.tier_cache = std::make_unique<authz::TierCache>(*p.authz_store, *p.clock, *p.logger, cfg.identity.revocation_poll);
  p.authorizer = std::make_unique<authz::Authorizer>(p.policy, *p.tier_cache, *p.authz_store, *p.clock);
  p.quotas = std::make_unique<authz::Quotas>(p.policy, *p.tier_cache, *p.authz_store, *p.clock);
  p.api_keys = std::make_unique<authz::ApiKeys>(p.policy, *p.tier_cache, *p.quotas, *p.authz_store, *p.clock, *p.random);
  auto* identity = p.identity.get();
  p.admin = std::make_unique<authz::Admin>(
      p.policy, *p.tier_cache, *p.authz_store, *p.monitor, *p.clock,
      [identity](std::string_view account, const platform::RequestMeta& meta, std::string_view actor) {
        return identity->unlock_account(account, meta, actor);
      });
  return {};
}

platform::Status build_catalog(Application::Parts& p) {
  const auto& cfg = p.config.catalog;
  p.catalog_store = stores::make_catalog_store(*p.database);
  p.upload_allowance = http::make_upload_allowance(*p.quotas);
  catalog::ServiceOptions options;
  options.idempotency_ttl = cfg.idempotency_ttl;
  options.export_page_rows = static_cast<int>(cfg.export_page_rows);
  p.catalog = std::make_unique<catalog::CatalogService>(*p.catalog_store, *p.upload_allowance, *p.clock, options);
  return {};
}

platform::Status build_threats(Application::Parts& p) {
  const auto& cfg = p.config;
  p.threat_detector =
      std::make_unique<security::ThreatDetector>(security::ThreatDetector::Options{cfg.threats.max_field_bytes});
  // Keys the short value hash of findings, so equal payloads correlate across requests (and, with
  // a shared EYEWEAR_SECRETS_DIR, across nodes).
  EW_ASSIGN_OR_RETURN(auto hash_key,
                      secret_from("", cfg.effective_secrets_dir() + "/secrets/threat_hash.key", *p.random));
  p.input_scanner = std::make_unique<security::InputScanner>(*p.threat_detector, std::move(hash_key));
  p.threat_store = stores::make_threat_store(*p.database);
  p.threat_recorder = std::make_unique<security::ThreatRecorder>(
      *p.threat_store, *p.logger, security::ThreatRecorder::Options{cfg.threats.queue_limit, cfg.threats.flush_interval});
  p.threat_history = std::make_unique<security::ThreatHistory>(*p.threat_store, *p.threat_recorder, *p.clock);
  auto* recorder = p.threat_recorder.get();
  p.registry->add_collector([recorder](std::string& out) {
    out += "# HELP eyewear_threat_records_dropped_total Threat records dropped because the write queue was full.\n"
           "# TYPE eyewear_threat_records_dropped_total counter\neyewear_threat_records_dropped_total " +
           std::to_string(recorder->dropped()) + "\n";
  });
  return {};
}

platform::Result<std::unique_ptr<Application>> Application::create(AppOptions options) {
  platform::tune_allocator();
  auto p = std::make_unique<Parts>();
  p->config = std::move(options.config);
  const auto& cfg = p->config;
  p->clock = options.clock ? options.clock : std::make_shared<platform::SystemClock>();
  p->random = std::make_unique<platform::SecureRandom>();
  auto sink = options.log_sink ? options.log_sink : platform::make_stdout_sink();
  p->logger = std::make_unique<platform::Logger>(sink, platform::parse_log_level(cfg.log.level), cfg.log.json);
  p->registry = std::make_unique<platform::Registry>();
  p->monitor = std::make_unique<platform::PerfMonitor>(cfg.perf, *p->registry, *p->logger, *p->clock);
  register_process_metrics(*p->registry, p->clock->now());

  EW_TRY(ensure_data_dir(cfg.data_dir));
  storage::DatabaseOptions db_options;
  db_options.url = cfg.effective_database_url();
  db_options.pool_size = cfg.effective_pool_size();
  db_options.busy_timeout = cfg.database.busy_timeout;
  db_options.connect_timeout = cfg.database.connect_timeout;
  db_options.sqlite_mmap_size = cfg.database.sqlite_mmap_size;
  db_options.sqlite_page_size = cfg.database.sqlite_page_size;
  db_options.logger = p->logger.get();
  db_options.monitor = p->monitor.get();
  EW_ASSIGN_OR_RETURN(p->database, storage::open_database(db_options));

  if (cfg.database.migrate_on_start) {
    EW_TRY(storage::migrate(*p->database, p->logger.get()));
  } else {
    EW_ASSIGN_OR_RETURN(auto status, storage::schema_status(*p->database));
    if (status.ahead()) {
      return fail(platform::ErrorCode::kUnavailable,
                  "the database schema (version " + std::to_string(status.current) +
                      ") is newer than this binary knows (" + std::to_string(status.latest) + ")");
    }
  }
  p->probe = std::make_unique<StorageProbe>(*p->database);
  EW_TRY(build_keyring(*p));
  EW_TRY(build_rate_limits(*p));
  EW_TRY(build_identity(*p));
  EW_TRY(build_authz(*p));
  EW_TRY(build_catalog(*p));
  EW_TRY(build_threats(*p));
  EW_TRY(build_profiles(*p));
  p->workers = std::make_unique<platform::WorkerPool>("workers", cfg.effective_worker_threads(),
                                                      cfg.workers.queue_limit, *p->logger, /*background=*/true);

  // Routes.
  p->router = std::make_unique<http::Router>();
  http::OpsContext ops;
  ops.database = p->probe.get();
  ops.registry = p->registry.get();
  ops.version = platform::build_info::kVersion;
  auto* parts = p.get();
  ops.started = [parts] { return parts->started.load(); };
  ops.draining = [parts] { return parts->server && parts->server->draining(); };
  http::add_ops_routes(*p->router, std::move(ops));
  http::add_identity_routes(*p->router, *p->identity, *p->signing_keys);
  http::add_authz_routes(*p->router, {*p->authorizer, *p->quotas, *p->api_keys, *p->admin});
  http::add_catalog_routes(*p->router, {*p->catalog, *p->authorizer, *p->quotas, p->logger.get()});
  http::add_threat_routes(*p->router, *p->threat_history);
  http::add_profile_routes(*p->router, *p->profiles);
  if (options.extra_routes) options.extra_routes(*p->router);

  // Middleware, in order.
  http::MiddlewareChain chain;
  chain.push_back(http::make_client_address(cfg.http.trusted_proxies));
  chain.push_back(http::make_request_id());
  chain.push_back(http::make_access_log(*p->logger, *p->registry, *p->monitor, *p->router, cfg.http.access_log));
  chain.push_back(http::make_security_headers(cfg.http.behind_tls));
  chain.push_back(http::make_gzip(cfg.http.gzip_min_bytes));
  chain.push_back(http::make_cors(cfg.http.cors_origins));
  chain.push_back(http::make_rate_limit(
      *p->rate_limiter, {http::RateScope::kClientAddress, limit_of(cfg.rate_limit.ip), cfg.rate_limit.fail_open},
      *p->logger, *p->registry));
  chain.push_back(http::make_body_policy(cfg.http.max_body_bytes, cfg.http.max_upload_bytes));
  chain.push_back(http::make_authentication(*p->identity, http::api_key_resolver(*p->api_keys)));
  chain.push_back(http::make_rate_limit(
      *p->rate_limiter, {http::RateScope::kApiKey, limit_of(cfg.rate_limit.api_key), cfg.rate_limit.fail_open},
      *p->logger, *p->registry));
  chain.push_back(http::make_threat_screen({*p->router, *p->input_scanner, *p->threat_recorder, *p->clock, *p->logger,
                                            *p->registry, cfg.threats.mode == "block"}));
  chain.push_back(http::make_authorization(*p->authorizer, *p->quotas));
  p->dispatcher = std::make_unique<http::Dispatcher>(*p->router, std::move(chain), *p->workers, *p->logger);

  http::ServerSettings server_settings;
  server_settings.host = cfg.http.host;
  server_settings.port = cfg.http.port;
  server_settings.threads = cfg.effective_http_threads();
  server_settings.max_connections = cfg.http.max_connections;
  server_settings.max_body_bytes = std::max(cfg.http.max_upload_bytes, cfg.http.max_body_bytes);
  server_settings.read_timeout = cfg.http.read_timeout;
  server_settings.handler_timeout = cfg.http.handler_timeout;
  server_settings.write_timeout = cfg.http.write_timeout;
  server_settings.drain_timeout = cfg.http.drain_timeout;
  p->server = std::make_unique<http::Server>(server_settings, *p->dispatcher, *p->logger, *p->registry);
  return std::unique_ptr<Application>(new Application(std::move(p)));
}

Application::Application(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Application::~Application() { stop(); }

platform::Status Application::start() {
  parts_->session_registry->start();
  parts_->tier_cache->start();
  parts_->keyring->start();
  parts_->outbox->start();
  parts_->threat_recorder->start();
  EW_TRY(parts_->server->start());
  parts_->started = true;
  parts_->logger->info("listening", {{"host", parts_->config.http.host},
                                     {"port", static_cast<std::int64_t>(parts_->server->port())},
                                     {"database", std::string(storage::dialect_name(parts_->database->dialect()))},
                                     {"http_threads", static_cast<std::int64_t>(parts_->config.effective_http_threads())},
                                     {"version", platform::build_info::kVersion}});
  return {};
}

void Application::stop() {
  if (parts_->stopped.exchange(true)) return;
  const auto begun = std::chrono::steady_clock::now();
  const auto in_flight = parts_->server->in_flight();
  const bool drained = parts_->server->stop();
  parts_->workers->shutdown();
  parts_->threat_recorder->stop();  // writes what is still queued
  parts_->outbox->stop();
  parts_->session_registry->stop();
  parts_->tier_cache->stop();
  parts_->keyring->stop();
  parts_->database->close();
  parts_->logger->info("stopped", {{"drained", drained},
                                   {"in_flight_at_signal", in_flight},
                                   {"shutdown_ms", std::chrono::duration<double, std::milli>(
                                                       std::chrono::steady_clock::now() - begun)
                                                       .count()}});
  parts_->logger->flush();
}

std::uint16_t Application::port() const { return parts_->server->port(); }
platform::Logger& Application::logger() { return *parts_->logger; }
platform::Registry& Application::metrics() { return *parts_->registry; }
storage::Database& Application::database() { return *parts_->database; }
identity::IdentityService& Application::identity() { return *parts_->identity; }
identity::KeyRing& Application::signing_keys() { return *parts_->signing_keys; }
mail::OutboxDispatcher& Application::outbox() { return *parts_->outbox; }
catalog::CatalogService& Application::catalog() { return *parts_->catalog; }
security::ThreatRecorder& Application::threat_recorder() { return *parts_->threat_recorder; }
security::Keyring& Application::keyring() { return *parts_->keyring; }
security::ProfileService& Application::profiles() { return *parts_->profiles; }
const platform::Config& Application::config() const { return parts_->config; }

}  // namespace eyewear::app
