#include "git/memory_merge.hpp"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <fmt/format.h>

#include <ctime>
#include <set>

namespace ag {

namespace {

// The highest-priority backend gets the writes, and libgit2 never dumps a mempack unless
// asked to.
void write_to_memory(git_repository* repo) {
    git_odb* odb = nullptr;
    git_check(git_repository_odb(&odb, repo), "cannot open the object database");
    Odb owned(odb);
    git_odb_backend* mempack = nullptr;
    git_check(git_mempack_new(&mempack), "cannot create an in-memory object store");
    const int rc = git_odb_add_backend(odb, mempack, 1000);
    if (rc < 0) {
        mempack->free(mempack);
        git_check(rc, "cannot add the in-memory object store");
    }
}

std::vector<std::string> conflict_files(git_index* index) {
    std::set<std::string> files;
    git_index_conflict_iterator* it = nullptr;
    git_check(git_index_conflict_iterator_new(&it, index), "cannot list merge conflicts");
    std::unique_ptr<git_index_conflict_iterator, GitDeleter<git_index_conflict_iterator_free>> owned(it);
    const git_index_entry *ancestor = nullptr, *ours = nullptr, *theirs = nullptr;
    while (git_index_conflict_next(&ancestor, &ours, &theirs, it) == 0) {
        const git_index_entry* e = ours ? ours : theirs ? theirs : ancestor;
        if (e) files.insert(e->path);
    }
    return {files.begin(), files.end()};
}

}  // namespace

MemoryMerger::MemoryMerger(const GitRepository& repo) : repo_(repo) {
    write_to_memory(repo.get());
    git_signature* sig = nullptr;
    git_check(git_signature_new(&sig, "alembic-guard", "alembic-guard@localhost",
                                static_cast<git_time_t>(std::time(nullptr)), 0),
              "cannot create a signature");
    signature_.reset(sig);
}

MergeOutcome MemoryMerger::merge(const git_oid& ours, const git_oid& theirs, std::string_view what, bool favor_ours) {
    const auto base = repo_.merge_base(ours, theirs);
    if (base && git_oid_equal(&*base, &theirs)) return {ours, {}};  // already contained
    if (base && git_oid_equal(&*base, &ours)) return {theirs, {}};  // a fast-forward
    git_commit* ours_raw = nullptr;
    git_check(git_commit_lookup(&ours_raw, repo_.get(), &ours), "cannot read the commit merged onto");
    Commit ours_c(ours_raw);
    git_commit* theirs_raw = nullptr;
    git_check(git_commit_lookup(&theirs_raw, repo_.get(), &theirs), [&] { return fmt::format("cannot read {}", what); });
    Commit theirs_c(theirs_raw);
    git_merge_options options;
    git_check(git_merge_options_init(&options, GIT_MERGE_OPTIONS_VERSION), "cannot set up the merge");
    if (favor_ours) options.file_favor = GIT_MERGE_FILE_FAVOR_OURS;
    git_index* index_raw = nullptr;
    git_check(git_merge_commits(&index_raw, repo_.get(), ours_c.get(), theirs_c.get(), &options),
              [&] { return fmt::format("cannot merge {}", what); });
    Index index(index_raw);
    if (git_index_has_conflicts(index.get())) return {std::nullopt, conflict_files(index.get())};
    git_oid tree_id;
    git_check(git_index_write_tree_to(&tree_id, index.get(), repo_.get()), "cannot build the merged tree in memory");
    git_tree* tree_raw = nullptr;
    git_check(git_tree_lookup(&tree_raw, repo_.get(), &tree_id), "cannot read the merged tree");
    Tree tree(tree_raw);
    const git_commit* parents[] = {ours_c.get(), theirs_c.get()};
    git_oid merged;
    git_check(git_commit_create(&merged, repo_.get(), nullptr, signature_.get(), signature_.get(), nullptr,
                                fmt::format("Merge {} (alembic-guard, in memory)", what).c_str(), tree.get(), 2, parents),
              "cannot create the merge commit in memory");
    return {merged, {}};
}

}  // namespace ag
