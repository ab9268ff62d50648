#pragma once
// `audit`: for every problem standing at a branch's tip, the mainline commit since which it
// has stood, the merge that brought it in (and its pull request), and the commit that added
// the offending file. Walks first-parent history; a graph is rebuilt only where an
// environment's version locations or config changed.
#include "report/audit_report.hpp"
#include "verdict/push_policy.hpp"
#include "git/repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

AuditResult audit_history(const GitRepository& repo, const std::string& ref, const std::optional<std::string>& since,
                          const PolicyOptions& options);

// The pull request a commit message names ("Merge pull request #12", "Title (#12)",
// "See merge request group/project!12"), if any.
std::optional<long> pull_request_of(std::string_view message);

}  // namespace ag
