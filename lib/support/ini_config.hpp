#pragma once
// An .ini file read exactly as Python 3.11's configparser.ConfigParser reads it for Alembic:
// full-line comments only ('#', ';' — no inline comments), ':' or '=' delimiters, lowercase
// option names, indented continuation lines, strict duplicate checks, [DEFAULT], and
// BasicInterpolation (%(name)s, %%) on get.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ag {

struct IniError {
    int line = 0;
    std::string message;
};

struct IniOption {
    std::string value;  // raw, continuation lines joined with '\n'
    int line = 0;       // line of the option's key
};

struct IniSection {
    std::string name;
    int line = 0;
    std::map<std::string, IniOption, std::less<>> options;
};

class IniFile {
public:
    // The sections in file order ([DEFAULT] excluded).
    const std::vector<IniSection>& sections() const { return sections_; }
    const IniSection* section(std::string_view name) const;
    // configparser's has_option: the section's own options or [DEFAULT]'s.
    bool has_option(std::string_view section, std::string_view option) const;
    // The option's line (own or [DEFAULT]), 0 when absent.
    int line_of(std::string_view section, std::string_view option) const;
    // configparser's get with BasicInterpolation; `defaults` are the ConfigParser(defaults)
    // constructor values (Alembic passes {"here": <ini directory>}). nullopt when absent;
    // an IniError when interpolation fails.
    std::variant<std::monostate, std::string, IniError> get(std::string_view section, std::string_view option,
                                                            const std::map<std::string, std::string, std::less<>>& defaults) const;

private:
    friend std::variant<IniFile, IniError> parse_ini(std::string_view text);
    std::vector<IniSection> sections_;
    IniSection defaults_;
};

// Fails as configparser.read would: missing section header, duplicate section or option,
// lines that are neither (ParsingError), invalid UTF-8.
std::variant<IniFile, IniError> parse_ini(std::string_view text);

}  // namespace ag
