#pragma once
// Opening the repository the way git would (GIT_DIR and friends honoured, so a hook sees
// quarantined objects), resolving revisions, and reading the operator's git config.
#include "git/git_handle.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ag {

class GitRepository {
public:
    // `path` empty: discover from the environment and the current directory, as git does
    // (GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES...). Otherwise the
    // repository containing `path`. Throws GuardError with a specific reason.
    static GitRepository open(const std::string& path);

    git_repository* get() const { return repo_.get(); }
    // A commit-ish (branch, tag, OID, HEAD~2...) to a commit OID; throws GuardError.
    git_oid resolve_commit(const std::string& rev) const;
    // The commit an object stands for (an annotated tag peels to its commit); nullopt when
    // it peels to none. Throws GuardError when the object is missing.
    std::optional<git_oid> peel_to_commit(const git_oid& oid) const;
    // The merge base of two commits, nullopt when they share no history.
    std::optional<git_oid> merge_base(const git_oid& a, const git_oid& b) const;
    // The commit a reference (e.g. refs/remotes/origin/main) points to, if any.
    std::optional<git_oid> ref_commit(const std::string& name) const;
    bool has_object(const git_oid& oid) const;
    // The full names of the references matching `glob` (fnmatch, as git's for-each-ref), sorted.
    std::vector<std::string> ref_names(const std::string& glob) const;
    // The branch HEAD names ("refs/heads/main"), nullopt when HEAD is detached or unborn.
    std::optional<std::string> head_branch() const;
    // The commit time of the oldest commit reachable from `tip` but not from `hide`, nullopt
    // when there is none (seconds since the epoch).
    std::optional<std::int64_t> oldest_commit_time(const git_oid& tip, const git_oid& hide) const;
    // The work tree, when the repository has one.
    std::optional<std::string> workdir() const;
    // Config lookups (all levels, as git reads them); nullopt/empty when unset.
    std::optional<std::string> config_string(const std::string& key) const;
    std::vector<std::string> config_multivar(const std::string& key) const;
    std::optional<bool> config_bool(const std::string& key) const;

private:
    explicit GitRepository(Repository repo) : repo_(std::move(repo)) {}
    Repository repo_;
};

std::string oid_hex(const git_oid& oid);
// "main" for "refs/heads/main"; any other ref name as it is.
std::string branch_of_ref(const std::string& ref);

}  // namespace ag
