#pragma once
// The result cache gains a result and a names file on every push that changes migrations
// (about 130 KB on a 10,000-revision history) and a parse file per new versions tree; a binary
// of another version writes beside it in a directory of its own. Pruning keeps it bounded:
// files unused for long go, then the least recently used until the rest fits a size.
// A file read back is marked used (result_cache.cpp refreshes its time), so "least recently
// used" holds across processes without a shared index.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ag {

struct CacheLimits {
    uint64_t max_bytes = uint64_t{256} << 20;                 // alembicGuard.cacheMaxSize
    std::chrono::seconds max_age{std::chrono::hours(24 * 30)};  // unused this long: removed
    std::chrono::seconds interval{std::chrono::hours(1)};       // at most one prune per interval
};

struct PruneOutcome {
    bool ran = false;
    size_t removed_files = 0;
    uint64_t removed_bytes = 0;
    size_t kept_files = 0;
    uint64_t kept_bytes = 0;
};

// Marks `format_dir` as a cache directory: a CACHEDIR.TAG (bford.info/cachedir), which backup
// tools skip and which pruning requires, so that a cacheDir pointed at a directory holding
// other things never loses a file it did not write. Idempotent; errors are ignored.
void tag_cache_directory(const std::filesystem::path& format_dir);

// Removes, in the tagged format directories under `root` (`v<digits>-…`, one per cache format
// and binary version), the cache files older than `limits.max_age`, then the oldest until the
// rest take at most `limits.max_bytes`; temporary files only when an hour old (a writer may
// still be filling one). Only the names the cache writes are touched (`<object id>.cache`,
// `env-<16 hex>.json|.names` and their temporaries); symbolic links are never followed; a
// format directory left with nothing but its tag is removed. Errors leave files where they are.
PruneOutcome prune_cache(const std::string& root, const CacheLimits& limits, std::time_t now);

// prune_cache(), when no prune of `root` ran in the last `limits.interval` (the time of
// `root/.last-prune` says) and no other process is pruning it now (an flock on that file).
// Costs one stat when not due. `root` empty: nothing.
PruneOutcome prune_cache_when_due(const std::string& root, const CacheLimits& limits, std::time_t now);

// alembicGuard.cacheMaxSize as git writes sizes: digits with an optional k, m or g (any case,
// powers of 1024). nullopt for anything else, zero included.
std::optional<uint64_t> result_cache_size(std::string_view text);

}  // namespace ag
