#include "report/install_report.hpp"

#include <fmt/format.h>

namespace ag {

std::string install_line(const InstallEvent& e) {
    using K = InstallEvent::Kind;
    switch (e.kind) {
    case K::removed: return fmt::format("removed {}", e.path);
    case K::restored_previous: return fmt::format("restored the hook that was there before ({})", e.path);
    case K::nothing_to_remove: return fmt::format("nothing to remove: {} does not exist", e.path);
    case K::nothing_ours: return fmt::format("nothing to remove: {} is not alembic-guard's", e.path);
    case K::kept_foreign: return fmt::format("kept {}: it was not written by alembic-guard", e.path);
    case K::skipped_foreign:
        return fmt::format("skipped: {} exists and was not written by alembic-guard; move it away first", e.path);
    case K::skipped_both_exist: return fmt::format("skipped: {} exists and so does {}; resolve by hand", e.path, e.other);
    case K::chained_existing: return fmt::format("kept the existing hook: moved it to {}; it still runs first", e.other);
    case K::installed:
    case K::updated:
        if (e.detail.empty()) return fmt::format("installed {}", e.path);
        return fmt::format("{} {} ({}), calling {}", e.kind == K::updated ? "updated" : "installed", e.path, e.detail,
                           e.other);
    case K::kept_installed:
        return e.detail.empty() ? fmt::format("kept {}: already installed", e.path)
                                : fmt::format("kept {} ({}): already installed", e.path, e.detail);
    case K::hooks_path_set:
        return fmt::format("warning: core.hooksPath is set ({}): git runs hooks from there, not from {}/hooks", e.detail,
                           e.path);
    case K::push_options_off:
        return fmt::format("note: for alembicGuard.bypassUsers to work with `git push -o alembic-guard.bypass`, run: "
                           "git --git-dir={} config receive.advertisePushOptions true",
                           e.path);
    case K::no_forgejo_dispatcher:
        return "note: no Forgejo dispatcher (hooks/pre-receive) in this repository yet; Forgejo writes it (on Forgejo "
               ">= v16 the central dispatcher runs pre-receive.d instead)";
    case K::cannot_create: return fmt::format("cannot create {}: {}", e.path, e.detail);
    case K::not_a_directory: return fmt::format("{} is not a directory", e.path);
    case K::error: return e.detail;
    case K::summary:
        return fmt::format("{} repositories under {}: {} {}, {} unchanged, {} failed", e.count, e.path, e.done,
                           e.uninstall ? "changed" : "installed or updated", e.kept, e.failed);
    }
    return e.detail;
}

}  // namespace ag
