#include "http/middleware.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "http/errors.hpp"
#include "platform/random.hpp"

namespace eyewear::http {

using platform::fail;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type value, lower case, without parameters.
std::string media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  std::string out(trim(content_type.substr(0, semi)));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// ---------------------------------------------------------------------------------------------
class ClientAddress final : public Middleware {
 public:
  explicit ClientAddress(std::vector<std::string> trusted) : trusted_(std::move(trusted)) {}
  std::string_view name() const override { return "client_address"; }
  std::optional<HandlerResult> before(Exchange& ex) override {
    ex.client_ip = ex.request.remote_address;
    if (!is_trusted(ex.client_ip)) return std::nullopt;
    const auto xff = ex.request.headers.get("X-Forwarded-For");
    if (!xff) return std::nullopt;
    // Walk from the right: the nearest hop not operated by us is the client.
    std::string_view list = *xff;
    while (!list.empty()) {
      const auto comma = list.rfind(',');
      const auto hop = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
      if (hop.empty()) continue;
      ex.client_ip = std::string(hop);
      if (!is_trusted(hop)) break;
    }
    return std::nullopt;
  }

 private:
  bool is_trusted(std::string_view ip) const {
    return std::find(trusted_.begin(), trusted_.end(), ip) != trusted_.end();
  }
  std::vector<std::string> trusted_;
};

// ---------------------------------------------------------------------------------------------
class RequestId final : public Middleware {
 public:
  std::string_view name() const override { return "request_id"; }
  std::optional<HandlerResult> before(Exchange& ex) override {
    const auto given = ex.request.headers.get("X-Request-Id");
    ex.request_id = given && is_valid_request_id(*given) ? std::string(*given) : platform::new_request_id();
    return std::nullopt;
  }
  void after(Exchange& ex, Response& r) override { r.headers.set("X-Request-Id", ex.request_id); }
};

// ---------------------------------------------------------------------------------------------
class AccessLog final : public Middleware {
 public:
  AccessLog(platform::Logger& logger, platform::Registry& registry, platform::PerfMonitor& monitor,
            const Router& router, bool enabled)
      : logger_(logger),
        enabled_(enabled),
        requests_(registry.counter("eyewear_http_requests_total", "HTTP requests answered",
                                   {"method", "route", "status"})),
        unmatched_(&monitor.operation("http.request", "unmatched")) {
    for (const auto& r : router.routes()) per_route_.push_back(&monitor.operation("http.request", r->label));
    monitor_ = &monitor;
  }
  std::string_view name() const override { return "access_log"; }
  void after(Exchange& ex, Response& r) override {
    const auto elapsed = std::chrono::steady_clock::now() - ex.received;
    const std::string_view route = ex.route != nullptr ? std::string_view(ex.route->pattern) : "unmatched";
    const std::string status = std::to_string(r.status);
    requests_.with({ex.request.method_text, route, status}).inc();
    monitor_->record(ex.route != nullptr && ex.route->id < per_route_.size() ? *per_route_[ex.route->id] : *unmatched_,
                     elapsed);
    if (!enabled_) return;
    logger_.info("request", {{"method", ex.request.method_text},
                             {"route", route},
                             {"status", r.status},
                             {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
                             {"bytes", static_cast<std::int64_t>(r.body.size())},
                             {"client_ip", ex.client_ip},
                             {"request_id", ex.request_id}});
  }

 private:
  platform::Logger& logger_;
  bool enabled_;
  platform::Family<platform::Counter>& requests_;
  platform::PerfMonitor* monitor_;
  platform::PerfMonitor::Operation* unmatched_;
  std::vector<platform::PerfMonitor::Operation*> per_route_;
};

// ---------------------------------------------------------------------------------------------
class SecurityHeaders final : public Middleware {
 public:
  explicit SecurityHeaders(bool hsts) : hsts_(hsts) {}
  std::string_view name() const override { return "security_headers"; }
  void after(Exchange&, Response& r) override {
    r.headers.set("X-Content-Type-Options", "nosniff");
    r.headers.set("X-Frame-Options", "DENY");
    r.headers.set("Referrer-Policy", "no-referrer");
    // Every response of this service is data, never a document: nothing may load or frame it.
    r.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    // API answers are never cached; a handler may opt in (the public JWKS does).
    if (!r.headers.has("Cache-Control")) r.headers.set("Cache-Control", "no-store");
    if (hsts_) r.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  }

