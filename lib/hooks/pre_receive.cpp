#include "hooks/pre_receive.hpp"

#include "support/deadline.hpp"
#include "support/guard_error.hpp"
#include "support/json_text.hpp"
#include "report/push_report.hpp"

#include <fmt/format.h>

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


std::string short_hex(const std::string& hex) { return is_zero_oid(hex) ? "(new)" : hex.substr(0, 10); }

std::string branch_name(const std::string& ref) {
    return ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref;
}

class Output {
public:
    explicit Output(Host host) : gitlab_(host == Host::GitLab) {}
    void line(const std::string& s) { text_ += (gitlab_ ? "GL-HOOK-ERR: " : "") + s + "\n"; }
    std::string take() { return std::move(text_); }

private:
    bool gitlab_;
    std::string text_;
};

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

std::string header_for(const RefJudgement& j, const EnvLookup& env) {
    const std::string trigger = env("GITEA_PUSH_TRIGGER").value_or("");
    if (trigger == "pr-merge-to-base") {
        const auto index = env("GITEA_PR_INDEX");
        const std::string pr = index && !index->empty() && *index != "0" ? fmt::format("pull request #{}'s merge", *index)
                                                                        : std::string("this pull request's merge");
        return fmt::format("alembic-guard refused {} into {}: it would break `alembic upgrade head`", pr,
                           branch_name(j.ref));
    }
    const std::string via = env("GITHUB_VIA").value_or("");
    if (via.find("merge") != std::string::npos)
        return fmt::format("alembic-guard refused this pull request's merge into {}: it would break `alembic upgrade head`",
                           branch_name(j.ref));
    if (env("GL_PROTOCOL").value_or("") == "web")
        return fmt::format("alembic-guard refused this merge into {}: it would break `alembic upgrade head`",
                           branch_name(j.ref));
    return fmt::format("alembic-guard refused {} ({}..{}): it would break `alembic upgrade head`", j.ref,
                       short_hex(j.old_hex), short_hex(j.new_hex));
}

