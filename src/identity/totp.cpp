#include "identity/totp.hpp"

#include <liboath/oath.h>
#include <qrencode.h>

#include <cctype>
#include <mutex>

#include "platform/crypto.hpp"

namespace eyewear::identity {

namespace {
void ensure_oath() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}
}  // namespace

std::string hotp(std::string_view secret, std::uint64_t counter, int digits) {
  ensure_oath();
  char out[16] = {};
  if (oath_hotp_generate(secret.data(), secret.size(), counter, static_cast<unsigned>(digits), false,
                         OATH_HOTP_DYNAMIC_TRUNCATION, out) != OATH_OK) {
    return {};
  }
  return out;
}

std::int64_t totp_step(std::int64_t unix_seconds, const TotpParams& params) {
  return unix_seconds / params.period_seconds;
}

std::string totp(std::string_view secret, std::int64_t unix_seconds, const TotpParams& params) {
  ensure_oath();
  char out[16] = {};
  if (oath_totp_generate2(secret.data(), secret.size(), static_cast<time_t>(unix_seconds),
                          static_cast<unsigned>(params.period_seconds), 0, static_cast<unsigned>(params.digits), 0,
                          out) != OATH_OK) {
    return {};
  }
  return out;
}

std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code, platform::SystemTime now,
                                        const TotpParams& params) {
  if (code.size() != static_cast<std::size_t>(params.digits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto seconds = platform::to_unix_seconds(now);
  const auto step = totp_step(seconds, params);
  std::optional<std::int64_t> matched;
  // Check every step of the window (no early exit) so timing does not reveal which matched.
  for (int d = -params.window; d <= params.window; ++d) {
    const auto candidate = totp(secret, (step + d) * params.period_seconds, params);
    if (platform::constant_time_equal(candidate, code) && !matched) matched = step + d;
  }
  return matched;
}

std::string uri_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const TotpParams& params) {
  return "otpauth://totp/" + uri_encode(issuer) + ":" + uri_encode(account) +
         "?secret=" + platform::base32_encode(secret) + "&issuer=" + uri_encode(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(params.digits) + "&period=" + std::to_string(params.period_seconds);
}

std::string qr_svg(std::string_view text) {
  const std::string copy(text);
  QRcode* qr = QRcode_encodeString(copy.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == nullptr) return {};
  const int n = qr->width;
  constexpr int kQuiet = 4;  // quiet zone in modules, as the QR specification asks
  const int size = n + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (qr->data[y * n + x] & 1) {
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  QRcode_free(qr);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>" +
         "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace eyewear::identity
