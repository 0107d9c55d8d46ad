// The HTTP server: RESTinio on a pool of I/O threads, feeding the Dispatcher. This is the only
// component that sees RESTinio. Graceful stop: close the listening socket, let in-flight
// requests finish (up to the drain timeout), then stop the I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/dispatcher.hpp"
#include "platform/error.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"

namespace eyewear::http {

struct ServerSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::port())
  std::size_t threads = 2;
  std::size_t max_connections = 4096;
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // transport hard cap: beyond it the connection is closed
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds handler_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{15'000};
};

class Server {
 public:
  Server(ServerSettings settings, Dispatcher& dispatcher, platform::Logger& logger, platform::Registry& registry);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads; returns once the socket is listening.
  [[nodiscard]] platform::Status start();
  // The bound port (useful with port 0).
  [[nodiscard]] std::uint16_t port() const;
  // Graceful stop; returns true when every in-flight request finished within the drain time.
  bool stop();

  [[nodiscard]] bool draining() const;
  [[nodiscard]] std::int64_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyewear::http
