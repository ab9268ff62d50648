#pragma once
// design.md's "would it introduce?" verdict: compare each environment's graph at the
// ref's old tip with the graph at its new tip. A push that leaves a broken history no
// worse, or repairs it, passes; one that adds a head or a new problem key does not.
#include "git/git_handle.hpp"
#include "verdict/environment_check.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ag {

struct IntroducedProblem {
    std::string environment;
    Problem problem;
};

struct EnvironmentDelta {
    std::string name;
    bool judged_alone = false;  // no old graph: the new tip must pass check
    size_t head_count_before = 0;
    size_t head_count_after = 0;
    std::vector<std::string> heads_before;
    std::vector<std::string> heads_after;
    std::vector<Note> notes;
};

struct Verdict {
    bool ok = true;
    std::vector<IntroducedProblem> introduced;
    std::vector<EnvironmentDelta> environments;
    bool declarations_changed = false;  // .alembic-guard.toml differs at the new tip
};

struct PolicyOptions {
    std::optional<std::set<std::string>> allow_multiple_heads;  // operator override
    std::optional<PythonChoice> python;                          // operator override (alembicGuard.pythonVersion)
    std::optional<AlembicChoice> alembic;                        // operator override (alembicGuard.alembicVersion)
    ResultCache* cache = nullptr;
};

// How a tree is checked under `options` when `declarations` is the tree whose
// .alembic-guard.toml (and pins) apply: the old tip of a push, the base of a merge.
CheckOptions check_options_at(const PolicyOptions& options, const SourceTree& declarations);

// Judges moving a ref from `before` (nullopt: no old graph) to `after`. The in-repository
// .alembic-guard.toml applies as it is at `before` (or at `after` when there is none).
Verdict judge_update(git_repository* repo, const std::optional<git_oid>& before, const git_oid& after,
                     const PolicyOptions& options);

// Compares two checks of the same trees' environments (exposed for check-merge and tests).
// `existed_before(path)`: whether the old tip already had the file (messages point at the
// copy a push adds).
Verdict compare_checks(const TreeCheck& before, const TreeCheck& after,
                       const std::function<bool(const std::string&)>& existed_before);

}  // namespace ag
