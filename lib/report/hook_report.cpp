#include "report/hook_report.hpp"

#include "git/repository.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ag {

namespace {

// A new ref's old ID is all zeros.
std::string short_hex(const std::string& hex) {
    return !hex.empty() && hex.find_first_not_of('0') == std::string::npos ? "(new)" : hex.substr(0, 10);
}

constexpr const char* kBreaks = "it would break `alembic upgrade head`";

std::string refusal_header(const RefJudgement& j, const Arrival& a) {
    switch (a.kind) {
    case Arrival::Kind::forgejo_pull_request_merge:
        return fmt::format("alembic-guard refused {} into {}: {}",
                           a.pull_request.empty() ? std::string("this pull request's merge")
                                                  : fmt::format("pull request #{}'s merge", a.pull_request),
                           branch_of_ref(j.ref), kBreaks);
    case Arrival::Kind::github_merge:
        return fmt::format("alembic-guard refused this pull request's merge into {}: {}", branch_of_ref(j.ref), kBreaks);
    case Arrival::Kind::gitlab_web_merge:
        return fmt::format("alembic-guard refused this merge into {}: {}", branch_of_ref(j.ref), kBreaks);
    case Arrival::Kind::push: break;
    }
    return fmt::format("alembic-guard refused {} ({}..{}): {}", j.ref, short_hex(j.old_hex), short_hex(j.new_hex), kBreaks);
}

}  // namespace

std::string timeout_reason(unsigned seconds) {
    return fmt::format("it did not finish within {} s (alembicGuard.timeout; a damaged object can make libgit2 loop)",
                       seconds);
}

std::string command_timeout_text(const std::string& what, unsigned seconds) {
    return fmt::format("alembic-guard: error: {} did not finish within {} s (alembicGuard.timeout; a damaged object "
                       "can make libgit2 loop)\n",
                       what, seconds);
}

std::vector<std::string> could_not_check_lines(HookSide side, const std::string& why, bool accept) {
    if (side == HookSide::client)
        return {fmt::format("alembic-guard (pre-push) could not check this push: {}", why),
                accept ? "alembicGuard.onError = accept: the push goes ahead UNCHECKED (the server's guard still "
                         "judges it)"
                       : "the push is stopped so that nothing unchecked is sent (git push --no-verify skips this "
                         "check)"};
    return {fmt::format("alembic-guard could not check this push: {}", why),
            accept ? "alembicGuard.onError = accept: the push goes through UNCHECKED; tell the server admin"
                   : "alembicGuard.onError = reject (the default): the push is refused so that nothing unchecked "
                     "lands; tell the server admin"};
}

std::vector<std::string> pre_receive_lines(const std::vector<RefJudgement>& judged, const Arrival& arrival,
                                           const BypassFacts& bypass, bool json) {
    std::vector<std::string> out;
    if (bypass.requested && bypass.deploy_key)
        out.push_back("alembic-guard: bypass refused: this is a deploy-key push (GITEA_DEPLOY_KEY_ID), which never "
                      "bypasses; the push is judged as usual");
    else if (bypass.requested && !bypass.listed)
        out.push_back(fmt::format("alembic-guard: bypass refused: '{}' is not in alembicGuard.bypassUsers; the push is "
                                  "judged as usual",
                                  bypass.pusher.empty() ? std::string("(unknown pusher)") : bypass.pusher));
    const auto refused = static_cast<size_t>(
        std::count_if(judged.begin(), judged.end(), [](const RefJudgement& j) { return !j.verdict.ok; }));
    if (refused == 0) {
        if (bypass.granted()) out.push_back(fmt::format("alembic-guard: bypass by '{}' not needed: nothing to refuse", bypass.pusher));
        if (!judged.empty() && !json)
            out.push_back(fmt::format("alembic-guard: OK, {} checked: no new heads or migration problems",
                                      judged.size() == 1 ? judged.front().ref : fmt::format("{} refs", judged.size())));
        return out;
    }
    for (const auto& j : judged) {
        if (j.verdict.ok) continue;
        out.push_back(bypass.granted() ? fmt::format("alembic-guard would refuse {} ({}..{}):", j.ref,
                                                     short_hex(j.old_hex), short_hex(j.new_hex))
                                       : refusal_header(j, arrival));
        for (auto& l : rejection_lines(j)) out.push_back(std::move(l));
    }
    if (bypass.granted())
        out.push_back(fmt::format("alembic-guard: BYPASS by '{}' ({}; alembicGuard.bypassUsers): the push is accepted "
                                  "with the problems above",
                                  bypass.pusher, bypass.source));
    else if (judged.size() > 1)
        out.push_back(fmt::format("alembic-guard: the whole push was refused ({} of {} checked refs failed); nothing "
                                  "was changed on the server",
                                  refused, judged.size()));
    else
        out.push_back("alembic-guard: nothing was changed on the server; fix the history and push again");
    return out;
}

std::vector<std::string> pre_push_lines(const std::vector<RefJudgement>& judged, const std::string& remote) {
    std::vector<std::string> out;
    const std::string to = remote.empty() ? std::string("the remote") : remote;
    for (const auto& j : judged) {
        if (j.verdict.ok) continue;
        out.push_back(fmt::format("alembic-guard (pre-push): pushing {} to {} would break `alembic upgrade head`; the "
                                  "server would refuse it:",
                                  branch_of_ref(j.ref), to));
        for (auto& l : rejection_lines(j)) out.push_back(std::move(l));
    }
    if (!out.empty())
        out.push_back("alembic-guard: nothing was sent. Fix the history and push again (git push --no-verify skips "
                      "this check, but not the server's)");
    return out;
}

std::string hook_text(const std::vector<std::string>& lines, bool gitlab) {
    std::string text;
    for (const auto& l : lines) text += (gitlab ? "GL-HOOK-ERR: " : "") + l + "\n";
    return text;
}

}  // namespace ag