 private:
  bool hsts_;
};

// ---------------------------------------------------------------------------------------------
class Gzip final : public Middleware {
 public:
  explicit Gzip(std::size_t min_bytes) : min_bytes_(min_bytes) {}
  std::string_view name() const override { return "gzip"; }
  void after(Exchange& ex, Response& r) override {
    if (r.body.size() < min_bytes_ || r.headers.has("Content-Encoding")) return;
    const auto ae = ex.request.headers.get("Accept-Encoding");
    if (!ae || !accepts_gzip(*ae)) return;
    const auto ct = media_type(r.headers.get("Content-Type").value_or(""));
    if (!(ct.starts_with("text/") || ct == "application/json" || ct == "application/x-ndjson" ||
          ct.ends_with("+json") || ct == "application/yaml")) {
      return;
    }
    auto compressed = gzip_compress(r.body);
    if (!compressed) return;
    r.body = std::move(*compressed);
    r.headers.set("Content-Encoding", "gzip");
    r.headers.set("Vary", "Accept-Encoding");
  }

 private:
  std::size_t min_bytes_;
};

// ---------------------------------------------------------------------------------------------
class Cors final : public Middleware {
 public:
  explicit Cors(std::vector<std::string> origins) : origins_(std::move(origins)) {
    any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
  }
  std::string_view name() const override { return "cors"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    const auto origin = ex.request.headers.get("Origin");
    if (!origin || ex.request.method != Method::kOptions || !ex.request.headers.has("Access-Control-Request-Method")) {
      return std::nullopt;
    }
    // A preflight.
    if (!allowed(*origin)) {
      return HandlerResult(std::unexpected(Error(ErrorCode::kCorsOriginDenied, "origin is not allowed",
                                                 {{"origin", std::string(*origin)}})));
    }
    if (ex.allowed.empty()) return std::nullopt;  // unknown path: the 404 answers
    Response r = Response::no_content();
    r.headers.set("Access-Control-Allow-Methods", allow_header(ex.allowed));
    r.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, Idempotency-Key");
    r.headers.set("Access-Control-Max-Age", "600");
    return HandlerResult(std::move(r));
  }

  void after(Exchange& ex, Response& r) override {
    const auto origin = ex.request.headers.get("Origin");
    if (!origin || !allowed(*origin)) return;
    r.headers.set("Access-Control-Allow-Origin", std::string(*origin));
    r.headers.set("Vary", r.headers.get("Vary") ? std::string(*r.headers.get("Vary")) + ", Origin" : "Origin");
    r.headers.set("Access-Control-Expose-Headers",
                  "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Location");
  }

 private:
  bool allowed(std::string_view origin) const {
    return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
  }
  std::vector<std::string> origins_;
  bool any_ = false;
};

// ---------------------------------------------------------------------------------------------
class BodyPolicyCheck final : public Middleware {
 public:
  BodyPolicyCheck(std::size_t max_body, std::size_t max_upload) : max_body_(max_body), max_upload_(max_upload) {}
  std::string_view name() const override { return "body_policy"; }

