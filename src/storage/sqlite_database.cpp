// SQLite backend: WAL journal, foreign keys on, busy timeout, a pool of connections with cached
// prepared statements, and one in-process writer at a time (write transactions serialise on a
// mutex before BEGIN IMMEDIATE, so threads of this process queue fairly instead of spinning in
// SQLite's busy handler; the busy timeout still covers other processes such as `eyewear backup`).
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "platform/string_map.hpp"
#include "storage/connection_pool.hpp"
#include "storage/open.hpp"
#include "storage/sqlite_fts.hpp"
#include "storage/sqlite_rows.hpp"
#include "storage/statement_timer.hpp"

namespace eyewear::storage {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

// Rewrites $N placeholders to ?N outside string literals and quoted identifiers.
std::string rewrite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out.push_back(c);
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error(ErrorCode::kConflict, "resource already exists", {}, msg);
  }
  if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
    return Error(ErrorCode::kConflict, "constraint violated", {}, msg);
  }
  if ((rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED) {
    return Error::unavailable("database", msg);
  }
  return Error::internal_error(msg);
}

// The current row of a statement being stepped, read straight from SQLite's own values.
class SteppedRow final : public RowView {
 public:
  explicit SteppedRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool is_null(std::size_t col) const override { return sqlite3_column_type(stmt_, index(col)) == SQLITE_NULL; }
  std::string_view text(std::size_t col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index(col)));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index(col)))};
  }
  std::int64_t i64(std::size_t col) const override { return sqlite3_column_int64(stmt_, index(col)); }
  double f64(std::size_t col) const override { return sqlite3_column_double(stmt_, index(col)); }

 private:
  static int index(std::size_t col) { return static_cast<int>(col); }
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, StatementTimer& timer) : db_(db), timer_(timer) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt.stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<Rows> query(std::string_view sql, Params params) override {
    Rows rows;
    const auto columns = [&](sqlite3_stmt* stmt) { rows.set_columns(static_cast<std::size_t>(sqlite3_column_count(stmt))); };
    EW_TRY(step(sql, params, "query", columns, [&](sqlite3_stmt* stmt) {
      for (int i = 0; i < static_cast<int>(rows.columns()); ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_NULL: rows.append_null(); break;
          case SQLITE_BLOB: {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
            rows.append(std::string_view(p == nullptr ? "" : p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
            break;
          }
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            rows.append(std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
          }
        }
      }
    }));
    return rows;
  }

  Status for_each_row(std::string_view sql, Params params, const std::function<void(const RowView&)>& visit) override {
    return step(sql, params, "query", no_op, [&](sqlite3_stmt* stmt) { visit(SteppedRow(stmt)); });
  }

  Result<std::int64_t> execute(std::string_view sql, Params params) override {
    EW_TRY(step(sql, params, "execute", no_op, no_op));
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Status execute_script(std::string_view sql) override {
    char* err = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return fail(Error::internal_error("script: " + msg));
    }
    return {};
  }

  Status simple(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, sql));
    return {};
  }

  sqlite3* handle() { return db_; }

  // Checkpoints are this backend's, not SQLite's (SqliteTransaction::commit): the hook only
  // records how many frames the write-ahead log holds after each commit of this connection.
  void watch_wal() { sqlite3_wal_hook(db_, &SqliteConnection::on_wal_commit, this); }
  [[nodiscard]] int wal_frames() const noexcept { return wal_frames_; }
  // Copies what it can of the log into the database file without waiting for anyone (PASSIVE:
  // no busy handler; a checkpoint already running elsewhere makes this one a no-op).
  void checkpoint() noexcept {
    (void)sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    wal_frames_ = 0;
  }

 private:
  static int on_wal_commit(void* self, sqlite3*, const char*, int frames) {
    static_cast<SqliteConnection*>(self)->wal_frames_ = frames;
    return SQLITE_OK;
  }

  struct Entry {
    sqlite3_stmt* stmt;
    platform::PerfMonitor::Operation* op;
  };
  static void no_op(sqlite3_stmt*) {}

  // Prepares (cached), binds and steps a statement to its end: `on_prepared` sees the statement
  // once, `on_row` at each row; the statement is reset and timed whatever the outcome.
  template <typename OnPrepared, typename OnRow>
  Status step(std::string_view sql, Params params, std::string_view what, OnPrepared&& on_prepared, OnRow&& on_row) {
    EW_ASSIGN_OR_RETURN(auto* entry, prepare(sql));
    on_prepared(entry->stmt);
    const auto start = std::chrono::steady_clock::now();
    EW_TRY(bind(entry->stmt, params));
    int rc;
    while ((rc = sqlite3_step(entry->stmt)) == SQLITE_ROW) on_row(entry->stmt);
    sqlite3_reset(entry->stmt);
    sqlite3_clear_bindings(entry->stmt);
    timer_.record(entry->op, start);
    if (rc != SQLITE_DONE) return fail(sqlite_error(db_, rc, what));
    return {};
  }

  Result<Entry*> prepare(std::string_view sql) {
    // The last few statements first, compared byte for byte: a bulk write runs the same two
    // statements of about 500 bytes per row, and comparing is cheaper than hashing them.
    for (const auto& r : recent_) {
      if (r.sql.size() == sql.size() && r.entry != nullptr && std::memcmp(r.sql.data(), sql.data(), sql.size()) == 0)
        return r.entry;
    }
    if (auto it = cache_.find(sql); it != cache_.end()) return remember(it->first, it->second);
    const auto rewritten = rewrite_placeholders(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size() + 1),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, "prepare"));
    auto [it, _] = cache_.emplace(std::string(sql), Entry{stmt, timer_.operation_for(sql)});
    return remember(it->first, it->second);
  }

  // Cache entries are never erased while the connection lives, so the views stay valid.
  Entry* remember(std::string_view sql, Entry& entry) {
    recent_[next_recent_] = Recent{sql, &entry};
    next_recent_ = (next_recent_ + 1) % recent_.size();
    return &entry;
  }

  Status bind(sqlite3_stmt* stmt, Params params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return fail(Error::internal_error("bind: statement expects " + std::to_string(expected) + " parameters, got " +
                                        std::to_string(params.size())));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const auto& p = params[i];
      int rc = SQLITE_OK;
      switch (p.kind()) {
        case Param::Kind::kNull: rc = sqlite3_bind_null(stmt, idx); break;
        case Param::Kind::kInt: rc = sqlite3_bind_int64(stmt, idx, p.as_int()); break;
        case Param::Kind::kDouble: rc = sqlite3_bind_double(stmt, idx, p.as_double()); break;
        case Param::Kind::kText:
          rc = sqlite3_bind_text64(stmt, idx, p.as_text().data(), p.as_text().size(), SQLITE_STATIC, SQLITE_UTF8);
          break;
        case Param::Kind::kBlob:
          rc = sqlite3_bind_blob64(stmt, idx, p.as_text().data(), p.as_text().size(), SQLITE_STATIC);
          break;
        case Param::Kind::kRows:
          if (p.as_rows()->columns() > ParamRows::kMaxColumns) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            return fail(Error::internal_error("bind: eyewear_rows reads at most " +
                                              std::to_string(ParamRows::kMaxColumns) + " columns"));
          }
          // eyewear_rows (sqlite_rows.hpp) reads it; SQLite never frees it.
          rc = sqlite3_bind_pointer(stmt, idx, const_cast<ParamRows*>(p.as_rows()), kRowsPointerType, nullptr);
          break;
      }
      if (rc != SQLITE_OK) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return fail(sqlite_error(db_, rc, "bind"));
      }
    }
    return {};
  }

  sqlite3* db_;
  StatementTimer& timer_;
  platform::StringMap<Entry> cache_;
  struct Recent {
    std::string_view sql;  // the cache's own key
    Entry* entry = nullptr;
  };
  std::array<Recent, 4> recent_{};
  std::size_t next_recent_ = 0;
  int wal_frames_ = 0;
};

