// Opens the database named by a URL: sqlite:PATH (embedded default) or postgresql://... .
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "platform/logging.hpp"
#include "platform/perf_monitor.hpp"
#include "storage/database.hpp"

namespace eyewear::storage {

struct DatabaseOptions {
  std::string url;
  std::size_t pool_size = 4;
  std::chrono::milliseconds busy_timeout{5'000};     // SQLite lock waits; pool lease waits
  std::chrono::milliseconds connect_timeout{30'000};  // PostgreSQL start-up retry budget
  std::size_t sqlite_mmap_size = 0;                   // SQLite: PRAGMA mmap_size of every connection
  std::size_t sqlite_page_size = 8192;                // SQLite: PRAGMA page_size of a new file
  // SQLite: a committed write copies the write-ahead log into the database once it holds this
  // many frames (pages; SQLite's own default), after releasing the writer lock; a log of
  // `sqlite_wal_limit_factor` times as many is copied before (see SqliteTransaction::commit).
  std::size_t sqlite_checkpoint_frames = 1000;
  std::size_t sqlite_wal_limit_factor = 16;
  platform::Logger* logger = nullptr;                 // optional
  platform::PerfMonitor* monitor = nullptr;           // optional: statement timing and slow log
};

[[nodiscard]] Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options);

// Backend constructors, used by open_database and by tests.
[[nodiscard]] Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const DatabaseOptions& options);
[[nodiscard]] Result<std::unique_ptr<Database>> open_postgres(const std::string& conninfo,
                                                              const DatabaseOptions& options);

// The file path of a sqlite: URL ("sqlite:/abs", "sqlite://abs", "sqlite:rel"); empty if not SQLite.
[[nodiscard]] std::string sqlite_path_of(const std::string& url);

// A low-cardinality name for a statement, for metrics and slow logs: "SELECT accounts".
[[nodiscard]] std::string statement_label(std::string_view sql);

}  // namespace eyewear::storage
