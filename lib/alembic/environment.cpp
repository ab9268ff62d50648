#include "alembic/environment.hpp"

#include "support/guard_error.hpp"
#include "support/ini_config.hpp"

#include "support/toml_document.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace ag {

namespace {

constexpr std::string_view kGuardConfig = ".alembic-guard.toml";
// `%(here)s` and other absolute paths are resolved against this stand-in for the
// repository's root; anything else absolute lies outside the repository.
constexpr std::string_view kRoot = "/\x01repository";

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
            auto rel = normalize_path(std::string_view(v).substr(kRoot.size()));
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
            auto pkgdir = normalize_path(join_path(base, pkg));
            if (pkgdir && tree.kind(*pkgdir) == EntryKind::Directory) {
                auto full = normalize_path(join_path(*pkgdir, rest));
                if (full) return {full, ""};
            }
        }
        return {std::nullopt, fmt::format("package '{}' is not found in the repository", tokens.front())};
    }
    auto rel = normalize_path(join_path(config_dir, v));
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

class Discovery {
public:
    Discovery(const SourceTree& tree, const SourceTree& declarations, const std::optional<AlembicChoice>& alembic)
        : tree_(tree), declarations_(declarations), override_(alembic) {}
    void add_ini(const std::string& path);
    void add_pyproject(const std::string& path);
    void add_conventions(const std::vector<std::string>& env_py_files);
    void add_guard_config();
    std::vector<Environment> take();

private:
    // The Alembic an environment configured in `config_dir` is judged as (design.md, "Which
    // Alembic"): the operator's or the command line's, .alembic-guard.toml's, the nearest pin.
    AlembicChoice alembic_for(const std::string& config_dir) const;
    // Fills version locations from script_location and the raw version_locations list.
    void finish(Environment env, const std::string& config_dir, const std::string& script_value, int script_line,
                const std::optional<std::vector<std::string>>& locations, int locations_line);
    const SourceTree& tree_;
    const SourceTree& declarations_;
    const std::optional<AlembicChoice>& override_;
    std::optional<AlembicChoice> declared_;  // .alembic-guard.toml's alembic_version
    std::vector<Environment> envs_;
    std::set<std::string> claimed_script_dirs_;
    std::set<std::string> merged_pyprojects_;  // read as the fill of an ini (1.16+), not alone
};

