// The baseline for docs/BENCHMARKS.md: RESTinio with nothing of ours, on a thread pool sized to
// the cores, answering the same two small routes the service has.
#include <restinio/all.hpp>

#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  const std::uint16_t port = argc > 1 ? static_cast<std::uint16_t>(std::atoi(argv[1])) : 8090;
  const auto threads = std::max(1u, std::thread::hardware_concurrency());
  auto router = std::make_unique<restinio::router::express_router_t<>>();
  router->http_get("/health/live", [](auto req, auto) {
    return req->create_response().append_header("Content-Type", "application/json").set_body(R"({"status":"ok"})").done();
  });
  router->http_get("/api/v1/status", [](auto req, auto) {
    return req->create_response()
        .append_header("Content-Type", "application/json")
        .set_body(R"({"service":"eyewear","version":"0.1.0","time":"2026-11-22T00:00:00.000Z"})")
        .done();
  });
  using traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t,
                                    restinio::router::express_router_t<>>;
  restinio::run(restinio::on_thread_pool<traits>(threads).port(port).address("127.0.0.1").request_handler(std::move(router)));
  return 0;
}
