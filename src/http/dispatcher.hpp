// Runs one exchange through route matching, the middleware chain and its handler, on the
// calling I/O thread or on the worker pool as the route declares. Every outcome is a Response:
// errors are rendered once (http/errors.hpp), and an exception escaping a handler or a
// middleware becomes 500 INTERNAL with the request id, logged with its detail.
#pragma once

#include <functional>
#include <memory>

#include "http/middleware.hpp"
#include "http/router.hpp"
#include "platform/logging.hpp"
#include "platform/worker_pool.hpp"

namespace eyewear::http {

class Dispatcher {
 public:
  using Reply = std::function<void(Response&&)>;

  Dispatcher(const Router& router, MiddlewareChain chain, platform::WorkerPool& workers, platform::Logger& logger);

  // `exchange->request` must be filled in. `reply` is called exactly once, possibly on a worker.
  void dispatch(std::unique_ptr<Exchange> exchange, Reply reply);

  // Runs the chain synchronously on the calling thread (tests and benchmarks).
  [[nodiscard]] Response run(Exchange& exchange);

 private:
  Response run_chain(Exchange& ex, bool overloaded);
  HandlerResult terminal(Exchange& ex, bool overloaded);
  Response render(Exchange& ex, HandlerResult&& result);
  void match(Exchange& ex);

  const Router& router_;
  MiddlewareChain chain_;
  platform::WorkerPool& workers_;
  platform::Logger& logger_;
};

}  // namespace eyewear::http
