#include "verdict/push_extension.hpp"

#include "alembic/migration_reader.hpp"
#include "alembic/module_references.hpp"
#include "alembic/version_listing.hpp"

#include <algorithm>

namespace ag {

namespace {

// Alembic's load order: version locations in order, names sorted by bytes within each.
std::optional<LoadPosition> load_position(const Environment& env, const std::string& path) {
    const std::string dir = parent_path(path);
    for (size_t i = 0; i < env.version_locations.size(); ++i)
        if (env.version_locations[i] == dir) return std::make_pair(i, std::string(base_name(path)));
    return std::nullopt;
}

}  // namespace

bool inputs_unchanged(const GitTree& old_tree, const Environment& old_env, const GitTree& new_tree,
                      const Environment& new_env) {
    if (!old_env.problems.empty() || !new_env.problems.empty()) return false;
    std::vector<std::string> paths = new_env.version_locations;
    if (!new_env.config.empty()) paths.push_back(new_env.config);
    for (const auto& path : paths) {
        const auto a = new_tree.entry_id(path);
        const auto b = old_tree.entry_id(path);
        if (a.has_value() != b.has_value() || (a && !git_oid_equal(&*a, &*b))) return false;
    }
    return new_env.python.version == old_env.python.version && new_env.alembic.version == old_env.alembic.version &&
           new_env.recursive == old_env.recursive;
}

std::optional<std::vector<AddedMigration>> migrations_only_added(const GitTree& old_tree, const GitTree& new_tree,
                                                                 const Environment& old_env,
                                                                 const Environment& new_env,
                                                                 const CheckOptions& options) {
    if (allows_multiple_heads(new_env, options) != allows_multiple_heads(old_env, options) ||
        old_env.version_locations != new_env.version_locations || !old_env.problems.empty() ||
        !new_env.problems.empty())
        return std::nullopt;
    // Compiled files (a __pycache__ copy, sourceless .pyc) are the full check's to judge.
    if (new_env.sourceless || old_env.sourceless || !(new_env.python.version == old_env.python.version)) return std::nullopt;
    // Sub-directories and a change of rules are the full check's to list.
    if (new_env.recursive || old_env.recursive || !(new_env.alembic.version == old_env.alembic.version))
        return std::nullopt;
    std::vector<std::pair<std::string_view, DirEntry>> added_entries;
    for (const auto& loc : new_env.version_locations) {
        // A __pycache__ there, changed or not, may hold a copy Python runs instead of an added
        // source: the full check lists it.
        if (new_tree.kind(join_path(loc, "__pycache__"))) return std::nullopt;
        for (auto& change : new_tree.changes_since(old_tree, loc)) {
            const DirEntry& e = change.after ? *change.after : *change.before;
            // What a link loads is decided by its target, maybe elsewhere: the full check's.
            if (e.kind == EntryKind::Symlink) return std::nullopt;
            const auto file = judge_entry(e, new_env.alembic.version);
            if (!file) continue;  // Alembic never loads it
            // An edit, a deletion, no regular file, a name Alembic fails on: the full check's.
            if (change.before || file->refused) return std::nullopt;
            added_entries.emplace_back(loc, std::move(*change.after));
        }
    }
    std::vector<MigrationSource> sources;
    for (const auto& [loc, e] : added_entries) sources.push_back({loc, &e, new_env.python.version});
    auto migrations = read_migrations(new_tree, sources);
    // Code of the repository an added migration imports or calls is judged with the whole
    // tree; the graph engine decides the rest.
    const auto reaches_repository = [](const std::vector<std::string>& dotted) {
        return std::any_of(dotted.begin(), dotted.end(), [](const std::string& n) { return !preloaded_module(n); });
    };
    std::vector<AddedMigration> added;
    for (size_t i = 0; i < migrations.size(); ++i) {
        Migration& m = migrations[i];
        apply_version_rules(m, new_env.alembic.version);
        if (!m.references.empty() || reaches_repository(m.calls) || reaches_repository(m.imports) ||
            reaches_repository(m.escapes))
            return std::nullopt;
        added.push_back({std::move(m), added_entries[i].second.id_hex()});
    }
    return added;
}

std::optional<EnvironmentCheck> extend_old_result(const GitTree& old_tree, const GitTree& new_tree,
                                                  const Environment& old_env, const EnvironmentCheck& before,
                                                  const Environment& new_env, const CheckOptions& options) {
    ResultCache* cache = options.cache;
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

    auto added = migrations_only_added(old_tree, new_tree, old_env, new_env, options);
    if (!added) return std::nullopt;
    std::vector<Migration> migrations;
    for (auto& a : *added) migrations.push_back(std::move(a.migration));
    const KnownRevisions known{[&](std::string_view id) { return names->has_id(id); },
                               [&](std::string_view label) { return names->has_label(label); }};
    auto g = extend_revision_graph(before.graph, known, migrations,
                                   [&](const std::string& path) { return load_position(new_env, path); }, allow);
    if (!g) return std::nullopt;

    for (const auto& m : migrations) names->add_id(m.revision);
    EnvironmentResult result{std::move(*g), {}, {}};
    cache->store_result(*new_key, result);
    cache->store_names(*new_key, *names);
    return environment_check_of(new_env, std::move(result));
}

}  // namespace ag
