#pragma once
// Reads blobs and trees straight out of one object directory — its pack files and its loose
// objects (lib/loose_object) — from any number of threads at once.
// libgit2 1.5 serialises pack reads behind locks it shares even between repository handles
// (two threads read 10,000 blobs no faster than one), so inflating on a second core needs a
// reader of its own. It is deliberately narrow: pack index version 2 (SHA-1), whole objects
// and offset or reference deltas inside one pack, loose objects as git writes them. Anything
// else — an object of another object directory (alternates), a damaged or unusual pack or
// file — is "not here", and the caller reads it through libgit2, which names the problem if
// there is one.
// It trusts an object's name and does not hash what it returns (libgit2 would, at a cost a
// push cannot pay). With AG_VERIFY_OBJECTS=1 in the environment (a check mode for the test
// suites, on in CI's sanitizer stage) every object it returns is hashed by libgit2 and must be
// the object it was asked for, or the process stops saying which.
#include <git2.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ag {

class PackReader {
public:
    // Maps every pack in `objects_dir`/pack whose index and header make sense; never throws
    // on what it finds there (an unreadable pack is skipped). Loose objects are looked for
    // in `objects_dir` when the packs do not hold an object.
    explicit PackReader(const std::string& objects_dir);
    ~PackReader();
    PackReader(const PackReader&) = delete;
    PackReader& operator=(const PackReader&) = delete;

    // The reader of `objects_dir`, shared with every other user of it still alive.
    static std::shared_ptr<const PackReader> of(const std::string& objects_dir);

    // Puts the object `id` in `out` and returns true; false (with `out` unspecified) when this
    // reader cannot produce it: not in these packs, not of type `want`, or not readable here.
    // Safe to call from several threads at once.
    bool read(const git_oid& id, git_object_t want, std::string& out) const;
    bool read_blob(const git_oid& id, std::string& out) const { return read(id, GIT_OBJECT_BLOB, out); }
    // The tree `id`, or nullptr as read() declines. The last large tree met stored whole stays
    // with this reader: a push's old and new versions/ trees are one small delta apart, so the
    // second read costs that delta, not a second inflate of the whole.
    std::shared_ptr<const std::string> read_tree(const git_oid& id) const;

    struct HeldTree {
        uint64_t pack = 0;
        uint64_t offset = 0;
        std::shared_ptr<const std::string> data;
    };
    size_t pack_count() const { return packs_.size(); }
    const std::string& directory() const { return dir_; }

    struct Pack;

private:
    // The pack holding `id` and the object's offset in it; {nullptr, 0} when none does.
    std::pair<const Pack*, uint64_t> locate(const git_oid& id) const;
    std::string dir_;
    std::vector<std::unique_ptr<Pack>> packs_;
    mutable std::mutex tree_mutex_;
    mutable HeldTree held_tree_;
};

}  // namespace ag
