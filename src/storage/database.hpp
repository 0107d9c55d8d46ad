// The storage seam: a pooled, thread-safe database with RAII transactions and bound parameters
// only. Two backends implement it, SQLite (the embedded default) and PostgreSQL (scale-out); both
// pass the same contract tests (tests/storage). SQL text is written with $1, $2 ... placeholders
// for both; the SQLite backend rewrites them to ?1, ?2 when it prepares a statement. Prepared
// statements are cached per connection, keyed by their (constant) SQL text.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "platform/error.hpp"
#include "platform/health.hpp"

namespace eyewear::storage {

using platform::Result;
using platform::Status;

enum class Dialect { kSqlite, kPostgres };
[[nodiscard]] std::string_view dialect_name(Dialect d);

class ParamRows;

// A bound statement parameter. Text is borrowed: it must outlive the call it is passed to.
class Param {
 public:
  enum class Kind { kNull, kInt, kDouble, kText, kBlob, kRows };
  Param() : kind_(Kind::kNull) {}
  Param(std::nullptr_t) : kind_(Kind::kNull) {}  // NOLINT(google-explicit-constructor)
  Param(std::int64_t v) : kind_(Kind::kInt), int_(v) {}  // NOLINT
  Param(int v) : kind_(Kind::kInt), int_(v) {}  // NOLINT
  Param(unsigned v) : kind_(Kind::kInt), int_(v) {}  // NOLINT
  Param(std::size_t v) : kind_(Kind::kInt), int_(static_cast<std::int64_t>(v)) {}  // NOLINT
  Param(bool v) : kind_(Kind::kInt), int_(v ? 1 : 0) {}  // NOLINT
  Param(double v) : kind_(Kind::kDouble), double_(v) {}  // NOLINT
  Param(std::string_view v) : kind_(Kind::kText), text_(v) {}  // NOLINT
  Param(const std::string& v) : kind_(Kind::kText), text_(v) {}  // NOLINT
  Param(const char* v) : kind_(Kind::kText), text_(v) {}  // NOLINT
  template <typename T>
  Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param()) {}  // NOLINT
  static Param blob(std::string_view bytes) {
    Param p;
    p.kind_ = Kind::kBlob;
    p.text_ = bytes;
    return p;
  }
  // Many rows of values as one parameter (ParamRows, below); borrowed like text.
  static Param rows(const ParamRows& rows) {
    Param p;
    p.kind_ = Kind::kRows;
    p.rows_ = &rows;
    return p;
  }

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] std::int64_t as_int() const { return int_; }
  [[nodiscard]] double as_double() const { return double_; }
  [[nodiscard]] std::string_view as_text() const { return text_; }
  [[nodiscard]] const ParamRows* as_rows() const { return rows_; }

 private:
  Kind kind_;
  std::int64_t int_ = 0;
  double double_ = 0;
  std::string_view text_;
  const ParamRows* rows_ = nullptr;
};

using Params = std::span<const Param>;

// A table of parameter values, row by row, bound as one parameter (Param::rows). SQLite only: a
// statement reads it as a table with the table-valued function `eyewear_rows($N)`, whose columns
// are c0, c1, ... (storage/sqlite_rows.hpp), so one `INSERT ... SELECT c0, c1 FROM
// eyewear_rows($1)` writes a whole batch as one statement instead of one statement per row.
// Values are borrowed like Params: what they point to must outlive the statement.
class ParamRows {
 public:
  static constexpr std::size_t kMaxColumns = 32;  // the columns eyewear_rows declares
  explicit ParamRows(std::size_t columns) : columns_(columns) {}
  void reserve(std::size_t rows) { cells_.reserve(rows * columns_); }
  // Appends one row: exactly columns() values.
  void add(Params row) { cells_.insert(cells_.end(), row.begin(), row.end()); }
  void add(std::initializer_list<Param> row) { cells_.insert(cells_.end(), row.begin(), row.end()); }
  void clear() { cells_.clear(); }
  [[nodiscard]] std::size_t columns() const { return columns_; }
  [[nodiscard]] std::size_t size() const { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  [[nodiscard]] bool empty() const { return cells_.empty(); }
  [[nodiscard]] const Param& at(std::size_t row, std::size_t column) const { return cells_[row * columns_ + column]; }

 private:
  std::size_t columns_;
  std::vector<Param> cells_;
};

class Rows;

// One row of a result set. Column access by index; type conversion is the caller's choice.
class Row {
 public:
  Row(const Rows& rows, std::size_t index) : rows_(rows), index_(index) {}
  [[nodiscard]] bool is_null(std::size_t col) const;
  [[nodiscard]] std::string_view text(std::size_t col) const;  // empty for NULL
  [[nodiscard]] std::string str(std::size_t col) const { return std::string(text(col)); }
  [[nodiscard]] std::int64_t i64(std::size_t col) const;        // 0 for NULL
  [[nodiscard]] double f64(std::size_t col) const;               // 0 for NULL
  [[nodiscard]] bool boolean(std::size_t col) const;             // 1/0 and t/f
  [[nodiscard]] std::string blob(std::size_t col) const { return str(col); }
  [[nodiscard]] std::optional<std::string> opt_str(std::size_t col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(std::size_t col) const;

 private:
  const Rows& rows_;
  std::size_t index_;
};

// A materialised result set: cells stored back to back in one buffer.
class Rows {
 public:
  Rows() = default;
  explicit Rows(std::size_t columns) : columns_(columns) {}
  [[nodiscard]] std::size_t size() const { return columns_ ? cells_.size() / columns_ : 0; }
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] std::size_t columns() const { return columns_; }
  [[nodiscard]] Row operator[](std::size_t i) const { return Row(*this, i); }
  [[nodiscard]] Row front() const { return Row(*this, 0); }

