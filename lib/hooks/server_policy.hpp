#pragma once
// The operator's side of a server hook: alembicGuard.* git config keys, who is pushing
// (as each host names them), the bypass push option, and which host's UI will show our
// lines (GitLab shows only GL-HOOK-ERR: lines; Forgejo the first unbroken block).
#include "verdict/push_policy.hpp"
#include "git/repository.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
// Reads the real process environment.
EnvLookup process_environment();

struct ServerPolicy {
    std::vector<std::string> ref_globs{"refs/heads/*"};
    bool on_error_accept = false;
    std::vector<std::string> bypass_users;
    std::optional<std::set<std::string>> allow_multiple_heads;
    std::optional<std::string> cache_dir;  // "none" switches the cache off
    std::optional<std::string> cache_max_size;  // alembicGuard.cacheMaxSize, as written
    unsigned timeout_seconds = 60;         // alembicGuard.timeout: then the guard gives up (onError)
    std::optional<std::string> python_version;  // alembicGuard.pythonVersion, as written
    std::optional<std::string> alembic_version;  // alembicGuard.alembicVersion, as written

    static ServerPolicy from_repository(const GitRepository& repo);
    // When the repository cannot be opened: the global/system config plus $GIT_DIR/config.
    static ServerPolicy from_files(const EnvLookup& env);
    bool guards(std::string_view ref) const;
};

// alembicGuard.pythonVersion as a choice of grammar (nullopt when unset or not X.Y).
std::optional<PythonChoice> operator_python(const std::optional<std::string>& configured);

// alembicGuard.alembicVersion as the rules to judge by (nullopt when unset or not 1.X[.Y]).
std::optional<AlembicChoice> operator_alembic(const std::optional<std::string>& configured);

// Where the result cache lives: alembicGuard.cacheDir (`none`: nowhere), else
// $XDG_CACHE_HOME/alembic-guard, else $HOME/.cache/alembic-guard; "" means in memory only.
std::string result_cache_dir(const std::optional<std::string>& configured, const EnvLookup& env);

// The result cache's limits: alembicGuard.cacheMaxSize (git's size syntax: 512m, 2g) when it
// is one, else the default of CacheLimits.
CacheLimits result_cache_limits(const std::optional<std::string>& configured_max_size);

// The judging options the operator's policy implies, reading parses through `cache`.
PolicyOptions policy_options(const ServerPolicy& policy, ResultCache& cache);

struct Pusher {
    std::string name;           // empty when unknown
    std::string source;         // which variable named them
    bool deploy_key = false;    // Forgejo deploy-key push: never honours a bypass
};
Pusher identify_pusher(const EnvLookup& env);

// Did the pusher send `-o alembic-guard.bypass`?
bool bypass_requested(const EnvLookup& env);

enum class Host { Plain, Forgejo, GitLab, GitHub };
Host detect_host(const EnvLookup& env);

}  // namespace ag
