// Rate-limit decisions: the GCRA step alone, the in-process limiter (one sharded map, with many
// threads on distinct keys and on one hot key), and the Redis limiter (one EVALSHA round trip)
// when EYEWEAR_BENCH_REDIS_URL names a server. Figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "security/rate_limit.hpp"
#include "storage/redis.hpp"
#include "stores/redis_rate_limiter.hpp"

namespace {

using namespace eyewear;

security::RateLimit generous() {
  security::RateLimit l;
  l.count = 1'000'000'000;
  l.period = std::chrono::seconds(1);
  l.burst = 1'000'000;
  return l;
}

void BM_GcraStep(benchmark::State& state) {
  const auto limit = generous();
  std::int64_t tat = 0, now = 1'000'000;
  for (auto _ : state) {
    const auto step = security::gcra(tat, now, limit, 1);
    tat = step.new_tat_us;
    benchmark::DoNotOptimize(step);
    now += 10;
  }
}
BENCHMARK(BM_GcraStep);

void BM_RateLimitLocal(benchmark::State& state) {
  static platform::SystemClock clock;
  static auto limiter = security::make_local_rate_limiter(clock);
  const auto limit = generous();
  // Distinct keys per thread (many clients), or one key for all (one hot client).
  const std::string key = state.range(0) == 0 ? "ip:10.0.0." + std::to_string(state.thread_index()) : "ip:hot";
  for (auto _ : state) benchmark::DoNotOptimize(limiter->acquire(key, limit, 1));
}
BENCHMARK(BM_RateLimitLocal)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

void BM_RateLimitRedis(benchmark::State& state) {
  const char* url = std::getenv("EYEWEAR_BENCH_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("EYEWEAR_BENCH_REDIS_URL not set");
    return;
  }
  static platform::SystemClock clock;
  storage::RedisOptions o;
  o.url = url;
  auto redis = storage::Redis::open(o);
  if (!redis) {
    state.SkipWithError("bad EYEWEAR_BENCH_REDIS_URL");
    return;
  }
  auto limiter = stores::make_redis_rate_limiter(**redis, clock, "bench:");
  const auto limit = generous();
  for (auto _ : state) {
    if (!limiter->acquire("ip:bench", limit, 1)) {
      state.SkipWithError("redis unreachable");
      return;
    }
  }
}
BENCHMARK(BM_RateLimitRedis)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
