#include "support/ini_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ag {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool valid_utf8(std::string_view s, int* bad_line) {
    int line = 1;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\n') ++line;
        if (c < 0x80) { ++i; continue; }
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0 || i + len > s.size()) { *bad_line = line; return false; }
        for (size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) { *bad_line = line; return false; }
        i += len;
    }
    return true;
}

// Python's universal newlines: \r\n, \r and \n all end a line.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' || text[i] == '\r') {
            lines.push_back(text.substr(start, i - start));
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            start = i + 1;
        }
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

}  // namespace

std::variant<IniFile, IniError> parse_ini(std::string_view text) {
    int bad = 0;
    if (!valid_utf8(text, &bad)) return IniError{bad, "the file is not valid UTF-8 (configparser cannot decode it)"};
    IniFile ini;
    ini.defaults_.name = "DEFAULT";
    IniSection* cur = nullptr;
    IniOption* opt = nullptr;           // the option a continuation line would extend
    std::vector<std::string> value_lines;  // lines of *opt, joined at the end
    std::map<IniOption*, std::vector<std::string>> pending;
    std::set<std::string> sections_added;
    std::set<std::pair<std::string, std::string>> options_added;
    size_t indent_level = 0;
    std::optional<IniError> parsing_error;  // configparser reports these after the whole file
    int lineno = 0;
    // Section storage must be stable while we hold pointers: reserve generously.
    const auto lines = split_lines(text);
    ini.sections_.reserve(lines.size() + 1);
    for (std::string_view raw : lines) {
        ++lineno;
        const std::string_view stripped = strip(raw);
        const bool full_comment = !stripped.empty() && (stripped.front() == '#' || stripped.front() == ';');
        const std::string_view value = full_comment ? std::string_view() : stripped;
        if (value.empty()) {
            // An empty line (not a comment) inside a value is kept as an empty line.
            if (!full_comment && cur && opt) pending[opt].emplace_back();
            continue;
        }
        size_t cur_indent = 0;
        while (cur_indent < raw.size() && is_space(raw[cur_indent])) ++cur_indent;
        if (cur && opt && cur_indent > indent_level) {
            pending[opt].emplace_back(value);
            continue;
        }
        indent_level = cur_indent;
        // Section header: \[(?P<header>.+)\] matched at the start (greedy).
        if (value.front() == '[') {
            const auto close = value.rfind(']');
            if (close != std::string_view::npos && close >= 2) {
                const std::string name(value.substr(1, close - 1));
                if (name == "DEFAULT") {
                    cur = &ini.defaults_;
                } else {
                    auto it = std::find_if(ini.sections_.begin(), ini.sections_.end(),
                                           [&](const IniSection& s) { return s.name == name; });
                    if (it != ini.sections_.end()) {
                        if (sections_added.count(name))
                            return IniError{lineno, fmt::format("section '{}' appears twice (configparser's "
                                                                "DuplicateSectionError)", name)};
                        cur = &*it;
                    } else {
                        ini.sections_.push_back(IniSection{name, lineno, {}});
                        cur = &ini.sections_.back();
                    }
                    sections_added.insert(name);
                }
                opt = nullptr;
                continue;
            }
        }
        if (!cur)
            return IniError{lineno, "the file does not start with a [section] header (configparser's "
                                    "MissingSectionHeaderError)"};
        // Option: (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$ — the first delimiter wins.
        const auto delim = value.find_first_of("=:");
        if (delim == std::string_view::npos) {
            if (!parsing_error)
                parsing_error = IniError{lineno, fmt::format("line {} is neither a section, an option nor a comment "
                                                             "(configparser's ParsingError): {}", lineno, value)};
            opt = nullptr;
            continue;
        }
        std::string key = lower(strip(value.substr(0, delim)));
        if (key.empty() && !parsing_error)
            parsing_error = IniError{lineno, fmt::format("line {} has no option name (configparser's ParsingError)", lineno)};
        const std::string secname = cur->name;
        if (options_added.count({secname, key}))
            return IniError{lineno, fmt::format("option '{}' appears twice in section [{}] (configparser's "
                                                "DuplicateOptionError)", key, secname)};
        options_added.insert({secname, key});
        auto& o = cur->options[key];
        o.line = lineno;
        o.value.clear();
        pending[&o] = {std::string(strip(value.substr(delim + 1)))};
        opt = &o;
    }
    if (parsing_error) return *parsing_error;
    for (auto& [o, parts] : pending) {
        std::string joined;
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i) joined += '\n';
            joined += parts[i];
        }
        while (!joined.empty() && is_space(joined.back())) joined.pop_back();
        o->value = std::move(joined);
    }
    return ini;
}

