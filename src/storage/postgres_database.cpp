// PostgreSQL backend over libpq: a pool of connections opened at start-up with retry and
// exponential backoff, statements prepared once per connection (PQprepare) and executed with
// bound text parameters (bytea as binary), broken connections reset on the next use so the
// service recovers by itself when the server comes back.
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <unordered_map>

#include "storage/connection_pool.hpp"
#include "storage/open.hpp"
#include "storage/statement_timer.hpp"
#include "platform/string_map.hpp"

extern char** environ;

namespace eyewear::storage {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

constexpr unsigned kByteaOid = 17;

Error pg_error(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = std::string(what) + ": " +
                    (res != nullptr ? PQresultErrorMessage(res) : (conn != nullptr ? PQerrorMessage(conn) : "?"));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const std::string_view code = state != nullptr ? state : "";
  if (code == "23505") return Error(ErrorCode::kConflict, "resource already exists", {}, msg);
  if (code.starts_with("23")) return Error(ErrorCode::kConflict, "constraint violated", {}, msg);
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD || code.starts_with("08") || code.starts_with("57P") ||
      code == "40001" || code == "40P01" || code == "55P03") {
    return Error::unavailable("database", msg);
  }
  return Error::internal_error(msg);
}

struct ResultHolder {
  PGresult* res;
  explicit ResultHolder(PGresult* r) : res(r) {}
  ~ResultHolder() { PQclear(res); }
  ResultHolder(const ResultHolder&) = delete;
  ResultHolder& operator=(const ResultHolder&) = delete;
};

PGconn* connect_once(const std::string& conninfo, std::string& error) {
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "eyewear", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    error = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!error.empty() && error.back() == '\n') error.pop_back();
    PQfinish(conn);
    return nullptr;
  }
  return conn;
}

class PgConnection final : public Connection {
 public:
  PgConnection(PGconn* conn, StatementTimer& timer) : conn_(conn), timer_(timer) {}
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<Rows> query(std::string_view sql, Params params) override {
    EW_ASSIGN_OR_RETURN(auto holder, run(sql, params));
    PGresult* res = holder->res;
    const int nrows = PQntuples(res);
    const int ncols = PQnfields(res);
    Rows rows(static_cast<std::size_t>(ncols));
    for (int r = 0; r < nrows; ++r) {
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) {
          rows.append_null();
        } else if (PQftype(res, c) == kByteaOid) {
          std::size_t len = 0;
          unsigned char* raw =
              PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res, r, c)), &len);
          rows.append(std::string_view(reinterpret_cast<const char*>(raw), len));
          PQfreemem(raw);
        } else {
          rows.append(std::string_view(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c))));
        }
      }
    }
    return rows;
  }

  Result<std::int64_t> execute(std::string_view sql, Params params) override {
    EW_ASSIGN_OR_RETURN(auto holder, run(sql, params));
    const char* tuples = PQcmdTuples(holder->res);
    return tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
  }

  Status execute_script(std::string_view sql) override {
    const std::string text(sql);
    ResultHolder res(PQexec(conn_, text.c_str()));
    const auto st = PQresultStatus(res.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(pg_error(conn_, res.res, "script"));
    return {};
  }

  Status simple(const char* sql) {
    ResultHolder res(PQexec(conn_, sql));
    const auto st = PQresultStatus(res.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(pg_error(conn_, res.res, sql));
    return {};
  }

  // Re-establishes a broken connection; prepared statements are gone with the old session.
  bool ensure_alive() {
    if (PQstatus(conn_) == CONNECTION_OK) return true;
    PQreset(conn_);
    statements_.clear();
    return PQstatus(conn_) == CONNECTION_OK;
  }

 private:
  struct Entry {
    std::string name;
    int params;
    platform::PerfMonitor::Operation* op;
  };
  Result<std::unique_ptr<ResultHolder>> run(std::string_view sql, Params params) {
    if (!ensure_alive()) return fail(Error::unavailable("database", PQerrorMessage(conn_)));
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      std::string name = "ew" + std::to_string(next_id_++);
      const std::string text(sql);
      ResultHolder prep(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
      if (PQresultStatus(prep.res) != PGRES_COMMAND_OK) return fail(pg_error(conn_, prep.res, "prepare"));
      ResultHolder described(PQdescribePrepared(conn_, name.c_str()));
      if (PQresultStatus(described.res) != PGRES_COMMAND_OK) return fail(pg_error(conn_, described.res, "describe"));
      it = statements_.emplace(text, Entry{std::move(name), PQnparams(described.res), timer_.operation_for(sql)}).first;
    }
    if (it->second.params != static_cast<int>(params.size())) {
      return fail(Error::internal_error("bind: statement expects " + std::to_string(it->second.params) +
                                        " parameters, got " + std::to_string(params.size())));
    }
    std::vector<std::string> owned(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull: values[i] = nullptr; break;
        case Param::Kind::kInt:
          owned[i] = std::to_string(p.as_int());
          values[i] = owned[i].c_str();
          break;
        case Param::Kind::kDouble: {
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, p.as_double());
          owned[i].assign(buf, r.ptr);
          values[i] = owned[i].c_str();
          break;
        }
        case Param::Kind::kText:
          owned[i].assign(p.as_text());
          values[i] = owned[i].c_str();
          break;
        case Param::Kind::kBlob:
          values[i] = p.as_text().data();
          lengths[i] = static_cast<int>(p.as_text().size());
          formats[i] = 1;
          break;
        case Param::Kind::kRows:
          return fail(Error::internal_error("bind: a table of rows as one parameter is SQLite's eyewear_rows only"));
      }
    }
    const auto start = std::chrono::steady_clock::now();
    auto holder = std::make_unique<ResultHolder>(PQexecPrepared(conn_, it->second.name.c_str(), static_cast<int>(params.size()),
                                                   values.data(), lengths.data(), formats.data(), 0));
    timer_.record(it->second.op, start);
    const auto st = PQresultStatus(holder->res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      auto err = pg_error(conn_, holder->res, "statement");
      // A statement that vanished with a server restart (or a failed prepare) is re-prepared next time.
      if (err.code == ErrorCode::kUnavailable) statements_.clear();
      return fail(std::move(err));
    }
    return holder;
  }

  PGconn* conn_;
  StatementTimer& timer_;
  platform::StringMap<Entry> statements_;
  std::uint64_t next_id_ = 0;
};

