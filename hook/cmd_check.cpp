// `check [REV]`, `check --worktree [PATH]` and `heads [REV]`.
#include "commands.hpp"
#include "source/disk_tree.hpp"
#include "source/git_tree.hpp"
#include "support/guard_error.hpp"
#include "support/json_text.hpp"
#include "report/report.hpp"
#include "git/repository.hpp"
#include "hooks/guard_context.hpp"
#include "hooks/server_policy.hpp"
#include "verdict/environment_check.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

namespace ag::cli {

namespace {

struct CheckArgs {
    std::string repo;
    std::string format = "text";
    std::string rev = "HEAD";
    bool worktree = false;
    std::string python;   // --python-version
    std::string alembic;  // --alembic-version
};

void add_common(CLI::App* sub, CheckArgs& a) {
    sub->add_option("--repo", a.repo, "The repository (default: discovered as git does, GIT_DIR honoured)");
    sub->add_option("--format", a.format, "Output format")->check(CLI::IsMember({"text", "json", "github"}));
    sub->add_option("--python-version", a.python,
                    "Judge migrations by this Python's grammar (X.Y; default: what the project declares, else the "
                    "oldest the guard knows, 3.11)")
        ->check([](const std::string& v) {
            return py::parse_python_version(v) ? std::string() : std::string("expected a version such as 3.12");
        });
    add_alembic_version_option(sub, a.alembic);
}

// What the command line says, where the operator's settings leave it open (the operator's
// Python wins, as design.md orders the sources of a version).
void add_command_line(CheckOptions& o, const CheckArgs& a) {
    if (!o.python && !a.python.empty()) o.python = choose_python(*py::parse_python_version(a.python), "--python-version");
    if (!o.alembic && !a.alembic.empty()) o.alembic = choose_alembic(*command_line_alembic(a.alembic), "--alembic-version");
}

TreeCheck run(const CheckArgs& a, std::string* what) {
    GitLibrary lib;
    if (a.worktree) {
        std::filesystem::path root;
        std::optional<GitRepository> repo;
        if (a.rev != "HEAD") {
            root = a.rev;
        } else {
            repo.emplace(GitRepository::open(a.repo.empty() ? std::string(".") : a.repo));
            auto wd = repo->workdir();
            if (!wd) throw GuardError("the repository is bare: it has no work tree to check (name a directory)");
            root = *wd;
        }
        if (!repo && !a.repo.empty()) repo.emplace(GitRepository::open(a.repo));
        DiskTree tree(root);
        *what = root.string();
        CheckOptions options;
        if (repo) {
            const auto policy = ServerPolicy::from_repository(*repo);
            options.allow_multiple_heads = policy.allow_multiple_heads;
            options.python = operator_python(policy.python_version);
            options.alembic = operator_alembic(policy.alembic_version);
        }
        add_command_line(options, a);
        return check_tree(tree, options);
    }
    GuardContext context(a.repo, "the check");
    const git_oid oid = context.repo().resolve_commit(a.rev);
    GitTree tree(context.repo().get(), oid);
    *what = fmt::format("{} ({})", a.rev, oid_hex(oid).substr(0, 12));
    auto options = context.check_options();
    add_command_line(options, a);
    auto check = check_tree(tree, options);
    check.commit = oid_hex(oid);
    return check;
}

}  // namespace

void add_check(CLI::App& app, Action& action) {
    auto a = std::make_shared<CheckArgs>();
    auto* sub = app.add_subcommand("check", "Report every environment's revision graph and problems at a commit "
                                            "(default HEAD), or on disk with --worktree");
    add_common(sub, *a);
    sub->add_option("REV", a->rev, "Commit to inspect (default HEAD); with --worktree, the directory (default: the "
                                   "repository's work tree)");
    sub->add_flag("--worktree", a->worktree, "Read the files on disk instead of a commit");
    sub->callback([a, &action] {
        action = [a] {
            std::string what;
            const TreeCheck check = run(*a, &what);
            if (a->format == "json") fmt::print("{}\n", json_text(check_json(check), 2));
            else if (a->format == "github") fmt::print("{}", check_github(check));
            else fmt::print("{}", check_text(check, what));
            return check.ok() ? 0 : 1;
        };
    });
}

void add_heads(CLI::App& app, Action& action) {
    auto a = std::make_shared<CheckArgs>();
    auto* sub = app.add_subcommand("heads", "Print the heads of each environment, like `alembic heads`");
    add_common(sub, *a);
    sub->add_option("REV", a->rev, "Commit to inspect (default HEAD)");
    sub->add_flag("--worktree", a->worktree, "Read the files on disk instead of a commit");
    sub->callback([a, &action] {
        action = [a] {
            std::string what;
            const TreeCheck check = run(*a, &what);
            if (a->format == "json") fmt::print("{}\n", json_text(heads_json(check), 2));
            else fmt::print("{}", heads_text(check));
            // On standard error: a script reading the heads sees none, a person sees why.
            fmt::print(stderr, "{}", heads_notices(check, what));
            return 0;
        };
    });
}

}  // namespace ag::cli