const IniSection* IniFile::section(std::string_view name) const {
    for (const auto& s : sections_)
        if (s.name == name) return &s;
    return nullptr;
}

bool IniFile::has_option(std::string_view section_name, std::string_view option) const {
    const auto* s = section(section_name);
    if (!s) return false;
    return s->options.count(lower(option)) || defaults_.options.count(lower(option));
}

int IniFile::line_of(std::string_view section_name, std::string_view option) const {
    const auto* s = section(section_name);
    const auto key = lower(option);
    if (s) {
        if (auto it = s->options.find(key); it != s->options.end()) return it->second.line;
    }
    if (auto it = defaults_.options.find(key); it != defaults_.options.end()) return it->second.line;
    return 0;
}

std::variant<std::monostate, std::string, IniError> IniFile::get(
    std::string_view section_name, std::string_view option,
    const std::map<std::string, std::string, std::less<>>& defaults) const {
    const auto* s = section(section_name);
    if (!s) return std::monostate{};
    const auto key = lower(option);
    // Lookup chain: the section, then [DEFAULT] from the file, then the constructor defaults.
    auto lookup = [&](const std::string& k) -> std::optional<std::string> {
        if (auto it = s->options.find(k); it != s->options.end()) return it->second.value;
        if (auto it = defaults_.options.find(k); it != defaults_.options.end()) return it->second.value;
        if (auto it = defaults.find(k); it != defaults.end()) return it->second;
        return std::nullopt;
    };
    const auto raw = lookup(key);
    if (!raw) return std::monostate{};
    const int line = line_of(section_name, option);
    std::string out;
    // BasicInterpolation._interpolate_some, iteratively with an explicit depth bound.
    struct Frame { std::string rest; int depth; };
    std::vector<Frame> stack{{*raw, 1}};
    while (!stack.empty()) {
        Frame f = std::move(stack.back());
        stack.pop_back();
        if (f.depth > 10)
            return IniError{line, fmt::format("value of '{}' in [{}] nests interpolation more than 10 deep", key, s->name)};
        std::string_view rest = f.rest;
        while (!rest.empty()) {
            const auto p = rest.find('%');
            if (p == std::string_view::npos) { out += rest; break; }
            out += rest.substr(0, p);
            rest.remove_prefix(p);
            if (rest.size() >= 2 && rest[1] == '%') { out += '%'; rest.remove_prefix(2); continue; }
            if (rest.size() >= 2 && rest[1] == '(') {
                const auto close = rest.find(')');
                if (close == std::string_view::npos || close == 2 || close + 1 >= rest.size() || rest[close + 1] != 's')
                    return IniError{line, fmt::format("bad interpolation in '{}' of [{}]: {} (configparser's "
                                                      "InterpolationSyntaxError; write %% for a literal %)",
                                                      key, s->name, rest)};
                const std::string var = lower(rest.substr(2, close - 2));
                rest.remove_prefix(close + 2);
                const auto v = lookup(var);
                if (!v)
                    return IniError{line, fmt::format("'{}' in [{}] refers to %({})s, which is not defined "
                                                      "(configparser's InterpolationMissingOptionError)",
                                                      key, s->name, var)};
                if (v->find('%') != std::string::npos) {
                    // Expand the reference before the rest of this value.
                    stack.push_back({std::string(rest), f.depth});
                    stack.push_back({*v, f.depth + 1});
                    rest = {};
                    break;
                }
                out += *v;
                continue;
            }
            return IniError{line, fmt::format("'%' must be followed by '%' or '(' in '{}' of [{}], found: {} "
                                              "(configparser's InterpolationSyntaxError)", key, s->name, rest)};
        }
    }
    return out;
}

}  // namespace ag
