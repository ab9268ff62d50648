#pragma once
// What every command that judges commits of a repository sets up, set up one way: the
// repository, the operator's alembicGuard.* settings read once (server_policy), the result
// cache they point at, the judging options they imply, and the deadline (alembicGuard.timeout)
// armed for the whole run. `check`, `heads`, `check-merge`, `audit`, `pre-receive` and
// `pre-push` run inside one; forecast and fix are to be built on it.
#include "cache/result_cache.hpp"
#include "git/repository.hpp"
#include "hooks/server_policy.hpp"
#include "verdict/environment_check.hpp"
#include "verdict/push_policy.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ag {

// What the process prints and exits with when alembicGuard.timeout passes.
struct DeadlineAction {
    std::string text;
    int exit_code = 2;
};

class GuardContext {
public:
    // Opens `repo_path` ("": discovered as git does, quarantine included), reads the operator's
    // settings and arms the deadline with what `on_deadline` makes of them. `env` is where the
    // cache directory's defaults are looked up. Throws GuardError when the repository cannot
    // be opened or its settings read.
    GuardContext(const std::string& repo_path, const EnvLookup& env,
                 const std::function<DeadlineAction(const ServerPolicy&)>& on_deadline);
    // A command's context: past alembicGuard.timeout the process says that `what` ("the check",
    // "check-merge") did not finish and exits 2.
    GuardContext(const std::string& repo_path, const std::string& what);
    // Disarms the deadline.
    ~GuardContext();
    GuardContext(const GuardContext&) = delete;
    GuardContext& operator=(const GuardContext&) = delete;

    GitRepository& repo() { return repo_; }
    const ServerPolicy& policy() const { return policy_; }
    ResultCache& cache() { return *cache_; }
    // The command line's --alembic-version: from now on the options below judge as it wherever
    // the operator's alembicGuard.alembicVersion leaves the version open (design.md's order).
    void use_command_line_alembic(std::optional<AlembicVersion> version) { command_alembic_ = version; }
    // The operator's overrides and the cache, as the push verdict takes them.
    PolicyOptions policy_options();
    // The same for one tree's check; the cache only where it can be stored (remembering
    // parses in memory pays only across trees).
    CheckOptions check_options();

private:
    std::optional<AlembicChoice> alembic() const;

    GitRepository repo_;
    ServerPolicy policy_;
    std::unique_ptr<ResultCache> cache_;
    std::optional<AlembicVersion> command_alembic_;
};

}  // namespace ag