HookResult guard_failed(const std::string& why, bool accept, Host host) {
    Output o(host);
    o.line(fmt::format("alembic-guard could not check this push: {}", why));
    HookResult r;
    if (accept) {
        o.line("alembicGuard.onError = accept: the push goes through UNCHECKED; tell the server admin");
        r.exit_code = 0;
    } else {
        o.line("alembicGuard.onError = reject (the default): the push is refused so that nothing unchecked lands; "
               "tell the server admin");
        r.exit_code = 2;
    }
    r.err = o.take();
    return r;
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
    std::optional<GitRepository> repo;
    try {
        repo.emplace(GitRepository::open(repo_path));
    } catch (const GuardError& e) {
        return guard_failed(e.what(), ServerPolicy::from_files(env).on_error_accept, host);
    }
    ServerPolicy policy;
    try {
        policy = ServerPolicy::from_repository(*repo);
    } catch (const GuardError& e) {
        return guard_failed(e.what(), ServerPolicy::from_files(env).on_error_accept, host);
    }
    {
        const HookResult late = guard_failed(
            fmt::format("it did not finish within {} s (alembicGuard.timeout; a damaged object can make libgit2 loop)",
                        policy.timeout_seconds),
            policy.on_error_accept, host);
        arm_deadline(policy.timeout_seconds, late.err, late.exit_code);
    }
    std::vector<RefJudgement> judged;
    try {
        const auto updates = parse_ref_update_lines(input);
        BaseFinder bases(*repo);
        ResultCache cache(result_cache_dir(policy.cache_dir, env), result_cache_limits(policy.cache_max_size));
        const PolicyOptions opts = policy_options(policy, cache);
        // Refs moving to the same commit from the same base share one judgement.
        std::map<std::string, Verdict> memo;
        // And a mirror push names the same few commits for every ref: each is peeled once.
        std::map<std::string, std::optional<git_oid>, std::less<>> peeled;
        auto peel = [&](const std::string& hex) -> std::optional<git_oid> {
            auto p = peeled.find(hex);
            if (p == peeled.end()) {
                const auto oid = parse_push_oid(hex);
                p = peeled.emplace(hex, oid ? repo->peel_to_commit(*oid) : std::nullopt).first;
            }
            return p->second;
        };
        for (const auto& u : updates) {
            if (is_zero_oid(u.new_hex) || !policy.guards(u.ref)) continue;
            const auto after = peel(u.new_hex);
            if (!after) continue;  // a tag of a tree or blob carries no history to judge
            std::optional<git_oid> before = peel(u.old_hex);
            if (!before) before = bases.base_for(*after);
            const std::string key = (before ? oid_hex(*before) : std::string("-")) + ":" + oid_hex(*after);
            auto it = memo.find(key);
            if (it == memo.end()) it = memo.emplace(key, judge_update(repo->get(), before, *after, opts)).first;
            judged.push_back({u.ref, u.old_hex, u.new_hex, it->second});
        }
    } catch (const GuardError& e) {
        return guard_failed(e.what(), policy.on_error_accept, host);
    } catch (const std::bad_alloc&) {
        return guard_failed("it ran out of memory", policy.on_error_accept, host);
    } catch (const std::exception& e) {
        return guard_failed(fmt::format("internal error: {}", e.what()), policy.on_error_accept, host);
    }

    disarm_deadline();
    HookResult r;
    if (json)
        for (const auto& j : judged) r.out += json_text(judgement_json(j)) + "\n";
    const bool rejected = std::any_of(judged.begin(), judged.end(), [](const RefJudgement& j) { return !j.verdict.ok; });
    Output o(host);
    const Pusher pusher = identify_pusher(env);
    bool bypass = false;
    if (bypass_requested(env)) {
        const bool listed = !pusher.name.empty() &&
                            std::find(policy.bypass_users.begin(), policy.bypass_users.end(), pusher.name) !=
                                policy.bypass_users.end();
        if (pusher.deploy_key) {
            o.line(fmt::format("alembic-guard: bypass refused: this is a deploy-key push (GITEA_DEPLOY_KEY_ID), which "
                               "never bypasses; the push is judged as usual"));
        } else if (!listed) {
            o.line(fmt::format("alembic-guard: bypass refused: '{}' is not in alembicGuard.bypassUsers; the push is "
                               "judged as usual", pusher.name.empty() ? std::string("(unknown pusher)") : pusher.name));
        } else {
            bypass = true;
        }
    }
    if (rejected) {
        for (const auto& j : judged) {
            if (j.verdict.ok) continue;
            o.line(bypass ? fmt::format("alembic-guard would refuse {} ({}..{}):", j.ref, short_hex(j.old_hex),
                                        short_hex(j.new_hex))
                          : header_for(j, env));
            for (const auto& l : rejection_lines(j)) o.line(l);
        }
        if (bypass) {
            o.line(fmt::format("alembic-guard: BYPASS by '{}' ({}; alembicGuard.bypassUsers): the push is accepted "
                               "with the problems above", pusher.name, pusher.source));
        } else if (judged.size() > 1) {
            o.line(fmt::format("alembic-guard: the whole push was refused ({} of {} checked refs failed); nothing was "
                               "changed on the server",
                               std::count_if(judged.begin(), judged.end(), [](const RefJudgement& j) { return !j.verdict.ok; }),
                               judged.size()));
        } else {
            o.line("alembic-guard: nothing was changed on the server; fix the history and push again");
        }
        r.exit_code = bypass ? 0 : 1;
    } else {
        if (bypass) o.line(fmt::format("alembic-guard: bypass by '{}' not needed: nothing to refuse", pusher.name));
        if (!judged.empty() && !json)
            o.line(fmt::format("alembic-guard: OK, {} checked: no new heads or migration problems",
                               judged.size() == 1 ? judged.front().ref : fmt::format("{} refs", judged.size())));
        r.exit_code = 0;
    }
    r.err = o.take();
    return r;
}

}  // namespace ag
