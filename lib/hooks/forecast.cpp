#include "hooks/forecast.hpp"

#include "alembic/module_references.hpp"
#include "git/memory_merge.hpp"
#include "source/git_tree.hpp"
#include "support/guard_error.hpp"
#include "verdict/push_extension.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <map>
#include <set>

namespace ag {

namespace {

// refs/pull/<n>/head (Forgejo, Gitea, GitHub), refs/merge-requests/<n>/head (GitLab).
std::optional<long> request_number(const std::string& ref) {
    for (const std::string_view prefix : {"refs/pull/", "refs/merge-requests/"}) {
        if (ref.rfind(prefix, 0) != 0) continue;
        const std::string_view rest = std::string_view(ref).substr(prefix.size());
        const size_t slash = rest.find('/');
        const std::string_view digits = rest.substr(0, slash);
        if (digits.empty() || digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        return std::stol(std::string(digits));
    }
    return std::nullopt;
}

bool is_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// What a candidate changes in one environment, landed on the base.
struct Touch {
    std::string identity;
    std::string name;
    // The migrations it adds, when adding files is all it does there; nullopt for anything
    // else (an edit, a deletion, a new or removed environment, changed settings or modules).
    std::optional<std::vector<AddedMigration>> added;
    // Where Alembic loads this environment's migrations from with the candidate landed (empty
    // when the environment is gone there).
    std::vector<std::string> version_locations;
    bool recursive = false;
};

struct Landed {
    ForecastCandidate candidate;
    git_oid tip{};
    git_oid merged{};  // the candidate landed on the base, in memory
    std::int64_t opened = 0;
    std::vector<Touch> touches;
    std::shared_ptr<const GitTree> tree;  // of `merged`

    const Touch* touch(const std::string& identity) const {
        for (const auto& t : touches)
            if (t.identity == identity) return &t;
        return nullptr;
    }
};

struct BaseEnvironment {
    Environment environment;
    EnvironmentCheck check;
};

std::vector<Touch> touches_of(const GitTree& base_tree, const std::map<std::string, BaseEnvironment>& base_envs,
                              const GitTree& merged_tree, const CheckOptions& options) {
    std::vector<Touch> out;
    std::set<std::string> seen;
    for (auto& env : discover_environments(merged_tree, options.declarations, options.alembic)) {
        if (options.python) env.python = *options.python;
        std::string identity = env.identity();
        seen.insert(identity);
        auto it = base_envs.find(identity);
        if (it == base_envs.end()) {
            out.push_back({std::move(identity), env.name, std::nullopt, env.version_locations, env.recursive});
            continue;
        }
        const BaseEnvironment& b = it->second;
        const bool modules_hold = dependencies_hold(merged_tree, b.check.dependencies);
        if (inputs_unchanged(base_tree, b.environment, merged_tree, env)) {
            if (!modules_hold)
                out.push_back({std::move(identity), env.name, std::nullopt, env.version_locations, env.recursive});
            continue;
        }
        auto added = modules_hold ? migrations_only_added(base_tree, merged_tree, b.environment, env, options)
                                  : std::nullopt;
        out.push_back({std::move(identity), env.name, std::move(added), env.version_locations, env.recursive});
    }
    for (const auto& [identity, b] : base_envs)
        if (!seen.count(identity)) out.push_back({identity, b.environment.name, std::nullopt, {}, false});
    return out;
}

// Whether `other` changes what Alembic would read from a location that `t` reads and the
// base's environment does not (a location `t`'s candidate adds, or sub-directories it turns
// on): such files are no migrations until both land.
bool changes_new_locations(const Touch& t, const BaseEnvironment* base, const GitTree& base_tree, const GitTree& other) {
    for (const auto& loc : t.version_locations) {
        if (base && base->environment.recursive == t.recursive &&
            std::find(base->environment.version_locations.begin(), base->environment.version_locations.end(), loc) !=
                base->environment.version_locations.end())
            continue;
        const auto a = other.entry_id(loc);
        const auto b = base_tree.entry_id(loc);
        if (a.has_value() != b.has_value() || (a && !git_oid_equal(&*a, &*b))) return true;
    }
    return false;
}

bool simple(const Migration& m) {
    return !m.error && !m.revision.empty() && m.branch_labels.empty() && m.depends_on.empty();
}

// Whether landing both candidates' additions may add a head or a duplicate that neither adds
// alone (each is fine alone). Exact for plain additions on a clean base; true whenever it
// cannot tell, so the in-memory merge decides.
bool may_collide(const Touch& a, const Touch& b, const EnvironmentCheck& base) {
    if (!a.added || !b.added) return true;
    if (!base.problems.empty() || base.graph.head_count != base.graph.heads.size()) return true;
    std::map<std::string, const AddedMigration*> a_files;
    std::set<std::string> a_ids, a_parents, ids, parents;
    for (const auto& m : *a.added) {
        if (!simple(m.migration)) return true;
        a_files.emplace(m.migration.path, &m);
        a_ids.insert(m.migration.revision);
        a_parents.insert(m.migration.down_revisions.begin(), m.migration.down_revisions.end());
    }
    std::set<std::string> b_ids, b_parents;
    for (const auto& m : *b.added) {
        if (!simple(m.migration)) return true;
        b_ids.insert(m.migration.revision);
        b_parents.insert(m.migration.down_revisions.begin(), m.migration.down_revisions.end());
        const auto same = a_files.find(m.migration.path);
        if (same != a_files.end()) {
            if (same->second->blob != m.blob) return true;  // both add the file, differently
            continue;                                       // one change both carry
        }
        if (a_ids.count(m.migration.revision)) return true;  // the same ID in two files
    }
    ids = a_ids;
    ids.insert(b_ids.begin(), b_ids.end());
    parents = a_parents;
    parents.insert(b_parents.begin(), b_parents.end());
    // Heads as Alembic counts them on a clean base: the old heads no new revision follows,
    // and the new revisions none follows.
    const auto heads = [&](const std::set<std::string>& new_ids, const std::set<std::string>& new_parents) {
        size_t n = 0;
        for (const auto& h : base.graph.heads) n += !new_parents.count(h);
        for (const auto& id : new_ids) n += !new_parents.count(id);
        return n;
    };
    const size_t both = heads(ids, parents);
    return both > 1 && (both > heads(a_ids, a_parents) || both > heads(b_ids, b_parents));
}

std::vector<AddedRevision> revisions_of(const Touch* t) {
    std::vector<AddedRevision> out;
    if (!t || !t->added) return out;
    for (const auto& m : *t->added)
        if (!m.migration.revision.empty()) out.push_back({m.migration.revision, m.migration.down_revisions, m.migration.path,
                           m.migration.revision_line});
    return out;
}

// What both build on: the IDs both add, else the parents both name.
std::vector<std::string> shared_of(const std::vector<AddedRevision>& a, const std::vector<AddedRevision>& b) {
    std::set<std::string> a_ids, a_parents, out;
    for (const auto& r : a) {
        a_ids.insert(r.id);
        a_parents.insert(r.parents.begin(), r.parents.end());
    }
    for (const auto& r : b)
        if (a_ids.count(r.id)) out.insert(r.id);
    if (out.empty())
        for (const auto& r : b)
            for (const auto& p : r.parents)
                if (a_parents.count(p) && !a_ids.count(p)) out.insert(p);
    return {out.begin(), out.end()};
}

// Whether `stay` was opened before `move`: request numbers when both have one, else the
// oldest commit of each that the base does not have.
bool opened_before(const Landed& a, const Landed& b) {
    if (a.candidate.pr && b.candidate.pr) return *a.candidate.pr < *b.candidate.pr;
    if (a.opened != b.opened) return a.opened < b.opened;
    return a.candidate.ref < b.candidate.ref;
}

// Whether Alembic loads `file` from `locations`: a migration file name directly in one, or
// deeper with recursive_version_locations.
bool loaded_from(const std::string& file, const std::vector<std::string>& locations, bool recursive) {
    if (!is_migration_file_name(base_name(file))) return false;
    return std::any_of(locations.begin(), locations.end(), [&](const std::string& loc) {
        if (parent_path(file) == loc) return true;
        return recursive && (loc.empty() || (file.size() > loc.size() && file.rfind(loc, 0) == 0 && file[loc.size()] == '/'));
    });
}

}  // namespace

std::vector<ForecastCandidate> forecast_candidates(const GitRepository& repo, const std::string& base_ref,
                                                   const std::vector<std::string>& given) {
    std::vector<std::string> refs;
    if (given.empty()) {
        for (const char* glob : {"refs/pull/*/head", "refs/merge-requests/*/head"})
            for (auto& r : repo.ref_names(glob)) refs.push_back(std::move(r));
        if (refs.empty())
            for (auto& r : repo.ref_names("refs/heads/*"))
                if (r != base_ref) refs.push_back(std::move(r));
    } else {
        for (const auto& g : given) {
            if (!is_glob(g)) {
                (void)repo.resolve_commit(g);  // names a commit, or says what is wrong
                refs.push_back(g);
                continue;
            }
            auto matched = repo.ref_names(g.rfind("refs/", 0) == 0 ? g : "refs/heads/" + g);
            if (matched.empty()) throw GuardError(fmt::format("no ref matches '{}'", g));
            for (auto& r : matched) refs.push_back(std::move(r));
        }
    }
    std::vector<ForecastCandidate> out;
    std::set<std::string> seen;
    for (const auto& r : refs) {
        if (!seen.insert(r).second) continue;
        out.push_back({r, request_number(r), oid_hex(repo.resolve_commit(r))});
    }
    // Requests by number, then the rest by name: the order every report keeps.
    std::stable_sort(out.begin(), out.end(), [](const ForecastCandidate& a, const ForecastCandidate& b) {
        if (a.pr.has_value() != b.pr.has_value()) return a.pr.has_value();
        if (a.pr && *a.pr != *b.pr) return *a.pr < *b.pr;
        return a.ref < b.ref;
    });
    return out;
}

Forecast forecast(GuardContext& context, const ForecastOptions& options) {
    GitRepository& repo = context.repo();
    std::string base_name = options.base;
    std::string base_ref = options.base;
    if (base_name.empty()) {
        const auto head = repo.head_branch();
        if (!head) throw GuardError("HEAD names no branch, so there is no default base: give --base REF");
        base_ref = *head;
        base_name = branch_of_ref(*head);
    } else if (repo.ref_commit("refs/heads/" + base_name)) {
        base_ref = "refs/heads/" + base_name;
    }
    const git_oid base = repo.resolve_commit(options.base.empty() ? base_ref : options.base);
    Forecast f;
    f.base = base_name;
    f.base_hex = oid_hex(base);

    const PolicyOptions policy = context.policy_options();
    const GitTree base_tree(repo.get(), base);
    const CheckOptions check_options = check_options_at(policy, base_tree);
    std::map<std::string, BaseEnvironment> base_envs;
    for (auto& env : discover_environments(base_tree, &base_tree, check_options.alembic)) {
        if (check_options.python) env.python = *check_options.python;
        EnvironmentCheck check = check_environment(base_tree, env, check_options);
        std::string identity = env.identity();
        base_envs.emplace(std::move(identity), BaseEnvironment{std::move(env), std::move(check)});
    }

    MemoryMerger merger(repo);
    std::vector<Landed> landed;
    for (auto& c : forecast_candidates(repo, base_ref, options.candidates)) {
        Landed l;
        l.tip = repo.resolve_commit(c.ref);
        const auto common = repo.merge_base(base, l.tip);
        if (common && git_oid_equal(&*common, &l.tip)) continue;  // already in the base
        ++f.candidates;
        l.candidate = std::move(c);
        const MergeOutcome m = merger.merge(base, l.tip, l.candidate.ref);
        if (!m.commit) {
            ForecastBadAlone bad{l.candidate, {l.candidate.ref, f.base_hex, "", {}}, m.conflict_files};
            bad.judgement.verdict.ok = false;
            f.bad_alone.push_back(std::move(bad));
            continue;
        }
        l.merged = *m.commit;
        Verdict alone = judge_update(repo.get(), base, l.merged, policy);
        if (!alone.ok) {
            f.bad_alone.push_back({l.candidate, {l.candidate.ref, f.base_hex, oid_hex(l.merged), std::move(alone)}, {}});
            continue;
        }
        l.tree = std::make_shared<const GitTree>(repo.get(), l.merged);
        l.touches = touches_of(base_tree, base_envs, *l.tree, check_options);
        l.opened = repo.oldest_commit_time(l.tip, base).value_or(0);
        landed.push_back(std::move(l));
    }

    // Pairs that touch a common environment, compared from their additions; each that may
    // collide is landed for real, in memory, in the order it would be.
    for (size_t i = 0; i < landed.size(); ++i) {
        for (size_t j = i + 1; j < landed.size(); ++j) {
            // The environments both change, and those where one makes the other's files
            // migrations (a location it adds).
            std::vector<const Touch*> common;
            bool suspect = false;
            const auto base_of = [&](const Touch& t) -> const BaseEnvironment* {
                const auto b = base_envs.find(t.identity);
                return b == base_envs.end() ? nullptr : &b->second;
            };
            for (const auto& t : landed[i].touches)
                if (const Touch* other = landed[j].touch(t.identity)) {
                    common.push_back(&t);
                    const BaseEnvironment* b = base_of(t);
                    suspect = suspect || !b || may_collide(t, *other, b->check);
                }
            for (const auto& [mine, theirs] : {std::pair(&landed[i], &landed[j]), std::pair(&landed[j], &landed[i])})
                for (const auto& t : mine->touches)
                    if (!theirs->touch(t.identity) && changes_new_locations(t, base_of(t), base_tree, *theirs->tree)) {
                        common.push_back(&t);
                        suspect = true;
                    }
            if (common.empty()) continue;
            ++f.pairs_compared;
            if (!suspect) continue;
            ++f.pairs_merged;

            const bool j_stays = options.prefer.empty() ? opened_before(landed[j], landed[i])
                                                        : landed[j].candidate.ref == options.prefer;
            const Landed& stay = j_stays ? landed[j] : landed[i];
            const Landed& move = j_stays ? landed[i] : landed[j];
            const bool preferred = !options.prefer.empty() && stay.candidate.ref == options.prefer;
            const auto pair_for = [&](const std::string& identity, const std::string& name) {
                ForecastPair p{stay.candidate, move.candidate, preferred, name, {}, {}, {}, revisions_of(stay.touch(identity)),
                               revisions_of(move.touch(identity))};
                p.shared = shared_of(p.stay_adds, p.move_adds);
                return p;
            };

            // Conflicts in the migrations Alembic loads are this pair's collision, reported as
            // they are; any other (a README both edit) is resolved for the judging, as the
            // authors would, so that it hides nothing.
            const auto conflicts_by_touch = [&](const std::vector<std::string>& conflict_files, bool all) {
                std::vector<std::pair<const Touch*, std::vector<std::string>>> out;
                for (const Touch* t : common) {
                    // Loaded at the base, or with either candidate landed (one may add the location).
                    const auto loaded = [&](const std::string& file) {
                        const auto b = base_envs.find(t->identity);
                        if (b != base_envs.end() &&
                            loaded_from(file, b->second.environment.version_locations, b->second.environment.recursive))
                            return true;
                        for (const Landed* l : {&stay, &move})
                            if (const Touch* mine = l->touch(t->identity);
                                mine && loaded_from(file, mine->version_locations, mine->recursive))
                                return true;
                        return false;
                    };
                    std::vector<std::string> files;
                    for (const auto& file : conflict_files)
                        if (all || loaded(file)) files.push_back(file);
                    if (!files.empty()) out.emplace_back(t, std::move(files));
                }
                return out;
            };
            MergeOutcome both = merger.merge(stay.merged, move.tip, move.candidate.ref);
            std::vector<std::pair<const Touch*, std::vector<std::string>>> conflicts;
            if (!both.commit) {
                conflicts = conflicts_by_touch(both.conflict_files, false);
                if (conflicts.empty()) {
                    both = merger.merge(stay.merged, move.tip, move.candidate.ref, true);
                    // What even that leaves (a file deleted on one side, changed on the other)
                    // cannot be judged: the pair is named with it rather than passed.
                    if (!both.commit) conflicts = conflicts_by_touch(both.conflict_files, true);
                }
            }
            if (!conflicts.empty()) {
                for (auto& [t, files] : conflicts) {
                    ForecastPair p = pair_for(t->identity, t->name);
                    Problem conflict;
                    conflict.code = code::merge_conflict;
                    conflict.situation = Situation::merge_conflict;
                    conflict.subject = move.candidate.ref;
                    conflict.files = files;
                    p.problems.push_back(std::move(conflict));
                    p.conflict_files = std::move(files);
                    f.pairs.push_back(std::move(p));
                }
                continue;
            }
            if (!both.commit) continue;  // conflicts only outside every common environment
            Verdict v = judge_update(repo.get(), stay.merged, *both.commit, policy);
            if (v.ok) v = judge_update(repo.get(), move.merged, *both.commit, policy);
            if (v.ok) continue;
            std::map<std::string, std::vector<Problem>> by_environment;
            for (auto& ip : v.introduced) by_environment[ip.environment].push_back(std::move(ip.problem));
            for (auto& [name, problems] : by_environment) {
                std::string identity;
                for (const Touch* t : common)
                    if (t->name == name) identity = t->identity;
                ForecastPair p = pair_for(identity, name);
                p.problems = std::move(problems);
                f.pairs.push_back(std::move(p));
            }
        }
    }
    return f;
}

}  // namespace ag
