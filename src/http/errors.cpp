#include "http/errors.hpp"

#include <variant>

namespace eyewear::http {

int status_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kValidationFailed: return 422;
    case ErrorCode::kInvalidJson: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kThreatDetected: return 400;
    case ErrorCode::kIdempotencyKeyReused: return 422;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kInvalidCredentials: return 401;
    case ErrorCode::kTokenInvalid: return 401;
    case ErrorCode::kTokenExpired: return 401;
    case ErrorCode::kMfaInvalid: return 401;
    case ErrorCode::kEmailNotVerified: return 403;
    case ErrorCode::kAccountDisabled: return 403;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kCorsOriginDenied: return 403;
    case ErrorCode::kTooManyAttempts: return 429;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kQuotaExceeded: return 429;
    case ErrorCode::kOverloaded: return 503;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kDecryptionFailed: return 500;
  }
  return 500;
}

nlohmann::json details_json(const platform::Details& details) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : details) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, platform::RawJson>) {
            out[key] = nlohmann::json::parse(v.text, nullptr, false);
          } else {
            out[key] = v;
          }
        },
        value);
  }
  return out;
}

Response error_response(const Error& error, std::string_view request_id) {
  const int status = status_for(error.code);
  nlohmann::json body = {{"error",
                          {{"code", platform::code_name(error.code)},
                           {"message", error.message.empty() ? std::string(reason_phrase(status)) : error.message},
                           {"details", details_json(error.details)},
                           {"request_id", request_id}}}};
  Response r = Response::json(status, body);
  if (const auto* retry = error.detail("retry_after_seconds")) {
    if (const auto* secs = std::get_if<std::int64_t>(retry)) {
      r.headers.add("Retry-After", std::to_string(std::max<std::int64_t>(1, *secs)));
    }
  }
  if (status == 401) {
    const bool token_problem = error.code == ErrorCode::kTokenInvalid || error.code == ErrorCode::kTokenExpired;
    r.headers.add("WWW-Authenticate",
                  token_problem ? R"(Bearer realm="eyewear", error="invalid_token")" : R"(Bearer realm="eyewear")");
  }
  return r;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 207: return "Multi-Status";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace eyewear::http
