#include "process_memory.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

}  // namespace ag
