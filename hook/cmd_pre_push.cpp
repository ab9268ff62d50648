// `pre-push [REMOTE [URL]]`: the client hook.
#include "commands.hpp"
#include "hooks/pre_push.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include <unistd.h>

namespace ag::cli {

void add_pre_push(CLI::App& app, Action& action) {
    struct Args {
        PrePushArgs push;
        std::string format = "text", alembic;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("pre-push", "Client hook: stop a push that the server's guard would refuse (git's "
                                               "pre-push protocol; under pre-commit, PRE_COMMIT_FROM_REF..TO_REF)");
    sub->add_option("REMOTE", a->push.remote, "The remote's name (git passes it)");
    sub->add_option("URL", a->push.url, "The remote's URL (git passes it)");
    sub->add_option("--repo", a->push.repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    add_alembic_version_option(sub, a->alembic);
    sub->callback([a, &action] {
        action = [a] {
            a->push.json = a->format == "json";
            a->push.alembic = command_line_alembic(a->alembic);
            // git always gives stdin; pre-commit may leave a terminal there, which has no lines.
            std::string input;
            if (!isatty(STDIN_FILENO)) input = read_standard_input();
            const HookResult r = run_pre_push(a->push, input, process_environment());
            fmt::print(stdout, "{}", r.out);
            std::fflush(stdout);
            fmt::print(stderr, "{}", r.err);
            return r.exit_code;
        };
    });
}

}  // namespace ag::cli
