// The one error vocabulary of the platform. Domain code returns these typed errors; the HTTP
// edge maps each code to a status exactly once (http/error_mapping.cpp). The catalogue with
// statuses and meanings is docs/ERRORS.md.
#pragma once

#include <cstdint>
#include <expected>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace eyewear::platform {

enum class ErrorCode {
  // Request shape
  kValidationFailed,
  kInvalidJson,
  kNotFound,
  kMethodNotAllowed,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kConflict,
  kThreatDetected,
  kIdempotencyKeyReused,
  // Identity and access
  kUnauthenticated,
  kInvalidCredentials,
  kTokenInvalid,
  kTokenExpired,
  kMfaInvalid,
  kEmailNotVerified,
  kAccountDisabled,
  kPermissionDenied,
  kCorsOriginDenied,
  // Throttling
  kTooManyAttempts,
  kRateLimited,
  kQuotaExceeded,
  // Server side
  kOverloaded,
  kUnavailable,
  kInternal,
  kDecryptionFailed,
};

// The wire name of a code, e.g. "VALIDATION_FAILED".
[[nodiscard]] std::string_view code_name(ErrorCode code) noexcept;
std::ostream& operator<<(std::ostream& out, ErrorCode code);

// A raw JSON fragment for details that are structured (arrays of objects and so on).
struct RawJson {
  std::string text;
};

using DetailValue =
    std::variant<std::string, std::int64_t, double, bool, std::vector<std::string>, RawJson>;

// Ordered key/value details sent to the client in error.details.
using Details = std::vector<std::pair<std::string, DetailValue>>;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;   // safe to show to the client
  Details details;       // safe to show to the client
  std::string internal;  // log-only detail, never sent to the client

  Error() = default;
  Error(ErrorCode c, std::string msg, Details d = {}, std::string internal_detail = {})
      : code(c), message(std::move(msg)), details(std::move(d)), internal(std::move(internal_detail)) {}

  // Field-level validation failure: names the field and the rule that failed.
  [[nodiscard]] static Error validation(std::string field, std::string rule, std::string message);
  [[nodiscard]] static Error not_found(std::string_view what);
  [[nodiscard]] static Error internal_error(std::string log_detail);
  [[nodiscard]] static Error unavailable(std::string_view what, std::string log_detail);

  // Looks up a detail by key; nullptr when absent.
  [[nodiscard]] const DetailValue* detail(std::string_view key) const;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message, Details d = {}) {
  return std::unexpected<Error>(Error(code, std::move(message), std::move(d)));
}

}  // namespace eyewear::platform

#define EW_CONCAT_INNER_(a, b) a##b
#define EW_CONCAT_(a, b) EW_CONCAT_INNER_(a, b)

// Propagates the error of an expression returning Result<T>/Status. (__COUNTER__ keeps the
// temporaries distinct when uses nest, e.g. inside a lambda passed to another EW_TRY.)
#define EW_TRY(expr) EW_TRY_IMPL_(EW_CONCAT_(ew_try_, __COUNTER__), expr)
#define EW_TRY_IMPL_(tmp, expr)                                              \
  do {                                                                       \
    if (auto tmp = (expr); !tmp) return std::unexpected(std::move(tmp).error()); \
  } while (false)

// Declares `lhs` from the value of a Result<T> expression or returns its error.
#define EW_ASSIGN_OR_RETURN(lhs, expr) EW_ASSIGN_OR_RETURN_IMPL_(EW_CONCAT_(ew_result_, __COUNTER__), lhs, expr)
#define EW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)            \
  auto tmp = (expr);                                         \
  if (!tmp) return std::unexpected(std::move(tmp).error());  \
  lhs = std::move(*tmp)
