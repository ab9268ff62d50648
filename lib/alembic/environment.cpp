#include "alembic/environment.hpp"

#include "support/guard_error.hpp"
#include "support/ini_config.hpp"

#include "support/toml_document.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

namespace ag {

namespace {

constexpr std::string_view kGuardConfig = ".alembic-guard.toml";
// `%(here)s` and other absolute paths are resolved against this stand-in for the
// repository's root; anything else absolute lies outside the repository.
constexpr std::string_view kRoot = "/\x01repository";

// Normalises a repository-relative path ("a/./b/../c" -> "a/c"); nullopt when it climbs
// out of the repository.
std::optional<std::string> normalize(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        const auto part = path.substr(i, j - i);
        if (part == "..") {
            if (parts.empty()) return std::nullopt;
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    return fmt::format("{}", fmt::join(parts, "/"));
}

std::string here_of(std::string_view config_dir) {
    return config_dir.empty() ? std::string(kRoot) : fmt::format("{}/{}", kRoot, config_dir);
}

struct Resolved {
    std::optional<std::string> path;  // repository-relative
    std::string why_not;              // when path is empty
};

// Resolves a location as Alembic does from the config's directory: absolute paths as is,
// `package.sub:dir` as a package resource, anything else relative to the directory.
Resolved resolve_location(const SourceTree& tree, std::string_view config_dir, std::string_view value) {
    std::string v(value);
    if (!v.empty() && v.front() == '/') {
        if (v.rfind(kRoot, 0) == 0) {
            auto rel = normalize(std::string_view(v).substr(kRoot.size()));
            if (!rel) return {std::nullopt, "it points outside the repository"};
            return {rel, ""};
        }
        return {std::nullopt, "it is an absolute path outside the repository"};
    }
    if (v.find(':') != std::string::npos) {
        // coerce_resource_to_filename: "pkg.sub:dir[:more]" -> <package directory>/dir/more.
        std::vector<std::string> tokens;
        size_t s = 0;
        for (size_t k = 0; k <= v.size(); ++k) {
            if (k == v.size() || v[k] == ':') {
                tokens.push_back(v.substr(s, k - s));
                s = k + 1;
            }
        }
        std::string pkg = tokens.front();
        std::replace(pkg.begin(), pkg.end(), '.', '/');
        std::string rest;
        for (size_t k = 1; k < tokens.size(); ++k) rest = join_path(rest, tokens[k]);
        // The package is imported from sys.path: the directory Alembic runs in, the top of
        // the repository, or a src/ layout.
        for (const std::string& base : {std::string(config_dir), std::string(), std::string("src")}) {
            auto pkgdir = normalize(join_path(base, pkg));
            if (pkgdir && tree.kind(*pkgdir) == EntryKind::Directory) {
                auto full = normalize(join_path(*pkgdir, rest));
                if (full) return {full, ""};
            }
        }
        return {std::nullopt, fmt::format("package '{}' is not found in the repository", tokens.front())};
    }
    auto rel = normalize(join_path(config_dir, v));
    if (!rel) return {std::nullopt, "it points outside the repository"};
    return {rel, ""};
}

// Alembic 1.8.1's legacy split of version_locations: re.split(r", *|(?: +)", value).
std::vector<std::string> split_legacy(std::string_view value) {
    std::vector<std::string> out;
    std::string cur;
    size_t i = 0;
    while (i < value.size()) {
        if (value[i] == ',') {
            out.push_back(cur);
            cur.clear();
            ++i;
            while (i < value.size() && value[i] == ' ') ++i;
        } else if (value[i] == ' ') {
            out.push_back(cur);
            cur.clear();
            while (i < value.size() && value[i] == ' ') ++i;
        } else {
            cur += value[i++];
        }
    }
    out.push_back(cur);
    return out;
}

std::vector<std::string> split_on(std::string_view value, char sep, bool strip_items) {
    std::vector<std::string> out;
    size_t s = 0;
    for (size_t k = 0; k <= value.size(); ++k) {
        if (k == value.size() || value[k] == sep) {
            std::string item(value.substr(s, k - s));
            if (!item.empty()) {
                if (strip_items) {
                    const auto b = item.find_first_not_of(" \t\n\r\f\v");
                    const auto e = item.find_last_not_of(" \t\n\r\f\v");
                    item = b == std::string::npos ? std::string() : item.substr(b, e - b + 1);
                }
                out.push_back(item);
            }
            s = k + 1;
        }
    }
    return out;
}

// `reason`: what the reader of the file found wrong, in its terms; the report words the rest.
Problem unreadable(Situation situation, const std::string& file, int line, const std::string& reason,
                   const std::string& section = {}) {
    Problem p;
    p.code = code::unreadable_config;
    p.situation = situation;
    p.files = {file};
    p.locations = {ProblemLocation{file, line, "", {}}};
    p.reason = reason;
    p.subject = section;
    return p;
}

class Discovery {
public:
    explicit Discovery(const SourceTree& tree) : tree_(tree) {}
    void add_ini(const std::string& path);
    void add_pyproject(const std::string& path);
    void add_conventions(const std::vector<std::string>& env_py_files);
    void add_guard_config(const SourceTree& declarations);
    // `declarations`: the tree whose declaration of the project's Python applies.
    std::vector<Environment> take(const SourceTree& declarations);

private:
    // Fills version locations from script_location and the raw version_locations list.
    void finish(Environment env, const std::string& config_dir, const std::string& script_value, int script_line,
                const std::optional<std::vector<std::string>>& locations, int locations_line);
    const SourceTree& tree_;
    std::vector<Environment> envs_;
    std::set<std::string> claimed_script_dirs_;
};

void Discovery::finish(Environment env, const std::string& config_dir, const std::string& script_value,
                       int script_line, const std::optional<std::vector<std::string>>& locations, int locations_line) {
    const std::string where = fmt::format("{}:{}", env.config, script_line);
    const Resolved script = resolve_location(tree_, config_dir, script_value);
    if (script.path) {
        claimed_script_dirs_.insert(*script.path);
        env.script_directory = *script.path;
    }
    std::vector<std::string> raw;
    int raw_line = locations_line;
    if (locations && !locations->empty()) {
        raw = *locations;
    } else {
        if (!script.path) {
            env.notes.push_back({env.config, script_line, NoteKind::script_location_unjudged, script_value, script.why_not});
            envs_.push_back(std::move(env));
            return;
        }
        if (tree_.kind(*script.path) != EntryKind::Directory) {
            env.notes.push_back({env.config, script_line, NoteKind::script_location_missing, script_value, where});
            envs_.push_back(std::move(env));
            return;
        }
        raw = {join_path(*script.path, "versions")};
        raw_line = script_line;
        // Already resolved: mark so the loop below takes it as repository-relative.
        raw.front() = std::string(kRoot) + "/" + raw.front();
    }
    std::set<std::string> seen;
    for (const auto& item : raw) {
        const Resolved r = resolve_location(tree_, config_dir, item);
        if (!r.path) {
            env.notes.push_back({env.config, raw_line, NoteKind::location_unjudged, item, r.why_not});
            continue;
        }
        if (!seen.insert(*r.path).second) continue;  // Alembic loads a directory once
        if (tree_.kind(*r.path) != EntryKind::Directory) {
            env.notes.push_back({env.config, raw_line, NoteKind::location_missing, *r.path});
        }
        env.version_locations.push_back(*r.path);
    }
    if (!env.version_locations.empty() &&
        std::none_of(env.version_locations.begin(), env.version_locations.end(),
                     [&](const std::string& l) { return tree_.kind(l) == EntryKind::Directory; })) {
        env.notes.insert(env.notes.begin(),
                         Note{env.config, raw_line, NoteKind::no_location_exists});
    }
    envs_.push_back(std::move(env));
}

void Discovery::add_ini(const std::string& path) {
    std::string text;
    try {
        text = tree_.read(path);
    } catch (const GuardError& e) {
        throw;
    }
    // Only Alembic's configs concern us; other tools' .ini files may be anything.
    const bool mentions_alembic = text.find("script_location") != std::string::npos;
    auto parsed = parse_ini(text);
    const std::string dir = parent_path(path);
    if (auto* err = std::get_if<IniError>(&parsed)) {
        if (!mentions_alembic) return;
        Environment env;
        env.name = path;
        env.config = path;
        env.problems.push_back(unreadable(Situation::ini_syntax, path, err->line, err->message));
        envs_.push_back(std::move(env));
        return;
    }
    const IniFile& ini = std::get<IniFile>(parsed);
    const std::map<std::string, std::string, std::less<>> defaults{{"here", here_of(dir)}};
    for (const IniSection& sec : ini.sections()) {
        if (!ini.has_option(sec.name, "script_location")) continue;
        Environment env;
        env.config = path;
        env.section = sec.name;
        env.name = sec.name == "alembic" ? path : fmt::format("{} [{}]", path, sec.name);
        auto fail = [&](int line, const std::string& message) {
            env.problems.push_back(unreadable(Situation::ini_section, path, line, message, sec.name));
            envs_.push_back(env);
        };
        const int script_line = ini.line_of(sec.name, "script_location");
        auto script = ini.get(sec.name, "script_location", defaults);
        if (auto* e = std::get_if<IniError>(&script)) { fail(e->line, e->message); continue; }
        const std::string script_value = std::get<std::string>(script);
        std::optional<std::vector<std::string>> locations;
        const int loc_line = ini.line_of(sec.name, "version_locations");
        auto vl = ini.get(sec.name, "version_locations", defaults);
        if (auto* e = std::get_if<IniError>(&vl)) { fail(e->line, e->message); continue; }
        if (auto* value = std::get_if<std::string>(&vl); value && !value->empty()) {
            // 1.8.1 reads version_path_separator; 1.16 prefers path_separator (and adds newline).
            const bool legacy_key = ini.has_option(sec.name, "version_path_separator");
            const char* key = legacy_key ? "version_path_separator" : "path_separator";
            auto sepv = ini.get(sec.name, key, defaults);
            if (auto* e = std::get_if<IniError>(&sepv)) { fail(e->line, e->message); continue; }
            if (auto* sep = std::get_if<std::string>(&sepv)) {
                char c = 0;
                if (*sep == "space") c = ' ';
                else if (*sep == "os" || *sep == ":") c = ':';
                else if (*sep == ";") c = ';';
                else if (*sep == "newline" && !legacy_key) c = '\n';
                if (!c) {
                    fail(ini.line_of(sec.name, key),
                         fmt::format("{} = '{}' is not one of space, os, ':', ';'{}: Alembic raises ValueError as "
                                     "soon as version_locations is set{}",
                                     key, *sep, legacy_key ? "" : ", newline",
                                     sep->find('#') != std::string::npos
                                         ? " (configparser keeps inline comments: move the comment to its own line)"
                                         : ""));
                    continue;
                }
                locations = split_on(*value, c, !legacy_key);
            } else {
                locations = split_legacy(*value);
            }
        }
        auto sourceless = ini.get(sec.name, "sourceless", defaults);
        if (auto* value = std::get_if<std::string>(&sourceless)) env.sourceless = *value == "true";
        // prepend_sys_path: re.split(r", *|(?: +)|\:") in every version since 1.8.
        auto psp = ini.get(sec.name, "prepend_sys_path", defaults);
        if (auto* value = std::get_if<std::string>(&psp)) {
            std::string cur;
            auto flush = [&]() {
                if (!cur.empty())
                    if (auto rel = normalize(join_path(dir, cur))) env.module_roots.push_back(*rel);
                cur.clear();
            };
            for (char c : *value) {
                if (c == ',' || c == ' ' || c == ':') flush();
                else cur += c;
            }
            flush();
        }
        finish(std::move(env), dir, script_value, script_line, locations, loc_line);
    }
}

// Python's `value % {"here": ...}` for [tool.alembic] strings.
std::optional<std::string> percent_format(std::string_view v, const std::string& here) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '%') { out += v[i]; continue; }
        if (i + 1 < v.size() && v[i + 1] == '%') { out += '%'; ++i; continue; }
        if (v.substr(i, 8) == "%(here)s") { out += here; i += 7; continue; }
        return std::nullopt;
    }
    return out;
}

