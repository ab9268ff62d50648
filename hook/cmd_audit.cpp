// `audit [REF]`: which merge brought in each problem standing at the tip.
#include "commands.hpp"
#include "hooks/guard_context.hpp"
#include "hooks/history_audit.hpp"
#include "report/audit_report.hpp"

#include <fmt/format.h>

#include <ctime>
#include <memory>

namespace ag::cli {

void add_audit(CLI::App& app, Action& action) {
    struct Args {
        std::string repo, format = "text", ref = "HEAD", since, alembic;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("audit", "For each problem standing at REF (default HEAD), find the mainline merge "
                                            "that brought it in, its pull request, and since when it has stood");
    sub->add_option("REF", a->ref, "The branch or commit to audit (default HEAD)");
    sub->add_option("--since", a->since, "Stop the walk at this commit");
    sub->add_option("--repo", a->repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    add_alembic_version_option(sub, a->alembic);
    sub->callback([a, &action] {
        action = [a] {
            GitLibrary lib;
            GuardContext context(a->repo, "the audit");
            GitRepository& repo = context.repo();
            context.use_command_line_alembic(command_line_alembic(a->alembic));
            const PolicyOptions opts = context.policy_options();
            const auto result = audit_history(repo, a->ref, a->since.empty() ? std::nullopt : std::optional(a->since), opts);
            fmt::print("{}", a->format == "json" ? audit_json_lines(result)
                                                 : audit_text(result, a->ref, a->since, std::time(nullptr)));
            return result.findings.empty() ? 0 : 1;
        };
    });
}

}  // namespace ag::cli
