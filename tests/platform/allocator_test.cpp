// The process allocator the build links (EYEWEAR_MIMALLOC, docs/ARCHITECTURE.md "Memory") serves
// every allocation: the program's own, libstdc++'s and the C libraries' (SQLite's among them).
#include "platform/allocator.hpp"

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

// A server keeps memory it freed for kDecommitDelayMs before giving it back (platform/allocator.hpp),
// unless the operator's environment names a delay: then that one stands.
TEST(Allocator, FreedMemoryIsKeptForTheServersDelayUnlessTheEnvironmentSaysOtherwise) {
  ASSERT_EQ(std::getenv("MIMALLOC_DECOMMIT_DELAY"), nullptr) << "run without mimalloc's own settings";
  ASSERT_EQ(std::getenv("MIMALLOC_RESET_DELAY"), nullptr);
  mi_option_set(mi_option_decommit_delay, 25);  // mimalloc's default
  EXPECT_EQ(tune_allocator(), kDecommitDelayMs);
  EXPECT_EQ(mi_option_get(mi_option_decommit_delay), kDecommitDelayMs);
  EXPECT_EQ(tune_allocator(), kDecommitDelayMs) << "a second call changes nothing";

  mi_option_set(mi_option_decommit_delay, 77);  // as if mimalloc had read MIMALLOC_DECOMMIT_DELAY=77
  ASSERT_EQ(::setenv("MIMALLOC_DECOMMIT_DELAY", "77", 1), 0);
  EXPECT_EQ(tune_allocator(), 77);
  ASSERT_EQ(::unsetenv("MIMALLOC_DECOMMIT_DELAY"), 0);
  ASSERT_EQ(::setenv("MIMALLOC_RESET_DELAY", "77", 1), 0);  // the option's older name
  EXPECT_EQ(tune_allocator(), 77);
  ASSERT_EQ(::unsetenv("MIMALLOC_RESET_DELAY"), 0);
  EXPECT_EQ(tune_allocator(), kDecommitDelayMs);
}
#else
TEST(Allocator, SanitizerBuildsKeepTheirOwn) {
  EXPECT_STREQ(build_info::kAllocator, "glibc malloc");
  EXPECT_EQ(tune_allocator(), -1) << "nothing to tune";
}
#endif

}  // namespace
}  // namespace eyewear::platform
