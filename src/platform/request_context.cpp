#include "platform/request_context.hpp"

namespace eyewear::platform {

namespace {
thread_local std::string t_request_id;
}

std::string_view current_request_id() noexcept { return t_request_id; }

RequestScope::RequestScope(std::string_view request_id) : previous_(std::move(t_request_id)) {
  t_request_id.assign(request_id);
}

RequestScope::~RequestScope() { t_request_id = std::move(previous_); }

}  // namespace eyewear::platform
