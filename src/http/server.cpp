#include "http/server.hpp"

#include <restinio/all.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http/errors.hpp"
#include "http/router.hpp"

namespace eyewear::http {

namespace {

// Routes RESTinio's own diagnostics (timeouts, parse errors, accept failures) into our log.
class RestinioLogger {
 public:
  explicit RestinioLogger(platform::Logger* logger = nullptr) : logger_(logger) {}
  template <typename Builder>
  void trace(Builder&&) {}
  template <typename Builder>
  void info(Builder&&) {}
  template <typename Builder>
  void warn(Builder&& msg) {
    if (logger_ != nullptr && logger_->enabled(platform::LogLevel::kDebug)) {
      logger_->debug("http transport", {{"detail", std::string(msg())}});
    }
  }
  template <typename Builder>
  void error(Builder&& msg) {
    if (logger_ != nullptr) logger_->warn("http transport error", {{"detail", std::string(msg())}});
  }

 private:
  platform::Logger* logger_;
};

// Counts open connections (the gauge) and refuses new ones at accept time above the limit.
// RESTinio's own connection_count_limiter is not used: connections it tracks refer to it from
// their destructors, which run when the io_context is torn down after the acceptor that owns the
// limiter is gone (a use-after-free AddressSanitizer caught at shutdown). A refused connection
// is closed at once; accepts running concurrently on several I/O threads can overshoot the
// limit by at most one connection per thread.
class ConnectionGate {
 public:
  ConnectionGate(std::size_t limit, platform::Gauge* gauge) : limit_(limit), gauge_(gauge) {}

  restinio::ip_blocker::inspection_result_t inspect(const restinio::ip_blocker::incoming_info_t&) noexcept {
    return open_.load() >= static_cast<std::int64_t>(limit_) ? restinio::ip_blocker::deny()
                                                             : restinio::ip_blocker::allow();
  }

  void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
    restinio::visit(
        [this](const auto& cause) {
          using T = std::decay_t<decltype(cause)>;
          if constexpr (std::is_same_v<T, restinio::connection_state::accepted_t>) {
            open_.fetch_add(1);
            gauge_->add(1);
          } else if constexpr (std::is_same_v<T, restinio::connection_state::closed_t>) {
            open_.fetch_sub(1);
            gauge_->add(-1);
          }
        },
        notice.cause());
  }

 private:
  std::size_t limit_;
  platform::Gauge* gauge_;
  std::atomic<std::int64_t> open_{0};
};

struct Traits : public restinio::traits_t<restinio::asio_timer_manager_t, RestinioLogger> {
  using connection_state_listener_t = ConnectionGate;
  using ip_blocker_t = ConnectionGate;
};

using HttpServer = restinio::http_server_t<Traits>;

// Set on the server's I/O threads: a streamed body produced there must not wait for its own writes.
thread_local bool t_io_thread = false;

constexpr std::size_t kStreamChunkBytes = 64 * 1024;
constexpr int kStreamChunksInFlight = 4;

// Back-pressure for a streamed body: chunks handed to RESTinio but not yet written to the socket.
struct StreamFlow {
  std::mutex mu;
  std::condition_variable cv;
  int unsent = 0;
  bool failed = false;
};

}  // namespace

struct Server::Impl {
  ServerSettings settings;
  Dispatcher& dispatcher;
  platform::Logger& logger;
  platform::Gauge& in_flight_gauge;
  platform::Gauge& connections_gauge;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<HttpServer> server;
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> running{false};
  std::mutex drain_mu;
  std::condition_variable drain_cv;

  Impl(ServerSettings s, Dispatcher& d, platform::Logger& l, platform::Registry& r)
      : settings(std::move(s)),
        dispatcher(d),
        logger(l),
        in_flight_gauge(r.gauge("eyewear_http_requests_in_flight", "Requests being handled").with({})),
        connections_gauge(r.gauge("eyewear_http_connections_open", "Open client connections").with({})) {}

  void finish_one() {
    in_flight_gauge.add(-1);
    if (in_flight.fetch_sub(1) == 1 && draining.load()) {
      std::lock_guard lock(drain_mu);
      drain_cv.notify_all();
    }
  }

