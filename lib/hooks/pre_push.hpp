#pragma once
// The client hook: the server's verdict, on the developer's machine, before anything is
// sent. Reads git's `<local-ref> <local-oid> <remote-ref> <remote-oid>` lines, or, under
// the pre-commit framework, the PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF range.
#include "alembic/alembic_version.hpp"
#include "hooks/pre_receive.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ag {

struct PrePushArgs {
    std::string repo;    // empty: discover as git does
    std::string remote;  // git's first argument (a remote name, or the URL itself)
    std::string url;
    bool json = false;
    // --alembic-version: judge as it where the operator's settings leave the version open.
    std::optional<AlembicVersion> alembic;
};

HookResult run_pre_push(const PrePushArgs& args, std::string_view input, const EnvLookup& env);

}  // namespace ag
