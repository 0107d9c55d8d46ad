// A bounded pool of worker threads for work that must not run on the HTTP I/O threads
// (password hashing, bulk imports). Owned by one object that joins its threads on destruction;
// an exception escaping a task is caught and logged, never propagated into the thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/logging.hpp"

namespace eyewear::platform {

class WorkerPool {
 public:
  // `background` workers run at a lower CPU priority (SCHED_BATCH, nice 10) so that CPU-heavy
  // tasks such as password hashing never starve the HTTP I/O threads.
  WorkerPool(std::string name, std::size_t threads, std::size_t queue_limit, Logger& logger, bool background = false);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a task; false when the queue is full or the pool is stopping (the caller answers
  // 503 OVERLOADED rather than letting latency grow without bound).
  [[nodiscard]] bool try_submit(std::function<void()> task);

  // Finishes queued tasks, then joins the threads. Idempotent.
  void shutdown();

  [[nodiscard]] std::size_t queued() const;
  [[nodiscard]] std::size_t threads() const { return threads_.size(); }

 private:
  void run();

  std::string name_;
  std::size_t queue_limit_;
  Logger& logger_;
  bool background_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace eyewear::platform
