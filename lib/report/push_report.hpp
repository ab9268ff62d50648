#pragma once
// How a push verdict reads: text lines for the person whose push was refused (one unbroken
// block, as Forgejo's web UI shows only the first), and design.md's JSON Lines object.
#include "verdict/push_policy.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ag {

struct RefJudgement {
    std::string ref;
    std::string old_hex;  // as received (zeros for a new ref)
    std::string new_hex;
    Verdict verdict;
};

nlohmann::ordered_json judgement_json(const RefJudgement& j);
// The lines explaining why `j` was refused (no trailing newlines; never the phrase
// git uses for rejected non-fast-forward updates).
std::vector<std::string> rejection_lines(const RefJudgement& j);

}  // namespace ag
