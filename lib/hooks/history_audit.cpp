#include "hooks/history_audit.hpp"

#include "source/git_tree.hpp"
#include "support/guard_error.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace ag {

namespace {

std::string audit_key(const Problem& p) {
    // "Several heads" is one condition however the heads change name over time.
    return p.code == code::multiple_heads ? p.code : p.key();
}

struct CommitInfo {
    std::vector<git_oid> parents;
    git_time_t time = 0;
    std::string message;
};

CommitInfo info_of(git_repository* repo, const git_oid& oid) {
    git_commit* c = nullptr;
    git_check(git_commit_lookup(&c, repo, &oid), fmt::format("cannot read commit {}", oid_hex(oid)));
    Commit owned(c);
    CommitInfo out;
    for (unsigned i = 0; i < git_commit_parentcount(c); ++i) out.parents.push_back(*git_commit_parent_id(c, i));
    out.time = git_commit_time(c);
    out.message = git_commit_message(c) ? git_commit_message(c) : "";
    return out;
}

bool same_entries(const GitTree& a, const GitTree& b, const Environment& env) {
    std::vector<std::string> paths = env.version_locations;
    if (!env.config.empty()) paths.push_back(env.config);
    for (const auto& p : paths) {
        const auto x = a.entry_id(p);
        const auto y = b.entry_id(p);
        if (x.has_value() != y.has_value() || (x && !git_oid_equal(&*x, &*y))) return false;
    }
    return true;
}

// The commit that put `blob` at `path` on the merged side: reachable from `merged`, not
// from `mainline`, having the blob while none of its parents does (the oldest such).
std::optional<git_oid> adder_of(git_repository* repo, const git_oid& merged, const git_oid& mainline,
                                const std::string& path, const git_oid& blob) {
    git_revwalk* w = nullptr;
    git_check(git_revwalk_new(&w, repo), "cannot walk history");
    RevWalk walk(w);
    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    git_check(git_revwalk_push(w, &merged), "cannot walk history");
    git_check(git_revwalk_hide(w, &mainline), "cannot walk history");
    auto has_blob = [&](const git_oid& c) {
        GitTree t(repo, c);
        const auto id = t.entry_id(path);
        return id && git_oid_equal(&*id, &blob);
    };
    std::optional<git_oid> found;
    git_oid c;
    for (int steps = 0; steps < 20000 && git_revwalk_next(&c, w) == 0; ++steps) {
        if (!has_blob(c)) continue;
        const auto info = info_of(repo, c);
        if (std::none_of(info.parents.begin(), info.parents.end(), has_blob)) found = c;  // keeps the oldest
    }
    return found;
}

}  // namespace

std::optional<long> pull_request_of(std::string_view m) {
    auto digits_at = [&](size_t pos) -> std::optional<long> {
        size_t end = pos;
        while (end < m.size() && end - pos < 12 && m[end] >= '0' && m[end] <= '9') ++end;
        if (end == pos) return std::nullopt;
        return std::stol(std::string(m.substr(pos, end - pos)));
    };
    if (auto p = m.find("pull request #"); p != std::string_view::npos)
        if (auto n = digits_at(p + 14)) return n;
    if (auto p = m.find("merge request "); p != std::string_view::npos) {
        const auto bang = m.find('!', p);
        const auto eol = m.find('\n', p);
        if (bang != std::string_view::npos && (eol == std::string_view::npos || bang < eol))
            if (auto n = digits_at(bang + 1)) return n;
    }
    const auto first_line = m.substr(0, m.find('\n'));
    for (size_t p = first_line.find("(#"); p != std::string_view::npos; p = first_line.find("(#", p + 1))
        if (auto n = digits_at(p + 2)) return n;
    return std::nullopt;
}

