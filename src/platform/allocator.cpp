#include "platform/allocator.hpp"

#include <cstdlib>

#ifdef EYEWEAR_MIMALLOC
#include <mimalloc.h>
#endif

namespace eyewear::platform {

long tune_allocator() {
#ifdef EYEWEAR_MIMALLOC
  // mimalloc reads its environment when the process starts; an operator's setting stands.
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr && std::getenv("MIMALLOC_RESET_DELAY") == nullptr) {
    mi_option_set(mi_option_decommit_delay, kDecommitDelayMs);
  }
  return mi_option_get(mi_option_decommit_delay);
#else
  return -1;
#endif
}

}  // namespace eyewear::platform
