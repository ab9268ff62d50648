#include "source/git_tree.hpp"

#include "support/guard_error.hpp"
#include "git/repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace ag {

EntryKind kind_of_mode(git_filemode_t mode) {
    switch (mode) {
    case GIT_FILEMODE_BLOB:
    case GIT_FILEMODE_BLOB_EXECUTABLE: return EntryKind::File;
    case GIT_FILEMODE_TREE: return EntryKind::Directory;
    case GIT_FILEMODE_LINK: return EntryKind::Symlink;
    case GIT_FILEMODE_COMMIT: return EntryKind::Submodule;
    default: return EntryKind::Other;
    }
}

GitTree::GitTree(git_repository* repo, const git_oid& commit) : repo_(repo), commit_(commit) {
    git_commit* c = nullptr;
    git_check(git_commit_lookup(&c, repo, &commit),
              fmt::format("cannot read commit {}", git_oid_tostr_s(&commit)));
    Commit owned(c);
    root_id_ = *git_commit_tree_id(c);
    const char* common = git_repository_commondir(repo_);  // ends with '/'
    const std::string objects = std::string(common ? common : "") + "objects";
    packs_ = PackReader::of(objects);
    if (auto q = quarantine_of(objects)) quarantine_ = PackReader::of(*q);
}

std::optional<std::string> GitTree::quarantine_of(const std::string& objects_dir) {
    // receive-pack runs pre-receive with the pushed objects in objects/tmp_objdir-incoming-*,
    // named by both variables; libgit2, opened from the environment, reads it first.
    const char* q = std::getenv("GIT_QUARANTINE_PATH");
    const char* o = std::getenv("GIT_OBJECT_DIRECTORY");
    if (!q || !o || std::string_view(q) != o) return std::nullopt;
    std::error_code ec;
    const auto dir = std::filesystem::canonical(q, ec);
    if (ec) return std::nullopt;
    const auto own = std::filesystem::canonical(objects_dir, ec);
    // Only this repository's own quarantine: any other directory is not one it reads.
    if (ec || dir.parent_path() != own) return std::nullopt;
    return dir.string();
}

git_odb* GitTree::odb() const {
    if (!odb_) {
        git_odb* o = nullptr;
        git_check(git_repository_odb(&o, repo_), "cannot open the object database");
        odb_.reset(o);
    }
    return odb_.get();
}

