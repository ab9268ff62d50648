// `pre-receive`: the server hook. Reads git's ref lines from stdin.
#include "commands.hpp"
#include "hooks/pre_receive.hpp"

#include <fmt/format.h>

#include <memory>

namespace ag::cli {

void add_pre_receive(CLI::App& app, Action& action) {
    struct Args {
        std::string repo;
        std::string format = "text";
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("pre-receive", "Server hook: reject a push whose new tips add a head, a duplicate "
                                                  "revision or another migration graph problem (reads <old> <new> "
                                                  "<ref> lines on stdin)");
    sub->add_option("--repo", a->repo, "The repository (default: from GIT_DIR and the environment, as git runs hooks)");
    sub->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
    sub->callback([a, &action] {
        action = [a] {
            const std::string input = read_standard_input();
            const HookResult r = run_pre_receive(a->repo, a->format == "json", input, process_environment());
            fmt::print(stdout, "{}", r.out);
            std::fflush(stdout);
            fmt::print(stderr, "{}", r.err);
            return r.exit_code;
        };
    });
}

}  // namespace ag::cli
