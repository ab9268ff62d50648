// alembic-guard: parses the command line and hands over to lib/. Exit codes (design.md):
// 0 nothing to report, 1 problems found, 2 usage error or the guard could not do its job.
#include "commands.hpp"
#include "support/guard_error.hpp"
#include "support/process_memory.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    ag::keep_freed_memory();
    // A check of 10,000 migrations allocates some 3 MiB on this thread, a push some 2 MiB.
    const ag::HugePageHeap huge_pages(16 << 20);
    CLI::App app{"alembic-guard: keeps forked or duplicated Alembic migration histories from landing",
                 "alembic-guard"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("alembic-guard ") + AG_VERSION);
    ag::cli::Action action;
    ag::cli::add_check(app, action);
    ag::cli::add_heads(app, action);
    ag::cli::add_pre_receive(app, action);
    ag::cli::add_pre_push(app, action);
    ag::cli::add_check_merge(app, action);
    ag::cli::add_audit(app, action);
    ag::cli::add_forecast(app, action);
    ag::cli::add_install_hook(app, action);
    ag::cli::add_demo(app, action);
    if (argc > 1 && argv[1][0] != '-') {
        // An unknown command gets a specific line (CLI11 would only say one is required).
        std::vector<std::string> names;
        for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
        if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
            fmt::print(stderr, "alembic-guard: unknown command '{}'{} (commands: {})\n", argv[1],
                       ag::cli::did_you_mean(argv[1], names), fmt::join(names, ", "));
            return 2;
        }
    }
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

namespace ag::cli {

std::string did_you_mean(const std::string& word, const std::vector<std::string>& names) {
    std::string best;
    size_t best_d = 3;
    for (const auto& n : names) {
        // Levenshtein distance, small strings only.
        std::vector<size_t> prev(n.size() + 1), cur(n.size() + 1);
        for (size_t j = 0; j <= n.size(); ++j) prev[j] = j;
        for (size_t i = 1; i <= word.size(); ++i) {
            cur[0] = i;
            for (size_t j = 1; j <= n.size(); ++j)
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] == n[j - 1] ? 0 : 1)});
            std::swap(prev, cur);
        }
        if (prev[n.size()] < best_d) {
            best_d = prev[n.size()];
            best = n;
        }
    }
    return best.empty() ? std::string() : fmt::format("; did you mean '{}'?", best);
}

}  // namespace ag::cli