  // Builder interface for backends.
  void set_columns(std::size_t n) { columns_ = n; }
  void append_null() { cells_.push_back(Cell{0, 0, true}); }
  void append(std::string_view bytes) {
    cells_.push_back(Cell{static_cast<std::uint32_t>(data_.size()), static_cast<std::uint32_t>(bytes.size()), false});
    data_.append(bytes);
  }

 private:
  friend class Row;
  struct Cell {
    std::uint32_t offset;
    std::uint32_t length;
    bool null;
  };
  std::size_t columns_ = 0;
  std::vector<Cell> cells_;
  std::string data_;
};

// One row of a statement that is still running (Connection::for_each_row): valid only during the
// visit. Text views point into the backend's own buffers.
class RowView {
 public:
  virtual ~RowView() = default;
  [[nodiscard]] virtual bool is_null(std::size_t col) const = 0;
  [[nodiscard]] virtual std::string_view text(std::size_t col) const = 0;  // empty for NULL
  [[nodiscard]] virtual std::int64_t i64(std::size_t col) const = 0;        // 0 for NULL
  [[nodiscard]] virtual double f64(std::size_t col) const = 0;               // 0 for NULL
};

// A leased connection inside a transaction. Not thread-safe: one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;
  // Runs a statement and returns its rows.
  [[nodiscard]] virtual Result<Rows> query(std::string_view sql, Params params) = 0;
  // Runs a statement and returns the number of rows it changed.
  [[nodiscard]] virtual Result<std::int64_t> execute(std::string_view sql, Params params) = 0;
  // Runs several statements without parameters (migrations only).
  [[nodiscard]] virtual Status execute_script(std::string_view sql) = 0;
  // Runs a query and hands each row to `visit` as the backend produces it, without building a
  // result set (SQLite steps the statement; the default materialises the rows and walks them).
  // `visit` must not run statements on this connection.
  [[nodiscard]] virtual Status for_each_row(std::string_view sql, Params params,
                                            const std::function<void(const RowView&)>& visit);

  [[nodiscard]] Result<Rows> query(std::string_view sql, std::initializer_list<Param> params = {}) {
    return query(sql, Params(params.begin(), params.size()));
  }
  [[nodiscard]] Result<std::int64_t> execute(std::string_view sql, std::initializer_list<Param> params = {}) {
    return execute(sql, Params(params.begin(), params.size()));
  }
};

enum class TxMode {
  kRead,   // may read; SQLite takes a snapshot lazily
  kWrite,  // takes the write lock up front (SQLite BEGIN IMMEDIATE) so it cannot deadlock later
};

// Backend side of a transaction.
class TransactionImpl {
 public:
  virtual ~TransactionImpl() = default;
  virtual Connection& connection() = 0;
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
};

// RAII transaction: rolls back in its destructor unless committed.
class Transaction {
 public:
  explicit Transaction(std::unique_ptr<TransactionImpl> impl) : impl_(std::move(impl)) {}
  Transaction(Transaction&&) noexcept = default;
  Transaction& operator=(Transaction&&) noexcept = default;
  ~Transaction() {
    if (impl_ && !done_) impl_->rollback();
  }
  [[nodiscard]] Connection& conn() { return impl_->connection(); }
  Connection* operator->() { return &impl_->connection(); }
  [[nodiscard]] Status commit() {
    done_ = true;
    return impl_->commit();
  }

 private:
  std::unique_ptr<TransactionImpl> impl_;
  bool done_ = false;
};

struct PoolStats {
  std::size_t size = 0;
  std::size_t in_use = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;
  [[nodiscard]] virtual Result<Transaction> begin(TxMode mode) = 0;
  // A real round trip (SELECT 1) with its latency.
  [[nodiscard]] virtual platform::HealthResult ping() = 0;
  // A consistent copy of the whole database into `path`.
  [[nodiscard]] virtual Status backup_to(const std::string& path) = 0;
  [[nodiscard]] virtual PoolStats pool_stats() const = 0;
  // Closes every pooled connection; later calls fail with UNAVAILABLE.
  virtual void close() = 0;

  // Runs `fn(Connection&) -> Result<T>` in a transaction, committing when it succeeds.
  template <typename Fn>
  auto transact(TxMode mode, Fn&& fn) -> std::invoke_result_t<Fn, Connection&> {
    auto tx = begin(mode);
    if (!tx) return std::unexpected(std::move(tx).error());
    auto result = fn(tx->conn());
    if (!result) return result;
    if (auto st = tx->commit(); !st) return std::unexpected(std::move(st).error());
    return result;
  }
};

}  // namespace eyewear::storage
