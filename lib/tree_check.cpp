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
    for (const auto& entry : list_migrations(tree, env)) {
        out.files.push_back(entry.path);
        if (entry.kind == EntryKind::File) migrations.push_back(read_migration(entry.path, tree.read(entry.path)));
        else migrations.push_back(unloadable_migration(entry.path, entry.kind));
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
