#include "platform/error.hpp"

#include <ostream>

namespace eyewear::platform {

std::string_view code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kValidationFailed: return "VALIDATION_FAILED";
    case ErrorCode::kInvalidJson: return "INVALID_JSON";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kMethodNotAllowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::kPayloadTooLarge: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kUnsupportedMediaType: return "UNSUPPORTED_MEDIA_TYPE";
    case ErrorCode::kConflict: return "CONFLICT";
    case ErrorCode::kThreatDetected: return "THREAT_DETECTED";
    case ErrorCode::kIdempotencyKeyReused: return "IDEMPOTENCY_KEY_REUSED";
    case ErrorCode::kUnauthenticated: return "UNAUTHENTICATED";
    case ErrorCode::kInvalidCredentials: return "INVALID_CREDENTIALS";
    case ErrorCode::kTokenInvalid: return "TOKEN_INVALID";
    case ErrorCode::kTokenExpired: return "TOKEN_EXPIRED";
    case ErrorCode::kMfaInvalid: return "MFA_INVALID";
    case ErrorCode::kEmailNotVerified: return "EMAIL_NOT_VERIFIED";
    case ErrorCode::kAccountDisabled: return "ACCOUNT_DISABLED";
    case ErrorCode::kPermissionDenied: return "PERMISSION_DENIED";
    case ErrorCode::kCorsOriginDenied: return "CORS_ORIGIN_DENIED";
    case ErrorCode::kTooManyAttempts: return "TOO_MANY_ATTEMPTS";
    case ErrorCode::kRateLimited: return "RATE_LIMITED";
    case ErrorCode::kQuotaExceeded: return "QUOTA_EXCEEDED";
    case ErrorCode::kOverloaded: return "OVERLOADED";
    case ErrorCode::kUnavailable: return "UNAVAILABLE";
    case ErrorCode::kInternal: return "INTERNAL";
    case ErrorCode::kDecryptionFailed: return "DECRYPTION_FAILED";
  }
  return "INTERNAL";
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << code_name(code); }

Error Error::validation(std::string field, std::string rule, std::string message) {
  return Error(ErrorCode::kValidationFailed, std::move(message),
               Details{{"field", std::move(field)}, {"rule", std::move(rule)}});
}

Error Error::not_found(std::string_view what) {
  return Error(ErrorCode::kNotFound, std::string(what) + " not found");
}

Error Error::internal_error(std::string log_detail) {
  return Error(ErrorCode::kInternal, "internal error", {}, std::move(log_detail));
}

Error Error::unavailable(std::string_view what, std::string log_detail) {
  return Error(ErrorCode::kUnavailable, std::string(what) + " is unavailable", {}, std::move(log_detail));
}

const DetailValue* Error::detail(std::string_view key) const {
  for (const auto& [k, v] : details) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace eyewear::platform
