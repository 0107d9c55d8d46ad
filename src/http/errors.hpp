// The one place where error codes become HTTP statuses, and the one error body format:
// {"error":{"code":"...","message":"...","details":{...},"request_id":"..."}}.
#pragma once

#include <string_view>

#include "http/types.hpp"

namespace eyewear::http {

// Exhaustive: adding an ErrorCode without a status fails to compile (-Werror=switch).
[[nodiscard]] int status_for(ErrorCode code) noexcept;

[[nodiscard]] Response error_response(const Error& error, std::string_view request_id);

[[nodiscard]] std::string_view reason_phrase(int status) noexcept;

// details as a JSON object.
[[nodiscard]] nlohmann::json details_json(const platform::Details& details);

}  // namespace eyewear::http
