#include <gtest/gtest.h>

#include "storage/open.hpp"

namespace eyewear::storage {
namespace {

TEST(StatementLabelTest, NamesVerbAndTable) {
  EXPECT_EQ(statement_label("SELECT id FROM accounts WHERE email = $1"), "SELECT accounts");
  EXPECT_EQ(statement_label("insert into products (a) values ($1)"), "INSERT products");
  EXPECT_EQ(statement_label("UPDATE usage_counters SET used = used + $1"), "UPDATE usage_counters");
  EXPECT_EQ(statement_label("DELETE FROM sessions WHERE id = $1"), "DELETE sessions");
  EXPECT_EQ(statement_label("SELECT 1"), "SELECT");
  EXPECT_EQ(statement_label("BEGIN IMMEDIATE"), "BEGIN");
}

TEST(StatementLabelTest, SqliteUrlPaths) {
  EXPECT_EQ(sqlite_path_of("sqlite:/var/lib/eyewear.db"), "/var/lib/eyewear.db");
  EXPECT_EQ(sqlite_path_of("sqlite://var/x.db"), "var/x.db");
  EXPECT_EQ(sqlite_path_of("sqlite:data/x.db"), "data/x.db");
  EXPECT_EQ(sqlite_path_of("postgresql://h/db"), "");
}

}  // namespace
}  // namespace eyewear::storage
