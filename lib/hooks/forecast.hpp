#pragma once
// `forecast`: which open candidates (pull requests, branches) collide with each other before
// anyone merges. Each candidate is landed on the base once, in memory, and what it adds to each
// environment is kept; pairs are compared from those additions alone (cheap: no tree is merged),
// and only a pair that may collide is merged in memory and judged by the push verdict, in the
// order it would land, before it is reported.
#include "hooks/guard_context.hpp"
#include "report/forecast_report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

struct ForecastOptions {
    std::string base;                     // empty: the default branch (HEAD's)
    std::vector<std::string> candidates;  // refs, commit-ishes or globs; empty: review refs, else branches
    std::string prefer;                   // a candidate that stays when it collides ("" : the one opened first)
};

// The candidates `options` names, as refs or commit-ishes, in a stable order. Throws GuardError
// for a name that is neither a revision nor a glob matching any ref.
std::vector<ForecastCandidate> forecast_candidates(const GitRepository& repo, const std::string& base_ref,
                                                   const std::vector<std::string>& given);

// Throws GuardError when the base or a candidate cannot be read.
Forecast forecast(GuardContext& context, const ForecastOptions& options);

}  // namespace ag
