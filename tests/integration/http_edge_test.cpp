// The HTTP edge over real sockets: middleware, limits, error model, timeouts, connection limits
// and graceful shutdown, against the service as the composition root builds it.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "http/json_body.hpp"
#include "http/middleware.hpp"
#include "support/test_server.hpp"

namespace eyewear::testing {
namespace {

using http::Exchange;
using http::HandlerResult;
using http::Method;
using http::Response;

void add_test_routes(http::Router& r) {
  http::RouteOptions json;
  json.body = http::BodyPolicy::kJson;
  r.add(Method::kPost, "/test/echo", [](Exchange& ex) -> HandlerResult {
    auto fields = http::JsonFields::of(ex);
    if (!fields) return std::unexpected(fields.error());
    auto name = fields->required_string("name", 20);
    if (!name) return std::unexpected(name.error());
    return Response::json(200, {{"name", *name}});
  }, json);
  r.add(Method::kGet, "/test/throw", [](Exchange&) -> HandlerResult { throw std::runtime_error("handler exploded"); });
  r.add(Method::kGet, "/test/big", [](Exchange&) -> HandlerResult {
    return Response::json(200, {{"data", std::string(4096, 'e')}});
  });
}

TEST(HttpEdgeTest, SecurityHeadersOnEveryResponse) {
  TestServer server({.routes = add_test_routes});
  auto c = server.client();
  for (const auto& path : {"/health/live", "/does/not/exist"}) {
    const auto r = c->get(path);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("content-security-policy"), "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    EXPECT_EQ(r.header("cache-control"), "no-store");
    EXPECT_EQ(r.header("strict-transport-security"), "") << "no HSTS unless behind TLS";
  }
}

TEST(HttpEdgeTest, HstsWhenBehindTls) {
  TestServer server({.configure = [](platform::Config& c) { c.http.behind_tls = true; }});
  EXPECT_EQ(server.client()->get("/health/live").header("strict-transport-security"),
            "max-age=63072000; includeSubDomains");
}

TEST(HttpEdgeTest, RequestIdIsEchoedOrGenerated) {
  TestServer server;
  auto c = server.client();
  EXPECT_EQ(c->get("/health/live", {{"X-Request-Id", "trace-abc.123"}}).header("x-request-id"), "trace-abc.123");
  const auto replaced = c->get("/nope", {{"X-Request-Id", "bad id with spaces"}});
  const auto rid = replaced.header("x-request-id");
  EXPECT_EQ(rid.size(), 32u);
  EXPECT_EQ(replaced.json()["error"]["request_id"], rid);
  EXPECT_NE(c->get("/health/live").header("x-request-id"), c->get("/health/live").header("x-request-id"));
}

TEST(HttpEdgeTest, LargeResponsesAreGzippedWhenAccepted) {
  TestServer server({.routes = add_test_routes});
  auto c = server.client();
  const auto plain = c->get("/test/big");
  EXPECT_EQ(plain.header("content-encoding"), "");
  const auto zipped = c->get("/test/big", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.header("content-encoding"), "gzip");
  EXPECT_EQ(zipped.header("vary"), "Accept-Encoding");
  EXPECT_LT(zipped.body.size(), 1024u);
  EXPECT_EQ(*http::gzip_decompress(zipped.body), plain.body);
  const auto small = c->get("/health/live", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(small.header("content-encoding"), "") << "responses under 1 KiB are sent as they are";
  const auto refused = c->get("/test/big", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.header("content-encoding"), "");
}

TEST(HttpEdgeTest, CorsFollowsTheAllowList) {
  TestServer server({.configure = [](platform::Config& c) { c.http.cors_origins = {"https://app.example"}; },
                     .routes = add_test_routes});
  auto c = server.client();
  const auto allowed = c->get("/health/live", {{"Origin", "https://app.example"}});
  EXPECT_EQ(allowed.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(allowed.header("vary").find("Origin"), std::string::npos);
  const auto other = c->get("/health/live", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.header("access-control-allow-origin"), "");

  const auto preflight = c->request("OPTIONS", "/test/echo", {},
                                    {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-methods"), "POST, OPTIONS");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("Authorization"), std::string::npos);
  const auto denied = c->request("OPTIONS", "/test/echo", {},
                                 {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.error_code(), "CORS_ORIGIN_DENIED");
}

TEST(HttpEdgeTest, BadInputGetsClearFourHundreds) {
  TestServer server({.configure = [](platform::Config& c) { c.http.max_body_bytes = 1024; },
                     .routes = add_test_routes});
  auto c = server.client();
  const auto ok = c->post("/test/echo", {{"name", "Acme"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json()["name"], "Acme");

  const auto big = c->request("POST", "/test/echo", std::string(2048, ' '), {{"Content-Type", "application/json"}});
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.error_code(), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(big.json()["error"]["details"]["limit_bytes"], 1024);

  const auto type = c->request("POST", "/test/echo", R"({"name":"x"})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(type.status, 415);
  EXPECT_EQ(type.error_code(), "UNSUPPORTED_MEDIA_TYPE");

  const auto broken = c->request("POST", "/test/echo", R"({"name": "x",})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(broken.error_code(), "INVALID_JSON");
  EXPECT_EQ(broken.json()["error"]["details"]["offset"], 14);

  const auto deep = c->request("POST", "/test/echo", std::string(100, '[') + std::string(100, ']'),
                               {{"Content-Type", "application/json"}});
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(deep.error_code(), "INVALID_JSON");

  const auto not_object = c->post("/test/echo", nlohmann::json::array({1, 2}));
  EXPECT_EQ(not_object.status, 422);
  EXPECT_EQ(not_object.json()["error"]["details"]["field"], "body");

  const auto missing = c->post("/test/echo", {{"other", 1}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json()["error"]["details"]["field"], "name");
  EXPECT_EQ(missing.json()["error"]["details"]["rule"], "required");

  const auto wrong_type = c->post("/test/echo", {{"name", 42}});
  EXPECT_EQ(wrong_type.json()["error"]["details"]["rule"], "type");

  const auto too_long = c->post("/test/echo", {{"name", std::string(21, 'n')}});
  EXPECT_EQ(too_long.json()["error"]["details"]["rule"], "max_length");

  const auto invalid_utf8 = c->request("POST", "/test/echo", "{\"name\":\"\xff\xfe\"}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(invalid_utf8.status, 400);
  EXPECT_EQ(invalid_utf8.error_code(), "INVALID_JSON");
}

TEST(HttpEdgeTest, UnknownRoutesAndWrongMethods) {
  TestServer server({.routes = add_test_routes});
  auto c = server.client();
  const auto nf = c->get("/api/v1/nothing-here");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.error_code(), "NOT_FOUND");
  const auto wrong = c->del("/test/echo");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.error_code(), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(wrong.header("allow"), "POST, OPTIONS");
  const auto head = c->request("HEAD", "/health/live");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(HttpEdgeTest, AnExceptionBecomesAJson500AndTheServerCarriesOn) {
  TestServer server({.routes = add_test_routes});
  auto c = server.client();
  const auto r = c->get("/test/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.error_code(), "INTERNAL");
  EXPECT_EQ(r.json()["error"]["request_id"], r.header("x-request-id"));
  EXPECT_EQ(r.body.find("exploded"), std::string::npos);
  EXPECT_TRUE(server.logs().contains("handler exploded"));
  EXPECT_EQ(c->get("/health/live").status, 200);
}

TEST(HttpEdgeTest, MalformedRequestsCloseOnlyTheirConnection) {
  TestServer server;
  RawSocket s(server.port());
  ASSERT_TRUE(s.connected());
  s.send("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(s.wait_closed(std::chrono::seconds(5)));
  EXPECT_EQ(server.client()->get("/health/live").status, 200);
}

TEST(HttpEdgeTest, BodiesAboveTheTransportCapAreCutOff) {
  TestServer server({.configure = [](platform::Config& c) {
    c.http.max_body_bytes = 1024;
    c.http.max_upload_bytes = 4096;
  }});
  RawSocket s(server.port());
  s.send("POST /test HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_TRUE(s.wait_closed(std::chrono::seconds(5)));
}

TEST(HttpEdgeTest, ASlowClientIsDisconnectedWithoutHoldingOthers) {
  TestServer server({.configure = [](platform::Config& c) { c.http.read_timeout = std::chrono::milliseconds(500); }});
  RawSocket slow(server.port());
  ASSERT_TRUE(slow.connected());
  slow.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // never finishes its headers
  auto c = server.client();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c->get("/health/live").status, 200);
  EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(5)));
}

TEST(HttpEdgeTest, TheConnectionLimitRefusesExtraConnections) {
  TestServer server({.configure = [](platform::Config& c) { c.http.max_connections = 2; }});
  auto a = std::make_unique<RawSocket>(server.port());
  auto b = std::make_unique<RawSocket>(server.port());
  const std::string req = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(a->send(req));
  ASSERT_TRUE(b->send(req));
  EXPECT_NE(a->read(std::chrono::seconds(5), "\r\n\r\n").find("200 OK"), std::string::npos);
  EXPECT_NE(b->read(std::chrono::seconds(5), "\r\n\r\n").find("200 OK"), std::string::npos);
  {
    RawSocket third(server.port());
    third.send(req);
    EXPECT_TRUE(third.wait_closed(std::chrono::seconds(5))) << "a third connection is closed at once";
  }
  a.reset();  // one closes: new connections are served again
  EXPECT_TRUE(eventually([&] {
    RawSocket next(server.port());
    next.send(req);
    return next.read(std::chrono::seconds(2), "\r\n\r\n").find("200 OK") != std::string::npos;
  }));
}

// ---- streamed bodies (chunked transfer coding)

std::string pattern_piece(std::size_t i) { return "piece " + std::to_string(i) + " " + std::string(1000, 'a' + static_cast<char>(i % 26)) + "\n"; }

TEST(HttpEdgeTest, AStreamedBodyArrivesWholeInChunks) {
  TestServer server({.routes = [](http::Router& r) {
    http::RouteOptions o;
    o.execution = http::Execution::kWorker;
    r.add(Method::kGet, "/test/stream", [](Exchange&) -> HandlerResult {
      return Response::streamed(200, [](const http::BodyWriter& write) -> platform::Status {
        for (std::size_t i = 0; i < 2000; ++i) {
          if (!write(pattern_piece(i))) break;
        }
        return {};
      }, "text/plain; charset=utf-8");
    }, o);
  }});
  std::string expected;
  for (std::size_t i = 0; i < 2000; ++i) expected += pattern_piece(i);
  const auto r = server.client()->get("/test/stream", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.header("content-encoding"), "") << "streamed bodies are not gzipped";
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << "the middleware's headers still apply";
  EXPECT_EQ(r.body.size(), expected.size());
  EXPECT_TRUE(r.body == expected);
  // HEAD gets the headers and no body.
  const auto head = server.client()->request("HEAD", "/test/stream");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(HttpEdgeTest, AStreamThatFailsAfterTheHeadersAbortsTheTransfer) {
  TestServer server({.configure = [](platform::Config& c) { c.http.handler_timeout = std::chrono::milliseconds(500); },
                     .routes = [](http::Router& r) {
                       http::RouteOptions o;
                       o.execution = http::Execution::kWorker;
                       r.add(Method::kGet, "/test/stream-fails", [](Exchange&) -> HandlerResult {
                         return Response::streamed(200, [](const http::BodyWriter& write) -> platform::Status {
                           for (std::size_t i = 0; i < 200; ++i) write(pattern_piece(i));
                           return platform::fail(platform::Error::unavailable("database", "connection lost"));
                         }, "text/plain");
                       }, o);
                     }});
  const auto r = server.client()->get("/test/stream-fails");
  // The status line and the first chunks arrived; then the connection closed without the final
  // chunk, which the client reports as a transport error instead of a complete body.
  EXPECT_FALSE(r.error.empty()) << "the client must see a truncated transfer, got " << r.body.size() << " bytes";
  EXPECT_GT(r.body.size(), 0u);
  EXPECT_LT(r.body.size(), 200 * pattern_piece(0).size());
  EXPECT_TRUE(server.logs().contains("streamed response failed"));
  EXPECT_EQ(server.client()->get("/health/live").status, 200);
}

TEST(HttpEdgeTest, AStreamThatFailsBeforeItsFirstChunkGetsAnErrorAnswer) {
  TestServer server({.routes = [](http::Router& r) {
    http::RouteOptions o;
    o.execution = http::Execution::kWorker;
    r.add(Method::kGet, "/test/stream-fails-early", [](Exchange&) -> HandlerResult {
      return Response::streamed(200, [](const http::BodyWriter& write) -> platform::Status {
        write("a,b\r\n");  // less than a chunk: nothing has left yet
        return platform::fail(platform::Error::unavailable("database", "connection lost"));
      }, "text/csv");
    }, o);
  }});
  const auto r = server.client()->get("/test/stream-fails-early", {{"X-Request-Id", "stream-early-0001"}});
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error_code(), "UNAVAILABLE");
  EXPECT_EQ(r.json()["error"]["request_id"], "stream-early-0001");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-request-id"), "stream-early-0001");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.body.find("a,b"), std::string::npos);
}

TEST(HttpEdgeTest, AStreamWaitsForASlowReaderAndStopsWhenItLeaves) {
  auto produced = std::make_shared<std::atomic<std::size_t>>(0);
  auto stopped = std::make_shared<std::promise<bool>>();
  TestServer server({.routes = [=](http::Router& r) {
    http::RouteOptions o;
    o.execution = http::Execution::kWorker;
    r.add(Method::kGet, "/test/endless", [=](Exchange&) -> HandlerResult {
      return Response::streamed(200, [=](const http::BodyWriter& write) -> platform::Status {
        const std::string piece(16 * 1024, 'x');
        bool client_left = false;
        // Up to 1 GiB: far more than any buffer between here and the client holds.
        for (std::size_t i = 0; i < 64 * 1024; ++i) {
          if (!write(piece)) {
            client_left = true;
            break;
          }
          produced->fetch_add(piece.size());
        }
        stopped->set_value(client_left);
        return {};
      }, "application/octet-stream");
    }, o);
  }});
  auto done = stopped->get_future();
  {
    RawSocket s(server.port());
    ASSERT_TRUE(s.connected());
    s.send("GET /test/endless HTTP/1.1\r\nHost: x\r\n\r\n");
    (void)s.read(std::chrono::milliseconds(300), "\r\n\r\n");
    // The client reads nothing more: the producer fills the socket buffers and the few chunks in
    // flight, then waits.
    std::size_t last = 0;
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto now = produced->load();
      if (now == last && now > 0) break;
      last = now;
    }
    EXPECT_LT(produced->load(), std::size_t{64} * 1024 * 1024) << "production must wait for the reader";
    EXPECT_EQ(done.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  }  // the client leaves
  ASSERT_EQ(done.wait_for(std::chrono::seconds(40)), std::future_status::ready);
  EXPECT_TRUE(done.get()) << "the writer reports that the client left";
  EXPECT_EQ(server.client()->get("/health/live").status, 200);
}

TEST(HttpEdgeTest, ShutdownFinishesInFlightRequestsAndRefusesNewOnes) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> entered;
  TestServer server({.routes = [&](http::Router& r) {
    r.add(Method::kGet, "/test/hold", [&, gate](Exchange&) -> HandlerResult {
      entered.set_value();
      gate.wait();
      return Response::json(200, {{"finished", true}});
    });
  }});
  const int port = server.port();
  auto in_flight = std::async(std::launch::async, [&] { return server.client()->get("/test/hold"); });
  entered.get_future().wait();
  auto stopping = std::async(std::launch::async, [&] { server.stop(); });
  EXPECT_TRUE(eventually([&] { return !RawSocket(port).connected(); })) << "the listener closes first";
  EXPECT_EQ(stopping.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "stop waits for the in-flight request";
  release.set_value();
  const auto r = in_flight.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["finished"], true);
  EXPECT_EQ(r.header("connection"), "close");
  stopping.get();
  EXPECT_TRUE(server.logs().contains("\"drained\":true"));
}

}  // namespace
}  // namespace eyewear::testing
