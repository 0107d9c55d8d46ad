// Fast, shared session state for authenticating requests without a database round trip:
// which sessions are revoked (loaded at start, then polled from the database every
// EYEWEAR_REVOCATION_POLL so a revocation on any node takes effect within that time, applied at
// once on the node that made it) and when each session was last seen (recorded in memory,
// written to the database in batches at most once a minute per session).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "identity/store.hpp"
#include "platform/clock.hpp"
#include "platform/logging.hpp"

namespace eyewear::identity {

class SessionRegistry {
 public:
  struct Options {
    std::chrono::milliseconds poll{500};
    std::chrono::milliseconds remember{15 * 60 * 1000};  // the longest an access token lives
    std::chrono::milliseconds idle_timeout{30 * 60 * 1000};
    std::chrono::milliseconds touch_granularity{60 * 1000};
  };

  SessionRegistry(IdentityStore& store, const platform::Clock& clock, platform::Logger& logger, Options options);
  ~SessionRegistry();
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  // Loads recent revocations; call before serving.
  [[nodiscard]] Status load();
  void start();
  void stop();

  [[nodiscard]] bool is_revoked(std::string_view session_id) const;
  void mark_revoked(const std::string& session_id, std::int64_t at);
  void touch(std::string_view session_id);
  // One poll: new revocations in, last-seen times out. Called by the thread; public for tests.
  void poll_once();

 private:
  void run();

  IdentityStore& store_;
  const platform::Clock& clock_;
  platform::Logger& logger_;
  Options options_;
  mutable std::shared_mutex revoked_mu_;
  std::unordered_map<std::string, std::int64_t> revoked_;
  std::int64_t watermark_ = 0;
  std::mutex touch_mu_;
  std::unordered_map<std::string, std::int64_t> pending_touch_;
  std::unordered_map<std::string, std::int64_t> last_written_;
  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace eyewear::identity
