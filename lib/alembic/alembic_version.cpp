#include "alembic/alembic_version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace ag {

namespace {

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Reads one number at `s[i]`; false when there is none (or it is absurdly long).
bool number(std::string_view s, size_t& i, int& out) {
    const size_t start = i;
    out = 0;
    while (i < s.size() && digit(s[i]) && i - start < 6) out = out * 10 + (s[i++] - '0');
    return i > start && (i >= s.size() || !digit(s[i]));
}

// Calls `f` with each line of `text` until it returns true.
template <class F>
void for_each_line(std::string_view text, F f) {
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        if (f(text.substr(pos, nl - pos))) return;
        pos = nl + 1;
    }
}

// The quoted value of `key = "value"` on a TOML line, or nullopt.
std::optional<std::string_view> toml_line_string(std::string_view line, std::string_view key) {
    line = trim(line);
    if (line.substr(0, key.size()) != key) return std::nullopt;
    line = trim(line.substr(key.size()));
    if (line.empty() || line.front() != '=') return std::nullopt;
    line = trim(line.substr(1));
    if (line.size() < 2 || (line.front() != '"' && line.front() != '\'')) return std::nullopt;
    const auto end = line.find(line.front(), 1);
    if (end == std::string_view::npos) return std::nullopt;
    return line.substr(1, end - 1);
}

// uv.lock, poetry.lock and pdm.lock are machine-written TOML with one [[package]] table per
// locked distribution, `name` before `version`: a line scan is exact for them and costs a
// fraction of a parse of a lock file of several megabytes.
std::optional<AlembicVersion> locked_package_version(std::string_view text) {
    std::optional<AlembicVersion> found;
    bool in_alembic = false;
    for_each_line(text, [&](std::string_view line) {
        const auto t = trim(line);
        if (!t.empty() && t.front() == '[') {
            in_alembic = false;
            return false;
        }
        if (auto name = toml_line_string(t, "name")) {
            in_alembic = iequals(*name, "alembic");
            return false;
        }
        if (in_alembic)
            if (auto v = toml_line_string(t, "version")) {
                found = parse_alembic_version(*v);
                return true;
            }
        return false;
    });
    return found;
}

// `alembic==X` (any case, extras allowed) on a pip requirements line.
std::optional<AlembicVersion> requirement_pin(std::string_view line) {
    if (auto hash = line.find(" #"); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '-') return std::nullopt;
    size_t i = 0;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-' || line[i] == '_' ||
                               line[i] == '.'))
        ++i;
    if (!iequals(line.substr(0, i), "alembic")) return std::nullopt;
    std::string_view rest = trim(line.substr(i));
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        rest = trim(rest.substr(close + 1));
    }
    if (rest.substr(0, 2) != "==" ) return std::nullopt;
    rest = trim(rest.substr(rest.substr(0, 3) == "===" ? 3 : 2));
    const auto end = rest.find_first_of(" \t;,\\");
    return parse_alembic_version(rest.substr(0, end));
}

bool requirements_name(std::string_view name) {
    return name.ends_with(".txt") && (name.starts_with("requirements") || name.starts_with("constraints"));
}

}  // namespace

std::string AlembicVersion::text() const {
    return patch_given ? fmt::format("{}.{}.{}", major, minor, patch) : fmt::format("{}.{}", major, minor);
}

std::optional<AlembicVersion> parse_alembic_version(std::string_view text) {
    text = trim(text);
    AlembicVersion v;
    size_t i = 0;
    if (!number(text, i, v.major) || v.major != 1) return std::nullopt;
    if (i >= text.size() || text[i] != '.') return std::nullopt;
    ++i;
    if (!number(text, i, v.minor)) return std::nullopt;
    v.patch = 0;
    v.patch_given = false;
    if (i < text.size() && text[i] == '.' && i + 1 < text.size() && digit(text[i + 1])) {
        ++i;
        if (!number(text, i, v.patch)) return std::nullopt;
        v.patch_given = true;
    }
    // "1.13.2rc1", "1.13.2+local", "1.13.*" judged by their release; anything else is no version.
    if (i < text.size() && !(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '+' ||
                             text.substr(i) == ".*"))
        return std::nullopt;
    return v;
}

AlembicChoice choose_alembic(AlembicVersion version, std::string from) {
    AlembicChoice c;
    c.from = std::move(from);
    c.version = version < kOldestAlembic ? kOldestAlembic : version;
    if (version < kOldestAlembic) c.declared = version;
    return c;
}

std::optional<AlembicVersion> pinned_alembic_version(std::string_view file_name, std::string_view text) {
    if (file_name == "uv.lock" || file_name == "poetry.lock" || file_name == "pdm.lock")
        return locked_package_version(text);
    if (file_name == "Pipfile.lock") {
        const auto doc = nlohmann::json::parse(text, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
        for (const char* group : {"default", "develop"}) {
            const auto g = doc.find(group);
            if (g == doc.end() || !g->is_object()) continue;
            const auto pkg = g->find("alembic");
            if (pkg == g->end() || !pkg->is_object()) continue;
            const auto v = pkg->find("version");
            if (v == pkg->end() || !v->is_string()) continue;
            std::string_view s = v->get_ref<const std::string&>();
            if (s.substr(0, 2) == "==") return parse_alembic_version(s.substr(2));
        }
        return std::nullopt;
    }
    if (requirements_name(file_name)) {
        std::optional<AlembicVersion> found;
        for_each_line(text, [&](std::string_view line) {
            found = requirement_pin(line);
            return found.has_value();
        });
        return found;
    }
    return std::nullopt;
}

std::optional<AlembicChoice> project_alembic(const SourceTree& tree, std::string_view dir) {
    static constexpr std::string_view kLocks[] = {"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"};
    std::string d(dir);
    while (true) {
        std::vector<std::string> candidates;
        for (std::string_view name : kLocks) candidates.push_back(join_path(d, name));
        std::vector<std::string> listed;
        for (const auto& e : tree.list(d))
            if (requirements_name(e.name) && e.kind == EntryKind::File) listed.push_back(join_path(d, e.name));
        const std::string sub = join_path(d, "requirements");
        if (tree.kind(sub) == EntryKind::Directory)
            for (const auto& e : tree.list(sub))
                if (e.name.ends_with(".txt") && e.kind == EntryKind::File) listed.push_back(join_path(sub, e.name));
        std::sort(listed.begin(), listed.end());
        candidates.insert(candidates.end(), listed.begin(), listed.end());
        for (const auto& path : candidates) {
            if (tree.kind(path) != EntryKind::File) continue;
            const auto name = std::string_view(path).substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
            if (auto v = pinned_alembic_version(requirements_name(name) || !path.ends_with(".lock") ? "requirements.txt" : name,
                                                tree.read(path)))
                return choose_alembic(*v, path);
        }
        if (d.empty()) return std::nullopt;
        d = parent_path(d);
    }
}

}  // namespace ag
