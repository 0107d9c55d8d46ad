#include "storage/open.hpp"

#include <cctype>

#include "storage/statement_timer.hpp"

namespace eyewear::storage {

std::string sqlite_path_of(const std::string& url) {
  if (!url.starts_with("sqlite:")) return {};
  std::string rest = url.substr(7);
  if (rest.starts_with("//")) rest = rest.substr(2);
  return rest;
}

Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options) {
  if (options.url.starts_with("sqlite:")) {
    const auto path = sqlite_path_of(options.url);
    if (path.empty()) return platform::fail(platform::Error::validation("EYEWEAR_DATABASE_URL", "path", "sqlite URL has no path"));
    return open_sqlite(path, options);
  }
  if (options.url.starts_with("postgresql://") || options.url.starts_with("postgres://")) {
    return open_postgres(options.url, options);
  }
  return platform::fail(platform::Error::validation("EYEWEAR_DATABASE_URL", "scheme",
                                                    "database URL must start with sqlite: or postgresql://"));
}

std::string statement_label(std::string_view sql) {
  auto next_word = [&](std::size_t& pos) {
    while (pos < sql.size() && !std::isalnum(static_cast<unsigned char>(sql[pos])) && sql[pos] != '_') ++pos;
    const auto start = pos;
    while (pos < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[pos])) || sql[pos] == '_')) ++pos;
    std::string w(sql.substr(start, pos - start));
    for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return w;
  };
  std::size_t pos = 0;
  std::string verb = next_word(pos);
  if (verb == "WITH") return "WITH";
  std::string anchor;
  if (verb == "SELECT" || verb == "DELETE") {
    anchor = "FROM";
  } else if (verb == "INSERT" || verb == "REPLACE") {
    anchor = "INTO";
  } else if (verb == "UPDATE") {
    std::size_t p = pos;
    std::string table = next_word(p);
    for (auto& c : table) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return verb + " " + table;
  } else {
    return verb;
  }
  while (pos < sql.size()) {
    if (next_word(pos) == anchor) {
      std::string table = next_word(pos);
      for (auto& c : table) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return verb + " " + table;
    }
  }
  return verb;
}

platform::PerfMonitor::Operation* StatementTimer::operation_for(std::string_view sql) {
  if (monitor_ == nullptr) return nullptr;
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  auto* op = &monitor_->operation("db.query", backend_ + ": " + statement_label(sql));
  cache_.emplace(std::string(sql), op);
  return op;
}

}  // namespace eyewear::storage
