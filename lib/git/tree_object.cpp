#include "git/tree_object.hpp"

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

// The record at `p` of a tree parse() accepted: its entry, and where the next record starts.
const char* decode_record(const char* p, TreeObject::Entry& e) {
    uint32_t mode = 0;
    if (std::memcmp(p, "100644 ", 7) == 0) {
        mode = 0100644;
        p += 7;
    } else {
        for (; *p != ' '; ++p) mode = mode * 8 + static_cast<uint32_t>(*p - '0');
        ++p;
    }
    const size_t n = std::strlen(p);  // parse() saw the NUL
    e.name = std::string_view(p, n);
    e.mode = normalise(mode);
    e.id = reinterpret_cast<const unsigned char*>(p + n + 1);
    return p + n + 1 + GIT_OID_RAWSZ;
}

}  // namespace

void TreeObject::Iterator::decode() {
    if (at_ != end_) next_ = decode_record(at_, entry_);
}

TreeObject::Iterator TreeObject::begin() const { return Iterator(bytes_.data(), bytes_.data() + bytes_.size()); }

TreeObject::Iterator TreeObject::end() const {
    return Iterator(bytes_.data() + bytes_.size(), bytes_.data() + bytes_.size());
}

std::optional<TreeObject> TreeObject::parse(std::shared_ptr<const std::string> raw, std::string& error) {
    if (!raw) raw = std::make_shared<const std::string>();
    const std::string_view bytes = *raw;
    return parse(std::shared_ptr<const void>(std::move(raw)), bytes, error);
}

std::optional<TreeObject> TreeObject::parse(std::shared_ptr<const void> owner, std::string_view bytes, std::string& error) {
    TreeObject t;
    t.owner_ = std::move(owner);
    t.bytes_ = bytes;
    const std::string_view b = bytes;
    std::string_view last_name;
    bool last_tree = false;
    auto fail = [&](std::string_view what) {
        error = t.count_ == 0 ? fmt::format("its first entry {}", what)
                              : fmt::format("entry {} (after '{}') {}", t.count_ + 1, last_name, what);
        return std::nullopt;
    };
    // Offsets are 32-bit (see offsets()).
    if (b.size() > UINT32_MAX) return fail("lies beyond 4 GiB: the tree is larger than the guard reads");
    size_t p = 0;
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
        const std::string_view name(b.data() + p, name_end - p);
        const bool is_tree = normalise(mode) == GIT_FILEMODE_TREE;
        if (t.count_ > 0 && order(last_name, last_tree, name, is_tree) >= 0) t.sorted_ = false;
        last_name = name;
        last_tree = is_tree;
        ++t.count_;
        p = name_end + 1 + GIT_OID_RAWSZ;
    }
    return t;
}

const std::vector<uint32_t>& TreeObject::offsets() const {
    std::call_once(index_->built, [this] {
        index_->offsets.reserve(count_);
        const char* base = bytes_.data();
        Entry e;
        for (const char *p = base, *end = base + bytes_.size(); p != end; p = decode_record(p, e))
            index_->offsets.push_back(static_cast<uint32_t>(p - base));
    });
    return index_->offsets;
}

TreeObject::Entry TreeObject::operator[](size_t i) const {
    Entry e;
    decode_record(bytes_.data() + offsets()[i], e);
    return e;
}

std::optional<TreeObject::Entry> TreeObject::find(std::string_view name) const {
    if (!sorted_) {
        // A tree git would not write (fsck: treeNotSorted, duplicateEntries): a checkout
        // still writes every entry, so look at every entry, the first of a name winning.
        for (const auto& e : *this)
            if (e.name == name) return e;
        return std::nullopt;
    }
    // In git's order a directory sorts as if its name ended in '/': look for `name` as a
    // file, then as a directory.
    const auto& at = offsets();
    for (const bool as_tree : {false, true}) {
        size_t lo = 0, hi = at.size();
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            const Entry e = (*this)[mid];
            if (order(e.name, e.is_tree(), name, as_tree) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (lo == at.size()) continue;
        const Entry e = (*this)[lo];
        if (e.name == name && e.is_tree() == as_tree) return e;
    }
    return std::nullopt;
}

git_oid TreeObject::Entry::oid() const {
    git_oid o;
    std::memcpy(o.id, id, GIT_OID_RAWSZ);
    return o;
}

std::optional<TreeObject> TreeObject::parse(std::string raw, std::string& error) {
    return parse(std::make_shared<const std::string>(std::move(raw)), error);
}

int tree_entry_order(const TreeObject::Entry& a, const TreeObject::Entry& b) {
    return order(a.name, a.is_tree(), b.name, b.is_tree());
}

}  // namespace ag
