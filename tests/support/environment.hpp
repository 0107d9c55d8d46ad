// Test environment helpers: temporary directories, free ports, raw sockets, child processes,
// and the database backends the contract tests run against.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eyewear::testing {

// A fresh directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port that was free a moment ago on 127.0.0.1.
[[nodiscard]] int free_port();

// A raw TCP connection for protocol-level tests (slow clients, malformed requests).
class RawSocket {
 public:
  explicit RawSocket(int port);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  bool send(const std::string& data);
  // Reads until the peer closes, `until` appears, or the timeout passes.
  std::string read(std::chrono::milliseconds timeout, const std::string& until = {});
  // True when the peer has closed the connection (read returns 0) within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// A child process with its output captured into a file.
class Process {
 public:
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int sig);
  // Exit status (or 128+signal), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] std::string output() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> status_;
};

// Runs a command to completion and returns (exit code, stdout+stderr).
std::pair<int, std::string> run_command(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env = {},
                                        const std::string& stdin_data = {});

// The eyewear binary under test.
[[nodiscard]] std::string eyewear_binary();

// The PostgreSQL server started by scripts/test (EYEWEAR_TEST_PG_URL), if any. Tests that need
// it skip without it, unless EYEWEAR_TEST_REQUIRE_PG=1 turns the absence into a failure.
[[nodiscard]] std::optional<std::string> postgres_admin_url();
[[nodiscard]] bool postgres_required();

// The Redis server started by scripts/test (EYEWEAR_TEST_REDIS_URL), if any; as for PostgreSQL,
// EYEWEAR_TEST_REQUIRE_REDIS=1 turns its absence into a failure.
[[nodiscard]] std::optional<std::string> redis_test_url();
[[nodiscard]] bool redis_required();
// A key prefix no other test run uses ("test:<random>:").
[[nodiscard]] std::string unique_redis_prefix();

// A uniquely named database on that server, dropped on destruction.
class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  [[nodiscard]] bool available() const { return !url_.empty(); }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// A private PostgreSQL cluster (initdb + pg_ctl as the postgres system user) that a test can
// stop and start; for availability tests. Needs the postgresql package.
class PgCluster {
 public:
  PgCluster();
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::string url() const;
  bool start();
  bool stop();
  [[nodiscard]] const std::string& log() const { return last_output_; }

 private:
  std::string dir_;
  int port_ = 0;
  bool ok_ = false;
  std::string last_output_;
};

// Polls `fn` until it returns true or the timeout passes (a wait for an event, not a sleep for work).
bool eventually(const std::function<bool()>& fn, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace eyewear::testing
