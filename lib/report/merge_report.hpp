#pragma once
// The words of `check-merge`: each candidate of a merge queue, landed in turn onto the result
// so far. hooks/merge_queue finds the facts; this says them as text or JSON Lines.
#include "report/push_report.hpp"

#include <string>
#include <vector>

namespace ag {

struct CandidateOutcome {
    RefJudgement judgement;                  // ref = the candidate as given; old/new = result before/after
    std::vector<std::string> conflict_files; // textual conflicts (then judgement has a merge-conflict problem)
    bool included = false;                   // part of the result so far afterwards
};

// One JSON object per candidate (design.md), each ending in a newline.
std::string check_merge_json_lines(const std::vector<CandidateOutcome>& outcomes);
// The report a person reads; `base` as given, `base_hex` the commit it names.
std::string check_merge_text(const std::string& base, const std::string& base_hex,
                             const std::vector<CandidateOutcome>& outcomes);

}  // namespace ag
