#pragma once
// RAII over libgit2: one deleter template, one alias per handle type, and one place
// (git_check) where return codes become GuardErrors carrying git_error_last().
#include <git2.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ag {

template <auto Free>
struct GitDeleter {
    template <typename T>
    void operator()(T* p) const noexcept { Free(p); }
};

using Repository = std::unique_ptr<git_repository, GitDeleter<git_repository_free>>;
using Commit = std::unique_ptr<git_commit, GitDeleter<git_commit_free>>;
using Tree = std::unique_ptr<git_tree, GitDeleter<git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, GitDeleter<git_blob_free>>;
using Object = std::unique_ptr<git_object, GitDeleter<git_object_free>>;
using Reference = std::unique_ptr<git_reference, GitDeleter<git_reference_free>>;
using Config = std::unique_ptr<git_config, GitDeleter<git_config_free>>;
using Odb = std::unique_ptr<git_odb, GitDeleter<git_odb_free>>;
using OdbObject = std::unique_ptr<git_odb_object, GitDeleter<git_odb_object_free>>;
using Index = std::unique_ptr<git_index, GitDeleter<git_index_free>>;
using RevWalk = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk_free>>;

// Throws GuardError("<what>: <libgit2's message>") when rc < 0; returns rc otherwise.
int git_check(int rc, std::string_view what);
// The same, with `what()` called only on failure: for calls made once per object, where
// formatting a message that is never shown was a tenth of reading the objects.
template <class Describe, class = std::enable_if_t<std::is_invocable_r_v<std::string, Describe>>>
int git_check(int rc, Describe&& what) {
    if (rc >= 0) return rc;
    return git_check(rc, std::string_view(std::forward<Describe>(what)()));
}

// Keeps libgit2 initialised for the lifetime of the object (init/shutdown are refcounted).
class GitLibrary {
public:
    GitLibrary();
    ~GitLibrary();
    GitLibrary(const GitLibrary&) = delete;
    GitLibrary& operator=(const GitLibrary&) = delete;
};

}  // namespace ag
