#include "storage/database.hpp"

#include <charconv>

namespace eyewear::storage {

std::string_view dialect_name(Dialect d) {
  switch (d) {
    case Dialect::kSqlite: return "sqlite";
    case Dialect::kPostgres: return "postgres";
  }
  return "sqlite";
}

bool Row::is_null(std::size_t col) const { return rows_.cells_[index_ * rows_.columns_ + col].null; }

namespace {

class MaterialisedRow final : public RowView {
 public:
  explicit MaterialisedRow(Row row) : row_(row) {}
  bool is_null(std::size_t col) const override { return row_.is_null(col); }
  std::string_view text(std::size_t col) const override { return row_.text(col); }
  std::int64_t i64(std::size_t col) const override { return row_.i64(col); }
  double f64(std::size_t col) const override { return row_.f64(col); }

 private:
  Row row_;
};

}  // namespace

Status Connection::for_each_row(std::string_view sql, Params params, const std::function<void(const RowView&)>& visit) {
  EW_ASSIGN_OR_RETURN(const auto rows, query(sql, params));
  for (std::size_t i = 0; i < rows.size(); ++i) visit(MaterialisedRow(rows[i]));
  return {};
}

std::string_view Row::text(std::size_t col) const {
  const auto& c = rows_.cells_[index_ * rows_.columns_ + col];
  if (c.null) return {};
  return std::string_view(rows_.data_).substr(c.offset, c.length);
}

std::int64_t Row::i64(std::size_t col) const {
  const auto t = text(col);
  if (t == "t") return 1;
  if (t == "f") return 0;
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double Row::f64(std::size_t col) const {
  const auto t = text(col);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool Row::boolean(std::size_t col) const {
  const auto t = text(col);
  return t == "1" || t == "t" || t == "true";
}

std::optional<std::string> Row::opt_str(std::size_t col) const {
  if (is_null(col)) return std::nullopt;
  return str(col);
}

std::optional<std::int64_t> Row::opt_i64(std::size_t col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

}  // namespace eyewear::storage
