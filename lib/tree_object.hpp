#pragma once
// One git tree object, parsed from its raw bytes: "<octal mode> <name>\0<20-byte id>" records.
// libgit2 builds a git_tree through its object cache and allocates per tree; a versions/ tree
// of 10,000 migrations is 629 KB, read twice by every push, so the guard parses it itself:
// one pass, entries as views into the bytes it keeps. The rules are git's (tree-walk.c):
// a mode is octal digits and a space, a name is non-empty and ends at a NUL, an ID follows.
#include <git2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

class TreeObject {
public:
    struct Entry {
        std::string_view name;
        git_filemode_t mode;         // normalised as libgit2's git_tree_entry_filemode does
        const unsigned char* id;     // GIT_OID_RAWSZ bytes inside the tree's own bytes
        bool is_tree() const { return mode == GIT_FILEMODE_TREE; }
        git_oid oid() const;
    };

    TreeObject() = default;  // the empty tree
    // Parses `raw`; on a damaged tree returns nullopt and says what is wrong in `error`
    // ("entry 12 (after 'x.py'): its mode is not octal").
    static std::optional<TreeObject> parse(std::shared_ptr<const std::string> raw, std::string& error);
    static std::optional<TreeObject> parse(std::string raw, std::string& error);

    size_t size() const { return entries_.size(); }
    const Entry& operator[](size_t i) const { return entries_[i]; }
    auto begin() const { return entries_.begin(); }
    auto end() const { return entries_.end(); }
    // The entry called `name`, nullptr when there is none: a binary search in a tree in git's
    // order, else (a damaged or hand-made tree) the first entry of that name.
    const Entry* find(std::string_view name) const;
    // Whether the entries are in git's order, each name once.
    bool sorted() const { return sorted_; }
    // The bytes the entries' names and IDs point into.
    const std::shared_ptr<const std::string>& bytes() const { return raw_; }

private:
    // Behind a pointer: entries point into these bytes, and moving a short std::string copies
    // them. Shared: the pack reader may hand the same bytes to the next tree it reads.
    std::shared_ptr<const std::string> raw_;
    std::vector<Entry> entries_;
    bool sorted_ = true;
};

// git's order of tree entries: names compared bytewise as if a directory's name ended in '/'.
int tree_entry_order(const TreeObject::Entry& a, const TreeObject::Entry& b);

}  // namespace ag
