#pragma once
// The common push adds a migration or two on top of a clean history. Such a push is judged
// from the old tip's cached result and the added files alone, so its cost grows with what
// it adds, not with the length of the history. Anything else — a migration changed or
// removed, a branch label, a dependency, a new head where one is not allowed, an old result
// with problems or notes, no cached result — is left to check_environment.
#include "source/git_tree.hpp"
#include "verdict/environment_check.hpp"

#include <optional>

namespace ag {

// The check of `new_env` at `new_tree` when the push from `old_tree` only extends a clean
// history there (the answer check_environment would give, and it is stored as its cached
// result); nullopt when that cannot be shown from what changed. `before` is the check of
// `old_env` at `old_tree`, already made.
std::optional<EnvironmentCheck> extend_old_result(const GitTree& old_tree, const GitTree& new_tree,
                                                  const Environment& old_env, const EnvironmentCheck& before,
                                                  const Environment& new_env, const CheckOptions& options);

}  // namespace ag
