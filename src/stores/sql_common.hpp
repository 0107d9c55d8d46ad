// Pieces every SQL store shares: the one audit-log insert, and the adapter that runs a store's
// transaction object inside `Database::transact`.
#pragma once

#include <functional>

#include "platform/audit.hpp"
#include "platform/error.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

// Appends one event to security_audit_log inside the caller's transaction.
[[nodiscard]] platform::Status insert_audit_event(storage::Connection& c, const platform::AuditEvent& e);

// A store whose read and write run `work` against `SqlTx` (built on the transaction's connection).
// A store with more to offer derives from it and runs its own transactions through run().
template <typename Store, typename Tx, typename SqlTx>
class SqlStore : public Store {
 public:
  explicit SqlStore(storage::Database& db) : db_(db) {}
  platform::Status write(const std::function<platform::Status(Tx&)>& work) override {
    return run(storage::TxMode::kWrite, work);
  }
  platform::Status read(const std::function<platform::Status(Tx&)>& work) override {
    return run(storage::TxMode::kRead, work);
  }

 protected:
  // Runs `work` against SqlTx(connection, args...) in one transaction.
  template <typename... Args>
  platform::Status run(storage::TxMode mode, const std::function<platform::Status(Tx&)>& work, Args&&... args) {
    return db_.transact(mode, [&](storage::Connection& c) -> platform::Status {
      SqlTx tx(c, args...);
      return work(tx);
    });
  }
  storage::Database& database() { return db_; }

 private:
  storage::Database& db_;
};

}  // namespace eyewear::stores
