#include "verdict/push_extension.hpp"

#include "alembic/migration_reader.hpp"
#include "alembic/module_references.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ag {

namespace {

ProblemLocation head_location(const Migration& m) {
    return ProblemLocation{m.path, m.revision_line ? m.revision_line : 1, m.revision, m.down_revisions};
}

// Alembic's load order: version locations in order, names sorted by bytes within each.
std::optional<std::pair<size_t, std::string>> load_position(const Environment& env, const std::string& path) {
    const std::string dir = parent_path(path);
    for (size_t i = 0; i < env.version_locations.size(); ++i)
        if (env.version_locations[i] == dir) return std::make_pair(i, std::string(base_name(path)));
    return std::nullopt;
}

void insert_sorted(std::vector<std::string>& v, const std::string& s) {
    auto it = std::lower_bound(v.begin(), v.end(), s);
    if (it == v.end() || *it != s) v.insert(it, s);
}

}  // namespace

std::optional<EnvironmentCheck> extend_old_result(const GitTree& old_tree, const GitTree& new_tree,
                                                  const Environment& old_env, const EnvironmentCheck& before,
                                                  const Environment& new_env, const CheckOptions& options) {
    ParseCache* cache = options.cache;
    if (!cache || cache->dir().empty()) return std::nullopt;
    const bool allow = allows_multiple_heads(new_env, options);
    if (allow != allows_multiple_heads(old_env, options) || old_env.version_locations != new_env.version_locations ||
        !old_env.problems.empty() || !new_env.problems.empty())
        return std::nullopt;
    const auto old_key = environment_result_key(old_tree, old_env, allow);
    const auto new_key = environment_result_key(new_tree, new_env, allow);
    if (!old_key || !new_key) return std::nullopt;
    // A clean old tip: no problems, and no notes beyond its config's (none from migrations).
    if (!before.problems.empty() || !before.graph.notes.empty() || before.notes.size() != old_env.notes.size())
        return std::nullopt;
    // Stored only beside a clean result, so present only when the old tip was judged from its trees.
    auto names = cache->load_names(*old_key);
    if (!names) return std::nullopt;

    // What the push changed in the version locations: only added migration files qualify.
    // Compiled files (a __pycache__ copy, sourceless .pyc) are the full check's to judge.
    if (new_env.sourceless || old_env.sourceless || !(new_env.python.version == old_env.python.version)) return std::nullopt;
    std::vector<std::pair<std::string_view, DirEntry>> added_entries;
    for (const auto& loc : new_env.version_locations) {
        // A __pycache__ there, changed or not, may hold a copy Python runs instead of an added
        // source: the full check lists it.
        if (new_tree.kind(join_path(loc, "__pycache__"))) return std::nullopt;
        for (auto& change : new_tree.changes_since(old_tree, loc)) {
            const DirEntry& e = change.after ? *change.after : *change.before;
            if (!is_migration_file_name(e.name)) continue;  // Alembic never loads it
            // An edit, a deletion, no regular file, a name Alembic fails on: the full check's.
            if (change.before || e.kind != EntryKind::File || unloadable_name(e.name)) return std::nullopt;
            added_entries.emplace_back(loc, std::move(*change.after));
        }
    }
    std::vector<MigrationSource> added;
    for (const auto& [loc, e] : added_entries) added.push_back({loc, &e, new_env.python.version});
    const auto migrations = read_migrations(new_tree, added);

    // Each new revision: parsed, a plain new ID, parents that exist, no labels or dependencies.
    std::set<std::string> new_ids;
    for (const auto& m : migrations) {
        // Code of the repository it imports or calls is judged with the whole tree.
        const auto reaches_repository = [](const std::vector<std::string>& dotted) {
            return std::any_of(dotted.begin(), dotted.end(), [](const std::string& n) { return !preloaded_module(n); });
        };
        if (m.error || !m.notes.empty() || !m.references.empty() || reaches_repository(m.calls) ||
            reaches_repository(m.imports) || reaches_repository(m.escapes) || !m.branch_labels.empty() ||
            !m.depends_on.empty() ||
            m.revision.empty() ||
            names->has_id(m.revision) || names->has_label(m.revision) || !new_ids.insert(m.revision).second)
            return std::nullopt;
    }
    std::set<std::string> parents;  // IDs some new revision names as down_revision
    std::map<std::string, std::vector<std::string>> new_parents;
    for (const auto& m : migrations) {
        std::set<std::string> seen;
        for (const auto& d : m.down_revisions) {
            if (d == m.revision || !seen.insert(d).second || (!names->has_id(d) && !new_ids.count(d))) return std::nullopt;
            parents.insert(d);
            if (new_ids.count(d)) new_parents[m.revision].push_back(d);
        }
    }
    // The new revisions among themselves must not loop (old ones cannot reach new ones).
    {
        std::map<std::string, size_t> waiting;  // new revision -> new parents not yet placed
        std::map<std::string, std::vector<std::string>> children;
        for (const auto& id : new_ids) waiting[id] = 0;
        for (const auto& [child, ps] : new_parents)
            for (const auto& p : ps) {
                ++waiting[child];
                children[p].push_back(child);
            }
        std::vector<std::string> ready;
        for (const auto& [id, n] : waiting)
            if (n == 0) ready.push_back(id);
        size_t placed = 0;
        while (!ready.empty()) {
            const std::string id = ready.back();
            ready.pop_back();
            ++placed;
            for (const auto& c : children[id])
                if (--waiting[c] == 0) ready.push_back(c);
        }
        if (placed != new_ids.size()) return std::nullopt;
    }

    RevisionGraph g = before.graph;
    g.revision_count += migrations.size();
    std::vector<std::pair<std::pair<size_t, std::string>, ProblemLocation>> heads;
    for (auto& l : g.head_locations) {
        if (parents.count(l.revision)) continue;
        const auto pos = load_position(new_env, l.file);
        if (!pos) return std::nullopt;
        heads.emplace_back(*pos, std::move(l));
    }
    for (const auto& m : migrations) {
        if (m.down_revisions.empty()) insert_sorted(g.bases, m.revision);
        if (m.down_revisions.size() > 1) insert_sorted(g.merge_points, m.revision);
        if (parents.count(m.revision)) continue;
        const auto pos = load_position(new_env, m.path);
        if (!pos) return std::nullopt;
        heads.emplace_back(*pos, head_location(m));
    }
    if (heads.size() > 1 && !allow) return std::nullopt;  // a problem: its message comes from the full graph
    std::sort(heads.begin(), heads.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    g.head_locations.clear();
    g.heads.clear();
    for (auto& [pos, l] : heads) {
        g.heads.push_back(l.revision);
        g.head_locations.push_back(std::move(l));
    }
    std::sort(g.heads.begin(), g.heads.end());
    g.head_count = g.heads.size();

    for (const auto& id : new_ids) names->add_id(id);
    EnvironmentResult result{std::move(g), {}, {}};
    cache->store_result(*new_key, result);
    cache->store_names(*new_key, *names);
    return environment_check_of(new_env, std::move(result));
}

}  // namespace ag