void Discovery::add_pyproject(const std::string& path) {
    const std::string text = tree_.read(path);
    if (text.find("alembic") == std::string::npos) return;
    const std::string dir = parent_path(path);
    const TomlDocument doc = parse_toml(text, path);
    if (!doc.table) {
        if (text.find("tool.alembic") == std::string::npos) return;
        Environment env;
        env.name = env.config = path;
        env.problems.push_back(unreadable(Situation::toml_syntax, path, doc.error_line, doc.error));
        envs_.push_back(std::move(env));
        return;
    }
    const toml::table& root = *doc.table;
    const auto* table = root["tool"]["alembic"].as_table();
    if (!table) return;
    Environment env;
    env.name = env.config = path;
    env.section = "tool.alembic";
    const int table_line = static_cast<int>(table->source().begin.line);
    const auto* script = table->get("script_location");
    if (!script) return;  // [tool.alembic] without script_location: an ini elsewhere supplies it
    const int script_line = static_cast<int>(script->source().begin.line);
    const auto here = here_of(dir);
    auto bad = [&](int line, const std::string& message) {
        env.problems.push_back(unreadable(Situation::pyproject_section, path, line, message));
        envs_.push_back(env);
    };
    if (!script->is_string()) return bad(script_line, "script_location must be a string");
    auto script_value = percent_format(script->as_string()->get(), here);
    if (!script_value) return bad(script_line, "script_location has a '%' that is neither '%%' nor '%(here)s'");
    std::optional<std::vector<std::string>> locations;
    int loc_line = table_line;
    if (const auto* vl = table->get("version_locations")) {
        loc_line = static_cast<int>(vl->source().begin.line);
        std::vector<std::string> items;
        if (const auto* arr = vl->as_array()) {
            for (const auto& el : *arr) {
                if (!el.is_string()) return bad(loc_line, "version_locations must be a list of strings");
                auto v = percent_format(el.as_string()->get(), here);
                if (!v) return bad(loc_line, "a version location has a '%' that is neither '%%' nor '%(here)s'");
                items.push_back(*v);
            }
        } else {
            return bad(loc_line, "version_locations must be a list of strings in pyproject.toml");
        }
        locations = items;
    }
    finish(std::move(env), dir, *script_value, script_line, locations, loc_line);
}

