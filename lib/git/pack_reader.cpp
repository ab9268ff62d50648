#include "git/pack_reader.hpp"

#include "git/loose_object.hpp"
#include "support/mapped_file.hpp"
#include "git/zlib_inflate.hpp"

#include <dirent.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>

namespace ag {

namespace {

constexpr size_t kOidSize = 20;
constexpr size_t kIdxHeader = 8 + 256 * 4;  // magic, version, fan-out table
constexpr int kTree = 2, kOfsDelta = 6, kRefDelta = 7;
// A delta chain longer than this is refused (git's own limit for repacking is 4095); it also
// stops a reference-delta loop in a damaged pack.
constexpr size_t kMaxChain = 5000;

uint32_t be32(const unsigned char* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Delta bases met recently on this thread, by (pack, offset): migrations are packed as
// chains of deltas whose bases many files share, so without this every blob would re-inflate
// its whole chain. Small and bounded: slots hold only bases up to kMaxCachedBase bytes.
constexpr size_t kCacheSlots = 256;
constexpr size_t kMaxCachedBase = 16 * 1024;
struct BaseSlot {
    uint64_t pack = 0;  // 0: empty
    uint64_t offset = 0;
    int type = 0;
    std::string data;
};
std::array<BaseSlot, kCacheSlots>& thread_bases() {
    thread_local std::array<BaseSlot, kCacheSlots> slots;
    return slots;
}
size_t slot_of(uint64_t offset) { return static_cast<size_t>((offset * 0x9E3779B97F4A7C15ull) >> 56) % kCacheSlots; }

std::atomic<uint64_t> g_next_pack_uid{1};

// Applies git's delta format to `base`, into `out`; false when the delta does not fit it.
bool apply_delta(std::string_view base, std::string_view delta, std::string& out) {
    size_t p = 0;
    auto varint = [&](uint64_t& v) {
        v = 0;
        for (unsigned shift = 0; p < delta.size() && shift < 64; shift += 7) {
            const auto c = static_cast<unsigned char>(delta[p++]);
            v |= uint64_t{c & 0x7Fu} << shift;
            if (!(c & 0x80)) return true;
        }
        return false;
    };
    uint64_t src_size = 0, dst_size = 0;
    if (!varint(src_size) || !varint(dst_size) || src_size != base.size()) return false;
    // Every instruction yields at most max(base, 127) bytes: a size beyond that is a lie, and
    // must not become an allocation.
    // (Divided, not multiplied: the product of two damaged sizes could overflow.)
    if (dst_size / std::max<uint64_t>(base.size(), 127) > delta.size() - p) return false;
    out.resize(static_cast<size_t>(dst_size));
    size_t o = 0;
    while (p < delta.size()) {
        const auto op = static_cast<unsigned char>(delta[p++]);
        if (op & 0x80) {
            uint64_t off = 0, len = 0;
            for (unsigned k = 0; k < 4; ++k)
                if (op & (1u << k)) {
                    if (p >= delta.size()) return false;
                    off |= uint64_t{static_cast<unsigned char>(delta[p++])} << (8 * k);
                }
            for (unsigned k = 0; k < 3; ++k)
                if (op & (0x10u << k)) {
                    if (p >= delta.size()) return false;
                    len |= uint64_t{static_cast<unsigned char>(delta[p++])} << (8 * k);
                }
            if (len == 0) len = 0x10000;
            if (off + len > base.size() || len > out.size() - o) return false;
            std::memcpy(out.data() + o, base.data() + off, static_cast<size_t>(len));
            o += static_cast<size_t>(len);
        } else if (op) {
            if (op > delta.size() - p || op > out.size() - o) return false;
            std::memcpy(out.data() + o, delta.data() + p, op);
            p += op;
            o += op;
        } else {
            return false;  // reserved
        }
    }
    return o == out.size();
}

}  // namespace

struct PackReader::Pack {
    MappedFile idx;
    MappedFile pack;
    uint32_t count = 0;
    uint64_t uid = 0;

    const unsigned char* names() const { return idx.data() + kIdxHeader; }
    const unsigned char* offsets32() const { return names() + size_t{count} * (kOidSize + 4); }
    const unsigned char* offsets64() const { return offsets32() + size_t{count} * 4; }
    // The index without its table of large offsets: header, fan-out, names, CRCs, offsets, checksums.
    size_t fixed_size() const { return kIdxHeader + size_t{count} * (kOidSize + 4 + 4) + 2 * kOidSize; }
    size_t offsets64_count() const { return (idx.size() - fixed_size()) / 8; }

