#include "alembic/problem.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string_view>

namespace ag {

std::string Problem::key() const {
    const std::string_view c = code;
    if (c == code::unparsable_migration || c == code::unreadable_config)
        return fmt::format("{}\x1f{}", code, files.empty() ? std::string() : files.front());
    return fmt::format("{}\x1f{}", code, fmt::join(revisions, "\x1f"));
}

}  // namespace ag