AlembicChoice Discovery::alembic_for(const std::string& config_dir) const {
    if (override_) return *override_;
    if (declared_) return *declared_;
    // Read where .alembic-guard.toml is read (a push's old tip): a push cannot change the
    // rules it is judged by; a new pin applies from the next push.
    if (auto pinned = project_alembic(declarations_, config_dir)) return *pinned;
    return AlembicChoice{};
}

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
    bool default_location = false;
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
        default_location = true;
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
        const auto kind = tree_.kind(*r.path);
        if (kind != EntryKind::Directory) {
            // Before 1.10 Alembic lists the default versions/ whether or not it exists, and
            // any location that exists: a missing default or a file fails every command.
            if (!env.alembic.version.skips_what_it_cannot_load() && (kind || default_location)) {
                env.problems.push_back(unreadable(Situation::location_fails, env.config, raw_line,
                                                  kind ? "NotADirectoryError" : "FileNotFoundError", *r.path));
            } else {
                env.notes.push_back({env.config, raw_line, NoteKind::location_missing, *r.path});
            }
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

// The separator version_locations is split on, as the version in force reads it: the key it
// came from and the character, or none for the legacy split on spaces and commas. An
// unknown value is the ValueError Alembic raises as soon as version_locations is set.
struct Separator {
    std::string key;  // "" when no key is set
    char c = 0;       // 0: the legacy split
    std::optional<std::string> bad;
};

Separator location_separator(const IniFile& ini, const std::string& section, const AlembicVersion& v,
                             const std::map<std::string, std::string, std::less<>>& defaults) {
    Separator out;
    // 1.16 reads path_separator first; older versions know only version_path_separator.
    for (const char* key : {"path_separator", "version_path_separator"}) {
        if (std::string_view(key) == "path_separator" && !v.reads_pyproject()) continue;
        if (!ini.has_option(section, key)) continue;
        out.key = key;
        break;
    }
    if (out.key.empty()) return out;
    auto value = ini.get(section, out.key, defaults);
    if (auto* e = std::get_if<IniError>(&value)) {
        out.bad = e->message;
        return out;
    }
    const std::string sep = std::get<std::string>(value);
    const bool newline = v.strips_location_entries();  // 1.13.3 added it
    if (sep == "space") out.c = ' ';
    else if (sep == "os" || sep == ":") out.c = ':';
    else if (sep == ";") out.c = ';';
    else if (sep == "newline" && newline) out.c = '\n';
    else
        out.bad = fmt::format("{} = '{}' is not one of space, os, ':', ';'{}: Alembic {} raises ValueError as soon as "
                              "version_locations is set{}",
                              out.key, sep, newline ? ", newline" : "", v.text(),
                              sep.find('#') != std::string::npos
                                  ? " (configparser keeps inline comments: move the comment to its own line)"
                                  : "");
    return out;
}

// [tool.alembic] of the pyproject.toml Alembic 1.16+ reads beside an ini (the command line's
// working directory), which fills the keys the ini section lacks.
struct PyprojectFill {
    TomlDocument doc;
    std::string path;
    const toml::table* table = nullptr;
};

void Discovery::add_ini(const std::string& path) {
    const std::string text = tree_.read(path);
    const std::string dir = parent_path(path);
    const AlembicChoice alembic = alembic_for(dir);
    const AlembicVersion& v = alembic.version;
    PyprojectFill fill;
    if (v.reads_pyproject()) {
        fill.path = join_path(dir, "pyproject.toml");
        if (tree_.kind(fill.path) == EntryKind::File) {
            const std::string toml_text = tree_.read(fill.path);
            if (toml_text.find("alembic") != std::string::npos) {
                fill.doc = parse_toml(toml_text, fill.path);
                if (fill.doc.table) fill.table = (*fill.doc.table)["tool"]["alembic"].as_table();
            }
        }
    }
    const bool toml_script = fill.table && fill.table->get("script_location");
    // Only Alembic's configs concern us; other tools' .ini files may be anything.
    const bool mentions_alembic = text.find("script_location") != std::string::npos || toml_script;
    auto parsed = parse_ini(text);
    if (auto* err = std::get_if<IniError>(&parsed)) {
        if (!mentions_alembic) return;
        Environment env;
        env.name = path;
        env.config = path;
        env.alembic = alembic;
        env.problems.push_back(unreadable(Situation::ini_syntax, path, err->line, err->message));
        envs_.push_back(std::move(env));
        return;
    }
    const IniFile& ini = std::get<IniFile>(parsed);
    const std::map<std::string, std::string, std::less<>> defaults{{"here", here_of(dir)}};
    const auto here = here_of(dir);
    for (const IniSection& sec : ini.sections()) {
        const bool own_script = ini.has_option(sec.name, "script_location");
        // The toml fills the section the command line reads by default ([alembic]).
        if (!own_script && !(toml_script && sec.name == "alembic")) continue;
        if (!own_script) merged_pyprojects_.insert(fill.path);
        Environment env;
        env.config = path;
        env.section = sec.name;
        env.alembic = alembic;
        env.name = sec.name == "alembic" ? path : fmt::format("{} [{}]", path, sec.name);
        auto fail = [&](int line, const std::string& message) {
            env.problems.push_back(unreadable(Situation::ini_section, path, line, message, sec.name));
            envs_.push_back(env);
        };
        auto toml_fail = [&](int line, const std::string& message) {
            env.problems.push_back(unreadable(Situation::pyproject_section, fill.path, line, message));
            envs_.push_back(env);
        };
        // A key the ini section lacks, from [tool.alembic] (1.16+): its node, or null.
        auto from_toml = [&](std::string_view key) -> const toml::node* {
            return fill.table && !ini.has_option(sec.name, key) ? fill.table->get(key) : nullptr;
        };
        auto toml_line = [](const toml::node* n) { return static_cast<int>(n->source().begin.line); };
        int script_line = ini.line_of(sec.name, "script_location");
        std::string script_value;
        if (own_script) {
            auto script = ini.get(sec.name, "script_location", defaults);
            if (auto* e = std::get_if<IniError>(&script)) { fail(e->line, e->message); continue; }
            script_value = std::get<std::string>(script);
        } else {
            const toml::node* n = fill.table->get("script_location");
            script_line = toml_line(n);
            const auto value = n->is_string() ? percent_format(n->as_string()->get(), here) : std::nullopt;
            if (!value) { toml_fail(script_line, "script_location must be a string, with no '%' but '%%' and '%(here)s'"); continue; }
            script_value = *value;
        }
        std::optional<std::vector<std::string>> locations;
        int loc_line = ini.line_of(sec.name, "version_locations");
        auto vl = ini.get(sec.name, "version_locations", defaults);
        if (auto* e = std::get_if<IniError>(&vl)) { fail(e->line, e->message); continue; }
        const std::string* ini_locations = std::get_if<std::string>(&vl);
        if (ini_locations && !ini_locations->empty()) {
            const Separator sep = location_separator(ini, sec.name, v, defaults);
            if (sep.bad) { fail(ini.line_of(sec.name, sep.key), *sep.bad); continue; }
            locations = sep.c ? split_on(*ini_locations, sep.c, v.strips_location_entries()) : split_legacy(*ini_locations);
        } else if (const toml::node* n = fill.table ? fill.table->get("version_locations") : nullptr) {
            // 1.16+: an empty or missing ini value falls through to the toml's.
            loc_line = toml_line(n);
            std::vector<std::string> items;
            bool ok = true;
            if (const auto* arr = n->as_array()) {
                for (const auto& el : *arr) {
                    const auto item = el.is_string() ? percent_format(el.as_string()->get(), here) : std::nullopt;
                    if (!item) ok = false;
                    else items.push_back(*item);
                }
            } else if (const auto* str = n->as_string()) {
                // Alembic iterates over the str it is given: each character is a location.
                const auto whole = percent_format(str->get(), here);
                if (!whole) ok = false;
                else
                    for (char c : *whole) items.emplace_back(1, c);
            } else {
                ok = false;
            }
            if (!ok) { toml_fail(loc_line, "version_locations must be a list of strings, with no '%' but '%%' and '%(here)s'"); continue; }
            locations = items;
        }
        // Booleans: the ini's value exactly "true" in every version; the toml's (1.16+) a TOML
        // boolean, read from 1.16.4 on and "unsupported TOML value type" before.
        std::optional<std::string> bool_error;
        int bool_line = 0;
        auto boolean = [&](std::string_view key) {
            if (ini.has_option(sec.name, key)) {
                auto value = ini.get(sec.name, key, defaults);
                return std::holds_alternative<std::string>(value) && std::get<std::string>(value) == "true";
            }
            const toml::node* n = from_toml(key);
            if (!n) return false;
            if (!v.reads_toml_booleans() && !n->is_string()) {
                bool_line = toml_line(n);
                bool_error = fmt::format("{} = {} is a TOML value Alembic {} does not support (\"unsupported TOML value "
                                         "type\"; booleans are read from 1.16.4)",
                                         key, n->is_boolean() ? (n->as_boolean()->get() ? "true" : "false") : "...", v.text());
                return false;
            }
            if (v.reads_toml_booleans() && !n->is_boolean()) {
                bool_line = toml_line(n);
                bool_error = fmt::format("{} must be a TOML boolean (true or false): Alembic {} fails with \"boolean "
                                         "value expected\"",
                                         key, v.text());
                return false;
            }
            // Before 1.16.4 a TOML string is read as the ini's text: "true" turns it on.
            if (n->is_string()) return n->as_string()->get() == "true";
            return n->is_boolean() && n->as_boolean()->get();
        };
        env.sourceless = boolean("sourceless");
        env.recursive = v.reads_sub_directories() && boolean("recursive_version_locations");
        if (bool_error) { toml_fail(bool_line, *bool_error); continue; }
        // prepend_sys_path: split on path_separator from 1.16 when it is set, else
        // re.split(r", *|(?: +)|\:") as in every version since 1.8.
        auto psp = ini.get(sec.name, "prepend_sys_path", defaults);
        std::vector<std::string> roots;
        if (auto* value = std::get_if<std::string>(&psp)) {
            const Separator sep = v.reads_pyproject() && ini.has_option(sec.name, "path_separator")
                                      ? location_separator(ini, sec.name, v, defaults)
                                      : Separator{};
            if (sep.c) {
                roots = split_on(*value, sep.c, true);
            } else {
                std::string cur;
                for (char c : *value) {
                    if (c == ',' || c == ' ' || c == ':') {
                        roots.push_back(cur);
                        cur.clear();
                    } else {
                        cur += c;
                    }
                }
                roots.push_back(cur);
            }
        } else if (const toml::node* n = from_toml("prepend_sys_path"); n && n->as_array()) {
            for (const auto& el : *n->as_array())
                if (const auto* s = el.as_string())
                    if (auto item = percent_format(s->get(), here)) roots.push_back(*item);
        }
        for (const auto& r : roots)
            if (!r.empty())
                if (auto rel = normalize_path(join_path(dir, r))) env.module_roots.push_back(*rel);
        finish(std::move(env), dir, script_value, script_line, locations, loc_line);
    }
}

void Discovery::add_pyproject(const std::string& path) {
    if (merged_pyprojects_.count(path)) return;
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
    env.alembic = alembic_for(dir);
    const AlembicVersion& v = env.alembic.version;
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
                auto item = percent_format(el.as_string()->get(), here);
                if (!item) return bad(loc_line, "a version location has a '%' that is neither '%%' nor '%(here)s'");
                items.push_back(*item);
            }
        } else if (const auto* str = vl->as_string(); str && v.reads_pyproject()) {
            // Alembic iterates over the str it is given: each character is a location.
            auto whole = percent_format(str->get(), here);
            if (!whole) return bad(loc_line, "a version location has a '%' that is neither '%%' nor '%(here)s'");
            for (char c : *whole) items.emplace_back(1, c);
        } else {
            return bad(loc_line, "version_locations must be a list of strings in pyproject.toml");
        }
        locations = items;
    }
    for (const char* key : {"sourceless", "recursive_version_locations"}) {
        const toml::node* n = table->get(key);
        if (!n) continue;
        const int line = static_cast<int>(n->source().begin.line);
        // Before 1.16 Alembic does not read [tool.alembic] at all: nothing to fail on.
        if (!v.reads_pyproject()) continue;
        if (!v.reads_toml_booleans() && !n->is_string())
            return bad(line, fmt::format("{} is a TOML value Alembic {} does not support (\"unsupported TOML value "
                                         "type\"; booleans are read from 1.16.4)",
                                         key, v.text()));
        if (v.reads_toml_booleans() && !n->is_boolean())
            return bad(line, fmt::format("{} must be a TOML boolean (true or false): Alembic {} fails with \"boolean "
                                         "value expected\"",
                                         key, v.text()));
        // Before 1.16.4 a TOML string is read as the ini's text: "true" turns it on.
        const bool on = n->is_string() ? n->as_string()->get() == "true" : n->is_boolean() && n->as_boolean()->get();
        if (std::string_view(key) == "sourceless") env.sourceless = on;
        else env.recursive = on && v.reads_sub_directories();
    }
    if (const auto* psp = table->get("prepend_sys_path"); psp && psp->as_array())
        for (const auto& el : *psp->as_array())
            if (const auto* str = el.as_string())
                if (auto item = percent_format(str->get(), here); item && !item->empty())
                    if (auto rel = normalize_path(join_path(dir, *item))) env.module_roots.push_back(*rel);
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
        env.alembic = alembic_for(dir);
        env.version_locations = {versions};
        envs_.push_back(std::move(env));
    }
}

