// eyewear_rows: a table-valued function every SQLite connection of the platform registers. It
// reads a ParamRows (storage/database.hpp) bound with Param::rows as a table:
//
//   INSERT INTO t (a, b) SELECT c0, c1 FROM eyewear_rows($1)
//
// one row per row of the ParamRows, in order, columns c0 .. c31 (those past the ParamRows' own
// columns are NULL), text and blobs read in place without a copy. The pointer travels through
// sqlite3_bind_pointer with its own type name, so SQL text alone cannot forge one: the argument
// must be a bound ParamRows, anything else reads as no rows.
//
// Why: a statement has a fixed cost per execution (reset, bind, opening a cursor on every b-tree
// it writes, a statement journal when it writes several, and for FTS5 a flush of its pending
// terms whenever a later statement opens one); a batch written as one INSERT ... SELECT pays it
// once (measured in docs/BENCHMARKS.md, "Upload path, stop 18").
#pragma once

struct sqlite3;

namespace eyewear::storage {

inline constexpr const char* kRowsPointerType = "eyewear_rows";

// Registers eyewear_rows on `db`. False if registration failed.
[[nodiscard]] bool register_rows_function(sqlite3* db);

}  // namespace eyewear::storage
