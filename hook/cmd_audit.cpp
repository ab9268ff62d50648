// `audit [REF]`: which merge brought in each problem standing at the tip.
#include "commands.hpp"
#include "hooks/history_audit.hpp"
#include "support/json_text.hpp"
#include "report/problem_wording.hpp"
#include "report/report.hpp"
#include "hooks/guard_context.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <memory>

namespace ag::cli {

namespace {

std::string iso_time(git_time_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

std::string age(git_time_t t) {
    const auto secs = static_cast<long long>(std::time(nullptr)) - static_cast<long long>(t);
    if (secs < 3600) return fmt::format("{} minutes", std::max(0LL, secs / 60));
    if (secs < 2 * 86400) return fmt::format("{} hours", secs / 3600);
    return fmt::format("{} days", secs / 86400);
}

std::string short_of(const std::optional<std::string>& h) { return h ? h->substr(0, 12) : std::string("-"); }

}  // namespace

void add_audit(CLI::App& app, Action& action) {
    struct Args {
        std::string repo, format = "text", ref = "HEAD", since;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("audit", "For each problem standing at REF (default HEAD), find the mainline merge "
                                            "that brought it in, its pull request, and since when it has stood");
    sub->add_option("REF", a->ref, "The branch or commit to audit (default HEAD)");
    sub->add_option("--since", a->since, "Stop the walk at this commit");
    sub->add_option("--repo", a->repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    sub->callback([a, &action] {
        action = [a] {
            GitLibrary lib;
            GuardContext context(a->repo, "the audit");
            GitRepository& repo = context.repo();
            const PolicyOptions opts = context.policy_options();
            const auto result = audit_history(repo, a->ref, a->since.empty() ? std::nullopt : std::optional(a->since), opts);
            if (a->format == "json") {
                for (const auto& f : result.findings) {
                    nlohmann::ordered_json j;
                    j["environment"] = f.environment;
                    j["problem"] = problem_json(f.problem);
                    j["introduced_by"] = f.introduced_by ? nlohmann::ordered_json(*f.introduced_by) : nullptr;
                    j["merge"] = f.merge ? nlohmann::ordered_json(*f.merge) : nullptr;
                    j["pr"] = f.pr ? nlohmann::ordered_json(*f.pr) : nullptr;
                    j["since"] = iso_time(f.since);
                    j["mainline"] = f.mainline ? nlohmann::ordered_json(*f.mainline) : nullptr;
                    if (f.before_since) j["before_since"] = true;
                    fmt::print("{}\n", json_text(j));
                }
                return result.findings.empty() ? 0 : 1;
            }
            fmt::print("audit of {} ({}): {} standing, {} commits walked, {} graphs built\n", a->ref,
                       result.tip.substr(0, 12),
                       result.findings.size() == 1 ? std::string("1 problem") : fmt::format("{} problems", result.findings.size()),
                       result.commits_walked, result.graphs_built);
            for (const auto& f : result.findings) {
                fmt::print("  {} [{}] {}\n", f.environment, f.problem.code, problem_message(f.problem));
                if (f.before_since) {
                    fmt::print("    already stood at --since {} ({})\n", a->since, short_of(f.mainline));
                    continue;
                }
                fmt::print("    since {} ({} ago): {} {} \"{}\"{}\n", iso_time(f.since), age(f.since),
                           f.merge ? "merge" : "commit", short_of(f.mainline), f.subject,
                           f.pr ? fmt::format(" (PR #{})", *f.pr) : "");
                if (f.introduced_by && f.introduced_by != f.mainline)
                    fmt::print("    the offending file came in with commit {}\n", short_of(f.introduced_by));
            }
            return result.findings.empty() ? 0 : 1;
        };
    });
}

}  // namespace ag::cli
