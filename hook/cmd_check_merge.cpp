// `check-merge BASE CANDIDATE...`: the merge queue's check.
#include "commands.hpp"
#include "support/json_text.hpp"
#include "hooks/merge_queue.hpp"
#include "hooks/guard_context.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

namespace ag::cli {

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

void add_check_merge(CLI::App& app, Action& action) {
    struct Args {
        std::string repo, format = "text", base;
        std::vector<std::string> candidates;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("check-merge", "Merge queue / merge train: merge each candidate in turn onto the "
                                                  "result so far (from BASE), in memory, and judge each landing");
    sub->add_option("BASE", a->base, "The target branch's tip (any commit-ish)")->required();
    sub->add_option("CANDIDATE", a->candidates, "The candidates, in landing order")->required();
    sub->add_option("--repo", a->repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    sub->callback([a, &action] {
        action = [a] {
            GitLibrary lib;
            GuardContext context(a->repo, "check-merge");
            GitRepository& repo = context.repo();
            const PolicyOptions opts = context.policy_options();
            const git_oid base = repo.resolve_commit(a->base);
            const auto outcomes = check_merge(repo, a->base, a->candidates, opts);
            size_t failed = 0;
            if (a->format == "json") {
                for (const auto& c : outcomes) {
                    fmt::print("{}\n", json_text(outcome_json(c)));
                    failed += c.judgement.verdict.ok ? 0 : 1;
                }
                return failed ? 1 : 0;
            }
            fmt::print("check-merge onto {} ({})\n", a->base, oid_hex(base).substr(0, 12));
            for (const auto& c : outcomes) {
                const auto& v = c.judgement.verdict;
                if (v.ok) {
                    fmt::print("  {}: OK, lands cleanly on {} (heads after:", c.judgement.ref, c.judgement.old_hex.substr(0, 12));
                    for (const auto& e : v.environments)
                        fmt::print(" {}: {}", e.name, e.heads_after.empty() ? "-" : fmt::format("{}", fmt::join(e.heads_after, ", ")));
                    fmt::print(")\n");
                    continue;
                }
                ++failed;
                if (!c.conflict_files.empty()) {
                    fmt::print("  {}: REFUSED [merge-conflict] conflicts with the result so far in {}; left out\n",
                               c.judgement.ref, fmt::join(c.conflict_files, ", "));
                    continue;
                }
                fmt::print("  {}: REFUSED — landing it after the candidates before it would break `alembic upgrade "
                           "head`; left out, the next candidates are judged without it:\n", c.judgement.ref);
                for (const auto& l : rejection_lines(c.judgement)) fmt::print("  {}\n", l);
            }
            fmt::print("{} of {} candidates refused\n", failed, outcomes.size());
            return failed ? 1 : 0;
        };
    });
}

}  // namespace ag::cli
