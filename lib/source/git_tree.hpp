#pragma once
// SourceTree over the tree of one commit, read with libgit2 only (no checkout, no git
// subprocess). Objects are looked up through the repository's ODB as opened, so a
// pre-receive hook opened from the environment sees quarantined objects.
#include "git/git_handle.hpp"
#include "git/pack_reader.hpp"
#include "source/source_tree.hpp"
#include "git/tree_object.hpp"

#include <map>
#include <memory>
#include <string>

namespace ag {

// One entry of a directory that differs between two trees; its views point into the trees,
// valid while both trees live.
struct EntryChange {
    std::optional<DirEntry> before;  // nullopt: added
    std::optional<DirEntry> after;   // nullopt: removed
};

class GitTree final : public SourceTree {
public:
    // Takes the tree of `commit`. `repo` must outlive this object.
    GitTree(git_repository* repo, const git_oid& commit);
    Listing list(std::string_view dir) const override;
    std::optional<EntryKind> kind(std::string_view path) const override;
    std::string read(std::string_view path) const override;
    std::optional<std::string> link_target(std::string_view path) const override;
    std::string read_entry(std::string_view dir, const DirEntry& entry) const override;
    // Blobs straight from the repository's own object directory and a push's quarantine
    // (lib/pack_reader); what is not there — an object of an alternate — is declined.
    bool prepare_concurrent_reads() const override;
    bool read_entry_concurrently(std::string_view dir, const DirEntry& entry, std::string& out) const override;
    void walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const override;
    std::string describe() const override;
    std::optional<std::string> content_id(std::string_view path) const override;
    const git_oid& commit_id() const { return commit_; }
    // The object ID of the entry at `path` (a blob or tree), nullopt when absent.
    std::optional<git_oid> entry_id(std::string_view path) const;
    // The entries of directory `dir` that differ (by presence, mode or object ID) between
    // `older` and this tree, in git's order. Reads the two directory trees and nothing else;
    // unchanged entries cost a comparison, not a copy.
    std::vector<EntryChange> changes_since(const GitTree& older, std::string_view dir) const;

private:
    // The directory tree at `dir`, nullptr when `dir` is not a directory. Read once, then kept.
    const TreeObject* subtree(std::string_view dir) const;
    // The entry at `path` (its views into a cached subtree), nullopt when absent. Looking up
    // through cached subtrees keeps a 10,000-entry versions/ tree from being inflated once
    // per file.
    std::optional<TreeObject::Entry> entry(std::string_view path) const;
    // Reads and parses tree `id` (the tree of `dir`): from the quarantine and the object
    // directory, else through libgit2.
    TreeObject read_tree(const git_oid& id, std::string_view dir) const;
    git_odb* odb() const;
    // This repository's quarantine directory when pre-receive runs on a push, nullopt
    // otherwise.
    static std::optional<std::string> quarantine_of(const std::string& objects_dir);
    git_repository* repo_;
    mutable Odb odb_;  // opened on the first read through libgit2
    std::shared_ptr<const PackReader> packs_;
    std::shared_ptr<const PackReader> quarantine_;  // the pushed objects, read first
    git_oid commit_;
    git_oid root_id_;
    mutable std::map<std::string, TreeObject, std::less<>> subtrees_;  // "" is the root
};

EntryKind kind_of_mode(git_filemode_t mode);

}  // namespace ag
