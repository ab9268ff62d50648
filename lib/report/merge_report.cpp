#include "report/merge_report.hpp"

#include "support/json_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ag {

namespace {

nlohmann::ordered_json outcome_json(const CandidateOutcome& c) {
    auto j = judgement_json(c.judgement);
    if (c.judgement.new_hex.empty()) j["new"] = nullptr;
    nlohmann::ordered_json before = nlohmann::ordered_json::object(), after = nlohmann::ordered_json::object();
    for (const auto& e : c.judgement.verdict.environments) {
        before[e.name] = e.judged_alone ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.heads_before);
        after[e.name] = e.heads_after;
    }
    j["heads_before"] = std::move(before);
    j["heads_after"] = std::move(after);
    j["included"] = c.included;
    return j;
}

}  // namespace

std::string check_merge_json_lines(const std::vector<CandidateOutcome>& outcomes) {
    std::string out;
    for (const auto& c : outcomes) out += json_text(outcome_json(c)) + "\n";
    return out;
}

std::string check_merge_text(const std::string& base, const std::string& base_hex,
                             const std::vector<CandidateOutcome>& outcomes) {
    std::string out = fmt::format("check-merge onto {} ({})\n", base, base_hex.substr(0, 12));
    size_t failed = 0;
    for (const auto& c : outcomes) {
        const auto& v = c.judgement.verdict;
        if (v.ok) {
            out += fmt::format("  {}: OK, lands cleanly on {} (heads after:", c.judgement.ref,
                               c.judgement.old_hex.substr(0, 12));
            for (const auto& e : v.environments)
                out += fmt::format(" {}: {}", e.name,
                                   e.heads_after.empty() ? "-" : fmt::format("{}", fmt::join(e.heads_after, ", ")));
            out += ")\n";
            continue;
        }
        ++failed;
        if (!c.conflict_files.empty()) {
            out += fmt::format("  {}: REFUSED [merge-conflict] conflicts with the result so far in {}; left out\n",
                               c.judgement.ref, fmt::join(c.conflict_files, ", "));
            continue;
        }
        out += fmt::format("  {}: REFUSED — landing it after the candidates before it would break `alembic upgrade "
                           "head`; left out, the next candidates are judged without it:\n",
                           c.judgement.ref);
        for (const auto& l : rejection_lines(c.judgement)) out += fmt::format("  {}\n", l);
    }
    out += fmt::format("{} of {} candidates refused\n", failed, outcomes.size());
    return out;
}

}  // namespace ag
