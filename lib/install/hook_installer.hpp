#pragma once
// Installs and removes the guard's hook in the places each host runs hooks from, keeping
// any hook already there running (chained), never touching files a host owns.
#include "report/install_report.hpp"

#include <string>
#include <vector>

namespace ag {

enum class HookLayout {
    PreReceive,     // <git dir>/hooks/pre-receive (plain git, gitolite, anything)
    Forgejo,        // <git dir>/hooks/pre-receive.d/alembic-guard (Forgejo/Gitea, both layouts)
    ForgejoServer,  // <HOME_PATH>/hooks/pre-receive.d/alembic-guard (Forgejo >= v16, every repository)
    GitLab,         // <git dir>/custom_hooks/pre-receive.d/alembic-guard
    GitLabServer,   // <custom_hooks_dir>/pre-receive.d/alembic-guard (every repository)
    PrePush,        // the client's pre-push hook (core.hooksPath honoured)
    ForgejoAll,     // Forgejo layout in every <owner>/<name>.git under a repository root
};

struct InstallRequest {
    HookLayout layout = HookLayout::PreReceive;
    std::string target;  // repository (or HOME_PATH / custom hooks dir for the server layouts)
    std::string binary;  // absolute path of the alembic-guard to call
    bool uninstall = false;
};

struct InstallResult {
    int exit_code = 0;
    std::vector<InstallEvent> events;  // what was installed, kept, chained or skipped (report/install_report words them)
};

// Never throws for expected situations (missing directories, foreign files): they are
// reported in `events` with exit code 2.
InstallResult install_hook(const InstallRequest& request);

// The path of the running executable (for hooks that call the binary by absolute path).
std::string current_executable();

// The marker every file we write carries.
inline constexpr const char* kHookMarker = "# installed by alembic-guard install-hook";

}  // namespace ag
