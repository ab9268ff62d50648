#include "support/process_memory.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/mman.h>

#include <cstdint>

namespace ag {

void keep_freed_memory() {
#if defined(__GLIBC__)
    // glibc serves blocks of 128 KiB and more with their own mmap and unmaps them on free, and
    // trims the heap's top beyond 128 KiB: every large vector of a check (a listing, the
    // graph's arrays) was faulted in page by page, freed, and the next one faulted in anew.
    // Setting both also turns off glibc's sliding threshold. 32 MiB is the largest threshold
    // glibc accepts on 64-bit systems (a larger one is refused and changes nothing).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

HugePageHeap::HugePageHeap(size_t bytes) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    constexpr uintptr_t kHuge = uintptr_t{2} << 20;
    if (bytes < 4 * kHuge) return;
    // A block this large comes from the top of the heap, where the blocks of the run will
    // start (below the mmap threshold keep_freed_memory set, and kept after free).
    void* probe = std::malloc(bytes);
    if (!probe) return;
    const auto at = reinterpret_cast<uintptr_t>(probe);
    std::free(probe);
    // The rest of the 2 MiB page the top is in cannot become a huge page (the heap did not
    // start on a boundary, and its first pages are in use): a block never touched takes it.
    const uintptr_t boundary = (at + kHuge - 1) & ~(kHuge - 1);
    if (boundary - at > 4096) filler_ = std::malloc(boundary - at - 64);
    // Smaller than the block the probe freed, so it fits the top as it is and starts there.
    const size_t span = bytes - 2 * kHuge;
    void* p = std::malloc(span);
    if (!p) return;
    const auto start = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<uintptr_t>(p) + span) & ~(kHuge - 1);
    if (end > start) ::madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
    std::free(p);
#else
    (void)bytes;
#endif
}

HugePageHeap::~HugePageHeap() { std::free(filler_); }

}  // namespace ag
