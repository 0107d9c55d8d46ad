// The libinjection calls the detector is built on: a SQL tokenizer that matches the token
// "fingerprint" of a value against known injection shapes, and an HTML5 tokenizer that looks for
// script-capable tags and attributes. libinjection (BSD-3-Clause) is compiled into Debian's
// libmodsecurity3, which exports its C API but installs no header for it, so the few prototypes
// used here are declared in the .cpp from libinjection's documented public API (version 3.x).
// Both functions are re-entrant: their state lives on the caller's stack. The SQL check answers
// libinjection's keyword lookups, and the keyword-table half of its fingerprint check, from a
// per-thread cache of the library's own answers (threat_libinjection.cpp); `is_sqli_uncached`
// is the library unaided, for differential tests.
#pragma once

#include <array>
#include <string_view>

namespace eyewear::security::libinjection {

// libinjection writes at most 5 token codes and a terminating NUL into an 8-byte buffer.
using Fingerprint = std::array<char, 8>;

// True when `value` tokenizes like SQL injection in one of the contexts libinjection tries (as
// is, after a single quote, after a double quote); `fingerprint` receives the matched shape.
[[nodiscard]] bool is_sqli(std::string_view value, Fingerprint& fingerprint) noexcept;
// The same answer as `is_sqli`, every keyword looked up by libinjection's own binary search.
[[nodiscard]] bool is_sqli_uncached(std::string_view value, Fingerprint& fingerprint) noexcept;
// True when `value` would run script in one of the HTML contexts libinjection tries (text,
// unquoted, single-, double- and back-quoted attribute values).
[[nodiscard]] bool is_xss(std::string_view value) noexcept;
// The library's version string, e.g. "3.9.2".
[[nodiscard]] std::string_view version() noexcept;

}  // namespace eyewear::security::libinjection
