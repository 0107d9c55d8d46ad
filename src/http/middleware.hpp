// The middleware chain. Each middleware may act before the handler (and end the chain with a
// response or an error) and after it (adjusting the final response). before() hooks run in
// order, after() hooks in reverse order for every middleware whose before() ran, so a response
// produced early (404, 413, 429...) still gets the request id, security headers, CORS and the
// access-log line.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"
#include "http/types.hpp"
#include "platform/json_depth.hpp"
#include "platform/logging.hpp"
#include "platform/metrics.hpp"
#include "platform/perf_monitor.hpp"

namespace eyewear::http {

class Middleware {
 public:
  virtual ~Middleware() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // A value ends the chain: the handler is not called.
  [[nodiscard]] virtual std::optional<HandlerResult> before(Exchange&) { return std::nullopt; }
  virtual void after(Exchange&, Response&) {}
};

using MiddlewareChain = std::vector<std::unique_ptr<Middleware>>;

// Determines the client address: the peer, or for a peer in `trusted_proxies` the right-most
// X-Forwarded-For entry that is not itself a trusted proxy.
[[nodiscard]] std::unique_ptr<Middleware> make_client_address(std::vector<std::string> trusted_proxies);
// Accepts a well-formed X-Request-Id (1-128 of [A-Za-z0-9._:-]) or generates one; echoes it.
[[nodiscard]] std::unique_ptr<Middleware> make_request_id();
// One JSON log line and the request metrics per request.
[[nodiscard]] std::unique_ptr<Middleware> make_access_log(platform::Logger& logger, platform::Registry& registry,
                                                          platform::PerfMonitor& monitor, const Router& router,
                                                          bool log_enabled);
[[nodiscard]] std::unique_ptr<Middleware> make_security_headers(bool hsts);
[[nodiscard]] std::unique_ptr<Middleware> make_gzip(std::size_t min_bytes);
[[nodiscard]] std::unique_ptr<Middleware> make_cors(std::vector<std::string> allowed_origins);
// Body size limits (413), content types (415) and JSON parsing (400 INVALID_JSON with offset).
[[nodiscard]] std::unique_ptr<Middleware> make_body_policy(std::size_t max_body_bytes, std::size_t max_upload_bytes);

// Exposed for tests.
[[nodiscard]] bool is_valid_request_id(std::string_view id);
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding);
[[nodiscard]] std::optional<std::string> gzip_compress(std::string_view data, int level = 5);
[[nodiscard]] std::optional<std::string> gzip_decompress(std::string_view data);
using platform::json_nesting_depth;

}  // namespace eyewear::http
