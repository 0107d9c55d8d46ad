#include "http/query_params.hpp"

#include <charconv>
#include <string>

#include "platform/clock.hpp"

namespace eyewear::http {

using platform::fail;

platform::Result<std::int64_t> int_param(const Exchange& ex, std::string_view name, std::int64_t fallback,
                                         std::int64_t min, std::int64_t max) {
  const auto raw = ex.request.query_param(name);
  if (!raw) return fallback;
  std::int64_t v = 0;
  const auto res = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (raw->empty() || res.ec != std::errc() || res.ptr != raw->data() + raw->size() || v < min || v > max) {
    return fail(Error(ErrorCode::kValidationFailed,
                      std::string(name) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max),
                      {{"field", std::string(name)}, {"rule", "range"}, {"min", min}, {"max", max}}));
  }
  return v;
}

platform::Result<std::int64_t> time_param(const Exchange& ex, std::string_view name) {
  const auto raw = ex.request.query_param(name);
  if (!raw) return std::int64_t{0};
  platform::SystemTime t;
  if (!platform::parse_rfc3339(*raw, t)) {
    return fail(Error::validation(std::string(name), "format", std::string(name) + " must be an RFC 3339 time"));
  }
  return platform::to_unix_ms(t);
}

}  // namespace eyewear::http
