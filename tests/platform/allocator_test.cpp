// The process allocator the build links (EYEWEAR_MIMALLOC, docs/ARCHITECTURE.md "Memory") serves
// every allocation: the program's own, libstdc++'s and the C libraries' (SQLite's among them).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "platform/build_info.hpp"

#ifdef EYEWEAR_MIMALLOC
#include <mimalloc.h>
#endif

namespace eyewear::platform {
namespace {

#ifdef EYEWEAR_MIMALLOC
TEST(Allocator, MimallocServesMallocNewAndTheCLibraries) {
  EXPECT_STREQ(std::string(build_info::kAllocator).substr(0, 8).c_str(), "mimalloc");
  void* c = std::malloc(100);
  auto cpp = std::make_unique<std::vector<int>>(1000, 7);
  const std::string long_text(500, 'x');
  void* from_sqlite = sqlite3_malloc(100);  // SQLite's default allocator calls malloc
  EXPECT_TRUE(mi_is_in_heap_region(c));
  EXPECT_TRUE(mi_is_in_heap_region(cpp.get()));
  EXPECT_TRUE(mi_is_in_heap_region(cpp->data()));
  EXPECT_TRUE(mi_is_in_heap_region(long_text.data()));
  EXPECT_TRUE(mi_is_in_heap_region(from_sqlite));
  sqlite3_free(from_sqlite);
  std::free(c);
}
#else
TEST(Allocator, SanitizerBuildsKeepTheirOwn) { EXPECT_STREQ(build_info::kAllocator, "glibc malloc"); }
#endif

}  // namespace
}  // namespace eyewear::platform
