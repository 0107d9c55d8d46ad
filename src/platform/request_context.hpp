// The request being served by the current thread, so that deep layers (the slow-operation log,
// storage) can name it without every call passing it down. Set by the HTTP layer around handler
// execution with a RequestScope; empty outside requests.
#pragma once

#include <string>
#include <string_view>

namespace eyewear::platform {

[[nodiscard]] std::string_view current_request_id() noexcept;

class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

}  // namespace eyewear::platform
