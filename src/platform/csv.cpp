#include "platform/csv.hpp"

namespace eyewear::platform::csv {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool needs_quotes(std::string_view field) {
  if (field.empty()) return false;
  if (field.front() == ' ' || field.back() == ' ') return true;
  // A reader skips a byte-order mark at the start of the text: inside quotes it survives.
  if (field.starts_with(kBom)) return true;
  return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

Reader::Reader(std::string_view text, Limits limits) : text_(text), limits_(limits) {
  if (text_.starts_with(kBom)) pos_ = kBom.size();
}

Error Reader::malformed(std::string message) const {
  return Error(ErrorCode::kValidationFailed, "malformed CSV: " + message,
               {{"field", std::string("body")},
                {"rule", std::string("csv")},
                {"line", static_cast<std::int64_t>(line_)},
                {"offset", static_cast<std::int64_t>(pos_)}});
}

Result<bool> Reader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (failed_) return false;
  const std::size_t n = text_.size();
  // Blank lines between records are skipped.
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    // CRLF, LF and a lone CR each end one line.
    if (text_[pos_] == '\n' || pos_ + 1 >= n || text_[pos_ + 1] != '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= n) return false;
  record_line_ = line_;

  std::string field;
  auto finish_field = [&]() -> Status {
    if (fields.size() >= limits_.max_fields) {
      return fail(malformed("more than " + std::to_string(limits_.max_fields) + " fields in a record"));
    }
    fields.push_back(std::move(field));
    field.clear();
    return {};
  };
  auto fail_here = [&](std::string message) -> Result<bool> {
    failed_ = true;
    fields.clear();
    return fail(malformed(std::move(message)));
  };

  while (true) {
    // At the start of a field.
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        const std::size_t quote = text_.find('"', pos_);
        if (quote == std::string_view::npos) return fail_here("unterminated quoted field");
        const std::string_view chunk = text_.substr(pos_, quote - pos_);
        for (char c : chunk) {
          if (c == '\n') ++line_;
        }
        if (field.size() + chunk.size() > limits_.max_field_bytes) {
          return fail_here("a field is longer than " + std::to_string(limits_.max_field_bytes) + " bytes");
        }
        field.append(chunk);
        pos_ = quote + 1;
        if (pos_ < n && text_[pos_] == '"') {  // an escaped quote
          field.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        return fail_here("text after a closing quote");
      }
    } else {
      const std::size_t end = text_.find_first_of(",\r\n\"", pos_);
      const std::size_t stop = end == std::string_view::npos ? n : end;
      if (stop - pos_ > limits_.max_field_bytes) {
        return fail_here("a field is longer than " + std::to_string(limits_.max_field_bytes) + " bytes");
      }
      field.assign(text_.substr(pos_, stop - pos_));
      pos_ = stop;
      if (pos_ < n && text_[pos_] == '"') return fail_here("a quote inside an unquoted field");
    }
    if (auto st = finish_field(); !st) {
      failed_ = true;
      fields.clear();
      return fail(st.error());
    }
    if (pos_ >= n) return true;
    const char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      if (pos_ >= n) {  // a trailing comma: one more empty field
        if (auto st = finish_field(); !st) return fail_here("too many fields");
        return true;
      }
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    if (c == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

void append_field(std::string& out, std::string_view field) {
  if (!needs_quotes(field)) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_record(std::string& out, const std::vector<std::string>& fields) {
  // A record of one empty field would be a blank line, which readers skip.
  if (fields.size() == 1 && fields[0].empty()) {
    out.append("\"\"\r\n");
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_field(out, fields[i]);
  }
  out.append("\r\n");
}

bool looks_like_formula(std::string_view cell) noexcept {
  if (cell.empty()) return false;
  switch (cell.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r': return true;
    default: return false;
  }
}

std::string neutralise_formula(std::string_view cell) {
  if (looks_like_formula(cell) || cell.starts_with('\'')) return "'" + std::string(cell);
  return std::string(cell);
}

std::string restore_formula(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '\'' && (looks_like_formula(cell.substr(1)) || cell[1] == '\'')) {
    return std::string(cell.substr(1));
  }
  return std::string(cell);
}

}  // namespace eyewear::platform::csv
