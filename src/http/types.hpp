// The HTTP module's own request/response model, independent of RESTinio (which only server.cpp
// sees). A request travels through the middleware chain as an Exchange.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::http {

using platform::Error;
using platform::ErrorCode;

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
[[nodiscard]] std::string_view method_name(Method m);
[[nodiscard]] Method parse_method(std::string_view name);

// Case-insensitive header list, in arrival order.
class Headers {
 public:
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every header of that name with one value.
  void set(std::string_view name, std::string value);
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const { return get(name).has_value(); }
  void remove(std::string_view name);
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
  Method method = Method::kGet;
  std::string method_text;
  std::string target;  // as received: path and query
  std::string path;    // raw (still percent-encoded) path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  Headers headers;
  std::string body;
  std::string remote_address;  // peer IP (see client_ip for proxies)

  [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const;
};

// A streamed body (chunked transfer coding): the server calls the stream with a writer on the
// thread that replies (a worker, for Execution::kWorker routes). The writer buffers pieces into
// chunks of about 64 KiB; the status line and headers leave with the first chunk. Off the I/O
// threads it waits while more than a few chunks are unsent, so memory stays bounded however slow
// the client reads, and it returns false once the client has gone: stop producing. An error
// returned before the first chunk left becomes an ordinary error answer; after that it cannot,
// so the server logs it and abandons the response without the final chunk (the connection
// closes): the client sees a truncated transfer, never a short body passed off as whole.
using BodyWriter = std::function<bool(std::string_view piece)>;
using BodyStream = std::function<platform::Status(const BodyWriter& write)>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  BodyStream stream;  // when set, `body` is unused

  [[nodiscard]] static Response json(int status, const nlohmann::json& body);
  [[nodiscard]] static Response text(int status, std::string body, std::string content_type);
  [[nodiscard]] static Response streamed(int status, BodyStream stream, std::string content_type);
  [[nodiscard]] static Response no_content();
};

using HandlerResult = std::expected<Response, Error>;

struct Route;
struct Exchange;
using Handler = std::function<HandlerResult(Exchange&)>;

// Who is calling, as established by the authentication middleware (identity module).
struct Principal {
  enum class Kind { kAccount, kApiKey };
  Kind kind = Kind::kAccount;
  std::string account_id;       // empty for API keys
  std::string manufacturer_id;
  std::string session_id;       // empty for API keys
  std::string api_key_id;       // empty for accounts
  std::vector<std::string> roles;
  std::vector<std::string> scopes;  // API key scopes; empty for accounts
  [[nodiscard]] bool has_role(std::string_view role) const;
};

struct Exchange {
  Request request;
  const Route* route = nullptr;  // null when nothing matched
  std::vector<std::pair<std::string, std::string>> params;  // decoded path parameters
  std::vector<Method> allowed;   // methods of the matched path (for 405, OPTIONS, CORS)
  std::string request_id;
  std::string client_ip;         // peer, or X-Forwarded-For from a trusted proxy
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  std::optional<nlohmann::json> json;  // parsed body of JSON routes
  std::optional<Principal> principal;
  // Headers that middleware before the handler wants on the final response (quota headers...).
  Headers extra_headers;
  // Callbacks run after the response is final (e.g. refund quota when the handler failed).
  std::vector<std::function<void(const Response&)>> on_complete;

  [[nodiscard]] std::string_view param(std::string_view name) const;
};

}  // namespace eyewear::http
