#include "storage/sqlite_rows.hpp"

#include <sqlite3.h>

#include <string>

#include "storage/database.hpp"

namespace eyewear::storage {

namespace {

constexpr int kSourceColumn = static_cast<int>(ParamRows::kMaxColumns);  // the hidden argument

struct Cursor {
  sqlite3_vtab_cursor base{};
  const ParamRows* rows = nullptr;
  std::size_t at = 0;
};

int connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  std::string schema = "CREATE TABLE x(";
  for (std::size_t i = 0; i < ParamRows::kMaxColumns; ++i) schema += "c" + std::to_string(i) + ", ";
  schema += "source HIDDEN)";
  const int rc = sqlite3_declare_vtab(db, schema.c_str());
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *out = new sqlite3_vtab{};
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* vtab) {
  delete vtab;
  return SQLITE_OK;
}

// The only plan: the source given as the function's argument (an equality on the hidden column).
int best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.iColumn == kSourceColumn && c.op == SQLITE_INDEX_CONSTRAINT_EQ) {
      if (c.usable == 0) return SQLITE_CONSTRAINT;
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 1;
      info->estimatedRows = 1000;
      return SQLITE_OK;
    }
  }
  return SQLITE_CONSTRAINT;  // eyewear_rows without its argument has no rows to read
}

int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new Cursor)->base;
  return SQLITE_OK;
}

int close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<Cursor*>(cur);
  return SQLITE_OK;
}

int filter(sqlite3_vtab_cursor* cur, int, const char*, int argc, sqlite3_value** argv) {
  auto* c = reinterpret_cast<Cursor*>(cur);
  c->rows = argc > 0 ? static_cast<const ParamRows*>(sqlite3_value_pointer(argv[0], kRowsPointerType)) : nullptr;
  c->at = 0;
  return SQLITE_OK;
}

int next(sqlite3_vtab_cursor* cur) {
  ++reinterpret_cast<Cursor*>(cur)->at;
  return SQLITE_OK;
}

int eof(sqlite3_vtab_cursor* cur) {
  const auto* c = reinterpret_cast<Cursor*>(cur);
  return c->rows == nullptr || c->at >= c->rows->size() ? 1 : 0;
}

int column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int i) {
  const auto* c = reinterpret_cast<Cursor*>(cur);
  if (i < 0 || static_cast<std::size_t>(i) >= c->rows->columns()) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  const Param& p = c->rows->at(c->at, static_cast<std::size_t>(i));
  switch (p.kind()) {
    case Param::Kind::kInt:
      sqlite3_result_int64(ctx, p.as_int());
      break;
    case Param::Kind::kDouble:
      sqlite3_result_double(ctx, p.as_double());
      break;
    case Param::Kind::kText:
      sqlite3_result_text64(ctx, p.as_text().data(), p.as_text().size(), SQLITE_STATIC, SQLITE_UTF8);
      break;
    case Param::Kind::kBlob:
      sqlite3_result_blob64(ctx, p.as_text().data(), p.as_text().size(), SQLITE_STATIC);
      break;
    case Param::Kind::kNull:
    case Param::Kind::kRows:
      sqlite3_result_null(ctx);
      break;  // no nesting
  }
  return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* cur, sqlite_int64* out) {
  *out = static_cast<sqlite_int64>(reinterpret_cast<Cursor*>(cur)->at);
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous only: a table-valued function, never CREATE VIRTUAL TABLE
  m.xConnect = connect;
  m.xBestIndex = best_index;
  m.xDisconnect = disconnect;
  m.xDestroy = nullptr;
  m.xOpen = open;
  m.xClose = close;
  m.xFilter = filter;
  m.xNext = next;
  m.xEof = eof;
  m.xColumn = column;
  m.xRowid = rowid;
  return m;
}

const sqlite3_module kModule = make_module();

}  // namespace

bool register_rows_function(sqlite3* db) {
  return sqlite3_create_module_v2(db, "eyewear_rows", &kModule, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace eyewear::storage