void Discovery::add_conventions(const std::vector<std::string>& env_py_files) {
    for (const auto& envpy : env_py_files) {
        const std::string dir = parent_path(envpy);
        const std::string versions = join_path(dir, "versions");
        if (tree_.kind(versions) != EntryKind::Directory) continue;
        if (claimed_script_dirs_.count(dir)) continue;
        Environment env;
        env.name = dir.empty() ? "." : dir;
        env.script_directory = dir;
        env.version_locations = {versions};
        envs_.push_back(std::move(env));
    }
}

void Discovery::add_guard_config(const SourceTree& declarations) {
    const std::string path(kGuardConfig);
    const std::string text = declarations.read(path);
    auto bad = [&](int line, const std::string& message) {
        Environment env;
        env.name = env.config = path;
        env.problems.push_back(unreadable(Situation::guard_settings, path, line, message));
        envs_.push_back(std::move(env));
    };
    const TomlDocument doc = parse_toml(text, path);
    if (!doc.table) return bad(doc.error_line, fmt::format("not valid TOML: {}", doc.error));
    const toml::table& root = *doc.table;
    std::optional<PythonChoice> top_python;
    for (const auto& [key, value] : root) {
        if (key.str() == "python_version") {
            const int kline = static_cast<int>(value.source().begin.line);
            const auto v = value.is_string() ? py::parse_python_version(value.as_string()->get()) : std::nullopt;
            if (!v) return bad(kline, "python_version must be a string such as \"3.12\"");
            top_python = choose_python(*v, std::string(path));
            continue;
        }
        if (key.str() != "environment")
            return bad(static_cast<int>(root.get(key.str())->source().begin.line),
                       fmt::format("unknown key '{}' (expected [[environment]] tables or python_version)", key.str()));
    }
    const auto* arr = root["environment"].as_array();
    if (!arr) return bad(1, "no [[environment]] table: declare each environment with name and version_locations");
    for (const auto& el : *arr) {
        const auto* t = el.as_table();
        const int line = static_cast<int>(el.source().begin.line);
        if (!t) return bad(line, "environment must be a table ([[environment]])");
        Environment env;
        env.config = path;
        for (const auto& [k, v] : *t) {
            const auto ks = k.str();
            const int kline = static_cast<int>(v.source().begin.line);
            if (ks == "name") {
                if (!v.is_string()) return bad(kline, "name must be a string");
                env.name = v.as_string()->get();
            } else if (ks == "version_locations") {
                const auto* locs = v.as_array();
                if (!locs || locs->empty()) return bad(kline, "version_locations must be a non-empty list of directories");
                for (const auto& l : *locs) {
                    if (!l.is_string()) return bad(kline, "version_locations must hold strings");
                    auto norm = normalize(l.as_string()->get());
                    if (!norm || (!l.as_string()->get().empty() && l.as_string()->get().front() == '/'))
                        return bad(kline, fmt::format("version location '{}' must be a directory inside the repository",
                                                      l.as_string()->get()));
                    if (std::find(env.version_locations.begin(), env.version_locations.end(), *norm) ==
                        env.version_locations.end())
                        env.version_locations.push_back(*norm);
                }
            } else if (ks == "allow_multiple_heads") {
                if (!v.is_boolean()) return bad(kline, "allow_multiple_heads must be true or false");
                env.allow_multiple_heads = v.as_boolean()->get();
            } else if (ks == "python_version") {
                const auto pv = v.is_string() ? py::parse_python_version(v.as_string()->get()) : std::nullopt;
                if (!pv) return bad(kline, "python_version must be a string such as \"3.12\"");
                env.python = choose_python(*pv, std::string(path));
            } else {
                return bad(kline, fmt::format("unknown key '{}' in [[environment]] (expected name, version_locations, "
                                              "allow_multiple_heads, python_version)", ks));
            }
        }
        if (env.version_locations.empty()) return bad(line, "an [[environment]] needs version_locations");
        if (env.python.from.empty() && top_python) env.python = *top_python;
        if (env.name.empty()) env.name = env.version_locations.front();
        for (const auto& l : env.version_locations)
            if (tree_.kind(l) != EntryKind::Directory)
                env.notes.push_back({path, line, NoteKind::declared_location_missing, l});
        envs_.push_back(std::move(env));
    }
}

