// The current tier and status of manufacturers, in memory. Authorization reads it on every
// request (the tier claim of a token is not trusted: it may be up to 15 minutes old). A change
// made on this node is applied at once; changes made on other nodes are picked up by polling
// manufacturers.updated_at every EYEWEAR_REVOCATION_POLL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "authz/store.hpp"
#include "platform/clock.hpp"
#include "platform/logging.hpp"

namespace eyewear::authz {

class TierCache {
 public:
  TierCache(AuthzStore& store, const platform::Clock& clock, platform::Logger& logger, std::chrono::milliseconds poll);
  ~TierCache();
  TierCache(const TierCache&) = delete;
  TierCache& operator=(const TierCache&) = delete;

  // NOT_FOUND for an unknown manufacturer.
  [[nodiscard]] Result<ManufacturerState> get(std::string_view manufacturer_id);
  void put(const ManufacturerState& state);
  void start();
  void stop();
  void poll_once();

 private:
  AuthzStore& store_;
  const platform::Clock& clock_;
  platform::Logger& logger_;
  std::chrono::milliseconds poll_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ManufacturerState> entries_;
  std::int64_t watermark_;
  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace eyewear::authz
