// `check-merge BASE CANDIDATE...`: the merge queue's check.
#include "commands.hpp"
#include "hooks/guard_context.hpp"
#include "hooks/merge_queue.hpp"
#include "report/merge_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace ag::cli {

void add_check_merge(CLI::App& app, Action& action) {
    struct Args {
        std::string repo, format = "text", base, alembic;
        std::vector<std::string> candidates;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("check-merge", "Merge queue / merge train: merge each candidate in turn onto the "
                                                  "result so far (from BASE), in memory, and judge each landing");
    sub->add_option("BASE", a->base, "The target branch's tip (any commit-ish)")->required();
    sub->add_option("CANDIDATE", a->candidates, "The candidates, in landing order")->required();
    sub->add_option("--repo", a->repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    add_alembic_version_option(sub, a->alembic);
    sub->callback([a, &action] {
        action = [a] {
            GitLibrary lib;
            GuardContext context(a->repo, "check-merge");
            GitRepository& repo = context.repo();
            context.use_command_line_alembic(command_line_alembic(a->alembic));
            const PolicyOptions opts = context.policy_options();
            const git_oid base = repo.resolve_commit(a->base);
            const auto outcomes = check_merge(repo, a->base, a->candidates, opts);
            fmt::print("{}", a->format == "json" ? check_merge_json_lines(outcomes)
                                                 : check_merge_text(a->base, oid_hex(base), outcomes));
            const bool refused = std::any_of(outcomes.begin(), outcomes.end(),
                                             [](const CandidateOutcome& c) { return !c.judgement.verdict.ok; });
            return refused ? 1 : 0;
        };
    });
}

}  // namespace ag::cli
