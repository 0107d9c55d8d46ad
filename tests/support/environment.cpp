#include "support/environment.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace eyewear::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "eyewear-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

RawSocket::RawSocket(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawSocket::send(const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawSocket::read(std::chrono::milliseconds timeout, const std::string& until) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) break;
  }
  return out;
}

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return true;  // reset counts as closed
  }
  return false;
}

namespace {
std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos && extra.contains(entry.substr(0, eq))) continue;
    out.push_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, int out_fd,
            int in_fd) {
  auto env_strings = merged_env(env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  }
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("spawn failed: " + argv[0]);
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env, const std::string& log_path)
    : log_path_(log_path) {
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_ = spawn(argv, env, fd, -1);
  ::close(fd);
}

Process::~Process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
}

void Process::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = decode_status(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Process::output() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::pair<int, std::string> run_command(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env, const std::string& stdin_data) {
  char out_tmpl[] = "/tmp/eyewear-cmd-XXXXXX";
  const int out_fd = mkstemp(out_tmpl);
  int in_fd = -1;
  char in_tmpl[] = "/tmp/eyewear-in-XXXXXX";
  if (!stdin_data.empty()) {
    in_fd = mkstemp(in_tmpl);
    (void)!::write(in_fd, stdin_data.data(), stdin_data.size());
    ::lseek(in_fd, 0, SEEK_SET);
  }
  const pid_t pid = spawn(argv, env, out_fd, in_fd);
  int st = 0;
  ::waitpid(pid, &st, 0);
  ::close(out_fd);
  if (in_fd >= 0) {
    ::close(in_fd);
    ::unlink(in_tmpl);
  }
  std::ifstream in(out_tmpl);
  std::stringstream ss;
  ss << in.rdbuf();
  ::unlink(out_tmpl);
  return {decode_status(st), ss.str()};
}

std::string eyewear_binary() { return EYEWEAR_TEST_BINARY; }

std::optional<std::string> postgres_admin_url() {
  const char* url = std::getenv("EYEWEAR_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool postgres_required() {
  const char* v = std::getenv("EYEWEAR_TEST_REQUIRE_PG");
  return v != nullptr && std::string(v) == "1";
}

std::optional<std::string> redis_test_url() {
  const char* url = std::getenv("EYEWEAR_TEST_REDIS_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool redis_required() {
  const char* v = std::getenv("EYEWEAR_TEST_REQUIRE_REDIS");
  return v != nullptr && std::string(v) == "1";
}

namespace {
bool pg_exec(const std::string& url, const std::string& sql, std::string& error) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
    PQfinish(conn);
    return false;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) error = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  return ok;
}

std::string random_suffix() {
  std::random_device rd;
  std::ostringstream ss;
  ss << std::hex << rd() << rd();
  return ss.str();
}

}  // namespace

std::string unique_redis_prefix() { return "test:" + random_suffix() + ":"; }

namespace {

std::string with_database(const std::string& url, const std::string& db) {
  auto q = url.find('?');
  std::string base = url.substr(0, q);
  const std::string query = q == std::string::npos ? "" : url.substr(q);
  const auto slash = base.rfind('/');
  const auto scheme = base.find("://");
  if (slash != std::string::npos && slash > scheme + 2) base = base.substr(0, slash);
  return base + "/" + db + query;
}
}  // namespace

PgTestDatabase::PgTestDatabase() {
  auto admin = postgres_admin_url();
  if (!admin) return;
  admin_url_ = *admin;
  name_ = "ew_test_" + random_suffix();
  std::string error;
  if (!pg_exec(admin_url_, "CREATE DATABASE " + name_, error)) {
    throw std::runtime_error("CREATE DATABASE failed: " + error);
  }
  url_ = with_database(admin_url_, name_);
}

PgTestDatabase::~PgTestDatabase() {
  if (url_.empty()) return;
  std::string error;
  (void)pg_exec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", error);
}

PgCluster::PgCluster() {
  TempDir tmp;  // only to get a unique name
  dir_ = tmp.path() + "-pg";
  port_ = free_port();
  auto [code, out] = run_command({std::string(EYEWEAR_SOURCE_DIR) + "/scripts/pgtemp", "init", dir_});
  last_output_ = out;
  ok_ = code == 0 && start();
}

PgCluster::~PgCluster() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PgCluster::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

bool PgCluster::start() {
  auto [code, out] =
      run_command({std::string(EYEWEAR_SOURCE_DIR) + "/scripts/pgtemp", "start", dir_, std::to_string(port_)});
  last_output_ = out;
  return code == 0;
}

bool PgCluster::stop() {
  auto [code, out] = run_command({std::string(EYEWEAR_SOURCE_DIR) + "/scripts/pgtemp", "stop", dir_});
  last_output_ = out;
  return code == 0;
}

bool eventually(const std::function<bool()>& fn, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fn();
}

}  // namespace eyewear::testing