  restinio::request_handling_status_t handle(const restinio::request_handle_t& req) {
    in_flight.fetch_add(1);
    in_flight_gauge.add(1);
    auto ex = std::make_unique<Exchange>();
    auto& r = ex->request;
    const auto& header = req->header();
    r.method_text = std::string(header.method().c_str());
    r.method = parse_method(r.method_text);
    r.target = std::string(header.request_target());
    r.path = std::string(header.path());
    if (r.path.size() > 1 && r.path.back() == '/') r.path.pop_back();
    r.query = parse_query(header.query());
    header.for_each_field([&](const restinio::http_header_field_t& f) { r.headers.add(f.name(), f.value()); });
    r.body = req->body();
    r.remote_address = req->remote_endpoint().address().to_string();

    dispatcher.dispatch(std::move(ex), [this, req](Response&& resp) {
      if (resp.stream) {
        send_streamed(req, std::move(resp));
        finish_one();
        return;
      }
      send_whole(req, std::move(resp));
      finish_one();
    });
    return restinio::request_accepted();
  }

  void send_whole(const restinio::request_handle_t& req, Response&& resp) {
    try {
      auto builder = req->create_response(restinio::http_status_line_t(
          restinio::http_status_code_t(static_cast<std::uint16_t>(resp.status)), std::string(reason_phrase(resp.status))));
      for (const auto& [k, v] : resp.headers.items()) builder.append_header(k, v);
      if (draining.load()) builder.connection_close();
      builder.set_body(std::move(resp.body));
      builder.done();
    } catch (const std::exception& e) {
      logger.error("writing response failed", {{"error", e.what()}});
    }
  }

  void send_streamed(const restinio::request_handle_t& req, Response resp) {
    using ChunkedBuilder = restinio::response_builder_t<restinio::chunked_output_t>;
    auto flow = std::make_shared<StreamFlow>();
    // Off the I/O threads a producer may wait for the socket; on them it must not (it would be
    // waiting for itself), so there the chunks queue up unbounded.
    const bool may_wait = !t_io_thread;
    try {
      // The status line leaves with the first chunk, so a stream that fails before producing one
      // still gets a proper error answer.
      std::optional<ChunkedBuilder> builder;
      auto start = [&] {
        builder.emplace(req->create_response<restinio::chunked_output_t>(restinio::http_status_line_t(
            restinio::http_status_code_t(static_cast<std::uint16_t>(resp.status)), std::string(reason_phrase(resp.status)))));
        for (const auto& [k, v] : resp.headers.items()) builder->append_header(k, v);
        if (draining.load()) builder->connection_close();
      };
      std::string chunk;
      chunk.reserve(kStreamChunkBytes);
      auto send_chunk = [&]() -> bool {
        {
          std::unique_lock lock(flow->mu);
          if (may_wait) {
            // The write timeout bounds a client that stops reading; past it RESTinio closes the
            // connection and the pending notifications arrive with an error.
            const bool ready = flow->cv.wait_for(lock, settings.write_timeout + std::chrono::seconds(1), [&] {
              return flow->unsent < kStreamChunksInFlight || flow->failed;
            });
            if (!ready) return false;
          }
          if (flow->failed) return false;
          ++flow->unsent;
        }
        if (!builder) start();
        builder->append_chunk(std::move(chunk));
        chunk = std::string();
        chunk.reserve(kStreamChunkBytes);
        builder->flush([flow](const asio::error_code& ec) {
          std::lock_guard lock(flow->mu);
          --flow->unsent;
          if (ec) flow->failed = true;
          flow->cv.notify_all();
        });
        return true;
      };
      bool client_gone = false;
      const BodyWriter write = [&](std::string_view piece) -> bool {
        if (client_gone) return false;
        chunk.append(piece);
        if (chunk.size() >= kStreamChunkBytes && !send_chunk()) client_gone = true;
        return !client_gone;
      };
      const auto status = resp.stream(write);
      if (!status) {
        logger.error("streamed response failed", {{"code", platform::code_name(status.error().code)},
                                                  {"detail", status.error().internal},
                                                  {"message", status.error().message},
                                                  {"headers_sent", builder.has_value()}});
        if (!builder) {
          // Nothing has left yet: answer with the error like any other route.
          const auto request_id = resp.headers.get("X-Request-Id").value_or("");
          auto error = error_response(status.error(), std::string(request_id));
          for (const auto& [k, v] : resp.headers.items()) {
            if (!iequals(k, "Content-Type") && !iequals(k, "Content-Disposition") && !error.headers.has(k)) {
              error.headers.set(k, v);
            }
          }
          send_whole(req, std::move(error));
        }
        // Otherwise the status line went out already: leaving the response unfinished makes
        // RESTinio close the connection, so the client sees a truncated transfer.
        return;
      }
      if (client_gone) return;
      if (!chunk.empty() && !send_chunk()) return;
      if (!builder) start();  // an empty body
      builder->done();
    } catch (const std::exception& e) {
      logger.error("writing streamed response failed", {{"error", e.what()}});
    }
  }

};

