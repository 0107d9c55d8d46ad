// Authorization costs: the permission check (in memory) and quota check-and-consume on SQLite
// and, when EYEWEAR_BENCH_PG_URL names a database, on PostgreSQL. Figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "authz/service.hpp"
#include "authz/tier_cache.hpp"
#include "platform/logging.hpp"
#include "storage/migrations.hpp"
#include "storage/open.hpp"
#include "stores/authz_store.hpp"

namespace {

using namespace eyewear;

class NullSink final : public platform::LogSink {
 public:
  void write(platform::LogLevel, std::string_view) override {}
};

void BM_PolicyAllows(benchmark::State& state) {
  const authz::Policy policy;
  int i = 0;
  for (auto _ : state) {
    const auto p = static_cast<authz::Permission>(i++ & 7);
    benchmark::DoNotOptimize(policy.allows(authz::Tier::kProfessional, p));
  }
}
BENCHMARK(BM_PolicyAllows);

struct Env {
  explicit Env(const std::string& url) : logger(std::make_shared<NullSink>(), platform::LogLevel::kOff) {
    storage::DatabaseOptions o;
    o.url = url;
    o.pool_size = 4;
    db = std::move(*storage::open_database(o));
    (void)storage::migrate(*db, nullptr);
    (void)db->transact(storage::TxMode::kWrite, [](storage::Connection& c) {
      return c.execute("INSERT INTO manufacturers (id, company_name, tier, status, created_at, updated_at) "
                       "VALUES ('bench-m', 'Bench Optics', 'enterprise', 'active', 0, 0) ON CONFLICT (id) DO NOTHING");
    });
    store = stores::make_authz_store(*db);
    tiers = std::make_unique<authz::TierCache>(*store, clock, logger, std::chrono::seconds(1));
    authorizer = std::make_unique<authz::Authorizer>(policy, *tiers, *store, clock);
    quotas = std::make_unique<authz::Quotas>(policy, *tiers, *store, clock);
  }
  platform::SystemClock clock;
  platform::Logger logger;
  authz::Policy policy;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<authz::AuthzStore> store;
  std::unique_ptr<authz::TierCache> tiers;
  std::unique_ptr<authz::Authorizer> authorizer;
  std::unique_ptr<authz::Quotas> quotas;
};

std::string sqlite_url() {
  static const auto path = std::filesystem::temp_directory_path() / ("eyewear-authz-bench-" + std::to_string(::getpid()) + ".db");
  return "sqlite:" + path.string();
}

void BM_AuthorizerRequire(benchmark::State& state) {
  Env env(sqlite_url());
  (void)env.authorizer->require("bench-m", authz::Permission::kExportData);  // warm the tier cache
  for (auto _ : state) benchmark::DoNotOptimize(env.authorizer->require("bench-m", authz::Permission::kExportData));
}
BENCHMARK(BM_AuthorizerRequire);

void quota_consume(benchmark::State& state, const std::string& url) {
  Env env(url);
  for (auto _ : state) {
    auto r = env.quotas->consume("bench-m", authz::Resource::kApiCalls, 1, "bench");
    if (!r) state.SkipWithError(r.error().internal.c_str());
  }
  state.SetLabel(url.starts_with("sqlite") ? "sqlite" : "postgres");
}

void BM_QuotaConsumeSqlite(benchmark::State& state) { quota_consume(state, sqlite_url()); }

// The floor under any write on the embedded default: an empty write transaction (BEGIN
// IMMEDIATE + COMMIT, with SQLite's file locking), measured in the same run as the baseline.
void BM_SqliteEmptyWriteTransaction(benchmark::State& state) {
  Env env(sqlite_url());
  for (auto _ : state) {
    auto r = env.db->transact(storage::TxMode::kWrite, [](storage::Connection&) -> platform::Status { return {}; });
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SqliteEmptyWriteTransaction)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QuotaConsumeSqlite)->Unit(benchmark::kMicrosecond);

void BM_QuotaConsumePostgres(benchmark::State& state) {
  const char* url = std::getenv("EYEWEAR_BENCH_PG_URL");
  if (url == nullptr) {
    state.SkipWithError("set EYEWEAR_BENCH_PG_URL");
    return;
  }
  quota_consume(state, url);
}
BENCHMARK(BM_QuotaConsumePostgres)->Unit(benchmark::kMicrosecond);

}  // namespace
