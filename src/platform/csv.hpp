// RFC 4180 CSV reading and writing, shared by bulk uploads, exports and the threat scan of
// uploaded cells. The reader is a streaming state machine over a buffer the caller owns: no
// allocation per byte, errors located by record line and byte offset, never an exception.
//
// Accepted: comma separator, fields quoted with `"` (a doubled `""` inside is a quote), quoted
// fields spanning lines, CRLF or LF record ends, a leading UTF-8 byte-order mark, a missing final
// line end. Blank lines are skipped. Refused: a quote inside an unquoted field, text after a
// closing quote, an unterminated quote at the end, fields or records over the configured limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace eyewear::platform::csv {

struct Limits {
  std::size_t max_field_bytes = 64 * 1024;
  std::size_t max_fields = 256;
};

class Reader {
 public:
  explicit Reader(std::string_view text, Limits limits = {});

  // Reads the next record into `fields` (cleared first). Returns false at the end of input.
  // A malformed record fails with VALIDATION_FAILED, details {field: "body", rule: "csv",
  // line, offset}; the reader is then exhausted.
  [[nodiscard]] Result<bool> next(std::vector<std::string>& fields);

  // 1-based line on which the last record returned began (quoted newlines count as lines).
  [[nodiscard]] std::size_t record_line() const noexcept { return record_line_; }
  // Byte offset just past the last record returned.
  [[nodiscard]] std::size_t offset() const noexcept { return pos_; }

 private:
  [[nodiscard]] Error malformed(std::string message) const;

  std::string_view text_;
  Limits limits_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  bool failed_ = false;
};

// Appends `field` to `out` as one CSV field, quoted when it holds a comma, quote, CR or LF, or
// leading/trailing spaces.
void append_field(std::string& out, std::string_view field);

// Appends a record of fields and a CRLF line end; what the Reader reads back is exactly `fields`
// (a lone empty field is written as "", a leading byte-order mark is quoted).
void append_record(std::string& out, const std::vector<std::string>& fields);

// A cell that a spreadsheet would evaluate as a formula: it starts with `=`, `+`, `-`, `@`, a tab
// or a carriage return.
[[nodiscard]] bool looks_like_formula(std::string_view cell) noexcept;

// Neutralises a formula-looking cell for export by prefixing a single quote (OWASP's advice).
// A cell that already starts with a single quote gets one more, so that restore_formula() can
// undo the encoding exactly and an export read back by the bulk upload reproduces the data.
// Other cells are returned unchanged.
[[nodiscard]] std::string neutralise_formula(std::string_view cell);
// The inverse of neutralise_formula: drops the one quote it added.
[[nodiscard]] std::string restore_formula(std::string_view cell);

}  // namespace eyewear::platform::csv