Server::Server(ServerSettings settings, Dispatcher& dispatcher, platform::Logger& logger, platform::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(settings), dispatcher, logger, registry)) {}

Server::~Server() { stop(); }

platform::Status Server::start() {
  auto& s = impl_->settings;
  impl_->io = std::make_unique<asio::io_context>(static_cast<int>(s.threads));
  try {
    auto gate = std::make_shared<ConnectionGate>(s.max_connections, &impl_->connections_gauge);
    auto settings = restinio::server_settings_t<Traits>{}
                        .address(s.host)
                        .port(s.port)
                        .logger(&impl_->logger)
                        .request_handler([impl = impl_.get()](const restinio::request_handle_t& req) {
                          return impl->handle(req);
                        })
                        .read_next_http_message_timelimit(s.read_timeout)
                        .handle_request_timeout(s.handler_timeout)
                        .write_http_response_timelimit(s.write_timeout)
                        .timer_manager(std::chrono::milliseconds(250))
                        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                      .max_body_size(s.max_body_bytes)
                                                      .max_url_size(8 * 1024)
                                                      .max_field_name_size(1024)
                                                      .max_field_value_size(16 * 1024)
                                                      .max_field_count(128))
                        .connection_state_listener(gate)
                        .ip_blocker(gate)
                        .concurrent_accepts_count(s.threads)
                        .acceptor_post_bind_hook([impl = impl_.get()](asio::ip::tcp::acceptor& acceptor) {
                          impl->bound_port.store(acceptor.local_endpoint().port());
                        });
    impl_->server = std::make_unique<HttpServer>(restinio::external_io_context(*impl_->io), std::move(settings));
    impl_->server->open_sync();
  } catch (const std::exception& e) {
    impl_->server.reset();
    return platform::fail(platform::Error::unavailable(
        "http listener", "cannot listen on " + s.host + ":" + std::to_string(s.port) + ": " + e.what()));
  }
  impl_->running = true;
  for (std::size_t i = 0; i < s.threads; ++i) {
    impl_->threads.emplace_back([this] {
      t_io_thread = true;
      for (;;) {
        try {
          impl_->io->run();
          return;
        } catch (const std::exception& e) {
          impl_->logger.error("I/O thread caught an exception", {{"error", e.what()}});
        }
      }
    });
  }
  return {};
}

std::uint16_t Server::port() const { return impl_->bound_port.load(); }
bool Server::draining() const { return impl_->draining.load(); }
std::int64_t Server::in_flight() const { return impl_->in_flight.load(); }

bool Server::stop() {
  if (!impl_->running.exchange(false)) return true;
  impl_->draining = true;
  // 1. Stop accepting.
  std::promise<void> closed;
  impl_->server->close_async([&closed] { closed.set_value(); },
                             [&closed](std::exception_ptr) { closed.set_value(); });
  closed.get_future().wait();
  // 2. Let in-flight requests finish.
  bool drained;
  {
    std::unique_lock lock(impl_->drain_mu);
    drained = impl_->drain_cv.wait_for(lock, impl_->settings.drain_timeout, [this] { return impl_->in_flight.load() == 0; });
  }
  if (!drained) {
    impl_->logger.warn("drain timeout: closing with requests in flight", {{"in_flight", impl_->in_flight.load()}});
  }
  // 3. Stop the I/O threads; remaining connections close with them.
  impl_->io->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  // The io_context and server objects stay alive until destruction: a worker still finishing a
  // request after the drain timeout posts its reply into a stopped context, which is harmless.
  return drained;
}

}  // namespace eyewear::http