void Discovery::add_guard_config() {
    const std::string path(kGuardConfig);
    const std::string text = declarations_.read(path);
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
        if (key.str() == "alembic_version") {
            const int kline = static_cast<int>(value.source().begin.line);
            const auto v = value.is_string() ? parse_alembic_version(value.as_string()->get()) : std::nullopt;
            if (!v) return bad(kline, "alembic_version must be a string such as \"1.13\" or \"1.18.4\"");
            declared_ = choose_alembic(*v, std::string(path));
            continue;
        }
        if (key.str() != "environment")
            return bad(static_cast<int>(root.get(key.str())->source().begin.line),
                       fmt::format("unknown key '{}' (expected [[environment]] tables, python_version or "
                                   "alembic_version)",
                                   key.str()));
    }
    const auto* arr = root["environment"].as_array();
    if (!arr) return bad(1, "no [[environment]] table: declare each environment with name and version_locations");
    for (const auto& el : *arr) {
        const auto* t = el.as_table();
        const int line = static_cast<int>(el.source().begin.line);
        if (!t) return bad(line, "environment must be a table ([[environment]])");
        Environment env;
        env.config = path;
        env.alembic = alembic_for("");
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
                    auto norm = normalize_path(l.as_string()->get());
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

std::vector<Environment> Discovery::take() {
    const SourceTree& declarations = declarations_;
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
        if (e.alembic.declared)
            e.notes.push_back({e.alembic.from, 0, NoteKind::alembic_oldest, e.alembic.declared->text(), e.alembic.version.text()});
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

std::vector<Environment> discover_environments(const SourceTree& tree, const SourceTree* declarations,
                                               const std::optional<AlembicChoice>& alembic) {
    const SourceTree& decl = declarations ? *declarations : tree;
    Discovery d(tree, decl, alembic);
    if (decl.kind(kGuardConfig) == EntryKind::File) {
        d.add_guard_config();
        return d.take();
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
    return d.take();
}

std::vector<std::string> loaded_directories(const SourceTree& tree, const Environment& env) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    const bool walks = env.alembic.version.skips_what_it_cannot_load();  // 1.10+: os.walk
    // 1.10+ lists a location with os.walk(top_down): a directory, then each sub-directory
    // whole, by name, only with recursive_version_locations; a directory whose name ends with
    // "__pycache__" is not listed, but the walk goes on below it (even without recursion, to
    // the first directory it lists). os.walk never follows a symlinked directory.
    bool stop = false;
    std::function<void(const std::string&)> walk = [&](const std::string& dir) {
        const bool skipped = walks && std::string_view(dir).ends_with("__pycache__");
        if (!skipped) {
            if (seen.insert(dir).second) out.push_back(dir);
            if (!env.recursive || !walks) {
                stop = true;
                return;
            }
        }
        for (const auto& e : tree.list(dir)) {
            if (stop) return;
            if (e.kind == EntryKind::Directory) walk(join_path(dir, e.name));
        }
    };
    for (const auto& loc : env.version_locations) {
        if (tree.kind(loc) != EntryKind::Directory) continue;
        stop = false;
        walk(loc);
    }
    return out;
}

}  // namespace ag
