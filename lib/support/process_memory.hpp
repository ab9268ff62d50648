#pragma once
// How the process's heap treats memory. A check lives for a fraction of a second, and on the
// virtual machines git servers run on a fresh page of memory costs far more than what is done
// with it (measured here: about 10 us per 4 KiB page touched for the first time, the cost of
// some 30,000 instructions, and about 0.15 ms for a whole 2 MiB huge page). So memory freed
// during a run is kept for reuse, and the heap asks for huge pages.
#include <cstddef>

namespace ag {

// Call once, first thing in main(), before any thread starts. Never fails: a libc without
// these settings simply keeps its defaults.
void keep_freed_memory();

// While it lives, the next `bytes` of the calling thread's heap (glibc: the main heap, or
// the thread's own arena; after keep_freed_memory(), and below its 32 MiB mmap threshold)
// are advised to the kernel as huge-page memory (MADV_HUGEPAGE), and
// blocks start on a 2 MiB boundary so that none of them straddles the small pages the heap
// began with. Nothing is touched: where transparent huge pages are off, or another malloc
// is in use (a sanitizer's), nothing changes. Peak RSS then grows in 2 MiB steps.
class HugePageHeap {
public:
    explicit HugePageHeap(size_t bytes);
    ~HugePageHeap();
    HugePageHeap(const HugePageHeap&) = delete;
    HugePageHeap& operator=(const HugePageHeap&) = delete;

private:
    void* filler_ = nullptr;  // never touched: it only keeps the unaligned start of the heap
};

}  // namespace ag