    // Maps `base`.idx and `base`.pack; false unless they make sense together.
    bool open(const std::string& base) {
        idx.open(base + ".idx");
        pack.open(base + ".pack");
        if (!idx.data() || !pack.data() || idx.size() < kIdxHeader + 2 * kOidSize || pack.size() < 12 + kOidSize)
            return false;
        if (std::memcmp(idx.data(), "\377tOc", 4) != 0 || be32(idx.data() + 4) != 2) return false;
        const unsigned char* fan = idx.data() + 8;
        for (size_t k = 1; k < 256; ++k)
            if (be32(fan + 4 * k) < be32(fan + 4 * (k - 1))) return false;
        count = be32(fan + 4 * 255);
        if (fixed_size() > idx.size() || (idx.size() - fixed_size()) % 8 != 0) return false;
        if (std::memcmp(pack.data(), "PACK", 4) != 0) return false;
        const uint32_t version = be32(pack.data() + 4);
        return (version == 2 || version == 3) && be32(pack.data() + 8) == count;
    }

    // The object's offset in the pack, or 0 when absent (no object starts before byte 12).
    uint64_t find(const unsigned char* oid) const {
        const unsigned char* fan = idx.data() + 8;
        const uint32_t lo0 = oid[0] ? be32(fan + 4 * (oid[0] - 1)) : 0;
        uint32_t lo = lo0, hi = be32(fan + 4 * oid[0]);
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            const int c = std::memcmp(names() + size_t{mid} * kOidSize, oid, kOidSize);
            if (c == 0) return offset_at(mid);
            if (c < 0) lo = mid + 1;
            else hi = mid;
        }
        return 0;
    }

    uint64_t offset_at(uint32_t k) const {
        const uint32_t o = be32(offsets32() + size_t{k} * 4);
        if (!(o & 0x80000000u)) return o;
        const uint32_t i = o & 0x7FFFFFFFu;
        if (i >= offsets64_count()) return 0;
        const unsigned char* p = offsets64() + size_t{i} * 8;
        return (uint64_t{be32(p)} << 32) | be32(p + 4);
    }

    size_t end() const { return pack.size() - kOidSize; }  // the trailing checksum is no object

    // Parses the object header at `offset`: type, inflated size, where its data starts, and
    // for a delta the offset of its base. False when it does not make sense.
    bool header(uint64_t offset, int& type, uint64_t& size, size_t& data, uint64_t& base) const {
        if (offset < 12 || offset >= end()) return false;
        size_t p = static_cast<size_t>(offset);
        const unsigned char* b = pack.data();
        unsigned char c = b[p++];
        type = (c >> 4) & 7;
        size = c & 15u;
        for (unsigned shift = 4; c & 0x80; shift += 7) {
            if (p >= end() || shift > 57) return false;
            c = b[p++];
            size |= uint64_t{c & 0x7Fu} << shift;
        }
        base = 0;
        if (type == kOfsDelta) {
            if (p >= end()) return false;
            c = b[p++];
            uint64_t back = c & 0x7Fu;
            while (c & 0x80) {
                if (p >= end() || back > (uint64_t{1} << 50)) return false;
                c = b[p++];
                back = ((back + 1) << 7) | (c & 0x7Fu);
            }
            if (back == 0 || back >= offset) return false;
            base = offset - back;
        } else if (type == kRefDelta) {
            if (end() - p < kOidSize) return false;
            base = find(b + p);
            if (base == 0) return false;  // its base is elsewhere: libgit2's business
            p += kOidSize;
        } else if (type < 1 || type > 4) {
            return false;
        }
        data = p;
        return size <= (uint64_t{1} << 32);
    }

    bool inflate(size_t data, uint64_t size, std::string& out) const {
        return inflate_exactly(pack.data() + data, end() - data, size, out);
    }

    // The object at `offset`, deltas resolved; false when anything does not fit. With `tree`,
    // a large tree stored whole on the way (the object itself or the base of its chain) is
    // left there, and a base found there is used.
    bool object_at(uint64_t offset, int& type, std::string& out, PackReader::HeldTree* tree = nullptr) const {
        // Walk down the chain to a whole object or a base this thread still holds.
        struct Link {
            uint64_t offset;
            size_t data;
            uint64_t size;
        };
        thread_local std::vector<Link> chain;
        chain.clear();
        auto& bases = thread_bases();
        std::string current;
        std::string_view base_bytes;  // the bytes the first delta applies to
        std::shared_ptr<const std::string> whole_tree;  // keeps a held base alive while applied
        for (uint64_t at = offset;;) {
            if (chain.size() > kMaxChain) return false;
            if (at != offset) {
                if (tree && tree->pack == uid && tree->offset == at && tree->data) {
                    type = kTree;
                    whole_tree = tree->data;
                    base_bytes = *whole_tree;
                    break;
                }
                const BaseSlot& s = bases[slot_of(at)];
                if (s.pack == uid && s.offset == at) {
                    type = s.type;
                    base_bytes = s.data;
                    break;
                }
            }
            int t = 0;
            uint64_t size = 0, base = 0;
            size_t data = 0;
            if (!header(at, t, size, data, base)) return false;
            chain.push_back({at, data, size});
            if (t != kOfsDelta && t != kRefDelta) {
                type = t;
                if (!inflate(data, size, current)) return false;
                chain.pop_back();
                if (tree && t == kTree && current.size() > kMaxCachedBase) {
                    whole_tree = std::make_shared<const std::string>(std::move(current));
                    *tree = {uid, at, whole_tree};
                    base_bytes = *whole_tree;
                    if (at == offset) return true;  // `out` stays empty: the tree is in tree->data
                    break;
                }
                if (at != offset) remember(at, t, current);
                base_bytes = current;
                break;
            }
            at = base;
        }
        // Apply the deltas from the base up to the object asked for.
        std::string delta, next;
        while (!chain.empty()) {
            const Link l = chain.back();
            chain.pop_back();
            if (!inflate(l.data, l.size, delta) || !apply_delta(base_bytes, delta, next)) return false;
            current.swap(next);
            base_bytes = current;
            if (l.offset != offset) remember(l.offset, type, current);
        }
        out.swap(current);
        return true;
    }

