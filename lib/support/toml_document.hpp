#pragma once
// TOML files of the repository (pyproject.toml, Pipfile, .alembic-guard.toml), parsed with
// toml++ as Python's tomllib reads them, never by hand: a key inside a multi-line string is
// no key.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>

namespace ag {

struct TomlDocument {
    std::optional<toml::table> table;  // nullopt: not valid TOML
    int error_line = 0;                // then: where, and why
    std::string error;
};

// Never throws and never reaches toml++'s undefined behaviour on any input; `path` names the
// file in toml++'s source positions.
TomlDocument parse_toml(std::string_view text, std::string_view path);

}  // namespace ag
