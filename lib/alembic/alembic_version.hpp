#pragma once
// Which Alembic a project runs, and the rules that differ between the versions the guard
// emulates (../shared/alembic-versions.md). The revision graph is the same in every version
// since 1.8; which files are loaded, how the config is split and which IDs are legal are not.
// Every version-dependent decision of the guard asks one of AlembicVersion's rules, so that
// the version numbers live here and nowhere else.
#include "source/source_tree.hpp"

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ag {

struct AlembicVersion {
    int major = 1;
    int minor = 19;
    int patch = 1;
    bool patch_given = true;  // "1.13" was written without one (judged as 1.13.0)

    friend bool operator==(const AlembicVersion& a, const AlembicVersion& b) {
        return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
    }
    friend std::strong_ordering operator<=>(const AlembicVersion& a, const AlembicVersion& b) {
        if (auto c = a.major <=> b.major; c != 0) return c;
        if (auto c = a.minor <=> b.minor; c != 0) return c;
        return a.patch <=> b.patch;
    }
    bool at_least(int mj, int mn, int pt) const { return *this >= AlembicVersion{mj, mn, pt, true}; }
    // As written: "1.13" or "1.13.2".
    std::string text() const;

    // --- The rules, each named for what changed, with the first version that has it.
    // 1.10.0: `recursive_version_locations = true` reads sub-directories of each location.
    bool reads_sub_directories() const { return at_least(1, 10, 0); }
    // 1.10.0: what 1.8 failed on is skipped: a directory or dangling symlink named `*.py`, a
    // missing default `versions/`, a location that is a file. Symlinks are resolved, and the
    // target's name is the one matched.
    bool skips_what_it_cannot_load() const { return at_least(1, 10, 0); }
    // 1.12.1: `down_revision = ''` is no longer a base but a parent that does not exist.
    bool empty_parent_is_missing() const { return at_least(1, 12, 1); }
    // 1.13.3: the entries of version_locations split by a separator are stripped, a blank one
    // is the working directory, and `newline` is a separator.
    bool strips_location_entries() const { return at_least(1, 13, 3); }
    // 1.16.0: `path_separator` is read (and wins over version_path_separator), and
    // [tool.alembic] of the working directory's pyproject.toml fills what the ini lacks.
    bool reads_pyproject() const { return at_least(1, 16, 0); }
    // 1.16.4: TOML booleans (`recursive_version_locations = true`) are read; before, they are
    // "unsupported TOML value type".
    bool reads_toml_booleans() const { return at_least(1, 16, 4); }
    // 1.17.1: ':' joins '@', '-' and '+' as characters refused in a revision ID.
    bool refuses_colon_in_ids() const { return at_least(1, 17, 1); }
};

// The oldest and newest behaviour the guard knows. Older versions are judged as the oldest;
// newer ones by the newest rules (they are the newest's).
constexpr AlembicVersion kOldestAlembic{1, 8, 0, true};
constexpr AlembicVersion kNewestAlembic{1, 19, 1, true};

// "1.13", "1.13.2" (a pre-release or local suffix after the patch is ignored); nullopt for
// anything else, including versions that are not 1.x.
std::optional<AlembicVersion> parse_alembic_version(std::string_view text);

struct AlembicChoice {
    AlembicVersion version = kNewestAlembic;  // the rules judged by
    std::string from;                         // the file or setting that said so; "" for the default
    // Set when the declared version is older than the guard knows: it is judged as `version`.
    std::optional<AlembicVersion> declared;
};

// `version` as judged, said by `from`: below 1.8 it is judged as 1.8.
AlembicChoice choose_alembic(AlembicVersion version, std::string from);

// The version of Alembic a file of this name pins (uv.lock, poetry.lock, pdm.lock,
// Pipfile.lock: the locked version; requirements and constraints files: `alembic==X`), or
// nullopt when it pins none.
std::optional<AlembicVersion> pinned_alembic_version(std::string_view file_name, std::string_view text);

// The pin nearest to `dir` (repository-relative) going up to the top: in each directory the
// lock files, then requirements*.txt, requirements/*.txt and constraints*.txt, by name.
std::optional<AlembicChoice> project_alembic(const SourceTree& tree, std::string_view dir);

}  // namespace ag
