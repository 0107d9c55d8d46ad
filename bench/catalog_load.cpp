// Catalogue benchmark over HTTP: starts the real service in this process (SQLite in a temporary
// directory, or PostgreSQL at --database), provisions tenants, bulk-uploads generated catalogues
// in 10,000-row NDJSON requests from concurrent clients, then runs a fixed, seeded mix of
// searches (text, text + filters, filters only, deep pages) one at a time and prints p50/p95/p99
// per kind. Request bodies are generated before each timed upload slice, so the upload figure is
// the server's (the client only sends). Beside the rate it prints how many cores the timed
// slices kept busy and the share of their time the SQLite writer lock was held, which together
// say what bounds the rate: the cores, or the one writer. scripts/bench catalog runs it for both
// databases.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/application.hpp"
#include "catalog/generator.hpp"
#include "catalog/search.hpp"
#include "identity/service.hpp"
#include "support/http_client.hpp"

namespace {

using eyewear::testing::HttpClient;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string database;  // empty: SQLite in a temporary directory
  std::size_t tenants = 100;
  std::size_t per_tenant = 10'000;
  std::size_t batch = 10'000;
  std::size_t concurrency = 2;
  std::size_t queries = 200;  // per kind
  std::size_t slice = 20;     // requests generated ahead of each timed slice
  std::string label = "sqlite";
  std::string only;      // run only the query kinds whose name starts with this (profiling one kind)
  std::string data_dir;  // SQLite: use and keep this directory (to inspect or search it again)
};

class DiscardSink final : public eyewear::platform::LogSink {
 public:
  void write(eyewear::platform::LogLevel level, std::string_view line) override {
    if (level >= eyewear::platform::LogLevel::kWarn) std::fprintf(stderr, "server: %.*s\n", static_cast<int>(line.size()), line.data());
  }
};

