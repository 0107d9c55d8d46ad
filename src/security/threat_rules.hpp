// The individual checks behind ThreatDetector, one function per threat type, each a pure
// function of one value. They are public so that tests, the evaluation tool and the fuzzers can
// exercise them one at a time; application code goes through ThreatDetector.
//
// SQL injection is libinjection's verdict with two measured exceptions for ordinary text that
// only looks like SQL to a tokenizer (see docs/SECURITY.md, "False positives we accept away"):
//  - a match that rests on a trailing `--` or `#` "comment" holding prose ("52-18-140 -- matte
//    black", "'Luna' 60□22-145 #7"): the text before the comment is not SQL injection on its own,
//    does not end in a quote or parenthesis (as `admin'--` does), and the comment is not SQL;
//  - a match whose first six words are plain words led by a word, without any quote,
//    parenthesis, operator, comma or comment ("Select from 12 colours where available"): such a
//    value cannot leave a quoted or numeric SQL context.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "security/threat_libinjection.hpp"
#include "security/threat_types.hpp"

namespace eyewear::security::rules {

struct SqliAnalysis {
  bool libinjection = false;   // libinjection's verdict alone
  bool prose_comment = false;  // the match rests on a trailing comment holding prose
  bool keyword_prose = false;  // the match is plain words led by a word
  libinjection::Fingerprint fingerprint{};
  [[nodiscard]] bool injection() const noexcept { return libinjection && !prose_comment && !keyword_prose; }
};
[[nodiscard]] SqliAnalysis analyse_sqli(std::string_view value) noexcept;

[[nodiscard]] std::optional<Detection> sql_injection(std::string_view value);
// libinjection's XSS tokenizer can only match a value holding `<` or `=`: a tag needs the one, an
// event-handler or URL attribute value the other. Values without either skip the tokenizer (the
// detector fuzzer checks this claim against libinjection itself).
[[nodiscard]] bool may_be_xss(std::string_view value) noexcept;
[[nodiscard]] std::optional<Detection> xss(std::string_view value);
// MongoDB operators written as operators (`$where: ...`, `{"$gt": ""}`, `[$ne]=1`) inside a
// string; objects with `$` keys are found by the JSON scan.
[[nodiscard]] std::optional<Detection> nosql_operator(std::string_view value);
[[nodiscard]] bool is_mongo_operator(std::string_view name_without_dollar) noexcept;
// Template and expression-language injection: `{{ }}`, `${ }`, `#{ }`, `<% %>`.
[[nodiscard]] std::optional<Detection> script_injection(std::string_view value);
// Log4Shell-style lookups (`${jndi:...}`, `${env:...}`), refused even in template fields.
[[nodiscard]] std::optional<Detection> lookup_expression(std::string_view value);
[[nodiscard]] std::optional<Detection> null_byte(std::string_view value);
// C0 controls other than tab, LF and CR; DEL; C1 controls; bidirectional overrides (LOW).
[[nodiscard]] std::optional<Detection> control_chars(std::string_view value);
// Not well-formed UTF-8 (RFC 3629); overlong encodings, the classic filter bypass, are HIGH.
[[nodiscard]] std::optional<Detection> invalid_utf8(std::string_view value);
[[nodiscard]] std::optional<Detection> oversized_field(std::size_t size, std::size_t limit);
// For file names: dot-dot segments, encoded separators, absolute paths (HIGH); directories (MEDIUM).
[[nodiscard]] std::optional<Detection> path_traversal(std::string_view file_name);
// For uploaded cells a spreadsheet would evaluate: DDE and external calls are HIGH, other
// function calls MEDIUM, other formulas LOW; numbers such as -2.00 are not formulas.
[[nodiscard]] std::optional<Detection> csv_formula(std::string_view cell);

}  // namespace eyewear::security::rules
