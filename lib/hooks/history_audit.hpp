#pragma once
// `audit`: for every problem standing at a branch's tip, the mainline commit since which it
// has stood, the merge that brought it in (and its pull request), and the commit that added
// the offending file. Walks first-parent history; a graph is rebuilt only where an
// environment's version locations or config changed.
#include "verdict/push_policy.hpp"
#include "git/repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

struct AuditFinding {
    std::string environment;
    Problem problem;
    std::optional<std::string> mainline;      // first-parent commit since which it stands
    std::optional<std::string> merge;         // that commit, when it is a merge
    std::optional<std::string> introduced_by; // the commit that added the offending file
    std::optional<long> pr;                   // from the merge (or squash) message
    std::string subject;                      // the mainline commit's subject line
    git_time_t since = 0;                     // the mainline commit's committer time
    bool before_since = false;                // already stood at --since
};

struct AuditResult {
    std::string tip;
    std::vector<AuditFinding> findings;
    size_t commits_walked = 0;
    size_t graphs_built = 0;
};

AuditResult audit_history(const GitRepository& repo, const std::string& ref, const std::optional<std::string>& since,
                          const PolicyOptions& options);

// The pull request a commit message names ("Merge pull request #12", "Title (#12)",
// "See merge request group/project!12"), if any.
std::optional<long> pull_request_of(std::string_view message);

}  // namespace ag
