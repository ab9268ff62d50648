#include "tree_check.hpp"

namespace ag {

bool TreeCheck::ok() const {
    for (const auto& e : environments)
        if (!e.ok()) return false;
    return true;
}

EnvironmentCheck check_environment(const SourceTree& tree, Environment env, const CheckOptions& options) {
    EnvironmentCheck out;
    bool allow = env.allow_multiple_heads;
    if (options.allow_multiple_heads)
        allow = options.allow_multiple_heads->count("*") > 0 || options.allow_multiple_heads->count(env.name) > 0;
    env.allow_multiple_heads = allow;
    std::vector<Migration> migrations;
    ParseCache* cache = options.cache;
    for (const auto& loc : env.version_locations) {
        const auto tree_id = cache ? tree.content_id(loc) : std::nullopt;
        if (tree_id) cache->load(*tree_id);
        std::vector<std::pair<std::string, Migration>> parsed;
        bool missed = false;
        for (const auto& e : tree.list(loc)) {
            if (!is_migration_file_name(e.name)) continue;
            const std::string path = join_path(loc, e.name);
            out.files.push_back(path);
            if (e.kind != EntryKind::File) {
                migrations.push_back(unloadable_migration(path, e.kind));
                continue;
            }
            const auto blob = cache ? tree.content_id(path) : std::nullopt;
            std::optional<Migration> m = blob ? cache->find(*blob, path) : std::nullopt;
            if (!m) {
                m = read_migration(path, tree.read(path));
                missed = true;
                if (blob) cache->remember(*blob, *m);
            }
            if (blob) parsed.emplace_back(*blob, *m);
            migrations.push_back(std::move(*m));
        }
        if (tree_id && missed) cache->store(*tree_id, parsed);
    }
    out.graph = build_revision_graph(migrations, allow);
    out.notes = env.notes;
    for (const auto& m : migrations)
        out.notes.insert(out.notes.end(), m.notes.begin(), m.notes.end());
    out.notes.insert(out.notes.end(), out.graph.notes.begin(), out.graph.notes.end());
    out.problems = env.problems;
    out.problems.insert(out.problems.end(), out.graph.problems.begin(), out.graph.problems.end());
    out.environment = std::move(env);
    return out;
}

TreeCheck check_tree(const SourceTree& tree, const CheckOptions& options) {
    TreeCheck out;
    for (auto& env : discover_environments(tree, options.declarations))
        out.environments.push_back(check_environment(tree, std::move(env), options));
    return out;
}

}  // namespace ag
