#pragma once
// One version location as Alembic loads it (Script._list_py_dir): the files it tries to
// import, in load order, each either to be read from its source or refused with the reason
// it cannot be. Every reader of a version location goes through here: the full check, and,
// for each file a push adds, the push's shortcut (refused_on_its_own).
#include "alembic/migration.hpp"
#include "source/source_tree.hpp"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ag {

// Small on purpose: a location lists one per migration, 50,000 in the longest histories.
struct VersionFile {
    const DirEntry* entry;    // into the listing's entries (or its __pycache__'s)
    bool in_pycache = false;  // listed in the location's __pycache__ (sourceless compiled files)
    // Set for a symlink Alembic 1.10+ resolves: the directory of its target (`entry` is the
    // target's entry there), where Alembic loads it from.
    const std::string* target_dir = nullptr;
    // Set when Alembic fails on the file, or runs something the guard cannot read in its
    // place: why, as the end of a sentence naming the file (Migration::error).
    std::optional<std::string> refused;
};

class VersionListing {
public:
    // `sourceless`: the environment's config says sourceless = true, so Alembic also loads
    // compiled files that have no source beside them (refused: the guard cannot read them).
    // `alembic`: what the version does with entries it cannot load (fails, or skips).
    VersionListing(const SourceTree& tree, std::string location, bool sourceless, const AlembicVersion& alembic);
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
    // A file's repository-relative path (a resolved symlink's: its target's).
    std::string path(const VersionFile& f) const;
    // Where each symlink Alembic 1.10+ resolves ends (a file, a directory, or nothing): what
    // the listing depends on outside its own directory.
    const std::vector<std::string>& link_ends() const { return link_ends_; }
    // The directory a file is read from.
    std::string_view dir(const VersionFile& f) const { return f.target_dir ? *f.target_dir : location_; }
    // A refused file as the unloadable migration the graph reports.
    Migration refused_migration(const VersionFile& f) const { return unloadable_migration(path(f), *f.refused); }

private:
    std::string location_;
    Listing listed_;
    Listing pycache_;
    std::vector<VersionFile> files_;
    // Where resolved symlinks point: the listings their target entries live in, and the
    // directories (deques: files point into them, and they grow).
    std::deque<Listing> target_listings_;
    std::deque<std::string> target_dirs_;
    std::vector<std::string> link_ends_;
};

// Whether Alembic tries to load `e` (a `*.py` name), and if so, why it fails on it judged
// from the entry alone (its kind, its name): nullopt when it is not a migration file; a
// VersionFile without `refused` when its source is to be read. What lies beside it (a
// __pycache__ copy) is the listing's to judge, and so is a symlink under Alembic 1.10+
// (which matches the target's name, not the link's): callers judging an entry alone must
// treat every symlink as needing the whole listing.
std::optional<VersionFile> judge_entry(const DirEntry& e, const AlembicVersion& alembic);

}  // namespace ag
