#pragma once
// The words of `install-hook`: one line per thing installing or removing the hook did.
// install/hook_installer records the events; this says them.
#include <cstddef>
#include <string>

namespace ag {

struct InstallEvent {
    enum class Kind {
        removed,                // path
        restored_previous,      // path: the hook that was there before is back
        nothing_to_remove,      // path: no such file
        nothing_ours,           // path: a hook that is not alembic-guard's (nothing removed)
        kept_foreign,           // path: not ours, so not removed
        skipped_foreign,        // path: not ours, so not overwritten
        skipped_both_exist,     // path, other: the hook and its chained copy both exist
        chained_existing,       // other: where the existing hook now is (it still runs first)
        installed,              // path; detail: the layout; other: the binary it calls
        updated,                // path; detail; other
        kept_installed,         // path; detail: the layout (may be empty)
        hooks_path_set,         // detail: core.hooksPath; path: the git directory
        push_options_off,       // path: the git directory
        no_forgejo_dispatcher,  //
        cannot_create,          // path; detail: the system's reason
        not_a_directory,        // path
        error,                  // detail: what went wrong
        summary,                // path: the root; count, done, kept, failed; uninstall
    };
    Kind kind = Kind::error;
    std::string path{};  // (the {}: an event names only the facts its kind has, without a warning)
    std::string detail{};
    std::string other{};
    size_t count = 0, done = 0, kept = 0, failed = 0;
    bool uninstall = false;
};

std::string install_line(const InstallEvent& e);

}  // namespace ag
