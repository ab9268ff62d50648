#include "hooks/pre_push.hpp"

#include "hooks/ref_updates.hpp"
#include "report/hook_report.hpp"
#include "support/guard_error.hpp"
#include "support/json_text.hpp"

#include <fmt/format.h>

#include <map>
#include <new>

namespace ag {

namespace {

struct PushedRef {
    std::string local_ref;
    std::string remote_ref;
    std::optional<git_oid> local;   // nullopt: deletion
    std::optional<git_oid> remote;  // nullopt: the remote has no such ref
    std::string local_hex, remote_hex;
};


std::vector<PushedRef> parse_lines(std::string_view input) {
    std::vector<PushedRef> out;
    size_t pos = 0;
    int lineno = 0;
    while (pos < input.size()) {
        auto nl = input.find('\n', pos);
        if (nl == std::string_view::npos) nl = input.size();
        std::string line(input.substr(pos, nl - pos));
        pos = nl + 1;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> f;
        size_t s = 0;
        for (size_t k = 0; k <= line.size(); ++k) {
            if (k == line.size() || line[k] == ' ') {
                f.push_back(line.substr(s, k - s));
                s = k + 1;
            }
        }
        if (f.size() != 4)
            throw GuardError(fmt::format("input line {} is not '<local-ref> <local-oid> <remote-ref> <remote-oid>': {}",
                                         lineno, line));
        out.push_back({f[0], f[2], parse_push_oid(f[1]), parse_push_oid(f[3]), f[1], f[3]});
    }
    return out;
}

HookResult could_not_check(const std::string& why, bool accept) {
    HookResult r;
    r.err = hook_text(could_not_check_lines(HookSide::client, why, accept), false);
    r.exit_code = accept ? 0 : 2;
    return r;
}

}  // namespace

HookResult run_pre_push(const PrePushArgs& args, std::string_view input, const EnvLookup& env) {
    GitLibrary lib;
    std::optional<GuardContext> ctx;
    try {
        ctx.emplace(args.repo, env, [](const ServerPolicy& policy) {
            const HookResult late = could_not_check(timeout_reason(policy.timeout_seconds), policy.on_error_accept);
            return DeadlineAction{late.err, late.exit_code};
        });
    } catch (const GuardError& e) {
        return could_not_check(e.what(), false);  // no settings to say otherwise
    }
    ctx->use_command_line_alembic(args.alembic);
    GitRepository& repo = ctx->repo();
    std::vector<RefJudgement> judged;
    try {
        std::vector<PushedRef> refs = parse_lines(input);
        // The pre-commit framework runs hooks without git's stdin lines.
        if (refs.empty()) {
            if (auto to = env("PRE_COMMIT_TO_REF"); to && !to->empty()) {
                const std::string from = env("PRE_COMMIT_FROM_REF").value_or("");
                const std::string branch = env("PRE_COMMIT_REMOTE_BRANCH").value_or("refs/heads/(pushed range)");
                auto resolve = [&](const std::string& rev) -> std::optional<git_oid> {
                    if (rev.empty() || is_zero_oid(rev)) return std::nullopt;
                    git_oid oid;
                    if (git_oid_fromstr(&oid, rev.c_str()) == 0 && rev.size() == 40) return oid;
                    return repo.resolve_commit(rev);
                };
                refs.push_back({*to, branch, resolve(*to), resolve(from), *to, from});
            } else if (auto local = env("PRE_COMMIT_LOCAL_BRANCH"); local && !local->empty()) {
                // pre-commit 3.0 gives no range for a branch whose first commit is new to
                // the remote: judge it as a new ref.
                const std::string branch = env("PRE_COMMIT_REMOTE_BRANCH").value_or(*local);
                refs.push_back({*local, branch, repo.resolve_commit(*local), std::nullopt, *local, ""});
            }
        }
        const std::string remote = !args.remote.empty() ? args.remote : env("PRE_COMMIT_REMOTE_NAME").value_or("");
        std::vector<RefUpdate> updates;
        for (const auto& p : refs) updates.push_back({p.remote_ref, p.remote_hex, p.local_hex, p.remote, p.local});
        // Compare with the remote's tip when we have it; else with the merge base with what we
        // know of the remote (its tracking branch, or its default branch).
        judged = judge_ref_updates(*ctx, updates, [&](const RefUpdate& u, const git_oid& after, const PeelToCommit& peel) {
            std::optional<git_oid> before;
            if (u.before && repo.has_object(*u.before)) before = peel(*u.before);
            if (before || remote.empty()) return before;
            for (const std::string& tracking : {fmt::format("refs/remotes/{}/{}", remote, branch_of_ref(u.ref)),
                                                fmt::format("refs/remotes/{}/HEAD", remote)}) {
                if (auto t = repo.ref_commit(tracking)) {
                    before = repo.merge_base(after, *t);
                    if (before) break;
                }
            }
            return before;
        });
    } catch (const std::exception& e) {
        const bool oom = dynamic_cast<const std::bad_alloc*>(&e) != nullptr;
        return could_not_check(oom ? std::string("it ran out of memory") : std::string(e.what()),
                               ctx->policy().on_error_accept);
    }
    HookResult r;
    if (args.json)
        for (const auto& j : judged) r.out += json_text(judgement_json(j)) + "\n";
    const std::vector<std::string> lines = pre_push_lines(judged, args.remote);
    r.err = hook_text(lines, false);
    r.exit_code = lines.empty() ? 0 : 1;
    return r;
}

}  // namespace ag
