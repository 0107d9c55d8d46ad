#include "platform/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace eyewear::platform {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::not_found("file " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_file_atomic(const std::string& path, const std::string& content, unsigned mode) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return fail(Error::internal_error("cannot create " + tmp + ": " + std::strerror(errno)));
  ::fchmod(fd, static_cast<mode_t>(mode));
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Error::internal_error("cannot write " + tmp));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(Error::internal_error("cannot rename " + tmp + " to " + path));
  }
  return {};
}

Result<std::string> load_or_create_secret(const std::string& path, const std::function<std::string()>& generate) {
  if (auto existing = read_file(path)) return existing;
  const auto value = generate();
  // Link instead of rename so that a concurrent creator's file wins if it got there first.
  const std::string tmp = path + ".new." + std::to_string(::getpid());
  EW_TRY(write_file_atomic(tmp, value, 0600));
  std::error_code ec;
  const bool created = ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  std::filesystem::remove(tmp, ec);
  if (!created && link_errno != EEXIST) return fail(Error::internal_error("cannot create secret file " + path));
  return read_file(path);
}

}  // namespace eyewear::platform
