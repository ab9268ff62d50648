#pragma once
// `check`: every environment of one tree, its revision graph and its problems.
#include "alembic/environment.hpp"
#include "cache/result_cache.hpp"
#include "alembic/revision_graph.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ag {

struct EnvironmentCheck {
    Environment environment;
    RevisionGraph graph;
    std::vector<Note> notes;        // the environment's, then its migrations'
    std::vector<Problem> problems;  // config problems, then graph problems
    std::vector<ModuleDependency> dependencies;  // files outside the version locations it read
    bool ok() const { return problems.empty(); }
};

struct TreeCheck {
    std::optional<std::string> commit;  // full OID; nullopt for a work tree
    std::vector<EnvironmentCheck> environments;
    bool ok() const;
};

struct CheckOptions {
    // The tree whose .alembic-guard.toml applies (default: the tree itself).
    const SourceTree* declarations = nullptr;
    // Operator override (alembicGuard.allowMultipleHeads): when set, replaces every
    // in-repository setting; holds environment names or "*".
    std::optional<std::set<std::string>> allow_multiple_heads;
    // The Python whose grammar migrations are judged by, when the operator or the command
    // line says (alembicGuard.pythonVersion, --python-version): it replaces the project's own.
    std::optional<PythonChoice> python;
    // The Alembic whose rules decide, when the operator or the command line says
    // (alembicGuard.alembicVersion, --alembic-version): it replaces the project's own.
    std::optional<AlembicChoice> alembic;
    // Remembered parses and results (may be null): only ever makes reading faster.
    ResultCache* cache = nullptr;
    // A tree whose parses the checked tree probably shares (a push's old tip): its cached
    // parses are loaded before reading what the cache does not know.
    const SourceTree* related = nullptr;
};

// Reads and judges every environment of `tree`. Throws GuardError only when the tree
// itself cannot be read (a missing or corrupt object).
TreeCheck check_tree(const SourceTree& tree, const CheckOptions& options = {});

// Judges one environment of `tree` (used by check_tree and by the push verdict).
EnvironmentCheck check_environment(const SourceTree& tree, Environment env, const CheckOptions& options);

// Whether several heads are allowed in `env` (the operator's override wins).
bool allows_multiple_heads(const Environment& env, const CheckOptions& options);
// What an environment's result depends on besides this binary: each version location's
// path and tree ID, in order, and the head setting. nullopt when a location has no content
// address (absent, or a tree on disk).
std::optional<std::string> environment_result_key(const SourceTree& tree, const Environment& env, bool allow);
// The check of `env` made of its result.
EnvironmentCheck environment_check_of(Environment env, EnvironmentResult result);

}  // namespace ag
