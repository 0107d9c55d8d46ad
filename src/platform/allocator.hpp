// The process allocator's settings for a server (docs/ARCHITECTURE.md, "Memory").
#pragma once

namespace eyewear::platform {

// How long, in milliseconds, mimalloc keeps memory a program freed before it gives it back to
// the operating system, unless MIMALLOC_DECOMMIT_DELAY (or its older name MIMALLOC_RESET_DELAY)
// says otherwise. mimalloc's own default is 25 ms: a bulk request allocates and frees tens of
// megabytes (its body, its parsed rows, the products, the batch's statement rows), so with 25 ms
// nearly every page of the next request was a fresh page the kernel had to fault in and zero
// again — 1.7 page faults a product, a fifth of the upload's CPU time in the kernel. Memory freed
// and not used again for 5 s still goes back.
inline constexpr long kDecommitDelayMs = 5000;

// Applies the settings above where the build links mimalloc (EYEWEAR_MIMALLOC). Returns the delay
// in effect afterwards, or -1 without mimalloc. Safe to call more than once.
long tune_allocator();

}  // namespace eyewear::platform
