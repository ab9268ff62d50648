#include "verdict/environment_check.hpp"

#include "alembic/migration_reader.hpp"
#include "alembic/module_references.hpp"
#include "alembic/version_listing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ag {

std::optional<std::string> environment_result_key(const SourceTree& tree, const Environment& env, bool allow) {
    std::string key = allow ? "several heads allowed\n" : "one head\n";
    key += fmt::format("python {}\n", env.python.version.text());
    // The rules of the version (not its name: 1.13.2 and 1.13.3 may read alike, but a key
    // per release costs nothing).
    key += fmt::format("alembic {}{}\n", env.alembic.version.text(), env.recursive ? " recursive" : "");
    // What else decides which files are read, and how.
    if (env.sourceless) key += "sourceless\n";
    for (const auto& root : env.module_roots) key += fmt::format("root {}:{}\n", root.size(), root);
    // env.py runs before the migrations load, and may change where Python finds modules.
    if (!env.script_directory.empty())
        key += fmt::format("env.py {}\n", tree.content_id(join_path(env.script_directory, "env.py")).value_or("-"));
    for (const auto& loc : env.version_locations) {
        const auto id = tree.content_id(loc);
        if (!id) return std::nullopt;
        key += fmt::format("{} {}:{}\n", *id, loc.size(), loc);
    }
    return key;
}

EnvironmentCheck environment_check_of(Environment env, EnvironmentResult result) {
    EnvironmentCheck out;
    out.graph = std::move(result.graph);
    out.notes = env.notes;
    out.notes.insert(out.notes.end(), result.notes.begin(), result.notes.end());
    out.problems = env.problems;
    out.problems.insert(out.problems.end(), out.graph.problems.begin(), out.graph.problems.end());
    out.dependencies = std::move(result.dependencies);
    out.environment = std::move(env);
    return out;
}

namespace {

// Migrations Alembic does not load: `*.py` files in sub-directories of the version locations
// when it does not read sub-directories (before 1.10, or without recursive_version_locations).
// Projects whose env.py loads them itself pass with "0 revisions" otherwise, unwarned.
std::optional<Note> unread_subdirectories(const SourceTree& tree, const Environment& env,
                                          const std::vector<std::string>& loaded) {
    size_t count = 0;
    std::vector<std::string> dirs;
    std::vector<std::string> pending;
    for (const auto& loc : loaded)
        for (const auto& e : tree.list(loc))
            if (e.kind == EntryKind::Directory && e.name != "__pycache__") pending.push_back(join_path(loc, e.name));
    while (!pending.empty()) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        if (std::find(loaded.begin(), loaded.end(), dir) != loaded.end()) continue;
        size_t here = 0;
        for (const auto& e : tree.list(dir)) {
            if (e.kind == EntryKind::Directory && e.name != "__pycache__") pending.push_back(join_path(dir, e.name));
            else if (e.kind == EntryKind::File && is_migration_file_name(e.name)) ++here;
        }
        if (here) dirs.push_back(dir);
        count += here;
    }
    if (!count) return std::nullopt;
    std::sort(dirs.begin(), dirs.end());
    return Note{env.config.empty() ? env.version_locations.front() : env.config, 0, NoteKind::unread_subdirectories,
                std::to_string(count), env.alembic.version.text(), std::move(dirs)};
}

}  // namespace

bool allows_multiple_heads(const Environment& env, const CheckOptions& options) {
    if (options.allow_multiple_heads)
        return options.allow_multiple_heads->count("*") > 0 || options.allow_multiple_heads->count(env.name) > 0;
    return env.allow_multiple_heads;
}

bool TreeCheck::ok() const {
    for (const auto& e : environments)
        if (!e.ok()) return false;
    return true;
}

