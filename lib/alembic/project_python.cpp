#include "alembic/project_python.hpp"

#include "support/toml_document.hpp"


#include <cctype>
#include <initializer_list>

namespace ag {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// "3.12", "3.12.4", "3.12-dev": the leading X.Y.
std::optional<py::PythonVersion> leading_version(std::string_view s) {
    size_t i = 0;
    int major = 0, minor = 0;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && major < 100) major = major * 10 + (s[i++] - '0');
    if (i >= s.size() || s[i] != '.') return std::nullopt;
    ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && minor < 1000) minor = minor * 10 + (s[i++] - '0');
    if (major != 3) return std::nullopt;
    return py::PythonVersion{major, minor};
}

// The lower bound of a PEP 440 specifier set (">=3.11,<4", "~=3.12", "==3.12.*") or of a
// Poetry constraint ("^3.11", "~3.12", ">=3.11,<3.14").
std::optional<py::PythonVersion> lower_bound(std::string_view spec) {
    std::optional<py::PythonVersion> best;
    size_t start = 0;
    while (start <= spec.size()) {
        size_t end = spec.find_first_of(",|", start);
        if (end == std::string_view::npos) end = spec.size();
        std::string_view part = trim(spec.substr(start, end - start));
        start = end + 1;
        std::string_view op;
        for (std::string_view o : {">=", "~=", "==", "^", "~", ">"}) {
            if (part.substr(0, o.size()) == o) {
                op = o;
                break;
            }
        }
        if (op.empty() && !part.empty() && std::isdigit(static_cast<unsigned char>(part.front()))) op = "==";
        if (op.empty()) continue;
        auto v = leading_version(trim(part.substr(op == "==" && !part.starts_with("==") ? 0 : op.size())));
        if (!v) continue;
        if (op == ">") ++v->minor;  // ">3.11" leaves 3.11.x, but a migration must compile on all of them
        if (!best || v->minor < best->minor) best = v;
    }
    return best;
}

// The str at `keys` (a path of tables) of a TOML file, as tomllib reads it; none when the
// file is no valid TOML (pip and uv refuse it too) or holds no str there.
std::optional<std::string> toml_string(std::string_view text, std::string_view file_name,
                                       std::initializer_list<std::string_view> keys) {
    const TomlDocument doc = parse_toml(text, file_name);
    if (!doc.table) return std::nullopt;
    toml::node_view<const toml::node> at{static_cast<const toml::node&>(*doc.table)};
    for (std::string_view k : keys) at = at[k];
    if (const auto* s = at.as_string()) return s->get();
    return std::nullopt;
}

// Calls `f` with each line of `text`, trimmed, until it returns true.
template <class F>
void for_each_trimmed_line(std::string_view text, F f) {
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        if (f(trim(text.substr(pos, nl - pos)))) return;
        pos = nl + 1;
    }
}

}  // namespace

std::optional<py::PythonVersion> declared_python_version(std::string_view file_name, std::string_view text) {
    if (file_name == ".python-version") {
        // pyenv: one version per line, the first wins; "system" or an interpreter name is none.
        std::optional<py::PythonVersion> found;
        for_each_trimmed_line(text, [&](std::string_view line) {
            if (line.empty() || line.front() == '#') return false;
            if (line.starts_with("python")) line.remove_prefix(line.starts_with("python-") ? 7 : 6);
            if (line.starts_with("cpython-")) line.remove_prefix(8);
            found = leading_version(line);
            return true;
        });
        return found;
    }
    if (file_name == "pyproject.toml") {
        if (auto v = toml_string(text, file_name, {"project", "requires-python"})) return lower_bound(*v);
        if (auto v = toml_string(text, file_name, {"tool", "poetry", "dependencies", "python"})) return lower_bound(*v);
        return std::nullopt;
    }
    if (file_name == ".tool-versions") {
        std::optional<py::PythonVersion> found;
        for_each_trimmed_line(text, [&](std::string_view line) {
            if (!line.starts_with("python ") && !line.starts_with("python\t")) return false;
            found = leading_version(trim(line.substr(7)));
            return true;
        });
        return found;
    }
    if (file_name == "runtime.txt") {
        std::string_view line = trim(text.substr(0, text.find('\n')));
        if (line.starts_with("python-")) return leading_version(line.substr(7));
        return std::nullopt;
    }
    if (file_name == "Pipfile") {
        if (auto v = toml_string(text, file_name, {"requires", "python_version"})) return leading_version(*v);
        if (auto v = toml_string(text, file_name, {"requires", "python_full_version"})) return leading_version(*v);
        return std::nullopt;
    }
    return std::nullopt;
}

PythonChoice choose_python(py::PythonVersion version, std::string from) {
    PythonChoice c;
    c.from = std::move(from);
    c.version = py::clamp_python_version(version);
    if (!(c.version == version)) c.declared = version;
    return c;
}

std::optional<PythonChoice> project_python(const SourceTree& tree, std::string_view dir) {
    static constexpr std::string_view kFiles[] = {".python-version", "pyproject.toml", ".tool-versions", "runtime.txt",
                                                  "Pipfile"};
    std::string d(dir);
    while (true) {
        for (std::string_view name : kFiles) {
            const std::string path = join_path(d, name);
            if (tree.kind(path) != EntryKind::File) continue;
            if (auto v = declared_python_version(name, tree.read(path))) return choose_python(*v, path);
        }
        if (d.empty()) return std::nullopt;
        d = parent_path(d);
    }
}

}  // namespace ag