// CPU seconds (user + system) this process has used so far: over a timed slice, divided by its
// wall time, how many of the machine's cores the upload kept busy.
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Seconds the SQLite writer lock has been held so far (the server's own histogram,
// eyewear_db_writer_duration_seconds; 0 on PostgreSQL, which has no such lock).
double writer_held_seconds(eyewear::app::Application& app) {
  const std::string series = "eyewear_db_writer_duration_seconds_sum{operation=\"sqlite: writer held\"} ";
  const auto text = app.metrics().render();
  const auto at = text.find(series);
  return at == std::string::npos ? 0.0 : std::strtod(text.c_str() + at + series.size(), nullptr);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The fixed query mix: the same seed gives the same queries.
std::vector<std::pair<std::string, std::vector<std::string>>> query_mix(std::size_t n, std::size_t per_tenant) {
  static const char* words[] = {"aviator", "round", "titanium", "acetate", "tortoise", "gold", "cat", "wayf", "tita",
                                "matte black", "havana", "kids", "polar", "blue light", "rose", "clubmaster",
                                "spring hinges", "marais", "kjaer", "zurich", "seller", "handmade", "bio", "hex"};
  static const char* categories[] = {"optical", "sunglasses", "sports", "reading", "kids", "safety", "blue-light"};
  static const char* materials[] = {"acetate", "titanium", "stainless steel", "tr90", "wood", "carbon fibre"};
  static const char* colors[] = {"black", "tortoise", "gold", "havana", "crystal", "navy"};
  static const char* brands[] = {"Tortuga", "Hawkeye", "Lumen", "Northlight", "Kjær & Søn", "O'Malley Optics"};
  eyewear::catalog::Rng r(2027);
  auto pick = [&](auto& a) { return std::string(a[r.below(std::size(a))]); };
  std::vector<std::string> text, mixed, filters, deep;
  for (std::size_t i = 0; i < n; ++i) {
    text.push_back("q=" + url_encode(pick(words)));
    std::string m = "q=" + url_encode(pick(words));
    switch (r.below(4)) {
      case 0: m += "&category=" + pick(categories); break;
      case 1: m += "&price_max=" + std::to_string(r.between(120, 300)); break;
      case 2: m += "&material=" + url_encode(pick(materials)); break;
      default: m += "&category=" + pick(categories) + "&price_min=100&sort=price"; break;
    }
    mixed.push_back(m);
    std::string f;
    switch (r.below(5)) {
      case 0: f = "category=" + pick(categories); break;
      case 1: f = "category=" + pick(categories) + "&price_min=" + std::to_string(r.between(60, 150)) +
                  "&price_max=" + std::to_string(r.between(200, 400)); break;
      case 2: f = "material=" + url_encode(pick(materials)) + "&sort=price"; break;
      case 3: f = "color=" + url_encode(pick(colors)) + "&category=" + pick(categories); break;
      default: f = "brand=" + url_encode(pick(brands)) + "&sort=name"; break;
    }
    filters.push_back(f);
    const auto max_page = std::max<std::int64_t>(2, static_cast<std::int64_t>(std::min<std::size_t>(per_tenant, 10'000) / 50));
    deep.push_back("sort=price&page_size=50&page=" + std::to_string(r.between(max_page / 2, max_page)));
  }
  return {{"text only", text}, {"text + filters", mixed}, {"filters only", filters}, {"deep pages (offset)", deep}};
}

// The `created` total of a bulk answer, read from its `totals` object alone: the answer leads with
// it, before the 10,000 per-row results, which this client does not need and would otherwise
// parse on the cores it shares with the server (about 9,000 instructions a product, 4.5% of the
// server's own; docs/BENCHMARKS.md, "Upload path, stop 18").
std::size_t created_of(const std::string& body) {
  const auto at = body.find("\"totals\":{");
  const auto end = at == std::string::npos ? at : body.find('}', at);
  if (end == std::string::npos) return 0;
  const auto totals = nlohmann::json::parse(body.substr(at + 9, end - at - 8), nullptr, false);
  return totals.is_object() && totals.contains("created") ? totals["created"].get<std::size_t>() : 0;
}

int run(const Options& o) {
  namespace fs = std::filesystem;
  const fs::path dir = o.data_dir.empty()
                           ? fs::temp_directory_path() / ("eyewear-catalog-bench-" + std::to_string(::getpid()))
                           : fs::path(o.data_dir);
  // A kept directory that already holds the catalogue: search it again without uploading.
  const bool reuse = !o.data_dir.empty() && fs::exists(dir / "eyewear.db");
  fs::create_directories(dir);
  eyewear::app::AppOptions app_options;
  auto& cfg = app_options.config;
  cfg.data_dir = dir.string();
  cfg.environment = "test";
  cfg.http.port = 0;
  cfg.http.max_upload_bytes = 256 * 1024 * 1024;
  cfg.http.handler_timeout = std::chrono::minutes(10);
  cfg.log.level = "info";
  cfg.identity.argon2_opslimit = 1;
  cfg.identity.argon2_memlimit = 8 * 1024 * 1024;
  cfg.catalog.demo_products = 0;
  // One client address sends every request: the per-address rate limit would measure itself.
  cfg.rate_limit.ip.count = 0;
  cfg.rate_limit.api_key.count = 0;
  cfg.rate_limit.login_failures.count = 0;
  // Concurrent 10,000-row uploads queue for the one SQLite writer; each holds it for a whole request.
  cfg.database.busy_timeout = std::chrono::seconds(120);
  if (!o.database.empty()) cfg.database.url = o.database;
  if (const char* mmap = std::getenv("EYEWEAR_SQLITE_MMAP_SIZE"); mmap != nullptr) {
    cfg.database.sqlite_mmap_size = std::stoull(mmap);  // bytes; to compare runs (docs/BENCHMARKS.md)
  }
  if (const char* page = std::getenv("EYEWEAR_SQLITE_PAGE_SIZE"); page != nullptr) {
    cfg.database.sqlite_page_size = std::stoull(page);  // of the new database; to compare runs
  }
  app_options.log_sink = std::make_shared<DiscardSink>();
  auto app = eyewear::app::Application::create(std::move(app_options));
  if (!app) {
    std::fprintf(stderr, "cannot start: %s %s\n", app.error().message.c_str(), app.error().internal.c_str());
    return 1;
  }
  if (!(*app)->start()) return 1;
  const std::string base = "http://127.0.0.1:" + std::to_string((*app)->port());

  std::vector<std::string> tokens;
  for (std::size_t t = 0; t < o.tenants; ++t) {
    const std::string email = "bench" + std::to_string(t) + "@catalog.example";
    auto id = reuse ? eyewear::platform::Result<std::string>{}
                    : (*app)->identity().provision_account(email, "Bench-Catalog-Password-1",
                                                           "Bench " + std::to_string(t), "enterprise", {});
    if (!id) {
      std::fprintf(stderr, "provision: %s\n", id.error().message.c_str());
      return 1;
    }
    HttpClient c(base);
    const auto r = c.post("/api/v1/auth/login", {{"email", email}, {"password", "Bench-Catalog-Password-1"}});
    tokens.push_back(r.json()["access_token"]);
  }

  // ---- upload
  struct Request {
    std::size_t tenant;
    std::size_t start;
  };
  std::vector<Request> requests;
  for (std::size_t t = 0; t < o.tenants; ++t) {
    for (std::size_t s = 0; s < o.per_tenant; s += o.batch) requests.push_back({t, s});
  }
  double upload_seconds = 0, upload_cpu = 0, upload_writer = 0;
  std::size_t uploaded = 0, failed_requests = 0;
  std::vector<double> request_ms;
  if (reuse) requests.clear();
  for (std::size_t first = 0; first < requests.size(); first += o.slice) {
    const auto last = std::min(requests.size(), first + o.slice);
    std::vector<std::string> bodies(last - first);
    for (std::size_t i = first; i < last; ++i) {
      eyewear::catalog::CatalogGenerator gen({.seed = 1000 + requests[i].tenant, .sku_prefix = "B"});
      auto& body = bodies[i - first];
      const auto n = std::min(o.batch, o.per_tenant - requests[i].start);
      body.reserve(n * 1100);
      for (std::size_t k = 0; k < n; ++k) {
        body += eyewear::catalog::generated_json(gen.product(requests[i].start + k));
        body += '\n';
      }
    }
    std::atomic<std::size_t> next{first};
    std::atomic<std::size_t> stored{0}, failed{0};
    std::mutex mu;
    const auto started = Clock::now();
    const double cpu_started = cpu_seconds();
    const double writer_started = writer_held_seconds(**app);
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < o.concurrency; ++w) {
      threads.emplace_back([&] {
        HttpClient c(base);
        c.set_timeout_ms(600'000);
        for (std::size_t i; (i = next.fetch_add(1)) < last;) {
          const auto t0 = Clock::now();
          const auto r = c.request("POST", "/api/v1/products/bulk", bodies[i - first],
                                   {{"Content-Type", "application/x-ndjson"},
                                    {"Authorization", "Bearer " + tokens[requests[i].tenant]}});
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          if (r.status != 200) {
            std::fprintf(stderr, "bulk answered %ld: %.300s\n", r.status, r.body.c_str());
            failed.fetch_add(1);
            continue;
          }
          stored.fetch_add(created_of(r.body));
          std::lock_guard lock(mu);
          request_ms.push_back(ms);
        }
      });
    }
    for (auto& t : threads) t.join();
    upload_seconds += std::chrono::duration<double>(Clock::now() - started).count();
    upload_cpu += cpu_seconds() - cpu_started;
    upload_writer += writer_held_seconds(**app) - writer_started;
    uploaded += stored.load();
    failed_requests += failed.load();
    std::fprintf(stderr, "  uploaded %zu products (%.0f/s so far, %.2f cores busy, writer lock held %.0f%%)\n",
                 uploaded, static_cast<double>(uploaded) / upload_seconds, upload_cpu / upload_seconds,
                 100.0 * upload_writer / upload_seconds);
  }
  if (reuse) uploaded = o.tenants * o.per_tenant;  // searched as uploaded before
  if (!reuse) {
    std::printf("## %s: bulk upload over HTTP\n\n", o.label.c_str());
    std::printf(
        "| products | requests | rows/request | clients | seconds | products/s | request p50 | request p95 "
        "| cores busy | writer lock held |\n");
    std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    std::printf("| %zu | %zu | %zu | %zu | %.1f | %.0f | %.0f ms | %.0f ms | %.2f | %.0f%% |\n\n", uploaded,
                requests.size(), o.batch, o.concurrency, upload_seconds, static_cast<double>(uploaded) / upload_seconds,
                percentile(request_ms, 0.5), percentile(request_ms, 0.95), upload_cpu / upload_seconds,
                100.0 * upload_writer / upload_seconds);
    if (failed_requests > 0) std::printf("(%zu requests failed)\n\n", failed_requests);
  }

  // ---- search
  std::printf("## %s: search over %zu products (%zu tenants of %zu), %zu queries per kind, one client\n\n",
              o.label.c_str(), uploaded, o.tenants, o.per_tenant, o.queries);
  std::printf("| kind | p50 | p95 | p99 | mean hits | server took_ms p95 |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
  HttpClient c(base);
  const auto mix = query_mix(o.queries, o.per_tenant);
  std::size_t errors = 0;
  for (const auto& [kind, queries] : mix) {
    if (!o.only.empty() && !kind.starts_with(o.only)) continue;
    std::vector<double> ms, took;
    double hits = 0;
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const auto& token = tokens[(i * 7919) % tokens.size()];
      const auto t0 = Clock::now();
      const auto r = c.get("/api/v1/products?" + queries[i], {{"Authorization", "Bearer " + token}});
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (r.status != 200) {
        ++errors;
        std::fprintf(stderr, "search %s answered %ld: %.200s\n", queries[i].c_str(), r.status, r.body.c_str());
        continue;
      }
      const auto j = r.json();
      hits += j["total"].get<double>();
      took.push_back(j["took_ms"].get<double>());
    }
    std::printf("| %s | %.2f ms | %.2f ms | %.2f ms | %.0f | %.2f ms |\n", kind.c_str(), percentile(ms, 0.5),
                percentile(ms, 0.95), percentile(ms, 0.99), hits / static_cast<double>(queries.size()),
                percentile(took, 0.95));
  }
  std::printf("\n");
  (*app)->stop();
  std::error_code ec;
  if (o.data_dir.empty()) fs::remove_all(dir, ec);
  return errors == 0 && failed_requests == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--database") o.database = v;
    if (k == "--label") o.label = v;
    if (k == "--only") o.only = v;
    if (k == "--data-dir") o.data_dir = v;
    if (k == "--tenants") o.tenants = std::stoul(v);
    if (k == "--products-per-tenant") o.per_tenant = std::stoul(v);
    if (k == "--batch") o.batch = std::stoul(v);
    if (k == "--concurrency") o.concurrency = std::stoul(v);
    if (k == "--queries") o.queries = std::stoul(v);
    if (k == "--slice") o.slice = std::stoul(v);
  }
  return run(o);
}
