#pragma once
// `check-merge`: a merge queue's question, answered before anything lands. Candidates are
// merged one after another onto the result so far, in memory (a mempack ODB backend: no
// object or ref is written), and each merge is judged against the result before it — the
// verdict the server gives when they land in that order. A failing candidate is left out,
// as a queue ejects it.
#include "report/merge_report.hpp"
#include "git/repository.hpp"

#include <string>
#include <vector>

namespace ag {

// `repo` gains an in-memory backend for the lifetime of the call's objects; nothing is
// written to its object store or refs.
std::vector<CandidateOutcome> check_merge(const GitRepository& repo, const std::string& base,
                                          const std::vector<std::string>& candidates, const PolicyOptions& options);

}  // namespace ag
