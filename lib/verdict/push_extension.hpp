#pragma once
// The common push adds a migration or two on top of a clean history. Such a push is judged
// from the old tip's cached result and the added files alone, so its cost grows with what
// it adds, not with the length of the history. Anything else — a migration changed or
// removed, a branch label, a dependency, a new head where one is not allowed, an old result
// with problems or notes, no cached result — is left to check_environment.
#include "source/git_tree.hpp"
#include "verdict/environment_check.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

// Whether `new_env` at `new_tree` reads exactly what `old_env` at `old_tree` read from its
// version locations and config, by the same rules (both without config problems). The
// modules of the repository its migrations import are not compared (dependencies_hold does).
bool inputs_unchanged(const GitTree& old_tree, const Environment& old_env, const GitTree& new_tree,
                      const Environment& new_env);

struct AddedMigration {
    Migration migration;  // read, with the environment's Alembic rules applied
    std::string blob;     // the file's object ID, hex
};

// The migrations `new_tree` adds to `new_env`'s version locations (in load order) when adding
// files is all that changed there and each added file can be judged alone; nullopt for an
// edit, a deletion, a link, a compiled copy, an added migration that imports or calls the
// repository's own code, or a change of settings or rules.
std::optional<std::vector<AddedMigration>> migrations_only_added(const GitTree& old_tree, const GitTree& new_tree,
                                                                 const Environment& old_env,
                                                                 const Environment& new_env,
                                                                 const CheckOptions& options);

// The check of `new_env` at `new_tree` when the push from `old_tree` only extends a clean
// history there (the answer check_environment would give, and it is stored as its cached
// result); nullopt when that cannot be shown from what changed. `before` is the check of
// `old_env` at `old_tree`, already made.
std::optional<EnvironmentCheck> extend_old_result(const GitTree& old_tree, const GitTree& new_tree,
                                                  const Environment& old_env, const EnvironmentCheck& before,
                                                  const Environment& new_env, const CheckOptions& options);

}  // namespace ag
