#include "git_tree.hpp"

#include "guard_error.hpp"

#include <fmt/format.h>

#include <algorithm>

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
    git_tree* t = nullptr;
    git_check(git_commit_tree(&t, c), fmt::format("cannot read the tree of commit {}", git_oid_tostr_s(&commit)));
    root_.reset(t);
}

const git_tree* GitTree::subtree(std::string_view dir) const {
    if (dir.empty()) return root_.get();
    if (auto it = subtrees_.find(dir); it != subtrees_.end()) return it->second.get();
    const git_tree_entry* e = entry(dir);
    git_tree* sub = nullptr;
    if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE)
        git_check(git_tree_lookup(&sub, repo_, git_tree_entry_id(e)),
                  [&] { return fmt::format("cannot read tree object of '{}'", dir); });
    auto [it, _] = subtrees_.emplace(std::string(dir), Tree(sub));
    return it->second.get();
}

const git_tree_entry* GitTree::entry(std::string_view path) const {
    const auto slash = path.rfind('/');
    const git_tree* parent = slash == std::string_view::npos ? root_.get() : subtree(path.substr(0, slash));
    if (!parent) return nullptr;
    const std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
    return git_tree_entry_byname(parent, name.c_str());
}

namespace {
DirEntry dir_entry_of(const git_tree_entry* e) {
    char id[GIT_OID_HEXSZ + 1];
    git_oid_tostr(id, sizeof id, git_tree_entry_id(e));
    return DirEntry{git_tree_entry_name(e), kind_of_mode(git_tree_entry_filemode(e)), id};
}
}  // namespace

std::vector<DirEntry> GitTree::list(std::string_view dir) const {
    std::vector<DirEntry> out;
    const git_tree* t = subtree(dir);
    if (!t) return out;
    const size_t n = git_tree_entrycount(t);
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(dir_entry_of(git_tree_entry_byindex(t, i)));
    // git sorts trees with "dir/" semantics; callers want plain byte order of names (the
    // same order unless a directory's name is a prefix of another name).
    const auto by_name = [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; };
    if (!std::is_sorted(out.begin(), out.end(), by_name)) std::sort(out.begin(), out.end(), by_name);
    return out;
}

std::vector<EntryChange> GitTree::changes_since(const GitTree& older, std::string_view dir) const {
    std::vector<EntryChange> out;
    const git_tree* a = older.subtree(dir);
    const git_tree* b = subtree(dir);
    const size_t na = a ? git_tree_entrycount(a) : 0;
    const size_t nb = b ? git_tree_entrycount(b) : 0;
    size_t i = 0, j = 0;
    // Both trees are in git's entry order, the order git_tree_entry_cmp compares by.
    while (i < na || j < nb) {
        const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
        const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
        const int c = !ea ? 1 : !eb ? -1 : git_tree_entry_cmp(ea, eb);
        // (A file and a directory of one name compare apart: a removal and an addition.)
        if (c == 0) {
            if (git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb) ||
                !git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)))
                out.push_back({dir_entry_of(ea), dir_entry_of(eb)});
            ++i, ++j;
        } else if (c < 0) {
            out.push_back({dir_entry_of(ea), std::nullopt});
            ++i;
        } else {
            out.push_back({std::nullopt, dir_entry_of(eb)});
            ++j;
        }
    }
    return out;
}

std::optional<EntryKind> GitTree::kind(std::string_view path) const {
    if (path.empty()) return EntryKind::Directory;
    const git_tree_entry* e = entry(path);
    if (!e) return std::nullopt;
    return kind_of_mode(git_tree_entry_filemode(e));
}

std::optional<git_oid> GitTree::entry_id(std::string_view path) const {
    if (path.empty()) return *git_tree_id(root_.get());
    const git_tree_entry* e = entry(path);
    if (!e) return std::nullopt;
    return *git_tree_entry_id(e);
}

std::optional<std::string> GitTree::content_id(std::string_view path) const {
    const auto id = entry_id(path);
    if (!id) return std::nullopt;
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &*id);
    return std::string(buf);
}

std::string GitTree::read(std::string_view path) const {
    const git_tree_entry* e = entry(path);
    if (!e) throw GuardError(fmt::format("'{}' is not in {}", path, describe()));
    git_blob* b = nullptr;
    git_check(git_blob_lookup(&b, repo_, git_tree_entry_id(e)), [&] {
        return fmt::format("cannot read '{}' (blob {}) from {}", path, git_oid_tostr_s(git_tree_entry_id(e)), describe());
    });
    Blob blob(b);
    const auto size = static_cast<size_t>(git_blob_rawsize(b));
    return std::string(static_cast<const char*>(git_blob_rawcontent(b)), size);
}

namespace {
// The object ID a listed entry carries, when it carries a whole one.
std::optional<git_oid> listed_id(const DirEntry& entry) {
    git_oid id;
    if (entry.id.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&id, entry.id.data(), GIT_OID_HEXSZ) < 0) return std::nullopt;
    return id;
}
}  // namespace

std::string GitTree::read_entry(std::string_view dir, const DirEntry& entry) const {
    const auto listed = listed_id(entry);
    if (!listed) return read(join_path(dir, entry.name));
    const git_oid id = *listed;
    // Straight from the object database: no path lookup, no object parsing, no cache.
    if (!odb_) {
        git_odb* odb = nullptr;
        git_check(git_repository_odb(&odb, repo_), "cannot open the object database");
        odb_.reset(odb);
    }
    git_odb_object* o = nullptr;
    git_check(git_odb_read(&o, odb_.get(), &id), [&] {
        return fmt::format("cannot read '{}' (blob {}) from {}", join_path(dir, entry.name), entry.id, describe());
    });
    OdbObject obj(o);
    if (git_odb_object_type(o) != GIT_OBJECT_BLOB)
        throw GuardError(fmt::format("cannot read '{}' from {}: object {} is not a blob", join_path(dir, entry.name),
                                     describe(), entry.id));
    return std::string(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
}

bool GitTree::prepare_concurrent_reads() const {
    if (!packs_) {
        const char* common = git_repository_commondir(repo_);  // ends with '/'
        packs_ = std::make_unique<PackReader>(std::string(common ? common : "") + "objects");
    }
    return packs_->pack_count() > 0;
}

bool GitTree::read_entry_concurrently(std::string_view dir, const DirEntry& entry, std::string& out) const {
    (void)dir;
    const auto id = listed_id(entry);
    return packs_ && id && packs_->read_blob(*id, out);
}

void GitTree::walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const {
    // Through the subtree cache, not git_tree_walk: the versions/ tree a walk passes
    // through is the one list() and changes_since() read next, so it is inflated once.
    // An explicit stack: a hostile tree may nest deeper than any call stack.
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        const git_tree* t = subtree(dir);
        if (!t) continue;
        const std::string prefix = dir.empty() ? std::string() : dir + "/";
        const size_t n = git_tree_entrycount(t);
        for (size_t i = 0; i < n; ++i) {
            const git_tree_entry* e = git_tree_entry_byindex(t, i);
            const auto kind = kind_of_mode(git_tree_entry_filemode(e));
            if (kind == EntryKind::File) visit(prefix, git_tree_entry_name(e));
            else if (kind == EntryKind::Directory) pending.push_back(prefix + git_tree_entry_name(e));
        }
    }
}

std::string GitTree::describe() const {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &commit_);
    return fmt::format("commit {}", std::string_view(buf).substr(0, 12));
}

}  // namespace ag
