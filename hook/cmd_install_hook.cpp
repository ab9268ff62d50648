// `install-hook`: puts the guard where a host runs hooks, keeping what is there.
#include "commands.hpp"
#include "install/hook_installer.hpp"

#include <fmt/format.h>

#include <memory>

namespace ag::cli {

void add_install_hook(CLI::App& app, Action& action) {
    struct Args {
        bool pre_receive = false, pre_push = false, forgejo = false, gitlab = false, uninstall = false;
        std::string forgejo_server, gitlab_server, repo, target, binary, all_root;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("install-hook", "Install the hook into a repository (bare or not) or a host's "
                                                   "server-wide hook directory, keeping any hook already there");
    auto* g = sub->add_option_group("layout", "Where the hook goes (exactly one)");
    g->add_flag("--pre-receive", a->pre_receive, "<git dir>/hooks/pre-receive (plain git; an existing hook is chained)");
    g->add_flag("--pre-push", a->pre_push, "the client's pre-push hook (core.hooksPath honoured; an existing hook is chained)");
    g->add_flag("--forgejo", a->forgejo, "<git dir>/hooks/pre-receive.d/alembic-guard (Forgejo/Gitea, every version)");
    g->add_option("--forgejo-server", a->forgejo_server,
                  "HOME_PATH: <HOME_PATH>/hooks/pre-receive.d/alembic-guard (Forgejo >= v16, every repository)");
    g->add_flag("--gitlab", a->gitlab, "<git dir>/custom_hooks/pre-receive.d/alembic-guard (GitLab)");
    g->add_option("--gitlab-server", a->gitlab_server, "GitLab's custom_hooks_dir: <DIR>/pre-receive.d/alembic-guard");
    g->require_option(1);
    sub->add_option("--all", a->all_root, "With --forgejo: every <owner>/<name>.git under this Forgejo <= v15 / Gitea "
                                          "repository root (wikis included; safe to re-run from cron)");
    sub->add_flag("--uninstall", a->uninstall, "Remove the hook (and restore a chained one)");
    sub->add_option("--repo", a->repo, "The repository (default: the current one)");
    sub->add_option("--binary", a->binary, "The alembic-guard the hook calls (default: this one)");
    sub->add_option("REPO", a->target, "The repository (same as --repo)");
    sub->callback([a, &action] {
        action = [a] {
            InstallRequest req;
            req.uninstall = a->uninstall;
            req.binary = a->binary.empty() ? current_executable() : a->binary;
            req.target = !a->target.empty() ? a->target : a->repo;
            if (a->pre_receive) req.layout = HookLayout::PreReceive;
            else if (a->pre_push) req.layout = HookLayout::PrePush;
            else if (a->forgejo && !a->all_root.empty()) { req.layout = HookLayout::ForgejoAll; req.target = a->all_root; }
            else if (a->forgejo) req.layout = HookLayout::Forgejo;
            else if (a->gitlab) req.layout = HookLayout::GitLab;
            else if (!a->forgejo_server.empty()) { req.layout = HookLayout::ForgejoServer; req.target = a->forgejo_server; }
            else { req.layout = HookLayout::GitLabServer; req.target = a->gitlab_server; }
            const InstallResult r = install_hook(req);
            for (const auto& e : r.events) fmt::print(r.exit_code == 0 ? stdout : stderr, "{}\n", install_line(e));
            return r.exit_code;
        };
    });
}

}  // namespace ag::cli