std::vector<Environment> Discovery::take(const SourceTree& declarations) {
    // One environment found twice (two sections or files naming the same locations) is one.
    std::vector<Environment> out;
    std::set<std::string> seen;
    for (auto& e : envs_) {
        if (!seen.insert(e.identity()).second) continue;
        if (std::find(e.module_roots.begin(), e.module_roots.end(), "") == e.module_roots.end())
            e.module_roots.emplace_back();
        // The project's Python, unless .alembic-guard.toml said it: nearest to the config (or
        // the first version location) going up.
        if (e.python.from.empty()) {
            const std::string from = !e.config.empty() && e.config != kGuardConfig ? parent_path(e.config)
                                     : !e.version_locations.empty()                   ? e.version_locations.front()
                                                                                      : std::string();
            // Read where .alembic-guard.toml is read (a push's old tip): a push cannot relax
            // its own judgement by declaring a newer Python; the change applies from the next.
            if (auto choice = project_python(declarations, from)) e.python = std::move(*choice);
        }
        if (e.python.declared)
            e.notes.push_back({e.python.from, 0, NoteKind::python_nearest, e.python.declared->text(), e.python.version.text()});
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

std::string Environment::identity() const {
    if (version_locations.empty()) return fmt::format("config:{}[{}]", config, section);
    auto sorted = version_locations;
    std::sort(sorted.begin(), sorted.end());
    return fmt::format("{}", fmt::join(sorted, "\n"));
}

std::vector<Environment> discover_environments(const SourceTree& tree, const SourceTree* declarations) {
    Discovery d(tree);
    const SourceTree& decl = declarations ? *declarations : tree;
    if (decl.kind(kGuardConfig) == EntryKind::File) {
        d.add_guard_config(decl);
        return d.take(decl);
    }
    std::vector<std::string> inis, pyprojects, env_pys;
    tree.walk_files([&](std::string_view dir, std::string_view name) {
        if (name.size() > 4 && name.substr(name.size() - 4) == ".ini") inis.push_back(fmt::format("{}{}", dir, name));
        else if (name == "pyproject.toml") pyprojects.push_back(fmt::format("{}{}", dir, name));
        else if (name == "env.py") env_pys.push_back(fmt::format("{}{}", dir, name));
    });
    std::sort(inis.begin(), inis.end());
    std::sort(pyprojects.begin(), pyprojects.end());
    std::sort(env_pys.begin(), env_pys.end());
    for (const auto& p : inis) d.add_ini(p);
    for (const auto& p : pyprojects) d.add_pyproject(p);
    d.add_conventions(env_pys);
    return d.take(decl);
}

}  // namespace ag
