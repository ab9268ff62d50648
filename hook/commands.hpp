#pragma once
// Each subcommand registers its options on the CLI and sets the action main() runs.
#include "alembic/alembic_version.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace ag::cli {

using Action = std::function<int()>;

// "; did you mean 'check'?" when `word` is within two edits of a command, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& names);

// Everything on standard input, read in blocks: a mirror push's thousand ref lines through
// std::cin's character-at-a-time path cost more than judging them.
inline std::string read_standard_input() {
    std::string out;
    char buf[65536];
    while (const size_t n = std::fread(buf, 1, sizeof buf, stdin)) out.append(buf, n);
    return out;
}

// --alembic-version X.Y[.Z], the same on every judging command.
inline void add_alembic_version_option(CLI::App* sub, std::string& into) {
    sub->add_option("--alembic-version", into,
                    "Judge as this Alembic (X.Y or X.Y.Z; default: the operator's alembicGuard.alembicVersion, else "
                    "what the project pins, else the newest the guard knows)")
        ->check([](const std::string& v) {
            return parse_alembic_version(v) ? std::string() : std::string("expected a version such as 1.13.2");
        });
}

// What --alembic-version gave (validated above), nullopt when it was not given.
inline std::optional<AlembicVersion> command_line_alembic(const std::string& given) {
    return given.empty() ? std::nullopt : parse_alembic_version(given);
}

void add_check(CLI::App& app, Action& action);
void add_heads(CLI::App& app, Action& action);
void add_pre_receive(CLI::App& app, Action& action);
void add_pre_push(CLI::App& app, Action& action);
void add_check_merge(CLI::App& app, Action& action);
void add_audit(CLI::App& app, Action& action);
void add_forecast(CLI::App& app, Action& action);
void add_install_hook(CLI::App& app, Action& action);
void add_demo(CLI::App& app, Action& action);

}  // namespace ag::cli
