#include "http/dispatcher.hpp"

#include <exception>

#include "http/errors.hpp"
#include "platform/request_context.hpp"

namespace eyewear::http {

using platform::fail;

Dispatcher::Dispatcher(const Router& router, MiddlewareChain chain, platform::WorkerPool& workers,
                       platform::Logger& logger)
    : router_(router), chain_(std::move(chain)), workers_(workers), logger_(logger) {}

void Dispatcher::match(Exchange& ex) {
  auto m = router_.match(ex.request.method, ex.request.path);
  ex.route = m.route;
  ex.params = std::move(m.params);
  ex.allowed = std::move(m.allowed);
  if (m.bad_encoding) ex.route = nullptr;
}

void Dispatcher::dispatch(std::unique_ptr<Exchange> exchange, Reply reply) {
  match(*exchange);
  if (exchange->route != nullptr && exchange->route->options.execution == Execution::kWorker) {
    // The task owns the exchange; if the pool refuses it, the exchange is still ours.
    auto shared = std::shared_ptr<Exchange>(std::move(exchange));
    auto shared_reply = std::make_shared<Reply>(std::move(reply));
    const bool queued = workers_.try_submit([this, shared, shared_reply] { (*shared_reply)(run_chain(*shared, false)); });
    if (!queued) (*shared_reply)(run_chain(*shared, true));
    return;
  }
  reply(run_chain(*exchange, false));
}

Response Dispatcher::run(Exchange& exchange) {
  match(exchange);
  return run_chain(exchange, false);
}

Response Dispatcher::render(Exchange& ex, HandlerResult&& result) {
  if (result) return std::move(*result);
  const auto& err = result.error();
  if (err.code == ErrorCode::kInternal || err.code == ErrorCode::kUnavailable) {
    logger_.error("request failed", {{"code", platform::code_name(err.code)},
                                     {"detail", err.internal},
                                     {"route", ex.route != nullptr ? std::string_view(ex.route->label) : "unmatched"},
                                     {"request_id", ex.request_id}});
  }
  return error_response(err, ex.request_id);
}

HandlerResult Dispatcher::terminal(Exchange& ex, bool overloaded) {
  if (ex.route == nullptr) {
    if (!ex.allowed.empty()) {
      if (ex.request.method == Method::kOptions) {
        Response r = Response::no_content();
        r.headers.set("Allow", allow_header(ex.allowed));
        return r;
      }
      auto err = Error(ErrorCode::kMethodNotAllowed,
                       std::string(ex.request.method_text) + " is not allowed on this resource",
                       {{"allowed", [&] {
                          std::vector<std::string> v;
                          for (auto m : ex.allowed) v.emplace_back(method_name(m));
                          return v;
                        }()}});
      Response r = error_response(err, ex.request_id);
      r.headers.set("Allow", allow_header(ex.allowed));
      return r;
    }
    return fail(Error(ErrorCode::kNotFound, "no such resource", {{"path", ex.request.path}}));
  }
  if (overloaded) {
    return fail(Error(ErrorCode::kOverloaded, "the server is busy; retry shortly",
                      {{"retry_after_seconds", std::int64_t{1}}}));
  }
  return ex.route->handler(ex);
}

Response Dispatcher::run_chain(Exchange& ex, bool overloaded) {
  std::optional<platform::RequestScope> scope;
  std::size_t ran = 0;
  std::optional<Response> response;
  try {
    for (const auto& mw : chain_) {
      ++ran;
      auto early = mw->before(ex);
      if (!scope && !ex.request_id.empty()) scope.emplace(ex.request_id);
      if (early) {
        response = render(ex, std::move(*early));
        break;
      }
    }
    if (!response) response = render(ex, terminal(ex, overloaded));
    for (const auto& [k, v] : ex.extra_headers.items()) response->headers.set(k, v);
  } catch (const std::exception& e) {
    logger_.error("unhandled exception", {{"error", e.what()},
                                          {"route", ex.route != nullptr ? std::string_view(ex.route->label) : "unmatched"},
                                          {"request_id", ex.request_id}});
    response = error_response(Error::internal_error(e.what()), ex.request_id);
  } catch (...) {
    logger_.error("unhandled exception", {{"error", "non-standard exception"}, {"request_id", ex.request_id}});
    response = error_response(Error::internal_error("non-standard exception"), ex.request_id);
  }
  for (std::size_t i = ran; i-- > 0;) {
    try {
      chain_[i]->after(ex, *response);
    } catch (const std::exception& e) {
      logger_.error("middleware failed after handler", {{"middleware", chain_[i]->name()}, {"error", e.what()}});
    }
  }
  for (auto& callback : ex.on_complete) {
    try {
      callback(*response);
    } catch (const std::exception& e) {
      logger_.error("completion callback failed", {{"error", e.what()}});
    }
  }
  if (ex.request.method == Method::kHead) {
    response->body.clear();
    response->stream = nullptr;
  }
  return std::move(*response);
}

}  // namespace eyewear::http
