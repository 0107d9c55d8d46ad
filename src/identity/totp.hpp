// One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) computed by liboath, verification
// with a ±1 step window that reports the matched time step (so a code can be refused on reuse),
// the otpauth:// provisioning URI and its QR code as SVG (libqrencode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/clock.hpp"

namespace eyewear::identity {

struct TotpParams {
  int digits = 6;
  int period_seconds = 30;
  int window = 1;  // steps accepted either side of now
};

// HOTP value of `secret` (raw bytes) for `counter`, zero-padded to `digits`.
[[nodiscard]] std::string hotp(std::string_view secret, std::uint64_t counter, int digits = 6);
// TOTP value at `unix_seconds` (SHA-1).
[[nodiscard]] std::string totp(std::string_view secret, std::int64_t unix_seconds, const TotpParams& params = {});
// The time step of `unix_seconds`.
[[nodiscard]] std::int64_t totp_step(std::int64_t unix_seconds, const TotpParams& params = {});

// The matched step when `code` is valid at `now` within the window, compared in constant time.
[[nodiscard]] std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code,
                                                      platform::SystemTime now, const TotpParams& params = {});

// otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30
[[nodiscard]] std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                                      const TotpParams& params = {});

// A QR code of `text` as a standalone SVG document; empty on failure.
[[nodiscard]] std::string qr_svg(std::string_view text);

// Percent-encodes for URIs (unreserved characters kept).
[[nodiscard]] std::string uri_encode(std::string_view text);

}  // namespace eyewear::identity
