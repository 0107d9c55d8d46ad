#include "support/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <stdexcept>

namespace eyewear::testing {

namespace {
struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
void ensure_init() { static GlobalInit init; }

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*headers)[name] = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (e.g. after 100-continue)
  }
  return size * n;
}
}  // namespace

nlohmann::json HttpResponse::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpResponse::error_code() const {
  auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code")) {
    return j["error"]["code"].get<std::string>();
  }
  return {};
}

HttpClient::HttpClient(std::string base_url) : base_(std::move(base_url)) {
  ensure_init();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::request(const std::string& method, const std::string& path, const std::string& body,
                                 const HeaderList& headers) {
  auto* curl = static_cast<CURL*>(curl_);
  HttpResponse resp;
  curl_easy_reset(curl);
  const std::string url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms_);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Expect:");
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    resp.error = curl_easy_strerror(rc);
    return resp;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

namespace {
HeaderList with_json(HeaderList headers) {
  bool has_ct = false;
  for (const auto& [k, v] : headers) {
    std::string lk = k;
    std::transform(lk.begin(), lk.end(), lk.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    has_ct = has_ct || lk == "content-type";
  }
  if (!has_ct) headers.emplace_back("Content-Type", "application/json");
  return headers;
}
}  // namespace

HttpResponse HttpClient::post(const std::string& path, const nlohmann::json& body, HeaderList headers) {
  return request("POST", path, body.is_null() ? std::string() : body.dump(), with_json(std::move(headers)));
}
HttpResponse HttpClient::put(const std::string& path, const nlohmann::json& body, HeaderList headers) {
  return request("PUT", path, body.dump(), with_json(std::move(headers)));
}
HttpResponse HttpClient::patch(const std::string& path, const nlohmann::json& body, HeaderList headers) {
  return request("PATCH", path, body.dump(), with_json(std::move(headers)));
}

}  // namespace eyewear::testing