class SqliteDatabase;

// When a committed write copies the write-ahead log into the database (SqliteTransaction).
struct WalCheckpoints {
  int after_frames;     // beside the next writer, once the log holds this many frames
  int limit_frames;     // before the next writer may start, once it holds this many
  std::mutex* running;  // held by the checkpoint under way in this process
};

// How long writers wait for the one writer lock, hold it, and copy the log (histograms of kind
// "db.writer"; docs/OPERATIONS.md): a writer lock held most of the time is the bound on writes.
struct WriterTimes {
  platform::PerfMonitor* monitor = nullptr;
  platform::PerfMonitor::Operation* wait = nullptr;
  platform::PerfMonitor::Operation* held = nullptr;
  platform::PerfMonitor::Operation* checkpoint = nullptr;

  void record(platform::PerfMonitor::Operation* op, std::chrono::steady_clock::time_point start) const {
    if (monitor != nullptr) monitor->record(*op, std::chrono::steady_clock::now() - start);
  }
};

class SqliteTransaction final : public TransactionImpl {
 public:
  SqliteTransaction(ConnectionPool<SqliteConnection>::Lease lease, std::unique_lock<std::timed_mutex> writer,
                    const WalCheckpoints& checkpoints, const WriterTimes& times,
                    std::chrono::steady_clock::time_point locked)
      : lease_(std::move(lease)),
        writer_(std::move(writer)),
        checkpoints_(checkpoints),
        times_(times),
        locked_(locked) {}
  ~SqliteTransaction() override = default;
  Connection& connection() override { return *lease_; }

