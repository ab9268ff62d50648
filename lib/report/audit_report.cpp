#include "report/audit_report.hpp"

#include "report/problem_wording.hpp"
#include "report/report.hpp"
#include "support/json_text.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace ag {

namespace {

std::string iso_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

std::string age(std::int64_t t, std::int64_t now) {
    const long long secs = now - t;
    if (secs < 3600) return fmt::format("{} minutes", std::max(0LL, secs / 60));
    if (secs < 2 * 86400) return fmt::format("{} hours", secs / 3600);
    return fmt::format("{} days", secs / 86400);
}

std::string short_of(const std::optional<std::string>& h) { return h ? h->substr(0, 12) : std::string("-"); }

}  // namespace

std::string audit_json_lines(const AuditResult& result) {
    std::string out;
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
        out += json_text(j) + "\n";
    }
    return out;
}

std::string audit_text(const AuditResult& result, const std::string& ref, const std::string& since, std::int64_t now) {
    std::string out = fmt::format(
        "audit of {} ({}): {} standing, {} commits walked, {} graphs built\n", ref, result.tip.substr(0, 12),
        result.findings.size() == 1 ? std::string("1 problem") : fmt::format("{} problems", result.findings.size()),
        result.commits_walked, result.graphs_built);
    for (const auto& f : result.findings) {
        out += fmt::format("  {} [{}] {}\n", f.environment, f.problem.code, problem_message(f.problem));
        if (f.before_since) {
            out += fmt::format("    already stood at --since {} ({})\n", since, short_of(f.mainline));
            continue;
        }
        out += fmt::format("    since {} ({} ago): {} {} \"{}\"{}\n", iso_time(f.since), age(f.since, now),
                           f.merge ? "merge" : "commit", short_of(f.mainline), f.subject,
                           f.pr ? fmt::format(" (PR #{})", *f.pr) : "");
        if (f.introduced_by && f.introduced_by != f.mainline)
            out += fmt::format("    the offending file came in with commit {}\n", short_of(f.introduced_by));
    }
    return out;
}

}  // namespace ag
