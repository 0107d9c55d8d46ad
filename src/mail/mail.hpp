// Outgoing mail. Modules never send directly: they enqueue messages in the email_outbox table in
// the same transaction as the change that warrants them (a transactional outbox), and the
// OutboxDispatcher delivers them through a Transport: SMTP (libcurl) when EYEWEAR_SMTP_URL is set,
// otherwise .eml files under <data-dir>/outbox/ so the embedded default needs no mail server.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.hpp"
#include "platform/config.hpp"
#include "platform/error.hpp"
#include "platform/logging.hpp"

namespace eyewear::mail {

struct Message {
  std::string id;
  std::string to;
  std::string subject;
  std::string body;
  std::string template_name;
  int attempts = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  [[nodiscard]] virtual platform::Status send(const Message& message) = 0;
  [[nodiscard]] virtual std::string name() const = 0;
};

// RFC 5322 message text with the given From (used by both transports).
[[nodiscard]] std::string render_rfc5322(const Message& m, const std::string& from, platform::SystemTime date);

[[nodiscard]] std::unique_ptr<Transport> make_smtp_transport(const platform::MailConfig& config, const platform::Clock& clock);
// Writes <dir>/<id>.eml; in development and test environments it also logs the first link of
// the message so a developer can follow it without a mail server.
[[nodiscard]] std::unique_ptr<Transport> make_file_transport(std::string dir, std::string from,
                                                             const platform::Clock& clock, platform::Logger& logger,
                                                             bool log_links);

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Claims up to `limit` pending messages due at `now` (others nodes skip claimed rows).
  [[nodiscard]] virtual platform::Result<std::vector<Message>> claim_due(std::int64_t now, int limit) = 0;
  [[nodiscard]] virtual platform::Status mark_sent(const std::string& id, std::int64_t now) = 0;
  // Schedules a retry at `next_attempt`, or marks the message failed when `give_up`.
  [[nodiscard]] virtual platform::Status mark_failed(const std::string& id, const std::string& error,
                                                     std::int64_t next_attempt, bool give_up) = 0;
};

// Delivers the outbox from one background thread, owned and joined by this object. Retries with
// exponential backoff (30 s doubling, 8 attempts) and gives up after that, keeping the row.
class OutboxDispatcher {
 public:
  OutboxDispatcher(OutboxStore& store, Transport& transport, const platform::Clock& clock, platform::Logger& logger,
                   std::chrono::milliseconds poll);
  ~OutboxDispatcher();
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  void start();
  // Wakes the dispatcher now (after a commit that enqueued mail).
  void notify();
  // Delivers everything due now on the calling thread; returns messages sent. For tests and CLI.
  int deliver_due();
  void stop();

 private:
  void run();

  OutboxStore& store_;
  Transport& transport_;
  const platform::Clock& clock_;
  platform::Logger& logger_;
  std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::mutex deliver_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace eyewear::mail
