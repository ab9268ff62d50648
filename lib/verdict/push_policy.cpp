#include "verdict/push_policy.hpp"

#include "verdict/push_extension.hpp"

#include "source/git_tree.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace ag {

namespace {

// The next free ID in a zero-padded numeric series ("031" -> "032"); empty for other IDs.
std::string suggest_id(const EnvironmentCheck& env, const std::string& dup) {
    if (dup.empty() || !std::all_of(dup.begin(), dup.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {};
    unsigned long long max = 0;
    std::set<std::string> ids;
    for (const auto& p : env.problems)
        for (const auto& l : p.locations) ids.insert(l.revision);
    for (const auto& l : env.graph.head_locations) ids.insert(l.revision);
    for (const auto& id : ids) {
        if (id.empty() || id.size() > 18 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        max = std::max(max, std::stoull(id));
    }
    return fmt::format("{:0{}}", max + 1, dup.size());
}

// Marks the copy this push adds (the report tells to renumber it and chain it onto the copy
// already there) and finds it a free ID.
Problem duplicate_for_push(Problem p, const EnvironmentCheck& after, const std::function<bool(const std::string&)>& existed_before) {
    for (auto& l : p.locations) l.added = !existed_before(l.file);
    p.new_id = suggest_id(after, p.revisions.empty() ? std::string() : p.revisions.front());
    return p;
}

Problem head_added(const EnvironmentCheck& before, const EnvironmentCheck& after, const std::function<bool(const std::string&)>& existed_before,
                   bool has_duplicate) {
    Problem p;
    p.code = code::multiple_heads;
    p.situation = has_duplicate ? Situation::heads_added_by_duplicate : Situation::heads_added;
    p.revisions = after.graph.heads;
    p.head_count = after.graph.head_count;
    p.heads_before = before.graph.heads;
    p.head_count_before = before.graph.head_count;
    for (const auto& l : after.graph.head_locations) {
        p.files.push_back(l.file);
        p.locations.push_back(l);
        p.locations.back().added = !existed_before(l.file);
    }
    return p;
}

}  // namespace

Verdict compare_checks(const TreeCheck& before, const TreeCheck& after, const std::function<bool(const std::string&)>& existed_before) {
    Verdict v;
    std::map<std::string, const EnvironmentCheck*> old_envs;
    for (const auto& e : before.environments) old_envs.emplace(e.environment.identity(), &e);
    for (const auto& e : after.environments) {
        EnvironmentDelta d;
        d.name = e.environment.name;
        d.head_count_after = e.graph.head_count;
        d.heads_after = e.graph.heads;
        d.notes = e.notes;
        auto it = old_envs.find(e.environment.identity());
        if (it == old_envs.end()) {
            d.judged_alone = true;
            for (const auto& p : e.problems) v.introduced.push_back({e.environment.name, p});
            v.environments.push_back(std::move(d));
            continue;
        }
        const EnvironmentCheck& b = *it->second;
        d.head_count_before = b.graph.head_count;
        d.heads_before = b.graph.heads;
        std::set<std::string> old_keys;
        for (const auto& p : b.problems) old_keys.insert(p.key());
        bool duplicate = false;
        for (const auto& p : e.problems) {
            if (p.code == code::multiple_heads || old_keys.count(p.key())) continue;
            if (p.code == code::duplicate_revision) {
                duplicate = true;
                v.introduced.push_back({e.environment.name, duplicate_for_push(p, e, existed_before)});
            } else {
                v.introduced.push_back({e.environment.name, p});
            }
        }
        // A push may not add a head; the first revision of an empty environment is no fork.
        if (e.graph.head_count > b.graph.head_count && e.graph.head_count > 1)
            v.introduced.push_back({e.environment.name, head_added(b, e, existed_before, duplicate)});
        v.environments.push_back(std::move(d));
    }
    v.ok = v.introduced.empty();
    return v;
}

CheckOptions check_options_at(const PolicyOptions& options, const SourceTree& declarations) {
    CheckOptions o;
    o.declarations = &declarations;
    o.allow_multiple_heads = options.allow_multiple_heads;
    o.python = options.python;
    o.alembic = options.alembic;
    o.cache = options.cache;
    return o;
}

Verdict judge_update(git_repository* repo, const std::optional<git_oid>& before, const git_oid& after,
                     const PolicyOptions& options) {
    GitTree new_tree(repo, after);
    std::optional<GitTree> old_tree;
    if (before) old_tree.emplace(repo, *before);
    CheckOptions opts = check_options_at(options, old_tree ? *old_tree : new_tree);
    opts.related = old_tree ? &*old_tree : nullptr;
    TreeCheck after_check, before_check;
    std::map<std::string, Environment> old_envs;
    if (old_tree)
        for (auto& e : discover_environments(*old_tree, opts.declarations, opts.alembic)) {
            if (opts.python) e.python = *opts.python;
            old_envs.emplace(e.identity(), std::move(e));
        }
    for (auto& env : discover_environments(new_tree, opts.declarations, opts.alembic)) {
        if (opts.python) env.python = *opts.python;
        auto it = old_envs.find(env.identity());
        if (it == old_envs.end()) {
            after_check.environments.push_back(check_environment(new_tree, std::move(env), opts));
            continue;
        }
        // Only an environment whose version locations or config changed can change its
        // verdict: an unchanged one is read once and stands for both tips.
        const bool unchanged = inputs_unchanged(*old_tree, it->second, new_tree, env);
        if (unchanged) {
            EnvironmentCheck both = check_environment(new_tree, env, opts);
            // It also stands for the old tip only if the other modules it read are the same there.
            if (dependencies_hold(*old_tree, both.dependencies)) {
                before_check.environments.push_back(both);
                after_check.environments.push_back(std::move(both));
                continue;
            }
        }
        // The old tip first: its result is what a push that only adds migrations extends.
        before_check.environments.push_back(check_environment(*old_tree, it->second, opts));
        auto extended = extend_old_result(*old_tree, new_tree, it->second, before_check.environments.back(), env, opts);
        after_check.environments.push_back(extended ? std::move(*extended) : check_environment(new_tree, std::move(env), opts));
    }
    // A file is added by this push when the old tip has nothing at its path.
    const auto existed_before = [&](const std::string& path) {
        return old_tree && old_tree->kind(path).has_value();
    };
    Verdict v = compare_checks(before_check, after_check, existed_before);
    if (old_tree) {
        const auto o = old_tree->kind(".alembic-guard.toml");
        const auto n = new_tree.kind(".alembic-guard.toml");
        v.declarations_changed = o != n || (o == EntryKind::File && old_tree->read(".alembic-guard.toml") !=
                                                                        new_tree.read(".alembic-guard.toml"));
    }
    return v;
}

}  // namespace ag