TreeObject GitTree::read_tree(const git_oid& id, std::string_view dir) const {
    const auto what = [&] {
        return dir.empty() ? fmt::format("cannot read the top-level tree {} of {}", oid_hex(id), describe())
                           : fmt::format("cannot read the tree {} of '{}' in {}", oid_hex(id), dir, describe());
    };
    std::string damage;
    std::optional<TreeObject> tree;
    auto raw = quarantine_ ? quarantine_->read_tree(id) : nullptr;
    if (!raw) raw = packs_->read_tree(id);
    if (raw) {
        tree = TreeObject::parse(std::move(raw), damage);
    } else {
        // A tree the readers decline (an alternate's, or one they do not understand): libgit2
        // reads it and names what is wrong with it. Its bytes stay in the libgit2 object, not
        // copied: a versions/ tree is 629 KB at 10,000 migrations.
        git_odb_object* o = nullptr;
        git_check(git_odb_read(&o, odb(), &id), what);
        std::shared_ptr<git_odb_object> obj(o, git_odb_object_free);
        if (git_odb_object_type(o) != GIT_OBJECT_TREE)
            throw GuardError(fmt::format("{}: the object is a {}, not a tree", what(),
                                         git_object_type2string(git_odb_object_type(o))));
        const std::string_view bytes(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
        tree = TreeObject::parse(std::shared_ptr<const void>(std::move(obj)), bytes, damage);
    }
    if (!tree) throw GuardError(fmt::format("{}: the tree object is damaged: {}", what(), damage));
    return std::move(*tree);
}

const TreeObject* GitTree::subtree(std::string_view dir) const {
    if (auto it = subtrees_.find(dir); it != subtrees_.end()) return &it->second;
    std::optional<git_oid> id;
    if (dir.empty()) {
        id = root_id_;
    } else if (const auto e = entry(dir); e && e->is_tree()) {
        id = e->oid();
    }
    if (!id) return nullptr;
    auto [it, _] = subtrees_.emplace(std::string(dir), read_tree(*id, dir));
    return &it->second;
}

std::optional<TreeObject::Entry> GitTree::entry(std::string_view path) const {
    const auto slash = path.rfind('/');
    const TreeObject* parent = subtree(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash));
    if (!parent) return std::nullopt;
    return parent->find(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

namespace {
DirEntry dir_entry_of(const TreeObject::Entry& e) { return DirEntry{e.name, kind_of_mode(e.mode), e.id}; }
}  // namespace

Listing GitTree::list(std::string_view dir) const {
    const TreeObject* t = subtree(dir);
    if (!t) return {};
    std::vector<DirEntry> out;
    out.reserve(t->size());
    for (const auto& e : *t) out.push_back(dir_entry_of(e));
    // git sorts trees with "dir/" semantics; callers want plain byte order of names (the
    // same order unless a directory's name is a prefix of another name).
    const auto by_name = [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; };
    if (!std::is_sorted(out.begin(), out.end(), by_name)) std::sort(out.begin(), out.end(), by_name);
    return Listing(std::move(out), t->owner());
}

std::vector<EntryChange> GitTree::changes_since(const GitTree& older, std::string_view dir) const {
    std::vector<EntryChange> out;
    static const TreeObject kEmpty;
    const TreeObject* a = older.subtree(dir);
    const TreeObject* b = subtree(dir);
    if (!a) a = &kEmpty;
    if (!b) b = &kEmpty;
    auto i = a->begin(), j = b->begin();
    const auto a_end = a->end(), b_end = b->end();
    // Both trees are in git's entry order.
    while (i != a_end || j != b_end) {
        const TreeObject::Entry* ea = i != a_end ? &*i : nullptr;
        const TreeObject::Entry* eb = j != b_end ? &*j : nullptr;
        // Most entries of two versions/ trees are the same name: that needs no ordering.
        const int c = !ea                                                      ? 1
                      : !eb                                                    ? -1
                      : ea->name == eb->name && ea->is_tree() == eb->is_tree() ? 0
                                                                               : tree_entry_order(*ea, *eb);
        // (A file and a directory of one name compare apart: a removal and an addition.)
        if (c == 0) {
            if (ea->mode != eb->mode || std::memcmp(ea->id, eb->id, GIT_OID_RAWSZ) != 0)
                out.push_back({dir_entry_of(*ea), dir_entry_of(*eb)});
            ++i;
            ++j;
        } else if (c < 0) {
            out.push_back({dir_entry_of(*ea), std::nullopt});
            ++i;
        } else {
            out.push_back({std::nullopt, dir_entry_of(*eb)});
            ++j;
        }
    }
    return out;
}

std::optional<EntryKind> GitTree::kind(std::string_view path) const {
    if (path.empty()) return EntryKind::Directory;
    const auto e = entry(path);
    if (!e) return std::nullopt;
    return kind_of_mode(e->mode);
}

std::optional<git_oid> GitTree::entry_id(std::string_view path) const {
    if (path.empty()) return root_id_;
    const auto e = entry(path);
    if (!e) return std::nullopt;
    return e->oid();
}

std::optional<std::string> GitTree::content_id(std::string_view path) const {
    const auto id = entry_id(path);
    if (!id) return std::nullopt;
    return oid_hex(*id);
}

std::string GitTree::read(std::string_view path) const {
    const auto e = entry(path);
    if (!e) throw GuardError(fmt::format("'{}' is not in {}", path, describe()));
    const git_oid id = e->oid();
    git_blob* b = nullptr;
    git_check(git_blob_lookup(&b, repo_, &id), [&] {
        return fmt::format("cannot read '{}' (blob {}) from {}", path, git_oid_tostr_s(&id), describe());
    });
    Blob blob(b);
    const auto size = static_cast<size_t>(git_blob_rawsize(b));
    return std::string(static_cast<const char*>(git_blob_rawcontent(b)), size);
}

std::optional<std::string> GitTree::link_target(std::string_view path) const {
    if (kind(path) != EntryKind::Symlink) return std::nullopt;
    return read(path);  // a link's blob holds its target
}

namespace {
// The object ID a listed entry carries, when it carries one.
std::optional<git_oid> listed_id(const DirEntry& entry) {
    if (!entry.id) return std::nullopt;
    git_oid id;
    std::memcpy(id.id, entry.id, GIT_OID_RAWSZ);
    return id;
}
}  // namespace

std::string GitTree::read_entry(std::string_view dir, const DirEntry& entry) const {
    const auto listed = listed_id(entry);
    if (!listed) return read(join_path(dir, entry.name));
    const git_oid id = *listed;
    // Straight from the object database: no path lookup, no object parsing, no cache.
    git_odb_object* o = nullptr;
    git_check(git_odb_read(&o, odb(), &id), [&] {
        return fmt::format("cannot read '{}' (blob {}) from {}", join_path(dir, entry.name), oid_hex(id), describe());
    });
    OdbObject obj(o);
    if (git_odb_object_type(o) != GIT_OBJECT_BLOB)
        throw GuardError(fmt::format("cannot read '{}' from {}: object {} is not a blob", join_path(dir, entry.name),
                                     describe(), oid_hex(id)));
    return std::string(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
}

bool GitTree::prepare_concurrent_reads() const { return packs_->pack_count() > 0; }

bool GitTree::read_entry_concurrently(std::string_view dir, const DirEntry& entry, std::string& out) const {
    (void)dir;
    const auto id = listed_id(entry);
    return id && ((quarantine_ && quarantine_->read_blob(*id, out)) || packs_->read_blob(*id, out));
}

void GitTree::walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const {
    // Through the subtree cache, not git_tree_walk: the versions/ tree a walk passes
    // through is the one list() and changes_since() read next, so it is inflated once.
    // An explicit stack: a hostile tree may nest deeper than any call stack.
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        const TreeObject* t = subtree(dir);
        if (!t) continue;
        const std::string prefix = dir.empty() ? std::string() : dir + "/";
        for (const auto& e : *t) {
            const auto kind = kind_of_mode(e.mode);
            if (kind == EntryKind::File) visit(prefix, e.name);
            else if (kind == EntryKind::Directory) pending.push_back(prefix + std::string(e.name));
        }
    }
}

std::string GitTree::describe() const {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &commit_);
    return fmt::format("commit {}", std::string_view(buf).substr(0, 12));
}

}  // namespace ag
