// Micro benchmarks of the HTTP edge's building blocks. Figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include "http/dispatcher.hpp"
#include "http/middleware.hpp"
#include "http/router.hpp"
#include "platform/config.hpp"
#include "platform/perf_monitor.hpp"

namespace {

using namespace eyewear;

class NullSink final : public platform::LogSink {
 public:
  void write(platform::LogLevel, std::string_view) override {}
};

void add_routes(http::Router& r) {
  auto ok = [](http::Exchange&) -> http::HandlerResult { return http::Response::json(200, {{"status", "ok"}}); };
  for (const char* p : {"/api/v1/products", "/api/v1/products/{id}", "/api/v1/products/stats", "/api/v1/me",
                        "/api/v1/auth/login", "/api/v1/auth/sessions/{id}", "/health/live", "/metrics"}) {
    r.add(http::Method::kGet, p, ok);
  }
}

void BM_RouterMatch(benchmark::State& state) {
  http::Router r;
  add_routes(r);
  for (auto _ : state) {
    auto m = r.match(http::Method::kGet, "/api/v1/products/0192f0a4-7c1e-7abc-9def-0123456789ab");
    benchmark::DoNotOptimize(m.route);
  }
}
BENCHMARK(BM_RouterMatch);

void BM_MiddlewareChain(benchmark::State& state) {
  auto logger = platform::Logger(std::make_shared<NullSink>(), platform::LogLevel::kInfo);
  platform::Registry registry;
  platform::SystemClock clock;
  platform::PerfMonitor monitor(platform::PerfConfig{}, registry, logger, clock);
  platform::WorkerPool workers("bench", 1, 16, logger);
  http::Router r;
  add_routes(r);
  http::MiddlewareChain chain;
  chain.push_back(http::make_client_address({}));
  chain.push_back(http::make_request_id());
  chain.push_back(http::make_access_log(logger, registry, monitor, r, true));
  chain.push_back(http::make_security_headers(false));
  chain.push_back(http::make_gzip(1024));
  chain.push_back(http::make_cors({}));
  chain.push_back(http::make_body_policy(1 << 20, 1 << 26));
  http::Dispatcher d(r, std::move(chain), workers, logger);
  for (auto _ : state) {
    http::Exchange ex;
    ex.request.method = http::Method::kGet;
    ex.request.method_text = "GET";
    ex.request.path = "/api/v1/me";
    ex.request.remote_address = "127.0.0.1";
    auto resp = d.run(ex);
    benchmark::DoNotOptimize(resp.body.data());
  }
}
BENCHMARK(BM_MiddlewareChain);

void BM_GzipJson16KiB(benchmark::State& state) {
  std::string body;
  while (body.size() < 16 * 1024) body += R"({"sku":"RB-2140-901","name":"Wayfarer Classic","price":15900},)";
  for (auto _ : state) {
    auto z = http::gzip_compress(body);
    benchmark::DoNotOptimize(z->data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_GzipJson16KiB);

}  // namespace

BENCHMARK_MAIN();