class PgTransaction final : public TransactionImpl {
 public:
  explicit PgTransaction(ConnectionPool<PgConnection>::Lease lease) : lease_(std::move(lease)) {}
  Connection& connection() override { return *lease_; }
  Status commit() override {
    auto st = lease_->simple("COMMIT");
    if (!st) (void)lease_->simple("ROLLBACK");
    lease_ = {};
    return st;
  }
  void rollback() noexcept override {
    (void)lease_->simple("ROLLBACK");
    lease_ = {};
  }

 private:
  ConnectionPool<PgConnection>::Lease lease_;
};

// Splits the password out of a postgresql:// URL so child processes get it by environment.
std::pair<std::string, std::string> split_password(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {url, {}};
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return {url, {}};
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return {url, {}};
  return {url.substr(0, colon) + url.substr(at), url.substr(colon + 1, at - colon - 1)};
}

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string conninfo, const DatabaseOptions& options)
      : conninfo_(std::move(conninfo)), options_(options), timer_(options.monitor, "postgres") {}

  Status open() {
    const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
    auto backoff = std::chrono::milliseconds(100);
    std::string error;
    PGconn* first = nullptr;
    for (int attempt = 1;; ++attempt) {
      first = connect_once(conninfo_, error);
      if (first != nullptr) break;
      if (std::chrono::steady_clock::now() + backoff > deadline) {
        return fail(Error::unavailable("database", "could not connect to PostgreSQL after " +
                                                       std::to_string(attempt) + " attempts: " + error));
      }
      if (options_.logger != nullptr) {
        options_.logger->warn("database connection failed; retrying",
                              {{"attempt", attempt}, {"retry_in_ms", static_cast<std::int64_t>(backoff.count())}});
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    pool_.add(std::make_unique<PgConnection>(first, timer_));
    for (std::size_t i = 1; i < std::max<std::size_t>(1, options_.pool_size); ++i) {
      PGconn* c = connect_once(conninfo_, error);
      if (c == nullptr) return fail(Error::unavailable("database", error));
      pool_.add(std::make_unique<PgConnection>(c, timer_));
    }
    return {};
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<Transaction> begin(TxMode mode) override {
    auto lease = pool_.acquire(options_.busy_timeout);
    if (!lease) return fail(Error::unavailable("database", "no free connection (pool exhausted or closed)"));
    if (!lease->ensure_alive()) return fail(Error::unavailable("database", "connection lost"));
    EW_TRY(lease->simple(mode == TxMode::kWrite ? "BEGIN" : "BEGIN READ ONLY"));
    return Transaction(std::make_unique<PgTransaction>(std::move(lease)));
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
    auto [url, password] = split_password(conninfo_);
    std::vector<std::string> env_strings;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      if (std::string_view(*e).starts_with("PGPASSWORD=")) continue;
      env_strings.emplace_back(*e);
    }
    if (!password.empty()) env_strings.push_back("PGPASSWORD=" + password);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = {"pg_dump", "--format=custom", "--no-owner", "--file=" + path, "--dbname=" + url};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, "pg_dump", nullptr, nullptr, argv.data(), envp.data()) != 0) {
      return fail(Error::internal_error("could not start pg_dump (is postgresql-client installed?)"));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return fail(Error::internal_error("pg_dump failed with status " + std::to_string(WEXITSTATUS(status))));
    }
    return {};
  }

  PoolStats pool_stats() const override { return {pool_.size(), pool_.in_use()}; }
  void close() override { pool_.close(); }

 private:
  std::string conninfo_;
  DatabaseOptions options_;
  StatementTimer timer_;
  ConnectionPool<PgConnection> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const std::string& conninfo, const DatabaseOptions& options) {
  auto db = std::make_unique<PgDatabase>(conninfo, options);
  EW_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace eyewear::storage
