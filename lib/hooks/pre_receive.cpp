#include "hooks/pre_receive.hpp"

#include "hooks/ref_updates.hpp"
#include "report/hook_report.hpp"
#include "support/guard_error.hpp"
#include "support/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <new>

namespace ag {

std::optional<git_oid> parse_push_oid(const std::string& hex) {
    if (hex.empty() || is_zero_oid(hex)) return std::nullopt;
    if (hex.size() == 64)
        throw GuardError("the push names SHA-256 object IDs, which libgit2 1.5 cannot read");
    git_oid oid;
    git_check(git_oid_fromstr(&oid, hex.c_str()), [&] { return fmt::format("'{}' is not an object ID", hex); });
    return oid;
}

bool is_zero_oid(std::string_view hex) {
    return !hex.empty() && hex.find_first_not_of('0') == std::string_view::npos;
}

namespace {

bool is_hex(std::string_view s) {
    // (A plain loop: find_first_not_of searches its 16-character set for every byte.)
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return !s.empty();
}


// What a new ref is compared with: its merge base with the default branch (HEAD's target).
class BaseFinder {
public:
    explicit BaseFinder(const GitRepository& repo) : repo_(repo), default_tip_(repo.ref_commit("HEAD")) {}
    std::optional<git_oid> base_for(const git_oid& tip) {
        if (!default_tip_) return std::nullopt;
        const std::string key = oid_hex(tip);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second;
        return cache_.emplace(key, repo_.merge_base(tip, *default_tip_)).first->second;
    }

private:
    const GitRepository& repo_;
    std::optional<git_oid> default_tip_;
    std::map<std::string, std::optional<git_oid>> cache_;
};

HookResult guard_failed(const std::string& why, bool accept, Host host) {
    HookResult r;
    r.err = hook_text(could_not_check_lines(HookSide::server, why, accept), host == Host::GitLab);
    r.exit_code = accept ? 0 : 2;
    return r;
}

// How the update reached the server, as the host says it.
Arrival arrival_of(const EnvLookup& env) {
    Arrival a;
    if (env("GITEA_PUSH_TRIGGER").value_or("") == "pr-merge-to-base") {
        a.kind = Arrival::Kind::forgejo_pull_request_merge;
        const std::string index = env("GITEA_PR_INDEX").value_or("");
        if (!index.empty() && index != "0") a.pull_request = index;
    } else if (env("GITHUB_VIA").value_or("").find("merge") != std::string::npos) {
        a.kind = Arrival::Kind::github_merge;
    } else if (env("GL_PROTOCOL").value_or("") == "web") {
        a.kind = Arrival::Kind::gitlab_web_merge;
    }
    return a;
}

BypassFacts bypass_of(const EnvLookup& env, const ServerPolicy& policy) {
    BypassFacts b;
    b.requested = bypass_requested(env);
    if (!b.requested) return b;
    const Pusher pusher = identify_pusher(env);
    b.pusher = pusher.name;
    b.source = pusher.source;
    b.deploy_key = pusher.deploy_key;
    b.listed = !pusher.name.empty() &&
               std::find(policy.bypass_users.begin(), policy.bypass_users.end(), pusher.name) != policy.bypass_users.end();
    return b;
}

}  // namespace

std::vector<RefUpdateLine> parse_ref_update_lines(std::string_view input) {
    std::vector<RefUpdateLine> out;
    size_t pos = 0;
    int lineno = 0;
    while (pos < input.size()) {
        auto nl = input.find('\n', pos);
        if (nl == std::string_view::npos) nl = input.size();
        std::string_view line = input.substr(pos, nl - pos);
        pos = nl + 1;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        const auto s1 = line.find(' ');
        const auto s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
        if (s2 == std::string_view::npos)
            throw GuardError(fmt::format("input line {} is not '<old-oid> <new-oid> <ref>': {}", lineno, line));
        RefUpdateLine u{std::string(line.substr(0, s1)), std::string(line.substr(s1 + 1, s2 - s1 - 1)),
                        std::string(line.substr(s2 + 1))};
        if (!is_hex(u.old_hex) || !is_hex(u.new_hex) || (u.old_hex.size() != 40 && u.old_hex.size() != 64) ||
            u.new_hex.size() != u.old_hex.size() || u.ref.empty())
            throw GuardError(fmt::format("input line {} is not '<old-oid> <new-oid> <ref>': {}", lineno, line));
        out.push_back(std::move(u));
    }
    return out;
}

HookResult run_pre_receive(const std::string& repo_path, bool json, std::string_view input, const EnvLookup& env) {
    const Host host = detect_host(env);
    GitLibrary lib;
    std::optional<GuardContext> ctx;
    try {
        ctx.emplace(repo_path, env, [host](const ServerPolicy& policy) {
            const HookResult late = guard_failed(timeout_reason(policy.timeout_seconds), policy.on_error_accept, host);
            return DeadlineAction{late.err, late.exit_code};
        });
    } catch (const GuardError& e) {
        return guard_failed(e.what(), ServerPolicy::from_files(env).on_error_accept, host);
    }
    const ServerPolicy& policy = ctx->policy();
    std::vector<RefJudgement> judged;
    try {
        std::vector<RefUpdate> updates;
        for (auto& u : parse_ref_update_lines(input))
            updates.push_back({u.ref, u.old_hex, u.new_hex, parse_push_oid(u.old_hex), parse_push_oid(u.new_hex)});
        BaseFinder bases(ctx->repo());
        // A ref is compared from its old tip, or, when new, from its merge base with the default branch.
        judged = judge_ref_updates(*ctx, updates, [&](const RefUpdate& u, const git_oid& after, const PeelToCommit& peel) {
            std::optional<git_oid> before = u.before ? peel(*u.before) : std::nullopt;
            return before ? before : bases.base_for(after);
        });
    } catch (const GuardError& e) {
        return guard_failed(e.what(), policy.on_error_accept, host);
    } catch (const std::bad_alloc&) {
        return guard_failed("it ran out of memory", policy.on_error_accept, host);
    } catch (const std::exception& e) {
        return guard_failed(fmt::format("internal error: {}", e.what()), policy.on_error_accept, host);
    }

    HookResult r;
    if (json)
        for (const auto& j : judged) r.out += json_text(judgement_json(j)) + "\n";
    const bool rejected = std::any_of(judged.begin(), judged.end(), [](const RefJudgement& j) { return !j.verdict.ok; });
    const BypassFacts bypass = bypass_of(env, policy);
    r.err = hook_text(pre_receive_lines(judged, arrival_of(env), bypass, json), host == Host::GitLab);
    r.exit_code = rejected && !bypass.granted() ? 1 : 0;
    return r;
}

}  // namespace ag
