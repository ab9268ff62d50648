// The operator's side of a server hook: who pushes, as each host names them; the bypass push
// option; which host shows our lines; where the cache lives; which refs are guarded.
#include "hooks/server_policy.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

namespace {

ag::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("the pusher is named by the host's own variable first, and a Forgejo deploy key is marked") {
    auto p = ag::identify_pusher(env_of({{"GITEA_PUSHER_NAME", "alice"}, {"USER", "git"}}));
    CHECK(p.name == "alice");
    CHECK(p.source == "GITEA_PUSHER_NAME");
    CHECK_FALSE(p.deploy_key);
    CHECK(ag::identify_pusher(env_of({{"GITEA_PUSHER_NAME", "ci"}, {"GITEA_DEPLOY_KEY_ID", "7"}})).deploy_key);
    CHECK_FALSE(ag::identify_pusher(env_of({{"GITEA_PUSHER_NAME", "ci"}, {"GITEA_DEPLOY_KEY_ID", "0"}})).deploy_key);
    CHECK(ag::identify_pusher(env_of({{"GL_USERNAME", "bob"}, {"USER", "git"}})).name == "bob");
    CHECK(ag::identify_pusher(env_of({{"GITHUB_USER_LOGIN", "carol"}})).source == "GITHUB_USER_LOGIN");
    CHECK(ag::identify_pusher(env_of({{"LOGNAME", "dave"}})).name == "dave");
    CHECK(ag::identify_pusher(env_of({})).name.empty());
}

TEST_CASE("a bypass is asked for only by the push option alembic-guard.bypass") {
    CHECK(ag::bypass_requested(env_of({{"GIT_PUSH_OPTION_COUNT", "2"}, {"GIT_PUSH_OPTION_0", "ci.skip"},
                                       {"GIT_PUSH_OPTION_1", "alembic-guard.bypass"}})));
    CHECK(ag::bypass_requested(env_of({{"GIT_PUSH_OPTION_COUNT", "1"}, {"GIT_PUSH_OPTION_0", "alembic-guard.bypass=why"}})));
    CHECK_FALSE(ag::bypass_requested(env_of({{"GIT_PUSH_OPTION_COUNT", "1"}, {"GIT_PUSH_OPTION_0", "alembic-guard.bypassx"}})));
    CHECK_FALSE(ag::bypass_requested(env_of({{"GIT_PUSH_OPTION_0", "alembic-guard.bypass"}})));  // no count: none sent
    CHECK_FALSE(ag::bypass_requested(env_of({{"GIT_PUSH_OPTION_COUNT", "x"}})));
}

TEST_CASE("the host is told by the variables its hooks get") {
    CHECK(ag::detect_host(env_of({{"GL_ID", "user-1"}})) == ag::Host::GitLab);
    CHECK(ag::detect_host(env_of({{"GITEA_REPO_NAME", "r"}})) == ag::Host::Forgejo);
    CHECK(ag::detect_host(env_of({{"GITHUB_REPO_NAME", "r"}})) == ag::Host::GitHub);
    CHECK(ag::detect_host(env_of({{"USER", "git"}})) == ag::Host::Plain);
}

TEST_CASE("the cache lives where the operator says, else under XDG_CACHE_HOME or HOME; 'none' switches it off") {
    CHECK(ag::result_cache_dir(std::string("/srv/cache"), env_of({})) == "/srv/cache");
    CHECK(ag::result_cache_dir(std::string("none"), env_of({{"HOME", "/home/git"}})).empty());
    CHECK(ag::result_cache_dir(std::nullopt, env_of({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}})) == "/x/alembic-guard");
    CHECK(ag::result_cache_dir(std::nullopt, env_of({{"XDG_CACHE_HOME", "relative"}, {"HOME", "/h"}})) ==
          "/h/.cache/alembic-guard");
    CHECK(ag::result_cache_dir(std::nullopt, env_of({})).empty());
}

TEST_CASE("guarded refs follow alembicGuard.refs globs; the operator's Python must be X.Y") {
    ag::ServerPolicy p;
    CHECK(p.guards("refs/heads/main"));
    CHECK_FALSE(p.guards("refs/tags/v1"));
    p.ref_globs = {"refs/heads/release/*"};
    CHECK(p.guards("refs/heads/release/1.2"));
    CHECK_FALSE(p.guards("refs/heads/main"));
    CHECK(ag::operator_python(std::string("3.12")));
    CHECK_FALSE(ag::operator_python(std::string("three")));
    CHECK_FALSE(ag::operator_python(std::nullopt));
}
