// A fixed-size pool of backend connections shared by the server's threads (internal to the
// backends). Leases are RAII; a lease waits up to the configured time for a free connection.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace eyewear::storage {

template <typename Conn>
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease() = default;
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) { o.pool_ = nullptr; }
    Lease& operator=(Lease&& o) noexcept {
      release();
      pool_ = o.pool_;
      conn_ = std::move(o.conn_);
      o.pool_ = nullptr;
      return *this;
    }
    ~Lease() { release(); }
    Conn* operator->() const { return conn_.get(); }
    Conn& operator*() const { return *conn_; }
    explicit operator bool() const { return conn_ != nullptr; }

   private:
    void release() {
      if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
      pool_ = nullptr;
    }
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Conn> conn_;
  };

  void add(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(conn));
    ++size_;
  }

  // Empty lease on timeout or after close().
  Lease acquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return closed_ || !free_.empty(); })) return {};
    if (closed_) return {};
    auto conn = std::move(free_.back());
    free_.pop_back();
    ++in_use_;
    return Lease(this, std::move(conn));
  }

  // Drops every idle connection now; leased ones are dropped as they come back.
  void close() {
    std::vector<std::unique_ptr<Conn>> doomed;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      doomed.swap(free_);
    }
    cv_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return size_;
  }
  std::size_t in_use() const {
    std::lock_guard lock(mu_);
    return in_use_;
  }

 private:
  void give_back(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      --in_use_;
      if (closed_) return;  // destroyed outside? conn dies at scope end below
      free_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;
  std::size_t size_ = 0;
  std::size_t in_use_ = 0;
  bool closed_ = false;
};

}  // namespace eyewear::storage
