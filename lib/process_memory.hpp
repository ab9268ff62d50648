#pragma once
// How the process's heap treats freed memory. A check lives for a fraction of a second, and
// on the virtual machines git servers run on a fresh page of memory costs far more than what
// is done with it (measured here: about 10 us per 4 KiB page touched for the first time, the
// cost of some 30,000 instructions). So memory freed during a run is kept for reuse instead of
// being handed back to the system and faulted in again by the next large allocation.
namespace ag {

// Call once, first thing in main(), before any thread starts. Never fails: a libc without
// these settings simply keeps its defaults.
void keep_freed_memory();

}  // namespace ag
