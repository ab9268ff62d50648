#pragma once
// Where the migrations of a tree live: every Alembic environment declared by an .ini
// section with script_location, by [tool.alembic] in pyproject.toml, by convention (a
// directory with env.py and versions/ that no config names), or explicitly by
// .alembic-guard.toml (which then replaces discovery).
#include "alembic/alembic_version.hpp"
#include "alembic/migration.hpp"
#include "alembic/project_python.hpp"
#include "alembic/problem.hpp"
#include "source/source_tree.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

struct Environment {
    std::string name;     // display name (design.md)
    std::string config;   // repository-relative config file; "" for a convention directory
    std::string section;  // ini section; "" otherwise
    std::vector<std::string> version_locations;  // repository-relative, in config order, each once
    // Where Python finds the project's own modules when Alembic loads this environment
    // (prepend_sys_path, relative to the config's directory), then the repository's top,
    // where an installed project package lives: repository-relative, in import order.
    std::vector<std::string> module_roots;
    // The script directory (script_location), where env.py lives; "" when not known (an
    // environment declared in .alembic-guard.toml, or a script_location that cannot be judged).
    std::string script_directory;
    bool allow_multiple_heads = false;
    // `sourceless = true`: Alembic also loads compiled .pyc/.pyo files as migrations.
    bool sourceless = false;
    // `recursive_version_locations = true` (read from Alembic 1.10): the sub-directories of
    // each version location are loaded too.
    bool recursive = false;
    // The Alembic whose rules decide which files are loaded and which IDs are legal.
    AlembicChoice alembic;
    // The Python whose grammar its migrations are judged by, and what said so.
    PythonChoice python;
    std::vector<Note> notes;
    std::vector<Problem> problems;  // unreadable-config
    // Identity across commits: the sorted version locations (or the config, when unknown).
    std::string identity() const;
};

// Discovers environments in `tree`. `declarations`, when given, is the tree whose
// .alembic-guard.toml, Python and Alembic pins apply (a push is judged under them as they are
// at its old tip). `alembic`, when given (the operator's or the command line's), replaces
// every version the project declares.
std::vector<Environment> discover_environments(const SourceTree& tree, const SourceTree* declarations = nullptr,
                                               const std::optional<AlembicChoice>& alembic = std::nullopt);

// The directories Alembic lists for `env`, in its load order: each existing version location,
// and with `recursive` its sub-directories, a directory's own files before its
// sub-directories, these by name, depth first (never __pycache__ or a symlinked directory).
// A directory reached twice is listed once.
std::vector<std::string> loaded_directories(const SourceTree& tree, const Environment& env);

}  // namespace ag
