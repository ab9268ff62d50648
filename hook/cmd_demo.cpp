// `demo`: the README's first command.
#include "commands.hpp"
#include "install/demo.hpp"
#include "install/hook_installer.hpp"

#include <memory>

namespace ag::cli {

void add_demo(CLI::App& app, Action& action) {
    auto keep = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand("demo", "Replay the incident (two PRs each adding revision 031 on 030) against a "
                                           "throw-away guarded repository in a temporary directory");
    sub->add_flag("--keep", *keep, "Keep the temporary directory");
    sub->callback([keep, &action] {
        action = [keep] { return run_demo(DemoOptions{current_executable(), *keep}); };
    });
}

}  // namespace ag::cli
