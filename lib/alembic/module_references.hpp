#pragma once
// Migration fields written with names of the repository's own modules
// (`from neutron.db.migration import cli` then `branch_labels = (cli.EXPAND_BRANCH,)`): each
// such module is found where Python would import it from (the environment's module roots),
// read by the same rules as a migration, and the name's literal value put in the field. What
// cannot be resolved so -- a module that is not in the repository, a name computed at run
// time, an import that fails -- makes the migration unparsable: a label the guard cannot see
// is never called a missing revision, and never lets a clash through.
#include "alembic/migration.hpp"
#include "source/source_tree.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ag {

// A file the resolution read or looked for, and its content address then ("-" when absent,
// "" when the tree has none): a result that depends on it is valid while these hold.
struct ModuleDependency {
    std::string path;
    std::string id;
    // When set, `path` is a directory and `id` says which of its entries are named `stem` or
    // `stem.*` (what Python's path finder looks at for a module), with their content addresses.
    std::string stem;
};

// Fills the fields of every migration in `migrations` that has references, or sets its error;
// follows the repository's own code each migration imports or calls at import
// (Migration::imports, Migration::calls), and what that code imports and calls in turn, and
// sets the error where it reaches frames, namespaces or other modules' names, or hands a
// module of the repository on as a value (Migration::escapes).
// `roots`: repository-relative directories searched in order (Environment::module_roots);
// `python`: the grammar modules are read by. Appends to `dependencies` every module file
// read and every place looked at before it.
// `env_py`: the environment's env.py ("" when not known), which Alembic runs before it loads
// the migrations: where it changes sys.path, or cannot be followed, a module found in no root
// but in the repository is not proven.
void resolve_module_references(const SourceTree& tree, const std::vector<std::string>& roots, py::PythonVersion python,
                               const std::string& env_py, std::vector<Migration>& migrations,
                               std::vector<ModuleDependency>& dependencies);

// Whether code that made `calls` (Migration::calls, PyModule::calls) changes sys.path.
bool changes_sys_path(const std::vector<std::string>& calls);

// Whether `dotted` (a module, or a name in one) is taken from a module Python has imported
// before any migration loads (the standard library's, Alembic's, SQLAlchemy's), so that no file
// of the repository can stand in for it.
bool preloaded_module(std::string_view dotted);

// Whether `dependencies` still hold in `tree`.
bool dependencies_hold(const SourceTree& tree, const std::vector<ModuleDependency>& dependencies);

}  // namespace ag
