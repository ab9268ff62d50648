#pragma once
// Where the migrations of a tree live: every Alembic environment declared by an .ini
// section with script_location, by [tool.alembic] in pyproject.toml, by convention (a
// directory with env.py and versions/ that no config names), or explicitly by
// .alembic-guard.toml (which then replaces discovery).
#include "alembic/migration.hpp"
#include "alembic/project_python.hpp"
#include "alembic/problem.hpp"
#include "source/source_tree.hpp"

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
    // The Python whose grammar its migrations are judged by, and what said so.
    PythonChoice python;
    std::vector<Note> notes;
    std::vector<Problem> problems;  // unreadable-config
    // Identity across commits: the sorted version locations (or the config, when unknown).
    std::string identity() const;
};

struct GuardConfigEnvironment;

// Discovers environments in `tree`. `declarations`, when given, is the tree whose
// .alembic-guard.toml applies (a push is judged under the file at its old tip).
std::vector<Environment> discover_environments(const SourceTree& tree, const SourceTree* declarations = nullptr);

}  // namespace ag
