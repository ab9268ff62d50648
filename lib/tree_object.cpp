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

// Compares only the shared length, as a binary search by name must when it cannot know
// whether the entry it looks for is a directory (which sorts as if its name ended in '/').
int prefix_order(std::string_view key, std::string_view name) {
    return std::memcmp(key.data(), name.data(), std::min(key.size(), name.size()));
}

}  // namespace

git_oid TreeObject::Entry::oid() const {
    git_oid o;
    std::memcpy(o.id, id, GIT_OID_RAWSZ);
    return o;
}

std::optional<TreeObject> TreeObject::parse(std::string raw, std::string& error) {
    TreeObject t;
    t.raw_ = std::make_unique<const std::string>(std::move(raw));
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
    }
    return t;
}

const TreeObject::Entry* TreeObject::find(std::string_view name) const {
    // Home in on any entry agreeing with `name` over their shared length; the one called
    // `name` is next to it, among the neighbours that agree too.
    size_t lo = 0, hi = entries_.size();
    size_t home = hi;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = prefix_order(name, entries_[mid].name);
        if (c == 0) {
            home = mid;
            break;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    if (home == entries_.size()) return nullptr;
    for (size_t i = home; i < entries_.size() && prefix_order(name, entries_[i].name) == 0; ++i)
        if (entries_[i].name == name) return &entries_[i];
    for (size_t i = home; i-- > 0 && prefix_order(name, entries_[i].name) == 0;)
        if (entries_[i].name == name) return &entries_[i];
    return nullptr;
}

int tree_entry_order(const TreeObject::Entry& a, const TreeObject::Entry& b) {
    const size_t n = std::min(a.name.size(), b.name.size());
    if (const int c = std::memcmp(a.name.data(), b.name.data(), n)) return c;
    const auto next = [n](const TreeObject::Entry& e) -> unsigned {
        return e.name.size() > n ? static_cast<unsigned char>(e.name[n]) : e.is_tree() ? '/' : 0u;
    };
    const unsigned ca = next(a), cb = next(b);
    if (ca != cb) return ca < cb ? -1 : 1;
    // Only a damaged tree gets here with two names ("a" as a directory, "a/"): keep them apart.
    return a.name.size() < b.name.size() ? -1 : a.name.size() > b.name.size() ? 1 : 0;
}

}  // namespace ag