AuditResult audit_history(const GitRepository& repo, const std::string& ref, const std::optional<std::string>& since,
                          const PolicyOptions& options) {
    AuditResult out;
    git_oid cur = repo.resolve_commit(ref);
    out.tip = oid_hex(cur);
    std::optional<git_oid> stop;
    if (since) stop = repo.resolve_commit(*since);
    CheckOptions copts;
    copts.allow_multiple_heads = options.allow_multiple_heads;
    copts.python = options.python;
    copts.alembic = options.alembic;
    copts.cache = options.cache;
    auto cur_tree = std::make_unique<GitTree>(repo.get(), cur);
    struct Pending {
        size_t env;
        Problem problem;
        std::string key;
    };
    std::vector<Environment> envs = discover_environments(*cur_tree, nullptr, copts.alembic);
    std::vector<Pending> pending;
    for (size_t i = 0; i < envs.size(); ++i) {
        const auto ec = check_environment(*cur_tree, envs[i], copts);
        ++out.graphs_built;
        for (const auto& p : ec.problems) pending.push_back({i, p, audit_key(p)});
    }
    auto finish = [&](const Pending& p, const git_oid& at, bool before_since) {
        AuditFinding f;
        f.environment = envs[p.env].name;
        f.problem = p.problem;
        f.before_since = before_since;
        const auto info = info_of(repo.get(), at);
        f.since = info.time;
        f.subject = info.message.substr(0, info.message.find('\n'));
        f.mainline = oid_hex(at);
        if (!before_since) {
            f.pr = pull_request_of(info.message);
            f.introduced_by = oid_hex(at);
            if (info.parents.size() >= 2) {
                f.merge = oid_hex(at);
                // The merged branch's commit that added an offending file.
                GitTree merged(repo.get(), at);
                GitTree first(repo.get(), info.parents[0]);
                for (const auto& file : p.problem.files) {
                    const auto blob = merged.entry_id(file);
                    const auto before = first.entry_id(file);
                    if (!blob || (before && git_oid_equal(&*blob, &*before))) continue;
                    if (auto adder = adder_of(repo.get(), info.parents[1], info.parents[0], file, *blob)) {
                        f.introduced_by = oid_hex(*adder);
                        break;
                    }
                }
            }
        }
        out.findings.push_back(std::move(f));
    };
    while (!pending.empty()) {
        const auto info = info_of(repo.get(), cur);
        ++out.commits_walked;
        if (info.parents.empty()) {
            for (const auto& p : pending) finish(p, cur, false);
            pending.clear();
            break;
        }
        const git_oid parent = info.parents.front();
        if (stop && git_oid_equal(&parent, &*stop)) {
            // Problems still standing at --since stood before it.
            auto parent_tree = std::make_unique<GitTree>(repo.get(), parent);
            std::map<size_t, std::set<std::string>> keys;
            for (const auto& p : pending) {
                if (!keys.count(p.env)) {
                    auto& k = keys[p.env];
                    for (const auto& q : check_environment(*parent_tree, envs[p.env], copts).problems) k.insert(audit_key(q));
                    ++out.graphs_built;
                }
                finish(p, keys[p.env].count(p.key) ? parent : cur, keys[p.env].count(p.key) > 0);
            }
            pending.clear();
            break;
        }
        auto parent_tree = std::make_unique<GitTree>(repo.get(), parent);
        std::map<size_t, std::set<std::string>> parent_keys;
        std::vector<Pending> still;
        for (auto& p : pending) {
            if (same_entries(*cur_tree, *parent_tree, envs[p.env])) {
                still.push_back(std::move(p));
                continue;
            }
            if (!parent_keys.count(p.env)) {
                auto& k = parent_keys[p.env];
                for (const auto& q : check_environment(*parent_tree, envs[p.env], copts).problems) k.insert(audit_key(q));
                ++out.graphs_built;
            }
            if (parent_keys[p.env].count(p.key)) still.push_back(std::move(p));
            else finish(p, cur, false);
        }
        pending = std::move(still);
        cur = parent;
        cur_tree = std::move(parent_tree);
    }
    return out;
}

}  // namespace ag
