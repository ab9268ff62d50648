#pragma once
// One version location as Alembic loads it (Script._list_py_dir): the files it tries to
// import, in load order, each either to be read from its source or refused with the reason
// it cannot be. Every reader of a version location goes through here: the full check, and,
// for each file a push adds, the push's shortcut (refused_on_its_own).
#include "alembic/migration.hpp"
#include "source/source_tree.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

// Small on purpose: a location lists one per migration, 50,000 in the longest histories.
struct VersionFile {
    const DirEntry* entry;    // into the listing's entries (or its __pycache__'s)
    bool in_pycache = false;  // listed in the location's __pycache__ (sourceless compiled files)
    // Set when Alembic fails on the file, or runs something the guard cannot read in its
    // place: why, as the end of a sentence naming the file (Migration::error).
    std::optional<std::string> refused;
};

class VersionListing {
public:
    // `sourceless`: the environment's config says sourceless = true, so Alembic also loads
    // compiled files that have no source beside them (refused: the guard cannot read them).
    VersionListing(const SourceTree& tree, std::string location, bool sourceless);
    // Files point into the listing's own entries: moved, never copied.
    VersionListing(const VersionListing&) = delete;
    VersionListing& operator=(const VersionListing&) = delete;
    VersionListing(VersionListing&&) = default;
    VersionListing& operator=(VersionListing&&) = default;

    const std::string& location() const { return location_; }
    // Everything listed in the location, migrations or not.
    const Listing& entries() const { return listed_; }
    // The `*.py` files Alembic imports, sorted by name, each readable or refused: not a
    // regular file, a name Alembic fails on, a hash-stamped copy committed in __pycache__
    // that Python runs instead; then, with sourceless, the compiled files it loads.
    const std::vector<VersionFile>& files() const { return files_; }
    // A file's repository-relative path.
    std::string path(const VersionFile& f) const;
    // A refused file as the unloadable migration the graph reports.
    Migration refused_migration(const VersionFile& f) const { return unloadable_migration(path(f), *f.refused); }

private:
    std::string location_;
    Listing listed_;
    Listing pycache_;
    std::vector<VersionFile> files_;
};

// Whether Alembic tries to load `e` (a `*.py` name), and if so, why it fails on it judged
// from the entry alone (its kind, its name): nullopt when it is not a migration file; a
// VersionFile without `refused` when its source is to be read. What lies beside it (a
// __pycache__ copy) is the listing's to judge.
std::optional<VersionFile> judge_entry(const DirEntry& e);

}  // namespace ag
