#include "alembic/version_listing.hpp"

#include "alembic/compiled_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>

namespace ag {

std::optional<VersionFile> judge_entry(const DirEntry& e, const AlembicVersion& alembic) {
    if (!is_migration_file_name(e.name)) return std::nullopt;
    // 1.10+ lists with os.walk: a directory (or a checked-out submodule) is no file to load.
    if (alembic.skips_what_it_cannot_load() && (e.kind == EntryKind::Directory || e.kind == EntryKind::Submodule))
        return std::nullopt;
    VersionFile f{&e, false, nullptr, std::nullopt};
    if (e.kind != EntryKind::File) f.refused = not_a_file_reason(e.kind);
    else if (auto why = unloadable_name(e.name)) f.refused = std::move(*why);
    return f;
}

std::string VersionListing::path(const VersionFile& f) const {
    if (f.target_dir) return join_path(*f.target_dir, f.entry->name);
    return join_path(f.in_pycache ? join_path(location_, "__pycache__") : location_, f.entry->name);
}

namespace {

// Where a symlink ends, as os.path.realpath finds it inside the repository.
struct LinkEnd {
    enum class Kind { unprovable, dangling, directory, file } kind = Kind::unprovable;
    std::string path;  // where it ends (not for unprovable): repository-relative
    std::string why;   // unprovable: why
};

LinkEnd resolve_link(const SourceTree& tree, std::string path) {
    for (int hop = 0; hop < 40; ++hop) {  // Linux's own limit on a chain of links
        const auto target = tree.link_target(path);
        if (!target || target->empty()) return {LinkEnd::Kind::unprovable, {}, "its target cannot be read"};
        if (target->front() == '/')
            return {LinkEnd::Kind::unprovable, {}, fmt::format("it points to '{}', outside the repository", *target)};
        const auto joined = normalize_path(join_path(parent_path(path), *target));
        if (!joined) return {LinkEnd::Kind::unprovable, {}, fmt::format("it points to '{}', outside the repository", *target)};
        // Read lexically, which equals the file system's reading only while no directory on
        // the way is itself a link.
        for (auto dir = parent_path(*joined); !dir.empty(); dir = parent_path(dir)) {
            const auto k = tree.kind(dir);
            if (!k) return {LinkEnd::Kind::dangling, *joined, {}};
            if (k != EntryKind::Directory)
                return {LinkEnd::Kind::unprovable, {}, fmt::format("it points through '{}', which is no directory", dir)};
        }
        const auto kind = tree.kind(*joined);
        if (!kind) return {LinkEnd::Kind::dangling, *joined, {}};
        switch (*kind) {
        case EntryKind::Symlink: path = *joined; continue;
        case EntryKind::File: return {LinkEnd::Kind::file, *joined, {}};
        case EntryKind::Directory:
        case EntryKind::Submodule: return {LinkEnd::Kind::directory, *joined, {}};
        default: return {LinkEnd::Kind::unprovable, {}, fmt::format("it points to '{}', which is no regular file", *joined)};
        }
    }
    return {LinkEnd::Kind::unprovable, {}, "it is a chain of more than 40 links (Python fails on it)"};
}

bool compiled_name(std::string_view n) {
    return (n.ends_with(".pyc") || n.ends_with(".pyo")) && n.substr(0, 2) != ".#" && n.substr(0, 8) != "__init__";
}

}  // namespace

VersionListing::VersionListing(const SourceTree& tree, std::string location, bool sourceless,
                               const AlembicVersion& alembic)
    : location_(std::move(location)), listed_(tree.list(location_)) {
    for (const auto& e : listed_)
        if (e.name == "__pycache__" && e.kind == EntryKind::Directory) pycache_ = tree.list(join_path(location_, e.name));
    const std::string pycache_dir = join_path(location_, "__pycache__");
    files_.reserve(listed_.size());
    for (const auto& e : listed_) {
        if (e.kind == EntryKind::Symlink && alembic.skips_what_it_cannot_load()) {
            // 1.10+ loads os.path.realpath of each file and matches the TARGET's name: a
            // dangling link or one to a directory is skipped, a link to `x.py` is loaded
            // whatever its own name, a link named `x.py` to another name is not.
            const LinkEnd end = resolve_link(tree, join_path(location_, e.name));
            if (end.kind == LinkEnd::Kind::unprovable) {
                files_.push_back({&e, false, nullptr,
                                  fmt::format("is a symbolic link Alembic follows, but {}: what Alembic loads depends "
                                              "on the deploy host; commit the migration itself",
                                              end.why)});
                continue;
            }
            if (!end.path.empty()) link_ends_.push_back(end.path);
            if (end.kind == LinkEnd::Kind::directory || !is_migration_file_name(base_name(end.path))) continue;
            if (end.kind == LinkEnd::Kind::dangling) {
                // realpath() of a dangling link is its target's path: a `*.py` name there is
                // loaded, and fails.
                files_.push_back({&e, false, nullptr,
                                  fmt::format("is a symbolic link to '{}', which does not exist: Alembic fails with "
                                              "ImportError (\"Can't find Python file\")",
                                              end.path)});
                continue;
            }
            const std::string& dir = target_dirs_.emplace_back(parent_path(end.path));
            const Listing& in = target_listings_.emplace_back(tree.list(dir));
            const auto name = base_name(end.path);
            const auto it = std::find_if(in.begin(), in.end(), [&](const DirEntry& t) { return t.name == name; });
            if (it == in.end()) continue;  // listed a moment ago: cannot happen in a read-only tree
            VersionFile f{&*it, false, &dir, std::nullopt};
            if (auto why = unloadable_name(it->name)) f.refused = std::move(*why);
            files_.push_back(std::move(f));
            continue;
        }
        auto f = judge_entry(e, alembic);
        if (!f) continue;
        // Python runs a committed __pycache__ copy instead of its source when the copy's
        // stamp says so; the guard cannot read bytecode, so it refuses rather than ignore it.
        if (!f->refused)
            if (auto copy = hash_stamped_copy(tree, pycache_dir, pycache_, e.name))
                f->refused = fmt::format("has a hash-stamped compiled copy committed beside it (__pycache__/{}), "
                                         "which Python runs instead of the source; the guard cannot read it: remove "
                                         "__pycache__ from the repository",
                                         *copy);
        files_.push_back(std::move(*f));
    }
    if (!sourceless) return;
    // With sourceless = true Alembic loads .pyc/.pyo files that have no source beside them,
    // from the location and its __pycache__ (Script._list_py_dir, _from_filename).
    auto listed_name = [&](std::string_view n) {
        return std::any_of(listed_.begin(), listed_.end(), [&](const DirEntry& o) { return o.name == n; });
    };
    auto refuse = [&](const DirEntry& e, bool in_pycache) {
        files_.push_back({&e, in_pycache, nullptr,
                          "is a compiled migration, which Alembic loads because the config says sourceless = true; "
                          "the guard cannot read compiled files: commit the source instead"});
    };
    std::set<std::string_view> stems;
    for (const auto& e : listed_) stems.insert(e.name.substr(0, e.name.find('.')));
    for (const auto& e : listed_) {
        if (!compiled_name(e.name) || e.kind != EntryKind::File) continue;
        const std::string source(e.name.substr(0, e.name.size() - 1));
        if (!listed_name(source) && !(e.name.ends_with(".pyo") && listed_name(source + "c")))
            refuse(e, false);
    }
    for (const auto& c : pycache_)
        if (compiled_name(c.name) && !stems.count(c.name.substr(0, c.name.find('.'))))
            refuse(c, true);
}

}  // namespace ag
