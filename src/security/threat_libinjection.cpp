#include "security/threat_libinjection.hpp"

#include <cstddef>

// libinjection's public API (libinjection.h), exported by libmodsecurity.so.
extern "C" {
const char* libinjection_version(void);
int libinjection_sqli(const char* s, std::size_t slen, char fingerprint[]);
int libinjection_xss(const char* s, std::size_t slen);
}

namespace eyewear::security::libinjection {

bool is_sqli(std::string_view value, Fingerprint& fingerprint) noexcept {
  fingerprint.fill('\0');
  if (value.empty()) return false;
  return libinjection_sqli(value.data(), value.size(), fingerprint.data()) != 0;
}

bool is_xss(std::string_view value) noexcept {
  if (value.empty()) return false;
  return libinjection_xss(value.data(), value.size()) != 0;
}

std::string_view version() noexcept { return libinjection_version(); }

}  // namespace eyewear::security::libinjection
