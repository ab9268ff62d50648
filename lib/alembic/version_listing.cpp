#include "alembic/version_listing.hpp"

#include "alembic/compiled_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>

namespace ag {

std::optional<VersionFile> judge_entry(const DirEntry& e) {
    if (!is_migration_file_name(e.name)) return std::nullopt;
    VersionFile f{&e, false, std::nullopt};
    if (e.kind != EntryKind::File) f.refused = not_a_file_reason(e.kind);
    else if (auto why = unloadable_name(e.name)) f.refused = std::move(*why);
    return f;
}

std::string VersionListing::path(const VersionFile& f) const {
    return join_path(f.in_pycache ? join_path(location_, "__pycache__") : location_, f.entry->name);
}

namespace {

bool compiled_name(std::string_view n) {
    return (n.ends_with(".pyc") || n.ends_with(".pyo")) && n.substr(0, 2) != ".#" && n.substr(0, 8) != "__init__";
}

}  // namespace

VersionListing::VersionListing(const SourceTree& tree, std::string location, bool sourceless)
    : location_(std::move(location)), listed_(tree.list(location_)) {
    for (const auto& e : listed_)
        if (e.name == "__pycache__" && e.kind == EntryKind::Directory) pycache_ = tree.list(join_path(location_, e.name));
    const std::string pycache_dir = join_path(location_, "__pycache__");
    files_.reserve(listed_.size());
    for (const auto& e : listed_) {
        auto f = judge_entry(e);
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
        files_.push_back({&e, in_pycache,
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
