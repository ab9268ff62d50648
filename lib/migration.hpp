#pragma once
// One migration file as Alembic 1.8.1 would load it: the four module attributes turned
// into revision fields, or the reason Alembic would fail to load the file.
#include "source_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

struct Note {
    std::string file;
    int line = 0;
    std::string message;
};

struct Migration {
    std::string path;                          // repository-relative
    std::string revision;                      // empty when unknown
    std::vector<std::string> down_revisions;   // empty: a base
    std::vector<std::string> depends_on;       // revision IDs or branch labels
    std::vector<std::string> branch_labels;
    int revision_line = 0;                     // 0 when taken from the legacy file name
    int down_revision_line = 0;
    // Set when Alembic could not load this file: it takes no part in the graph.
    std::optional<std::string> error;
    int error_line = 0;
    std::vector<Note> notes;  // non-literal branch_labels/depends_on
};

// Does Alembic 1.8.1 try to load a file of this name from a version location?
// (`*.py`, not starting with `.#` or `__init__`.)
bool is_migration_file_name(std::string_view name);

// Interprets the bytes of `path` as Alembic would; never throws, never executes.
Migration read_migration(std::string path, std::string_view bytes);

// A migration that is not a regular file (directory, symlink, submodule...) named *.py.
Migration unloadable_migration(std::string path, EntryKind kind);

}  // namespace ag
