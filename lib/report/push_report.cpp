#include "report/push_report.hpp"

#include "report/problem_wording.hpp"
#include "report/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ag {

using nlohmann::ordered_json;

ordered_json judgement_json(const RefJudgement& j) {
    ordered_json o;
    o["ref"] = j.ref;
    o["old"] = j.old_hex;
    o["new"] = j.new_hex;
    o["ok"] = j.verdict.ok;
    ordered_json intro = ordered_json::array();
    for (const auto& ip : j.verdict.introduced) {
        ordered_json p = problem_json(ip.problem);
        p["environment"] = ip.environment;
        intro.push_back(std::move(p));
    }
    o["introduced"] = std::move(intro);
    ordered_json envs = ordered_json::array();
    for (const auto& e : j.verdict.environments) {
        ordered_json ej;
        ej["name"] = e.name;
        ej["head_count_before"] = e.judged_alone ? ordered_json(nullptr) : ordered_json(e.head_count_before);
        ej["head_count_after"] = e.head_count_after;
        ej["heads_before"] = e.judged_alone ? ordered_json(nullptr) : ordered_json(e.heads_before);
        ej["heads_after"] = e.heads_after;
        envs.push_back(std::move(ej));
    }
    o["environments"] = std::move(envs);
    return o;
}

std::vector<std::string> rejection_lines(const RefJudgement& j) {
    std::vector<std::string> lines;
    std::string current_env;
    for (const auto& ip : j.verdict.introduced) {
        if (ip.environment != current_env) {
            current_env = ip.environment;
            std::string heads;
            for (const auto& e : j.verdict.environments) {
                if (e.name != ip.environment) continue;
                heads = e.judged_alone
                            ? fmt::format("new environment (no earlier history to compare), heads {} ({})",
                                          e.heads_after.empty() ? "none" : fmt::format("{}", fmt::join(e.heads_after, ", ")),
                                          e.head_count_after)
                            : fmt::format("heads before {} ({}), after {} ({})",
                                          e.heads_before.empty() ? "none" : fmt::format("{}", fmt::join(e.heads_before, ", ")),
                                          e.head_count_before,
                                          e.heads_after.empty() ? "none" : fmt::format("{}", fmt::join(e.heads_after, ", ")),
                                          e.head_count_after);
            }
            lines.push_back(fmt::format("  environment {}: {}", ip.environment, heads));
        }
        lines.push_back(fmt::format("    [{}] {}", ip.problem.code, problem_message(ip.problem)));
        if (const std::string fix = problem_fix(ip.problem); !fix.empty()) lines.push_back(fmt::format("      fix: {}", fix));
    }
    if (j.verdict.declarations_changed)
        lines.push_back("  note: this push changes .alembic-guard.toml; a push is judged under the file as it was "
                        "before it, so the change applies from the next push");
    return lines;
}

}  // namespace ag
