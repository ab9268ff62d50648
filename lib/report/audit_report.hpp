#pragma once
// The words of `audit`: for each problem standing at a branch's tip, since when and by which
// merge. hooks/history_audit finds the facts; this says them as text or JSON Lines.
#include "alembic/problem.hpp"

#include <cstdint>
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
    std::int64_t since = 0;                   // the mainline commit's committer time (Unix seconds)
    bool before_since = false;                // already stood at --since
};

struct AuditResult {
    std::string tip;
    std::vector<AuditFinding> findings;
    size_t commits_walked = 0;
    size_t graphs_built = 0;
};

// One JSON object per finding (design.md), each ending in a newline.
std::string audit_json_lines(const AuditResult& result);
// The report a person reads; `ref` and `since` as given on the command line ("" without
// --since); `now` (Unix seconds) is what ages are counted from.
std::string audit_text(const AuditResult& result, const std::string& ref, const std::string& since, std::int64_t now);

}  // namespace ag
