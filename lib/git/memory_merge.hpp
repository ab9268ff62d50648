#pragma once
// Merging commits without writing anything: every object a merge creates goes to an in-memory
// object store (a mempack backend) that lives as long as the merger; no ref moves and nothing
// reaches the repository's object directory. check-merge and forecast land candidates this way.
#include "git/repository.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

struct MergeOutcome {
    std::optional<git_oid> commit;           // nullopt when the merge has textual conflicts
    std::vector<std::string> conflict_files; // sorted; empty when it merged
};

class MemoryMerger {
public:
    // Routes the repository's object writes into memory from now on.
    explicit MemoryMerger(const GitRepository& repo);

    // `theirs` merged onto `ours`: `ours` when it already contains `theirs`, `theirs` when
    // that is a fast-forward, else a merge commit made in memory. `what` names `theirs` in
    // errors and in the commit message. `favor_ours`: a file both sides changed takes the
    // lines of `ours` where they conflict (git's -X ours), so only structural conflicts remain.
    // Throws GuardError when an object cannot be read.
    MergeOutcome merge(const git_oid& ours, const git_oid& theirs, std::string_view what, bool favor_ours = false);

private:
    const GitRepository& repo_;
    std::unique_ptr<git_signature, GitDeleter<git_signature_free>> signature_;
};

}  // namespace ag
