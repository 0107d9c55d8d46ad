#include "http/dispatcher.hpp"

#include <gtest/gtest.h>

namespace eyewear::http {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<platform::CaptureSink> sink = std::make_shared<platform::CaptureSink>();
  platform::Logger logger{sink, platform::LogLevel::kInfo};
  platform::WorkerPool workers{"test", 1, 4, logger};
  Router router;

  Response call(Dispatcher& d, Method m, std::string path) {
    Exchange ex;
    ex.request.method = m;
    ex.request.method_text = std::string(method_name(m));
    ex.request.path = std::move(path);
    return d.run(ex);
  }
};

TEST_F(DispatcherTest, ExceptionsBecomeInternalJsonWithRequestId) {
  router.add(Method::kGet, "/boom", [](Exchange&) -> HandlerResult { throw std::runtime_error("kaboom detail"); });
  MiddlewareChain chain;
  chain.push_back(make_request_id());
  Dispatcher d(router, std::move(chain), workers, logger);
  const auto r = call(d, Method::kGet, "/boom");
  EXPECT_EQ(r.status, 500);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "INTERNAL");
  EXPECT_EQ(j["error"]["request_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(r.body.find("kaboom"), std::string::npos) << "detail stays in the log";
  EXPECT_TRUE(sink->contains("kaboom detail"));
  EXPECT_EQ(*r.headers.get("X-Request-Id"), j["error"]["request_id"].get<std::string>());
}

TEST_F(DispatcherTest, NotFoundMethodNotAllowedAndOptions) {
  router.add(Method::kPut, "/r/{id}", [](Exchange&) -> HandlerResult { return Response::no_content(); });
  Dispatcher d(router, {}, workers, logger);
  EXPECT_EQ(call(d, Method::kGet, "/nothing").status, 404);
  const auto r405 = call(d, Method::kGet, "/r/1");
  EXPECT_EQ(r405.status, 405);
  EXPECT_EQ(*r405.headers.get("Allow"), "PUT, OPTIONS");
  const auto opt = call(d, Method::kOptions, "/r/1");
  EXPECT_EQ(opt.status, 204);
  EXPECT_EQ(*opt.headers.get("Allow"), "PUT, OPTIONS");
}

TEST_F(DispatcherTest, AfterHooksRunForEarlyResponsesInReverseOrder) {
  struct Recorder : Middleware {
    std::string tag;
    std::vector<std::string>* log;
    bool stop;
    Recorder(std::string t, std::vector<std::string>* l, bool s) : tag(std::move(t)), log(l), stop(s) {}
    std::string_view name() const override { return tag; }
    std::optional<HandlerResult> before(Exchange&) override {
      log->push_back("before " + tag);
      if (stop) return HandlerResult(std::unexpected(platform::Error(ErrorCode::kRateLimited, "slow down")));
      return std::nullopt;
    }
    void after(Exchange&, Response&) override { log->push_back("after " + tag); }
  };
  std::vector<std::string> log;
  router.add(Method::kGet, "/x", [&](Exchange&) -> HandlerResult {
    log.push_back("handler");
    return Response::no_content();
  });
  MiddlewareChain chain;
  chain.push_back(std::make_unique<Recorder>("a", &log, false));
  chain.push_back(std::make_unique<Recorder>("b", &log, true));
  chain.push_back(std::make_unique<Recorder>("c", &log, false));
  Dispatcher d(router, std::move(chain), workers, logger);
  EXPECT_EQ(call(d, Method::kGet, "/x").status, 429);
  EXPECT_EQ(log, (std::vector<std::string>{"before a", "before b", "after b", "after a"}));
}

}  // namespace
}  // namespace eyewear::http
