#pragma once
// Each subcommand registers its options on the CLI and sets the action main() runs.
#include <CLI/CLI.hpp>

#include <functional>

namespace ag::cli {

using Action = std::function<int()>;

void add_check(CLI::App& app, Action& action);
void add_heads(CLI::App& app, Action& action);
void add_pre_receive(CLI::App& app, Action& action);
void add_install_hook(CLI::App& app, Action& action);
void add_demo(CLI::App& app, Action& action);

}  // namespace ag::cli
