// A small synchronous Redis client over hiredis for state shared by many app nodes (rate-limit
// cells today). A bounded pool of connections, each command with a timeout; a broken connection
// is dropped and a new one made on the next use, but not more often than every `retry_interval`,
// so an outage costs callers one fast failure instead of a connect timeout each.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"
#include "platform/health.hpp"
#include "platform/logging.hpp"

namespace eyewear::storage {

struct RedisOptions {
  std::string url;  // redis://[[user]:password@]host[:port][/db]
  std::chrono::milliseconds timeout{250};
  std::chrono::milliseconds retry_interval{500};
  std::size_t pool_size = 4;
  platform::Logger* logger = nullptr;
};

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;
  std::string password;  // secret
  int database = 0;
};

// Parses a redis:// URL; VALIDATION_FAILED names EYEWEAR_REDIS_URL on a malformed one.
[[nodiscard]] platform::Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisReply {
  enum class Kind { kNil, kInteger, kString, kStatus, kArray };
  Kind kind = Kind::kNil;
  long long integer = 0;
  std::string text;  // strings and statuses
  std::vector<RedisReply> elements;
};

class Redis {
 public:
  // Does not connect: the first command (or ping) does.
  [[nodiscard]] static platform::Result<std::unique_ptr<Redis>> open(RedisOptions options);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // Runs one command. A Redis error reply fails with UNAVAILABLE whose internal detail holds the
  // server's message (e.g. "NOSCRIPT ..."); so does a transport failure. Thread-safe.
  [[nodiscard]] platform::Result<RedisReply> command(const std::vector<std::string_view>& args);
  [[nodiscard]] platform::HealthResult ping();

  struct Impl;

 private:
  explicit Redis(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyewear::storage
