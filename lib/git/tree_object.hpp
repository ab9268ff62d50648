#pragma once
// One git tree object, parsed from its raw bytes: "<octal mode> <name>\0<20-byte id>" records.
// libgit2 builds a git_tree through its object cache and allocates per tree; a versions/ tree
// of 10,000 migrations is 629 KB, read twice by every push, so the guard parses it itself:
// one pass that checks every record, then entries read as views into the bytes it keeps. The rules are git's (tree-walk.c):
// a mode is octal digits and a space, a name is non-empty and ends at a NUL, an ID follows.
#include <git2.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
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

    // Reads the records of a tree already checked by parse(), one at a time: nothing is
    // stored per entry, because a versions/ tree is mostly walked once, front to back.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using pointer = const Entry*;
        using reference = const Entry&;
        Iterator() = default;
        Iterator(const char* at, const char* end) : at_(at), end_(end) { decode(); }
        const Entry& operator*() const { return entry_; }
        const Entry* operator->() const { return &entry_; }
        Iterator& operator++() {
            at_ = next_;
            decode();
            return *this;
        }
        bool operator==(const Iterator& o) const { return at_ == o.at_; }
        bool operator!=(const Iterator& o) const { return at_ != o.at_; }

    private:
        void decode();
        const char* at_ = nullptr;
        const char* end_ = nullptr;
        const char* next_ = nullptr;
        Entry entry_{};
    };

    TreeObject() = default;  // the empty tree
    // Parses `raw`; on a damaged tree returns nullopt and says what is wrong in `error`
    // ("entry 12 (after 'x.py'): its mode is not octal").
    static std::optional<TreeObject> parse(std::string raw, std::string& error);
    static std::optional<TreeObject> parse(std::shared_ptr<const std::string> raw, std::string& error);
    // The same over `bytes`, which `owner` keeps alive (a libgit2 object, say: no copy).
    static std::optional<TreeObject> parse(std::shared_ptr<const void> owner, std::string_view bytes, std::string& error);

    size_t size() const { return count_; }
    Iterator begin() const;
    Iterator end() const;
    // The i-th entry (i < size()).
    Entry operator[](size_t i) const;
    // The entry called `name`, nullopt when there is none: a binary search in a tree in git's
    // order, else (a damaged or hand-made tree) the first entry of that name.
    std::optional<Entry> find(std::string_view name) const;
    // Whether the entries are in git's order, each name once.
    bool sorted() const { return sorted_; }
    // What keeps the bytes the entries' names and IDs point into alive.
    const std::shared_ptr<const void>& owner() const { return owner_; }

private:
    // Where each record starts, for find() and operator[]: built on first use only, so a
    // tree that is only walked costs no memory beyond its bytes (a fresh page is the
    // dearest thing a push touches).
    const std::vector<uint32_t>& offsets() const;
    // Owned elsewhere: entries point into these bytes, so they must not move with the tree.
    // Shared: the pack reader may hand the same bytes to the next tree it reads.
    std::shared_ptr<const void> owner_;
    std::string_view bytes_;
    size_t count_ = 0;
    bool sorted_ = true;
    struct Index {
        std::once_flag built;
        std::vector<uint32_t> offsets;
    };
    std::unique_ptr<Index> index_ = std::make_unique<Index>();
};

// git's order of tree entries: names compared bytewise as if a directory's name ended in '/'.
int tree_entry_order(const TreeObject::Entry& a, const TreeObject::Entry& b);

}  // namespace ag
