// alembic-guard: parses the command line and hands over to lib/. Exit codes (design.md):
// 0 nothing to report, 1 problems found, 2 usage error or the guard could not do its job.
#include "commands.hpp"
#include "guard_error.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    CLI::App app{"alembic-guard: keeps forked or duplicated Alembic migration histories from landing",
                 "alembic-guard"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("alembic-guard ") + AG_VERSION);
    ag::cli::Action action;
    ag::cli::add_check(app, action);
    ag::cli::add_heads(app, action);
    ag::cli::add_pre_receive(app, action);
    ag::cli::add_install_hook(app, action);
    ag::cli::add_demo(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    try {
        return action ? action() : 2;
    } catch (const ag::GuardError& e) {
        fmt::print(stderr, "alembic-guard: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "alembic-guard: internal error: {}\n", e.what());
        return 2;
    }
}
