// Structured logging: one JSON object per line ({"ts","level","msg",...fields}). Formatting is done
// here, writing goes to a LogSink (a batching stdout writer in production, a capturing sink in
// tests). Never pass secrets, tokens, passwords or request bodies as fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace eyewear::platform {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

[[nodiscard]] LogLevel parse_log_level(std::string_view name);
[[nodiscard]] std::string_view log_level_name(LogLevel level);

using LogValue = std::variant<std::string_view, std::int64_t, double, bool>;
struct LogField {
  std::string_view key;
  LogValue value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};
using LogFields = std::initializer_list<LogField>;

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void write(LogLevel level, std::string_view line) = 0;
  virtual void flush() {}
};

class Logger {
 public:
  Logger(std::shared_ptr<LogSink> sink, LogLevel level, bool json = true);

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= level_; }
  void log(LogLevel level, std::string_view msg, LogFields fields = {});
  void trace(std::string_view msg, LogFields fields = {}) { log(LogLevel::kTrace, msg, fields); }
  void debug(std::string_view msg, LogFields fields = {}) { log(LogLevel::kDebug, msg, fields); }
  void info(std::string_view msg, LogFields fields = {}) { log(LogLevel::kInfo, msg, fields); }
  void warn(std::string_view msg, LogFields fields = {}) { log(LogLevel::kWarn, msg, fields); }
  void error(std::string_view msg, LogFields fields = {}) { log(LogLevel::kError, msg, fields); }
  void flush() { sink_->flush(); }

 private:
  std::shared_ptr<LogSink> sink_;
  LogLevel level_;
  bool json_;
};

// Batching stdout sink: logging never blocks a request on a terminal, pipe or file.
[[nodiscard]] std::shared_ptr<LogSink> make_stdout_sink();
// Keeps every line in memory; for tests.
class CaptureSink final : public LogSink {
 public:
  void write(LogLevel level, std::string_view line) override;
  [[nodiscard]] std::vector<std::string> lines() const;
  [[nodiscard]] bool contains(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// How append_json_string escapes beyond what RFC 8259 requires (quote, backslash, U+0000-U+001F).
enum class JsonEscape {
  kLog,   // also DEL (0x7F); other control characters as \u00XX, except \n \r \t
  kDump,  // exactly as nlohmann's dump(): \b \f \n \r \t short, DEL as it is
};

// Appends `s` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s, JsonEscape style = JsonEscape::kLog);

}  // namespace eyewear::platform
