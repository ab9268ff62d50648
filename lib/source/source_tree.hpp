#pragma once
// A read-only view of a tree of files: a git commit's tree or a directory on disk.
// Everything above this interface (discovery, parsing, graphs) is the same for both,
// so `check REV` and `check --worktree` can never disagree by construction.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag {

enum class EntryKind { File, Directory, Symlink, Submodule, Other };

// One entry of a directory. Its name and ID are views into bytes kept alive by the Listing
// (or the tree) it came from: a versions directory lists tens of thousands of entries, and a
// string for each name and each ID was a tenth of a cold check.
struct DirEntry {
    std::string_view name;
    EntryKind kind;
    // The content address (a git object ID, 20 raw bytes) when the tree has one; else null.
    const unsigned char* id = nullptr;
    // The ID in hex, "" when there is none.
    std::string id_hex() const;
};

// The entries directly inside one directory, sorted by name, with whatever their views point
// into. Cheap to move; entries stay valid for as long as the listing (or a copy) lives.
class Listing {
public:
    Listing() = default;
    // Entries that point into bytes `owner` keeps alive.
    Listing(std::vector<DirEntry> entries, std::shared_ptr<const void> owner)
        : owner_(std::move(owner)), entries_(std::move(entries)) {}
    // A listing that owns copies of the names (for trees with no bytes of their own to point
    // into); the entries are sorted by name.
    static Listing of_names(std::vector<std::pair<std::string, EntryKind>> names);

    auto begin() const { return entries_.begin(); }
    auto end() const { return entries_.end(); }
    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    const DirEntry& operator[](size_t i) const { return entries_[i]; }

private:
    std::shared_ptr<const void> owner_;
    std::vector<DirEntry> entries_;
};

class SourceTree {
public:
    virtual ~SourceTree() = default;
    // Entries directly inside `dir` ("" is the top), sorted by name. Empty when `dir` is not
    // a directory of the tree.
    virtual Listing list(std::string_view dir) const = 0;
    // What `path` is, or nullopt when the tree has nothing there.
    virtual std::optional<EntryKind> kind(std::string_view path) const = 0;
    // The bytes of the regular file at `path`. Throws GuardError when it cannot be read.
    virtual std::string read(std::string_view path) const = 0;
    // What the symbolic link at `path` points to, as written in it; nullopt when `path` is no
    // symlink or the tree cannot say (the default).
    virtual std::optional<std::string> link_target(std::string_view path) const;
    // Calls `visit(dir, name)` for every regular file, depth first: its repository-relative
    // path is dir + name (dir is "" or ends with '/'). The caller builds the paths it wants:
    // a versions directory holds thousands of files nobody asks for.
    virtual void walk_files(const std::function<void(std::string_view dir, std::string_view name)>& visit) const = 0;
    // The bytes of the regular file `entry`, as listed by list(dir). Same result as
    // read(join_path(dir, entry.name)); a tree may read faster from what its listing knows.
    virtual std::string read_entry(std::string_view dir, const DirEntry& entry) const;
    // Readies concurrent reads of many entries and says whether read_entry_concurrently() may
    // succeed at all; called on one thread before any concurrent read (not itself thread-safe).
    virtual bool prepare_concurrent_reads() const { return false; }
    // Puts the bytes of `entry` (as read_entry would) in `out` and returns true, or declines
    // with false: then read_entry() reads it. Safe to call from several threads at once, once
    // prepare_concurrent_reads() has returned true. The default always declines.
    virtual bool read_entry_concurrently(std::string_view dir, const DirEntry& entry, std::string& out) const {
        (void)dir, (void)entry, (void)out;
        return false;
    }
    // For messages: "commit 1a2b3c4" or the directory.
    virtual std::string describe() const = 0;
    // A content address of the entry at `path` (a git object ID), when the tree has one:
    // what is stored under it never changes, so parses of it can be remembered.
    virtual std::optional<std::string> content_id(std::string_view path) const {
        (void)path;
        return std::nullopt;
    }
};

// Joins repository-relative paths ("" is the top).
std::string join_path(std::string_view dir, std::string_view name);
// The directory part of a repository-relative path ("" for a top-level file).
std::string parent_path(std::string_view path);
// The last component of a path.
std::string_view base_name(std::string_view path);
// A repository-relative path without "." and ".." ("a/./b/../c" -> "a/c"), read lexically;
// nullopt when it climbs out of the repository.
std::optional<std::string> normalize_path(std::string_view path);

}  // namespace ag