  // SQLite's own automatic checkpoint would copy the log into the database inside COMMIT, while
  // this process's writer lock is held. Here the next writer goes first and the copy runs beside
  // it, after the lock is released. But a log is started over only by a writer that finds it
  // fully copied, which never happens while the copies run beside writers, so a log that has
  // grown past `limit_frames` is copied before the lock is released (docs/ARCHITECTURE.md, "Storage").
  Status commit() override {
    auto st = lease_->simple("COMMIT");
    if (!st) (void)lease_->simple("ROLLBACK");
    const int frames = st ? lease_->wal_frames() : 0;
    if (frames >= checkpoints_.limit_frames && writer_.owns_lock()) {
      // Waits for a copy still running beside, which would make this one a no-op.
      const std::lock_guard running(*checkpoints_.running);
      checkpoint();
    }
    unlock();
    if (frames >= checkpoints_.after_frames && frames < checkpoints_.limit_frames) {
      const std::unique_lock running(*checkpoints_.running, std::try_to_lock);
      if (running.owns_lock()) checkpoint();  // else the one running copies this too
    }
    finish();
    return st;
  }
  void rollback() noexcept override {
    (void)lease_->simple("ROLLBACK");
    finish();
  }

 private:
  void finish() {
    lease_ = {};
    unlock();
  }
  void unlock() {
    if (!writer_.owns_lock()) return;
    writer_.unlock();
    times_.record(times_.held, locked_);
  }
  void checkpoint() {
    const auto start = std::chrono::steady_clock::now();
    lease_->checkpoint();
    times_.record(times_.checkpoint, start);
  }
  ConnectionPool<SqliteConnection>::Lease lease_;
  std::unique_lock<std::timed_mutex> writer_;
  WalCheckpoints checkpoints_;
  WriterTimes times_;
  std::chrono::steady_clock::time_point locked_;  // when the writer lock was taken
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, const DatabaseOptions& options)
      : path_(std::move(path)),
        options_(options),
        timer_(options.monitor, "sqlite"),
        checkpoints_{static_cast<int>(options.sqlite_checkpoint_frames),
                     static_cast<int>(options.sqlite_checkpoint_frames * options.sqlite_wal_limit_factor),
                     &checkpoint_mu_} {
    if (options.monitor != nullptr) {
      times_ = {options.monitor, &options.monitor->operation("db.writer", "sqlite: writer wait"),
                &options.monitor->operation("db.writer", "sqlite: writer held"),
                &options.monitor->operation("db.writer", "sqlite: checkpoint")};
    }
  }

  Status open() {
    const auto parent = std::filesystem::path(path_).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    // SQLite's memory statistics take a global mutex around every allocation, and nothing here
    // reads them (sqlite3_memory_used, soft heap limits): off, process-wide, before the first
    // connection initialises the library (a later call is refused and changes nothing).
    // docs/BENCHMARKS.md, "Upload path, stop 14", has what it saved.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    const std::size_t n = std::max<std::size_t>(1, options_.pool_size);
    for (std::size_t i = 0; i < n; ++i) {
      sqlite3* db = nullptr;
      const int rc = sqlite3_open_v2(path_.c_str(), &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
      if (rc != SQLITE_OK) {
        auto err = sqlite_error(db, rc, "open " + path_);
        sqlite3_close_v2(db);
        return fail(Error::unavailable("database", err.internal));
      }
      sqlite3_extended_result_codes(db, 1);
      sqlite3_busy_timeout(db, static_cast<int>(options_.busy_timeout.count()));
      auto conn = std::make_unique<SqliteConnection>(db, timer_);
      conn->watch_wal();
      // The page size takes effect only for a file with nothing in it yet, so it comes before
      // the journal mode, which writes the file's first page; a file that exists keeps its own.
      EW_TRY(conn->simple(("PRAGMA page_size=" + std::to_string(options_.sqlite_page_size)).c_str()));
      for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL",
                                 "PRAGMA temp_store=MEMORY"}) {
        EW_TRY(conn->simple(pragma));
      }
      // Reads through a memory map when configured (off by default: EYEWEAR_SQLITE_MMAP_SIZE in
      // docs/CONFIGURATION.md says why).
      EW_TRY(conn->simple(("PRAGMA mmap_size=" + std::to_string(options_.sqlite_mmap_size)).c_str()));
      if (!register_fts_functions(db)) {
        return fail(Error::unavailable("database", "cannot register the full-text functions (is FTS5 built in?)"));
      }
      if (!register_rows_function(db)) {
        return fail(Error::unavailable("database", "cannot register the eyewear_rows table-valued function"));
      }
      pool_.add(std::move(conn));
    }
    return {};
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<Transaction> begin(TxMode mode) override {
    std::unique_lock<std::timed_mutex> writer;
    auto locked = std::chrono::steady_clock::time_point();
    if (mode == TxMode::kWrite) {
      writer = std::unique_lock<std::timed_mutex>(writer_mu_, std::defer_lock);
      const auto asked = std::chrono::steady_clock::now();
      const bool taken = writer.try_lock_for(options_.busy_timeout);
      times_.record(times_.wait, asked);
      if (!taken) return fail(Error::unavailable("database", "timed out waiting for the writer lock"));
      locked = std::chrono::steady_clock::now();
    }
    auto lease = pool_.acquire(options_.busy_timeout);
    if (!lease) return fail(Error::unavailable("database", "no free connection (pool exhausted or closed)"));
    EW_TRY(lease->simple(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
    return Transaction(
        std::make_unique<SqliteTransaction>(std::move(lease), std::move(writer), checkpoints_, times_, locked));
  }

  platform::HealthResult ping() override {
    const auto start = std::chrono::steady_clock::now();
    auto lease = pool_.acquire(options_.busy_timeout);
    if (!lease) return {false, {}, "no free database connection"};
    auto rows = lease->query("SELECT 1", {});
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (!rows) return {false, latency, rows.error().internal};
    return {true, latency, {}};
  }

  Status backup_to(const std::string& path) override {
    auto lease = pool_.acquire(options_.busy_timeout);
    if (!lease) return fail(Error::unavailable("database", "no free connection"));
    sqlite3* dest = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      auto err = sqlite_error(dest, rc, "open backup target");
      sqlite3_close_v2(dest);
      return fail(err);
    }
    sqlite3_backup* backup = sqlite3_backup_init(dest, "main", lease->handle(), "main");
    if (backup == nullptr) {
      auto err = sqlite_error(dest, sqlite3_errcode(dest), "backup init");
      sqlite3_close_v2(dest);
      return fail(err);
    }
    // Copy in slices so a large database does not hold the source lock for the whole copy.
    do {
      rc = sqlite3_backup_step(backup, 256);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    const int final_rc = sqlite3_errcode(dest);
    sqlite3_close_v2(dest);
    if (rc != SQLITE_DONE) return fail(sqlite_error(nullptr, rc, "backup step"));
    if (final_rc != SQLITE_OK) return fail(sqlite_error(nullptr, final_rc, "backup finish"));
    return {};
  }

  PoolStats pool_stats() const override { return {pool_.size(), pool_.in_use()}; }

  void close() override { pool_.close(); }

 private:
  std::string path_;
  DatabaseOptions options_;
  StatementTimer timer_;
  ConnectionPool<SqliteConnection> pool_;
  std::timed_mutex writer_mu_;
  std::mutex checkpoint_mu_;
  WalCheckpoints checkpoints_;
  WriterTimes times_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const DatabaseOptions& options) {
  auto db = std::make_unique<SqliteDatabase>(path, options);
  EW_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace eyewear::storage
