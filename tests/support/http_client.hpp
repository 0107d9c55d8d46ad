// A small libcurl HTTP client for tests: keeps its connection alive between calls, never follows
// redirects, and exposes status, headers (lower-case names) and body.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace eyewear::testing {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;  // transport error, if any

  [[nodiscard]] nlohmann::json json() const;
  [[nodiscard]] std::string header(const std::string& name) const;
  [[nodiscard]] std::string error_code() const;  // error.code of an error body, or ""
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(const std::string& method, const std::string& path, const std::string& body = {},
                       const HeaderList& headers = {});
  HttpResponse get(const std::string& path, const HeaderList& headers = {}) { return request("GET", path, {}, headers); }
  HttpResponse del(const std::string& path, const HeaderList& headers = {}) {
    return request("DELETE", path, {}, headers);
  }
  // JSON body with Content-Type: application/json.
  HttpResponse post(const std::string& path, const nlohmann::json& body, HeaderList headers = {});
  HttpResponse put(const std::string& path, const nlohmann::json& body, HeaderList headers = {});
  HttpResponse patch(const std::string& path, const nlohmann::json& body, HeaderList headers = {});

  void set_timeout_ms(long ms) { timeout_ms_ = ms; }
  const std::string& base_url() const { return base_; }

 private:
  std::string base_;
  void* curl_;
  long timeout_ms_ = 30'000;
};

// Bearer authorization header.
[[nodiscard]] inline std::pair<std::string, std::string> bearer(const std::string& token) {
  return {"Authorization", "Bearer " + token};
}

}  // namespace eyewear::testing
