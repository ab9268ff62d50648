// `forecast [--base REF] [CANDIDATE...]`: which open candidates collide with each other.
#include "commands.hpp"
#include "hooks/forecast.hpp"

#include <fmt/format.h>

#include <memory>

namespace ag::cli {

void add_forecast(CLI::App& app, Action& action) {
    struct Args {
        std::string repo, format = "text", alembic;
        ForecastOptions forecast;
    };
    auto a = std::make_shared<Args>();
    auto* sub = app.add_subcommand("forecast", "Which open candidates (review refs, else branches not merged into the "
                                               "base), each fine alone, collide with each other; per pair the "
                                               "environment, what they share, which one should move and the edit");
    sub->add_option("CANDIDATE", a->forecast.candidates,
                    "Refs, commits or globs (default: refs/pull/*/head and refs/merge-requests/*/head, else every "
                    "branch not merged into the base)");
    sub->add_option("--base", a->forecast.base, "The target branch (default: the default branch, HEAD's)");
    sub->add_option("--prefer", a->forecast.prefer,
                    "A candidate that stays when it collides (default: the one opened first)");
    sub->add_option("--repo", a->repo, "The repository (default: discovered as git does)");
    sub->add_option("--format", a->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "github", "markdown"}));
    add_alembic_version_option(sub, a->alembic);
    sub->callback([a, &action] {
        action = [a] {
            GitLibrary lib;
            GuardContext context(a->repo, "the forecast");
            context.use_command_line_alembic(command_line_alembic(a->alembic));
            const Forecast f = forecast(context, a->forecast);
            if (a->format == "json") fmt::print("{}", forecast_json_lines(f));
            else if (a->format == "github") fmt::print("{}", forecast_github(f));
            else if (a->format == "markdown") fmt::print("{}", forecast_markdown(f));
            else fmt::print("{}", forecast_text(f));
            return f.pairs.empty() && f.bad_alone.empty() ? 0 : 1;
        };
    });
}

}  // namespace ag::cli
