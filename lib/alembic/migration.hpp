#pragma once
// One migration file as Alembic 1.8.1 would load it: the four module attributes turned
// into revision fields, or the reason Alembic would fail to load the file.
#include "python/python_version.hpp"
#include "alembic/alembic_version.hpp"
#include "source/source_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

// Which of the things worth knowing (that block nothing) a note is; the report words it
// (report/problem_wording.hpp: note_message) from the facts beside it.
enum class NoteKind : unsigned char {
    script_location_unjudged,   // subject: script_location as written; detail: why the guard cannot follow it
    script_location_missing,    // subject: script_location as written; detail: where it resolves
    location_unjudged,          // subject: a version location as written; detail: why
    location_missing,           // subject: a version location's directory (Alembic skips it silently)
    no_location_exists,         // none of the environment's version locations is a directory
    declared_location_missing,  // subject: a version location .alembic-guard.toml declares
    python_nearest,             // subject: the Python version declared; detail: the one judged by
    undetected_cycle,           // ids: the revisions; through_dependencies: by depends_on too
    alembic_oldest,             // subject: the Alembic version declared (older than the guard knows);
                                // detail: the version judged as
    unread_subdirectories,      // subject: how many `*.py` files lie in sub-directories Alembic does not
                                // read; ids: those directories; detail: the Alembic version
};

struct Note {
    std::string file;
    int line = 0;
    NoteKind kind = NoteKind::no_location_exists;
    std::string subject{};  // (the {}: a note names only the facts its kind has, without a warning)
    std::string detail{};
    std::vector<std::string> ids{};
    bool through_dependencies = false;
};

// A field written with names of the repository's own modules ("(cli.EXPAND_BRANCH,)"):
// known once those modules are read (module_references.hpp), not from this file alone.
struct MigrationReference {
    std::string field;               // revision, down_revision, branch_labels or depends_on
    std::vector<std::string> items;  // encoded templates (python/value_template.hpp)
    bool sequence = false;           // a tuple or list of them, not one value
    int line = 0;
};

struct Migration {
    std::string path;                          // repository-relative
    std::string revision;                      // empty when unknown
    std::vector<std::string> down_revisions;   // empty: a base
    std::vector<std::string> depends_on;       // revision IDs or branch labels
    std::vector<std::string> branch_labels;
    int revision_line = 0;                     // 0 when taken from the legacy file name
    int down_revision_line = 0;
    // `down_revision = ''` (a str): a base before Alembic 1.12.1, a missing parent '' after
    // (apply_version_rules decides).
    bool empty_parent = false;
    // Set by apply_version_rules with `error`: the ID has characters the version refuses.
    bool invalid_id = false;
    // Set when Alembic could not load this file: it takes no part in the graph.
    std::optional<std::string> error;
    int error_line = 0;
    std::vector<MigrationReference> references;  // fields left empty until resolved
    std::vector<std::string> calls;    // names of other modules called at import (PyModule::calls)
    std::vector<std::string> imports;  // modules imported at import (PyModule::imports)
    std::vector<std::string> escapes;  // imported names handed on as values at import (PyModule::escapes)
    py::PythonVersion python = py::kUndeclaredPython;  // the grammar it was read by
};

// Does Alembic try to load a file of this name from a version location? (`*.py`, not
// starting with `.#` or `__init__`; a final newline still matches Alembic's pattern.)
bool is_migration_file_name(std::string_view name);
// Why Alembic fails on a file of this name although it matches (".py", a final newline).
std::optional<std::string> unloadable_name(std::string_view name);

// The characters of `id` that Alembic `version` refuses in a revision ID ('@', '-', '+', and
// ':' from 1.17.1), in that order; empty when it accepts the ID.
std::string refused_id_characters(std::string_view id, const AlembicVersion& version);

// What a migration read alone means under `version`: `''` as a parent, the characters of its
// ID. A refused ID makes the migration unloadable (`error`, `invalid_id`; the error is the
// version's text, the report words it). Idempotent.
void apply_version_rules(Migration& m, const AlembicVersion& version);

// Interprets the bytes of `path` as Alembic would; never throws, never executes.
Migration read_migration(std::string path, std::string_view bytes, py::PythonVersion python = py::kUndeclaredPython);

// Why Alembic fails on an entry named *.py that is not a regular file (a directory, a
// symlink, a submodule...): the end of a sentence naming it (Migration::error).
std::string not_a_file_reason(EntryKind kind);
// A migration Alembic fails to load for the reason given (a "... it" sentence's end).
Migration unloadable_migration(std::string path, std::string why);

}  // namespace ag