  std::optional<HandlerResult> before(Exchange& ex) override {
    const auto& body = ex.request.body;
    const RouteOptions defaults;
    const RouteOptions& opts = ex.route != nullptr ? ex.route->options : defaults;
    const std::size_t limit =
        opts.max_body_bytes != 0 ? opts.max_body_bytes : (opts.body == BodyPolicy::kUpload ? max_upload_ : max_body_);
    if (body.size() > limit) {
      return fail(Error(ErrorCode::kPayloadTooLarge, "request body exceeds " + std::to_string(limit) + " bytes",
                        {{"limit_bytes", static_cast<std::int64_t>(limit)},
                         {"received_bytes", static_cast<std::int64_t>(body.size())}}));
    }
    if (ex.route == nullptr) return std::nullopt;
    const auto content_type = ex.request.headers.get("Content-Type");
    switch (opts.body) {
      case BodyPolicy::kNone: return std::nullopt;
      case BodyPolicy::kUpload: {
        const auto mt = media_type(content_type.value_or(""));
        if (std::find(opts.content_types.begin(), opts.content_types.end(), mt) == opts.content_types.end()) {
          return unsupported(content_type, opts.content_types);
        }
        return std::nullopt;
      }
      case BodyPolicy::kJson:
      case BodyPolicy::kJsonOptional: break;
    }
    if (body.empty() && opts.body == BodyPolicy::kJsonOptional) return std::nullopt;
    if (media_type(content_type.value_or("")) != "application/json" || !utf8_charset(*content_type)) {
      return unsupported(content_type, {"application/json"});
    }
    if (body.empty()) {
      return fail(Error(ErrorCode::kInvalidJson, "a JSON body is required", {{"offset", std::int64_t{0}}}));
    }
    constexpr int kMaxDepth = 64;
    if (json_nesting_depth(body, kMaxDepth) > kMaxDepth) {
      return fail(Error(ErrorCode::kInvalidJson, "JSON nesting is deeper than 64 levels",
                        {{"max_depth", std::int64_t{kMaxDepth}}}));
    }
    try {
      ex.json = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
      return fail(Error(ErrorCode::kInvalidJson, "malformed JSON at byte " + std::to_string(e.byte),
                        {{"offset", static_cast<std::int64_t>(e.byte)}}));
    }
    return std::nullopt;
  }

 private:
  static bool utf8_charset(std::string_view content_type) {
    const auto semi = content_type.find(';');
    if (semi == std::string_view::npos) return true;
    const auto params = lower(content_type.substr(semi + 1));
    const auto cs = params.find("charset=");
    if (cs == std::string::npos) return true;
    auto value = trim(std::string_view(params).substr(cs + 8));
    if (!value.empty() && value.front() == '"') value = value.substr(1, value.find('"', 1) - 1);
    return value.starts_with("utf-8") || value.starts_with("utf8");
  }

  static HandlerResult unsupported(std::optional<std::string_view> received, const std::vector<std::string>& expected) {
    return fail(Error(ErrorCode::kUnsupportedMediaType, "unsupported content type",
                      {{"expected", expected}, {"received", std::string(received.value_or(""))}}));
  }

  std::size_t max_body_;
  std::size_t max_upload_;
};

}  // namespace

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':';
  });
}

bool accepts_gzip(std::string_view ae) {
  bool star = false;
  std::size_t start = 0;
  while (start <= ae.size()) {
    const auto comma = ae.find(',', start);
    auto item = trim(ae.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    const auto semi = item.find(';');
    const auto coding = lower(trim(item.substr(0, semi)));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      const auto params = lower(item.substr(semi + 1));
      const auto qpos = params.find("q=");
      if (qpos != std::string::npos) q = std::atof(params.c_str() + qpos + 2);
    }
    if (coding == "gzip" || coding == "x-gzip") return q > 0;
    if (coding == "*") star = q > 0;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return star;
}

std::optional<std::string> gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const auto produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(produced);
  return out;
}

std::optional<std::string> gzip_decompress(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}


std::unique_ptr<Middleware> make_client_address(std::vector<std::string> trusted_proxies) {
  return std::make_unique<ClientAddress>(std::move(trusted_proxies));
}
std::unique_ptr<Middleware> make_request_id() { return std::make_unique<RequestId>(); }
std::unique_ptr<Middleware> make_access_log(platform::Logger& logger, platform::Registry& registry,
                                            platform::PerfMonitor& monitor, const Router& router, bool log_enabled) {
  return std::make_unique<AccessLog>(logger, registry, monitor, router, log_enabled);
}
std::unique_ptr<Middleware> make_security_headers(bool hsts) { return std::make_unique<SecurityHeaders>(hsts); }
std::unique_ptr<Middleware> make_gzip(std::size_t min_bytes) { return std::make_unique<Gzip>(min_bytes); }
std::unique_ptr<Middleware> make_cors(std::vector<std::string> allowed_origins) {
  return std::make_unique<Cors>(std::move(allowed_origins));
}
std::unique_ptr<Middleware> make_body_policy(std::size_t max_body_bytes, std::size_t max_upload_bytes) {
  return std::make_unique<BodyPolicyCheck>(max_body_bytes, max_upload_bytes);
}

}  // namespace eyewear::http
