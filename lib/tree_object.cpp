#include "tree_object.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace ag {

namespace {

// libgit2's normalisation (git_tree_entry_filemode), so that kinds stay what they were when
// trees were read through libgit2: the type bits decide a directory, then any execute bit
// makes an executable file, then gitlinks and symlinks, and anything else is a file.
git_filemode_t normalise(uint32_t mode) {
    const uint32_t type = mode & 0170000u;
    if (type == 0040000u) return GIT_FILEMODE_TREE;
    if (mode & 0111u) return GIT_FILEMODE_BLOB_EXECUTABLE;
    if (type == 0160000u) return GIT_FILEMODE_COMMIT;
    if (type == 0120000u) return GIT_FILEMODE_LINK;
    return GIT_FILEMODE_BLOB;
}

// git's order of two entries (base_name_compare in git): bytewise, a directory's name
// compared as if it ended in '/'.
int order(std::string_view a, bool a_tree, std::string_view b, bool b_tree) {
    const size_t n = std::min(a.size(), b.size());
    if (const int c = std::memcmp(a.data(), b.data(), n)) return c;
    const unsigned ca = a.size() > n ? static_cast<unsigned char>(a[n]) : a_tree ? '/' : 0u;
    const unsigned cb = b.size() > n ? static_cast<unsigned char>(b[n]) : b_tree ? '/' : 0u;
    if (ca != cb) return ca < cb ? -1 : 1;
    // Only names git never writes get here ("a" as a directory and "a/"): keep them apart.
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

}  // namespace

git_oid TreeObject::Entry::oid() const {
    git_oid o;
    std::memcpy(o.id, id, GIT_OID_RAWSZ);
    return o;
}

std::optional<TreeObject> TreeObject::parse(std::string raw, std::string& error) {
    return parse(std::make_shared<const std::string>(std::move(raw)), error);
}

std::optional<TreeObject> TreeObject::parse(std::shared_ptr<const std::string> raw, std::string& error) {
    TreeObject t;
    t.raw_ = raw ? std::move(raw) : std::make_shared<const std::string>();
    const std::string& b = *t.raw_;
    // A record takes at least 24 bytes ("1 a\0" and the ID): reserving by that bound is one
    // allocation for any tree.
    t.entries_.reserve(b.size() / 24);
    size_t p = 0;
    auto fail = [&](std::string_view what) {
        error = t.entries_.empty()
                    ? fmt::format("its first entry {}", what)
                    : fmt::format("entry {} (after '{}') {}", t.entries_.size() + 1, t.entries_.back().name, what);
        return std::nullopt;
    };
    while (p < b.size()) {
        uint32_t mode = 0;
        const size_t mode_start = p;
        // Nearly every entry is a plain file: its mode read in one comparison.
        if (b.size() - p > 7 && std::memcmp(b.data() + p, "100644 ", 7) == 0) {
            mode = 0100644;
            p += 6;
        }
        while (p < b.size() && b[p] >= '0' && b[p] <= '7') {
            mode = mode * 8 + static_cast<uint32_t>(b[p] - '0');
            if (mode > 0xFFFFu) return fail("has a mode larger than git writes");
            ++p;
        }
        if (p == mode_start) return fail("does not start with an octal mode");
        if (p >= b.size() || b[p] != ' ') return fail("has no space after its mode");
        ++p;
        const void* nul = std::memchr(b.data() + p, '\0', b.size() - p);
        if (!nul) return fail("has a name that never ends (no NUL)");
        const size_t name_end = static_cast<size_t>(static_cast<const char*>(nul) - b.data());
        if (name_end == p) return fail("has an empty name");
        if (b.size() - (name_end + 1) < GIT_OID_RAWSZ) return fail("is cut short inside its object ID");
        t.entries_.push_back({std::string_view(b.data() + p, name_end - p), normalise(mode),
                              reinterpret_cast<const unsigned char*>(b.data()) + name_end + 1});
        p = name_end + 1 + GIT_OID_RAWSZ;
        const size_t k = t.entries_.size();
        if (k > 1) {
            const Entry &x = t.entries_[k - 2], &y = t.entries_[k - 1];
            if (order(x.name, x.is_tree(), y.name, y.is_tree()) >= 0) t.sorted_ = false;
        }
    }
    return t;
}

const TreeObject::Entry* TreeObject::find(std::string_view name) const {
    if (!sorted_) {
        // A tree git would not write (fsck: treeNotSorted, duplicateEntries): a checkout
        // still writes every entry, so look at every entry, the first of a name winning.
        for (const auto& e : entries_)
            if (e.name == name) return &e;
        return nullptr;
    }
    // In git's order a directory sorts as if its name ended in '/': look for `name` as a
    // file, then as a directory.
    for (const bool as_tree : {false, true}) {
        const auto it = std::lower_bound(entries_.begin(), entries_.end(), name, [as_tree](const Entry& e, std::string_view key) {
            return order(e.name, e.is_tree(), key, as_tree) < 0;
        });
        if (it != entries_.end() && it->name == name && it->is_tree() == as_tree) return &*it;
    }
    return nullptr;
}

int tree_entry_order(const TreeObject::Entry& a, const TreeObject::Entry& b) {
    return order(a.name, a.is_tree(), b.name, b.is_tree());
}

}  // namespace ag
