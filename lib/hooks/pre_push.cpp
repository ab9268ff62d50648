#include "hooks/pre_push.hpp"

#include "support/deadline.hpp"
#include "support/guard_error.hpp"
#include "support/json_text.hpp"
#include "report/push_report.hpp"

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

std::string branch_of(const std::string& ref) { return ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref; }

}  // namespace

HookResult run_pre_push(const PrePushArgs& args, std::string_view input, const EnvLookup& env) {
    GitLibrary lib;
    HookResult r;
    std::string out_text;
    auto line = [&](const std::string& l) { out_text += l + "\n"; };
    std::optional<GitRepository> repo;
    ServerPolicy policy;
    try {
        repo.emplace(GitRepository::open(args.repo));
        policy = ServerPolicy::from_repository(*repo);
    } catch (const GuardError& e) {
        line(fmt::format("alembic-guard (pre-push) could not check this push: {}", e.what()));
        line("the push is stopped so that nothing unchecked is sent (git push --no-verify skips this check)");
        r.exit_code = 2;
        r.err = out_text;
        return r;
    }
    arm_deadline(policy.timeout_seconds,
                 fmt::format("alembic-guard (pre-push) could not check this push: it did not finish within {} s "
                             "(alembicGuard.timeout)\n{}\n",
                             policy.timeout_seconds,
                             policy.on_error_accept ? "alembicGuard.onError = accept: the push goes ahead UNCHECKED"
                                                    : "the push is stopped (git push --no-verify skips this check)"),
                 policy.on_error_accept ? 0 : 2);
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
                    return repo->resolve_commit(rev);
                };
                refs.push_back({*to, branch, resolve(*to), resolve(from), *to, from});
            } else if (auto local = env("PRE_COMMIT_LOCAL_BRANCH"); local && !local->empty()) {
                // pre-commit 3.0 gives no range for a branch whose first commit is new to
                // the remote: judge it as a new ref.
                const std::string branch = env("PRE_COMMIT_REMOTE_BRANCH").value_or(*local);
                refs.push_back({*local, branch, repo->resolve_commit(*local), std::nullopt, *local, ""});
            }
        }
        const std::string remote = !args.remote.empty() ? args.remote : env("PRE_COMMIT_REMOTE_NAME").value_or("");
        ResultCache cache(result_cache_dir(policy.cache_dir, env), result_cache_limits(policy.cache_max_size));
        const PolicyOptions opts = policy_options(policy, cache);
        std::map<std::string, Verdict> memo;
        for (const auto& p : refs) {
            if (!p.local || !policy.guards(p.remote_ref)) continue;
            const auto after = repo->peel_to_commit(*p.local);
            if (!after) continue;
            // Compare with the remote's tip when we have it; else with the merge base with
            // what we know of the remote (its tracking branch, or its default branch).
            std::optional<git_oid> before;
            if (p.remote && repo->has_object(*p.remote)) before = repo->peel_to_commit(*p.remote);
            if (!before && !remote.empty()) {
                for (const std::string& tracking : {fmt::format("refs/remotes/{}/{}", remote, branch_of(p.remote_ref)),
                                                    fmt::format("refs/remotes/{}/HEAD", remote)}) {
                    if (auto t = repo->ref_commit(tracking)) {
                        before = repo->merge_base(*after, *t);
                        if (before) break;
                    }
                }
            }
            const std::string key = (before ? oid_hex(*before) : std::string("-")) + ":" + oid_hex(*after);
            auto it = memo.find(key);
            if (it == memo.end()) it = memo.emplace(key, judge_update(repo->get(), before, *after, opts)).first;
            judged.push_back({p.remote_ref, p.remote_hex, p.local_hex, it->second});
        }
    } catch (const std::exception& e) {
        const bool oom = dynamic_cast<const std::bad_alloc*>(&e) != nullptr;
        line(fmt::format("alembic-guard (pre-push) could not check this push: {}",
                         oom ? std::string("it ran out of memory") : std::string(e.what())));
        if (policy.on_error_accept) {
            line("alembicGuard.onError = accept: the push goes ahead UNCHECKED (the server's guard still judges it)");
            r.exit_code = 0;
        } else {
            line("the push is stopped so that nothing unchecked is sent (git push --no-verify skips this check)");
            r.exit_code = 2;
        }
        r.err = out_text;
        return r;
    }
    disarm_deadline();
    if (args.json)
        for (const auto& j : judged) r.out += json_text(judgement_json(j)) + "\n";
    const bool rejected = std::any_of(judged.begin(), judged.end(), [](const RefJudgement& j) { return !j.verdict.ok; });
    if (rejected) {
        const std::string to = args.remote.empty() ? std::string("the remote") : args.remote;
        for (const auto& j : judged) {
            if (j.verdict.ok) continue;
            line(fmt::format("alembic-guard (pre-push): pushing {} to {} would break `alembic upgrade head`; the "
                             "server would refuse it:", branch_of(j.ref), to));
            for (const auto& l : rejection_lines(j)) line(l);
        }
        line("alembic-guard: nothing was sent. Fix the history and push again (git push --no-verify skips this "
             "check, but not the server's)");
        r.exit_code = 1;
    } else {
        r.exit_code = 0;
    }
    r.err = out_text;
    return r;
}

}  // namespace ag
