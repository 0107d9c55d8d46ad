#include "storage/redis.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <condition_variable>
#include <mutex>

namespace eyewear::storage {

using platform::Error;
using platform::ErrorCode;
using platform::fail;
using platform::Result;

namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const noexcept {
    if (c != nullptr) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

Error bad_url(std::string message) {
  return Error::validation("EYEWEAR_REDIS_URL", "format", "EYEWEAR_REDIS_URL " + message);
}

Result<RedisReply> convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_NIL: out.kind = RedisReply::Kind::kNil; break;
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.kind = RedisReply::Kind::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      for (std::size_t i = 0; i < r->elements; ++i) {
        EW_ASSIGN_OR_RETURN(auto element, convert(r->element[i]));
        out.elements.push_back(std::move(element));
      }
      break;
    case REDIS_REPLY_ERROR:
      return fail(Error::unavailable("redis", std::string(r->str, r->len)));
    default:
      return fail(Error::unavailable("redis", "unexpected reply type " + std::to_string(r->type)));
  }
  return out;
}

}  // namespace

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return fail(bad_url("must start with redis://"));
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint ep;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto db = rest.substr(slash + 1);
    if (!db.empty()) {
      const auto res = std::from_chars(db.data(), db.data() + db.size(), ep.database);
      if (res.ec != std::errc() || res.ptr != db.data() + db.size() || ep.database < 0 || ep.database > 15) {
        return fail(bad_url("database must be a number 0-15"));
      }
    }
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = credentials.find(':');
    if (colon == std::string_view::npos) {
      ep.password = std::string(credentials);
    } else {
      ep.user = std::string(credentials.substr(0, colon));
      ep.password = std::string(credentials.substr(colon + 1));
    }
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const auto port = authority.substr(colon + 1);
    const auto res = std::from_chars(port.data(), port.data() + port.size(), ep.port);
    if (port.empty() || res.ec != std::errc() || res.ptr != port.data() + port.size() || ep.port < 1 || ep.port > 65535) {
      return fail(bad_url("port must be 1-65535"));
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return fail(bad_url("needs a host"));
  ep.host = std::string(authority);
  return ep;
}

struct Redis::Impl {
  RedisOptions options;
  RedisEndpoint endpoint;
  std::mutex mutex;
  std::condition_variable available;
  std::vector<Context> idle;
  std::size_t open = 0;  // connections in existence (idle + lent)
  std::chrono::steady_clock::time_point last_failure{};
  bool failed_recently = false;

  Result<Context> connect() {
    Context c(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(options.timeout)));
    if (!c || c->err != 0) {
      return fail(Error::unavailable("redis", std::string("connect to ") + endpoint.host + ":" +
                                                  std::to_string(endpoint.port) + ": " + (c ? c->errstr : "no memory")));
    }
    if (redisSetTimeout(c.get(), to_timeval(options.timeout)) != REDIS_OK) {
      return fail(Error::unavailable("redis", "cannot set the command timeout"));
    }
    auto run = [&](std::vector<std::string_view> args) -> platform::Status {
      EW_ASSIGN_OR_RETURN(auto reply, exec(c.get(), args));
      (void)reply;
      return {};
    };
    if (!endpoint.password.empty()) {
      if (endpoint.user.empty()) {
        EW_TRY(run({"AUTH", endpoint.password}));
      } else {
        EW_TRY(run({"AUTH", endpoint.user, endpoint.password}));
      }
    }
    if (endpoint.database != 0) EW_TRY(run({"SELECT", std::to_string(endpoint.database)}));
    return c;
  }

  static Result<RedisReply> exec(redisContext* c, const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (auto a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply reply(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (!reply) {
      return fail(Error::unavailable("redis", std::string("transport: ") + (c->err != 0 ? c->errstr : "no reply")));
    }
    return convert(reply.get());
  }

  Result<Context> acquire() {
    std::unique_lock lock(mutex);
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    while (true) {
      if (!idle.empty()) {
        Context c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
      if (open < options.pool_size) break;
      if (available.wait_until(lock, deadline) == std::cv_status::timeout && idle.empty()) {
        return fail(Error::unavailable("redis", "no free connection within the timeout"));
      }
    }
    if (failed_recently && std::chrono::steady_clock::now() - last_failure < options.retry_interval) {
      return fail(Error::unavailable("redis", "recently unreachable; not retrying yet"));
    }
    ++open;
    lock.unlock();
    auto c = connect();
    lock.lock();
    if (!c) {
      --open;
      if (!failed_recently && options.logger != nullptr) {
        options.logger->warn("redis unreachable", {{"detail", c.error().internal}});
      }
      failed_recently = true;
      last_failure = std::chrono::steady_clock::now();
      available.notify_one();
      return fail(c.error());
    }
    if (failed_recently && options.logger != nullptr) options.logger->info("redis reachable again", {});
    failed_recently = false;
    return c;
  }

  void release(Context c, bool healthy) {
    std::lock_guard lock(mutex);
    if (healthy) {
      idle.push_back(std::move(c));
    } else {
      --open;
    }
    available.notify_one();
  }
};

Result<std::unique_ptr<Redis>> Redis::open(RedisOptions options) {
  EW_ASSIGN_OR_RETURN(auto endpoint, parse_redis_url(options.url));
  auto impl = std::make_unique<Impl>();
  if (options.pool_size == 0) options.pool_size = 1;
  impl->options = std::move(options);
  impl->endpoint = std::move(endpoint);
  return std::unique_ptr<Redis>(new Redis(std::move(impl)));
}

Redis::Redis(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Redis::~Redis() = default;

Result<RedisReply> Redis::command(const std::vector<std::string_view>& args) {
  EW_ASSIGN_OR_RETURN(auto c, impl_->acquire());
  auto reply = Impl::exec(c.get(), args);
  // An error reply leaves the connection usable; a transport failure does not.
  const bool healthy = c->err == 0;
  impl_->release(std::move(c), healthy);
  return reply;
}

platform::HealthResult Redis::ping() {
  const auto begun = std::chrono::steady_clock::now();
  auto reply = command({"PING"});
  platform::HealthResult h;
  h.latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begun);
  h.ok = reply && reply->kind == RedisReply::Kind::kStatus && reply->text == "PONG";
  if (!h.ok) h.detail = reply ? "unexpected reply to PING" : reply.error().internal;
  return h;
}

}  // namespace eyewear::storage
