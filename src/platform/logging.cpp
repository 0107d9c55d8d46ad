#include "platform/logging.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>

#include "platform/clock.hpp"
#include "platform/request_context.hpp"

namespace eyewear::platform {

LogLevel parse_log_level(std::string_view name) {
  if (name == "trace") return LogLevel::kTrace;
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return LogLevel::kInfo;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

namespace {
constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Whether any of the eight bytes in `w` needs escaping: below 0x20, a quote, a backslash, or
// (unless `dump`) DEL. The "has a byte less than n" and "has a zero byte" word tests are exact
// for the word as a whole (bytes of 0x80 and above never count as below 0x20).
bool any_to_escape(std::uint64_t w, bool dump) noexcept {
  const auto has_zero = [](std::uint64_t x) { return ((x - kEveryByte) & ~x & kHighBits) != 0; };
  const bool control = ((w - kEveryByte * 0x20) & ~w & kHighBits) != 0;
  return control || has_zero(w ^ (kEveryByte * '"')) || has_zero(w ^ (kEveryByte * '\\')) ||
         (!dump && has_zero(w ^ (kEveryByte * 0x7f)));
}
}  // namespace

void append_json_string(std::string& out, std::string_view s, JsonEscape style) {
  static constexpr char hex[] = "0123456789abcdef";
  const bool dump = style == JsonEscape::kDump;
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Eight bytes at a time while none of them needs escaping (most text).
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (any_to_escape(w, dump)) break;
      i += 8;
    }
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && (c != 0x7f || dump)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (dump && (c == '\b' || c == '\f')) {
      out += c == '\b' ? "\\b" : "\\f";
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

Logger::Logger(std::shared_ptr<LogSink> sink, LogLevel level, bool json)
    : sink_(std::move(sink)), level_(level), json_(json) {}

namespace {
void append_value(std::string& out, const LogValue& v, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    if (json) {
      append_json_string(out, *s);
    } else {
      out.append(*s);
    }
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    out += std::to_string(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, *d, std::chars_format::fixed, 3);
    out.append(buf, res.ptr);
  } else {
    out += std::get<bool>(v) ? "true" : "false";
  }
}
}  // namespace

void Logger::log(LogLevel level, std::string_view msg, LogFields fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(160);
  const auto ts = format_rfc3339(std::chrono::system_clock::now());
  const auto rid = current_request_id();
  bool has_rid_field = false;
  for (const auto& f : fields) has_rid_field = has_rid_field || f.key == "request_id";
  if (json_) {
    line += "{\"ts\":\"";
    line += ts;
    line += "\",\"level\":\"";
    line += log_level_name(level);
    line += "\",\"msg\":";
    append_json_string(line, msg);
    for (const auto& f : fields) {
      line.push_back(',');
      append_json_string(line, f.key);
      line.push_back(':');
      append_value(line, f.value, true);
    }
    if (!rid.empty() && !has_rid_field) {
      line += ",\"request_id\":";
      append_json_string(line, rid);
    }
    line.push_back('}');
  } else {
    line += ts;
    line += ' ';
    line += log_level_name(level);
    line += ' ';
    line += msg;
    for (const auto& f : fields) {
      line.push_back(' ');
      line += f.key;
      line.push_back('=');
      append_value(line, f.value, false);
    }
    if (!rid.empty() && !has_rid_field) {
      line += " request_id=";
      line += rid;
    }
  }
  sink_->write(level, line);
}

namespace {

// Batches lines in memory and writes them to a file descriptor from one background thread:
// a request thread pays for one short critical section (append to a string), never for a
// system call or a thread wake-up. The writer runs every 100 ms, or at once when 256 KiB are
// pending or a warning arrives. If the output cannot keep up, lines beyond 8 MiB pending are
// dropped and counted rather than blocking requests.
class BatchingFdSink final : public LogSink {
 public:
  explicit BatchingFdSink(int fd) : fd_(fd) {
    pending_.reserve(kWakeBytes * 2);
    writer_ = std::thread([this] { run(); });
  }
  ~BatchingFdSink() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    writer_.join();
  }

  void write(LogLevel level, std::string_view line) override {
    bool wake = level >= LogLevel::kWarn;
    {
      std::lock_guard lock(mu_);
      if (pending_.size() + line.size() > kMaxPending) {
        ++dropped_;
        return;
      }
      pending_.append(line);
      pending_.push_back('\n');
      wake = wake || pending_.size() >= kWakeBytes;
    }
    if (wake) cv_.notify_one();
  }

  void flush() override {
    std::unique_lock lock(mu_);
    flush_requested_ = true;
    cv_.notify_one();
    flushed_cv_.wait(lock, [this] { return !flush_requested_ || stop_; });
  }

 private:
  static constexpr std::size_t kWakeBytes = 256 * 1024;
  static constexpr std::size_t kMaxPending = 8 * 1024 * 1024;

  void run() {
    std::string batch;
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [this] { return stop_ || flush_requested_ || pending_.size() >= kWakeBytes; });
      batch.swap(pending_);
      const bool was_flush = flush_requested_;
      const std::size_t dropped = std::exchange(dropped_, 0);
      const bool stopping = stop_;
      lock.unlock();
      if (dropped > 0) {
        batch += "{\"level\":\"warn\",\"msg\":\"log lines dropped: output too slow\",\"dropped\":" +
                 std::to_string(dropped) + "}\n";
      }
      write_all(batch);
      batch.clear();
      lock.lock();
      if (was_flush) {
        flush_requested_ = false;
        flushed_cv_.notify_all();
      }
      if (stopping && pending_.empty()) return;
    }
  }

  void write_all(const std::string& data) const {
    std::size_t done = 0;
    while (done < data.size()) {
      const auto n = ::write(fd_, data.data() + done, data.size() - done);
      if (n <= 0) return;  // nowhere to log to: drop rather than block the service
      done += static_cast<std::size_t>(n);
    }
  }

  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::string pending_;
  std::size_t dropped_ = 0;
  bool stop_ = false;
  bool flush_requested_ = false;
  std::thread writer_;
};
}  // namespace

std::shared_ptr<LogSink> make_stdout_sink() { return std::make_shared<BatchingFdSink>(STDOUT_FILENO); }

void CaptureSink::write(LogLevel, std::string_view line) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(line);
}

std::vector<std::string> CaptureSink::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

bool CaptureSink::contains(std::string_view needle) const {
  std::lock_guard lock(mu_);
  for (const auto& l : lines_) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace eyewear::platform