EnvironmentCheck check_environment(const SourceTree& tree, Environment env, const CheckOptions& options) {
    if (options.python) env.python = *options.python;
    const bool allow = allows_multiple_heads(env, options);
    env.allow_multiple_heads = allow;
    ResultCache* cache = options.cache;
    const auto key = cache && !cache->dir().empty() ? environment_result_key(tree, env, allow) : std::nullopt;
    if (key) {
        // A result that read other modules holds while they are unchanged.
        if (auto known = cache->load_result(*key); known && dependencies_hold(tree, known->dependencies))
            return environment_check_of(std::move(env), std::move(*known));
        // Most of a new tip's migrations were parsed at the related tree (a push's old tip).
        if (options.related)
            for (const auto& loc : env.version_locations)
                if (const auto id = options.related->content_id(loc)) cache->load(*id);
    }
    std::vector<Migration> migrations;
    const std::vector<std::string> directories = loaded_directories(tree, env);
    // A symlink's target already loaded from its own directory, or through another link, is
    // loaded once ("File ... loaded twice! ignoring").
    std::set<std::string> link_targets;
    std::vector<ModuleDependency> link_dependencies;
    for (const auto& loc : directories) {
        const auto tree_id = cache ? tree.content_id(loc) : std::nullopt;
        if (tree_id) cache->load(*tree_id);
        // First what is already known (or refused), then everything else read at once.
        const size_t first = migrations.size();
        std::vector<MigrationSource> unread;
        std::vector<size_t> unread_at;
        const VersionListing listing(tree, loc, env.sourceless, env.alembic.version);
        // What a link loads changes with its target: the result holds while the targets do.
        for (const auto& end : listing.link_ends()) link_dependencies.push_back({end, tree.content_id(end).value_or("-"), {}});
        migrations.reserve(migrations.size() + listing.files().size());
        unread.reserve(listing.files().size());
        unread_at.reserve(listing.files().size());
        std::vector<bool> taken(listing.files().size(), true);
        for (size_t k = 0; k < listing.files().size(); ++k) {
            const VersionFile& f = listing.files()[k];
            if (f.target_dir && (std::find(directories.begin(), directories.end(), *f.target_dir) != directories.end() ||
                                 !link_targets.insert(listing.path(f)).second)) {
                taken[k] = false;
                continue;
            }
            if (f.refused) {
                migrations.push_back(listing.refused_migration(f));
                continue;
            }
            const DirEntry& e = *f.entry;
            std::optional<Migration> known = cache && e.id ? cache->find(e.id_hex(), listing.path(f)) : std::nullopt;
            if (known && known->python == env.python.version) {
                migrations.push_back(std::move(*known));
                continue;
            }
            unread_at.push_back(migrations.size());
            migrations.emplace_back();
            unread.push_back({listing.dir(f), &e, env.python.version});
        }
        // Parsed straight into place (`migrations` does not grow while they are read).
        std::vector<Migration*> into;
        into.reserve(unread_at.size());
        for (size_t at : unread_at) into.push_back(&migrations[at]);
        read_migrations(tree, unread, into);
        if (cache)
            for (size_t k = 0; k < unread.size(); ++k)
                if (unread[k].entry->id) cache->remember(unread[k].entry->id_hex(), migrations[unread_at[k]]);
        if (tree_id && !unread.empty()) {
            // What the listing decided (a kind, a name, a compiled copy) is no property of the file.
            std::vector<std::pair<std::string, Migration>> entries;
            size_t at = first;
            for (size_t k = 0; k < listing.files().size(); ++k) {
                if (!taken[k]) continue;
                const VersionFile& f = listing.files()[k];
                if (!f.refused && !f.target_dir && f.entry->id) entries.emplace_back(f.entry->id_hex(), migrations[at]);
                ++at;
            }
            cache->store(*tree_id, entries);
        }
    }
    std::vector<ModuleDependency> dependencies = std::move(link_dependencies);
    if (std::any_of(migrations.begin(), migrations.end(),
                    [](const Migration& m) {
                        return !m.references.empty() || !m.calls.empty() || !m.imports.empty() || !m.escapes.empty();
                    }))
        resolve_module_references(tree, env.module_roots, env.python.version,
                                  env.script_directory.empty() ? std::string() : join_path(env.script_directory, "env.py"),
                                  migrations, dependencies);
    for (auto& m : migrations) apply_version_rules(m, env.alembic.version);
    RevisionGraph graph = build_revision_graph(migrations, allow);
    std::vector<Note> notes = graph.notes;
    if (auto unread = unread_subdirectories(tree, env, directories)) notes.push_back(std::move(*unread));
    if (key) {
        cache->store_result(*key, EnvironmentResult{graph, notes, dependencies});
        // A clean environment's names let a push that only adds migrations be judged alone
        // (not when they depend on other files, which such a push may change).
        if (graph.problems.empty() && notes.empty() && dependencies.empty()) {
            std::vector<std::string> ids, labels;
            for (const auto& m : migrations) {
                if (m.error) continue;
                ids.push_back(m.revision);
                labels.insert(labels.end(), m.branch_labels.begin(), m.branch_labels.end());
            }
            cache->store_names(*key, RevisionNames(std::move(ids), std::move(labels)));
        }
    }
    return environment_check_of(std::move(env), EnvironmentResult{std::move(graph), std::move(notes), std::move(dependencies)});
}

TreeCheck check_tree(const SourceTree& tree, const CheckOptions& options) {
    TreeCheck out;
    for (auto& env : discover_environments(tree, options.declarations, options.alembic))
        out.environments.push_back(check_environment(tree, std::move(env), options));
    return out;
}

}  // namespace ag