    void remember(uint64_t offset, int type, const std::string& data) const {
        if (data.size() > kMaxCachedBase) return;
        BaseSlot& s = thread_bases()[slot_of(offset)];
        s.pack = uid;
        s.offset = offset;
        s.type = type;
        s.data.assign(data);
    }
};

PackReader::PackReader(const std::string& objects_dir) : dir_(objects_dir) {
    const std::string dir = objects_dir + "/pack";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view n(e->d_name);
        if (n.size() > 4 && n.substr(n.size() - 4) == ".idx") names.emplace_back(n.substr(0, n.size() - 4));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        auto p = std::make_unique<Pack>();
        if (!p->open(dir + "/" + n)) continue;
        p->uid = g_next_pack_uid.fetch_add(1, std::memory_order_relaxed);
        packs_.push_back(std::move(p));
    }
}

PackReader::~PackReader() = default;

std::pair<const PackReader::Pack*, uint64_t> PackReader::locate(const git_oid& id) const {
    for (const auto& p : packs_)
        if (const uint64_t offset = p->find(id.id)) return {p.get(), offset};
    return {nullptr, 0};
}

namespace {

bool verify_objects() {
    static const bool on = [] {
        const char* v = std::getenv("AG_VERIFY_OBJECTS");
        return v && *v && std::string_view(v) != "0";
    }();
    return on;
}

// The check mode's test: what the reader returns for `id` is that object, as libgit2 hashes it.
// A difference is a bug of this reader, which no caller could recover from: stop loudly.
bool verified(bool found, const git_oid& id, git_object_t type, std::string_view data) {
    if (!found || !verify_objects()) return found;
    git_oid got;
    if (git_odb_hash(&got, data.data(), data.size(), type) == 0 && git_oid_equal(&got, &id)) return true;
    char want_hex[GIT_OID_HEXSZ + 1], got_hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(want_hex, sizeof want_hex, &id);
    git_oid_tostr(got_hex, sizeof got_hex, &got);
    std::fprintf(stderr,
                 "alembic-guard: AG_VERIFY_OBJECTS: the object reader returned for %s %s %zu bytes that libgit2 "
                 "hashes to %s\n",
                 git_object_type2string(type), want_hex, data.size(), got_hex);
    std::abort();
}

}  // namespace

bool PackReader::read(const git_oid& id, git_object_t want, std::string& out) const {
    const auto [pack, offset] = locate(id);
    // (Read first, then verified: the arguments of one call are evaluated in no set order.)
    bool found = false;
    if (!pack) {
        found = read_loose_object(dir_, id, want, out);
    } else {
        int type = 0;
        found = pack->object_at(offset, type, out) && type == want;
    }
    return verified(found, id, want, out);
}

std::shared_ptr<const std::string> PackReader::read_tree(const git_oid& id) const {
    const auto located = locate(id);  // (not a structured binding: clang 14 cannot capture one)
    const Pack* pack = located.first;
    const uint64_t offset = located.second;
    if (!pack) {
        std::string out;
        const bool found = read_loose_object(dir_, id, GIT_OBJECT_TREE, out);
        if (!verified(found, id, GIT_OBJECT_TREE, out)) return nullptr;
        return std::make_shared<const std::string>(std::move(out));
    }
    std::lock_guard<std::mutex> lock(tree_mutex_);
    const auto held = [&] { return held_tree_.pack == pack->uid && held_tree_.offset == offset; };
    if (held() && held_tree_.data) return held_tree_.data;
    int type = 0;
    std::string out;
    if (!pack->object_at(offset, type, out, &held_tree_) || type != kTree) return nullptr;
    // A large tree stored whole came back in held_tree_, not in `out`.
    if (held()) {
        verified(true, id, GIT_OBJECT_TREE, *held_tree_.data);
        return held_tree_.data;
    }
    verified(true, id, GIT_OBJECT_TREE, out);
    return std::make_shared<const std::string>(std::move(out));
}

std::shared_ptr<const PackReader> PackReader::of(const std::string& objects_dir) {
    // Shared by every tree of one repository alive at once, so that the per-thread caches,
    // keyed by pack, serve them all (the old and the new tree of a push).
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const PackReader>, std::less<>> readers;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = readers[objects_dir];
    if (auto alive = slot.lock()) return alive;
    auto made = std::make_shared<const PackReader>(objects_dir);
    slot = made;
    return made;
}

}  // namespace ag
