#include "alembic/module_references.hpp"

#include "alembic/compiled_files.hpp"
#include "python/python_module.hpp"
#include "python/value_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace ag {

namespace {

// Top-level modules already in sys.modules whenever Alembic loads a migration: Python takes
// them (and their submodules, from their own package) from there, never from the repository.
// Measured: the standard-library packages, Alembic and SQLAlchemy present under every one of
// Alembic 1.8.1, 1.13.2 and 1.18.4 on Python 3.11 at `alembic heads` (which runs no env.py),
// printed from a migration as sorted({m.split(".")[0] for m in sys.modules}).
constexpr std::string_view kPreloadedModules[] = {
    "__future__", "abc", "alembic", "argparse", "array", "ast", "asyncio", "atexit", "base64", "binascii", "bisect", "builtins", "bz2", "calendar", "codecs", "collections", "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg", "csv", "dataclasses", "datetime", "decimal", "dis", "email", "encodings", "enum", "errno", "fcntl", "fnmatch", "functools", "gc", "genericpath", "gettext", "hashlib", "heapq", "html", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword", "linecache", "locale", "logging", "lzma", "marshal", "math", "ntpath", "numbers", "opcode", "operator", "os", "pathlib", "pickle", "platform", "posix", "posixpath", "quopri", "random", "re", "reprlib", "runpy", "select", "selectors", "shlex", "shutil", "signal", "site", "socket", "sqlalchemy", "ssl", "stat", "string", "struct", "subprocess", "sys", "tempfile", "termios", "textwrap", "threading", "time", "timeit", "token", "tokenize", "traceback", "types", "typing", "urllib", "uuid", "warnings", "weakref", "zipfile", "zipimport", "zlib",
};
static_assert(std::is_sorted(std::begin(kPreloadedModules), std::end(kPreloadedModules)));

// The entries of `dir` named `stem` or `stem.*`, each as "name kind id" on a line; "-" when
// there is no such directory.
std::string entries_named(const SourceTree& tree, const std::string& dir, std::string_view stem) {
    if (tree.kind(dir) != EntryKind::Directory) return "-";
    std::string out;
    for (const auto& e : tree.list(dir)) {
        if (!(e.name == stem || (e.name.size() > stem.size() && e.name.substr(0, stem.size()) == stem &&
                                 e.name[stem.size()] == '.')))
            continue;
        out += fmt::format("{} {} {}\n", e.name, static_cast<int>(e.kind),
                           e.id ? e.id_hex() : tree.content_id(join_path(dir, e.name)).value_or(""));
    }
    return out;
}

constexpr std::string_view kEnvChangesPath = "the environment's env.py (which Alembic runs first) changes, or may change,";

// How many modules a value may pass through (cli.X = labels.Y = ...) before the guard stops.
constexpr int kMaxHops = 4;

struct LoadedModule {
    std::string path;  // repository-relative file, "" when not found
    // Compiled once, for its names and for the code it runs when imported or called.
    std::unique_ptr<PyCompiledModule> compiled;
    const PyModule* module = nullptr;  // compiled->names(), when found
    std::string looked_in;  // for messages: where it was looked for
    std::string unreadable;  // when Python would run something the guard cannot read: why
};

// Whether package `m` binds the name of its submodule `child` ("app.ids") to that submodule
// itself (`from . import ids`), so that the name is the submodule's file.
bool binds_submodule(const LoadedModule& m, const std::string& child) {
    if (!m.module) return false;
    const auto it = m.module->names.find(child.substr(child.rfind('.') + 1));
    if (it == m.module->names.end() || it->second.value.kind != PyValue::Kind::Reference || it->second.value.sequence)
        return false;
    const auto pieces = py::template_pieces(it->second.value.items.front());
    return pieces && pieces->size() == 1 && pieces->front().reference && pieces->front().text == child;
}

struct Resolved {
    bool ok = false;
    bool sequence = false;             // the name holds a tuple or list
    std::vector<std::string> strings;  // a str (one), a sequence of str, or None (none)
    std::string why;                   // when not ok
};

class Resolver {
public:
    // `env_py`: as resolve_module_references says.
    Resolver(const SourceTree& tree, const std::vector<std::string>& roots, py::PythonVersion python,
             std::string env_py, std::vector<ModuleDependency>& deps)
        : tree_(tree), roots_(roots), python_(python), env_py_(std::move(env_py)), deps_(deps) {}

    Resolved resolve_path(const std::string& dotted, int hops);
    Resolved resolve_template(const std::string& encoded, int hops);
    // Why a call of `dotted` at import cannot be proven to leave the caller alone, or nothing
    // (also when the module is no file of the repository: a library's code is beyond it).
    std::optional<std::string> check_call(const std::string& dotted);
    // Why importing `dotted` (its packages' __init__.py first, then the module) cannot be
    // proven to leave the importer's and other modules' names alone, or nothing.
    std::optional<std::string> check_import(const std::string& dotted);

    // Where sys.path may have changed before `dotted` is imported (`own`: by the importing code
    // itself; else by env.py, when it does or cannot be followed): why `dotted`, found in no
    // module root, may still be a file of the repository, from a directory the guard does not
    // search.
    std::optional<std::string> check_unrooted_import(const std::string& dotted, bool own);
    // Why handing `dotted` on as a value at import cannot be proven harmless: it is a module
    // or package of the repository (or may be), whose names whatever receives it can write.
    // `named`: the name the code used, where `dotted` is what it stands for.
    std::optional<std::string> check_escape(const std::string& dotted, int hops = 0, const std::string& named = {});

private:
    const LoadedModule& load(const std::string& module);
    // What the code reached leads to: its imports, calls and escaping values, checked in
    // turn. `reached`: how the code was reached, for messages ("it imports app.x (app/x.py)").
    std::optional<std::string> follow(const PyForeignCode& code, const std::string& reached);
    // The package a module's relative imports start from.
    static std::string package_of(const std::string& module, const LoadedModule& m) {
        if (m.path.ends_with("/__init__.py") || m.path == "__init__.py") return module;
        const auto dot = module.rfind('.');
        return dot == std::string::npos ? std::string() : module.substr(0, dot);
    }
    // The result depends on which entries of `dir` are named `stem` or `stem.*`, and on their
    // content, as they are now.
    void depend(const std::string& dir, const std::string& stem) {
        for (const auto& d : deps_)
            if (d.path == dir && d.stem == stem) return;
        deps_.push_back({dir, entries_named(tree_, dir, stem), stem});
    }

    const SourceTree& tree_;
    const std::vector<std::string>& roots_;
    py::PythonVersion python_;
    std::string env_py_;
    std::optional<bool> env_changes_sys_path_;  // read once, when first needed
    std::vector<ModuleDependency>& deps_;
    std::map<std::string, LoadedModule> modules_;
    // Verdicts on imports and calls, each reached once (a cycle reaches an import in progress:
    // nothing new to find there).
    std::map<std::string, std::optional<std::string>> imports_checked_;
    std::map<std::string, std::optional<std::string>> calls_checked_;
    std::optional<std::set<std::string>> repository_stems_;  // see check_unrooted_import
};

const LoadedModule& Resolver::load(const std::string& module) {
    if (auto it = modules_.find(module); it != modules_.end()) return it->second;
    LoadedModule out;
    // `pkg.sub` is the attribute `sub` of package pkg once pkg's __init__.py has run: where
    // that binds `sub` to anything but the submodule (a class, another module, an alias),
    // Python uses that binding, not the file pkg/sub.py. The file is looked for where Python
    // looks: the package's own directory (its __path__); every root's directory of that name
    // for a namespace package; nowhere under a plain module.
    std::optional<std::string> package_dir;
    if (const auto dot = module.rfind('.'); dot != std::string::npos) {
        const LoadedModule& package = load(module.substr(0, dot));
        const std::string child = module.substr(dot + 1);
        if (package.module && !package.path.ends_with("__init__.py")) {
            out.looked_in = fmt::format("{}, which is a module, not a package", package.path);
            return modules_.emplace(module, std::move(out)).first->second;
        }
        if (package.module) package_dir = parent_path(package.path);
        if (package.module && package.path.ends_with("__init__.py")) {
            // `from . import sub` (or `from pkg import sub`) in the package binds the submodule
            // itself: its file, read below.
            const auto it = package.module->names.find(child);
            if (it != package.module->names.end() && !binds_submodule(package, module)) {
                out.unreadable = fmt::format("{} (line {}) binds '{}', which Python then uses as {} instead of the "
                                             "submodule's file; the guard cannot tell which it is",
                                             package.path, it->second.line, child, module);
                return modules_.emplace(module, std::move(out)).first->second;
            }
        }
    }
    std::string rel = module;
    std::replace(rel.begin(), rel.end(), '.', '/');
    const std::string name = rel.substr(rel.rfind('/') + 1);
    // What Python's path finder takes for `stem` in `dir` (listed as `entries`): an extension
    // module first, then the source, then a sourceless .pyc. Returns whether it took one.
    auto take = [&](const std::string& dir, const Listing& entries, const std::string& stem) {
        for (const auto& e : entries) {
            if (is_extension_module_for(e.name, stem)) {
                out.unreadable = fmt::format("module '{}' is the compiled extension {}, which Python loads before "
                                             "any source; the guard cannot read it",
                                             module, join_path(dir, e.name));
                return true;
            }
        }
        for (const auto& e : entries) {
            if (e.name != stem + ".py") continue;
            const std::string path = join_path(dir, e.name);
            if (e.kind != EntryKind::File) {
                out.unreadable = fmt::format("module '{}' is {}, which is no regular file; the guard cannot read what "
                                             "Python would",
                                             module, path);
                return true;
            }
            // A hash-stamped copy in __pycache__ runs instead of the source.
            const std::string pycache_dir = join_path(dir, "__pycache__");
            depend(pycache_dir, stem);
            if (tree_.kind(pycache_dir) == EntryKind::Directory) {
                if (auto copy = hash_stamped_copy(tree_, pycache_dir, tree_.list(pycache_dir), e.name)) {
                    out.unreadable = fmt::format("module '{}' ({}) has a hash-stamped compiled copy committed beside it "
                                                 "(__pycache__/{}), which Python runs instead of the source; the guard "
                                                 "cannot read it: remove __pycache__ from the repository",
                                                 module, path, *copy);
                    return true;
                }
            }
            out.path = path;
            out.compiled = std::make_unique<PyCompiledModule>(tree_.read(path), python_, package_of(module, out));
            out.module = &out.compiled->names();
            return true;
        }
        for (const auto& e : entries) {
            if (e.name == stem + ".pyc") {
                out.unreadable = fmt::format("module '{}' is the compiled file {} without its source; the guard cannot "
                                             "read it",
                                             module, join_path(dir, e.name));
                return true;
            }
        }
        return false;
    };
    // Each root in import order; in a root a package (a directory with an __init__) wins over
    // a module of the same name, as Python's path finder has it.
    for (const auto& root : roots_) {
        const std::string dir = parent_path(join_path(root, rel));
        const std::string package = join_path(root, rel);
        if (package_dir && dir != *package_dir) continue;
        depend(dir, name);
        if (tree_.kind(dir) == EntryKind::Directory) {
            const Listing entries = tree_.list(dir);
            bool found = false;
            if (tree_.kind(package) == EntryKind::Directory) {
                depend(package, "__init__");
                found = take(package, tree_.list(package), "__init__");
            }
            if (!found) found = take(dir, entries, name);
            if (found) return modules_.emplace(module, std::move(out)).first->second;
        }
        if (!out.looked_in.empty()) out.looked_in += ", ";
        out.looked_in += root.empty() ? "the repository's top" : root;
    }
    return modules_.emplace(module, std::move(out)).first->second;
}

Resolved Resolver::resolve_path(const std::string& dotted, int hops) {
    Resolved r;
    const auto dot = dotted.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == dotted.size()) {
        r.why = fmt::format("'{}' does not name a module's attribute", dotted);
        return r;
    }
    const std::string module = dotted.substr(0, dot);
    const std::string name = dotted.substr(dot + 1);
    if (preloaded_module(module)) {
        // Python takes it from sys.modules, not from a file of the repository by that name.
        r.why = fmt::format("module '{}' is one Python has imported before any migration (the standard library's, "
                            "Alembic's or SQLAlchemy's), so the guard cannot read {}",
                            module, dotted);
        return r;
    }
    const LoadedModule& m = load(module);
    if (!m.module && !m.unreadable.empty()) {
        r.why = m.unreadable;
        return r;
    }
    if (!m.module) {
        r.why = fmt::format("module '{}' is not a file of the repository (looked in {}), so the guard cannot read {}",
                            module, m.looked_in, dotted);
        return r;
    }
    const PyModule& mod = *m.module;
    const auto* failed = mod.syntax_error ? &*mod.syntax_error : mod.import_error ? &*mod.import_error : nullptr;
    if (failed) {
        r.why = fmt::format("importing {} fails ({}, line {}: {})", module, m.path, failed->line, failed->message);
        return r;
    }
    if (mod.unprovable) {
        r.why = fmt::format("the guard cannot prove the names of {} ({}, line {}: {})", module, m.path, mod.unprovable->line,
                            mod.unprovable->message);
        return r;
    }
    const auto it = mod.names.find(name);
    if (it == mod.names.end()) {
        r.why = fmt::format("{} ({}) does not bind '{}': AttributeError when Alembic loads the migration", module, m.path,
                            name);
        return r;
    }
    const PyValue& v = it->second.value;
    // Any file run at import can change a list of another module in place, including a
    // migration Alembic loads before this one: only immutable values are proven.
    if (v.list) {
        r.why = fmt::format("{} ({}, line {}) is a list, which code run at import can change in place; make it a tuple",
                            dotted, m.path, it->second.line);
        return r;
    }
    switch (v.kind) {
    case PyValue::Kind::None: r.ok = true; return r;
    case PyValue::Kind::String:
        r.ok = true;
        r.strings = v.items;
        return r;
    case PyValue::Kind::Sequence:
        r.ok = true;
        r.sequence = true;
        r.strings = v.items;
        return r;
    case PyValue::Kind::Reference: {
        if (hops >= kMaxHops) {
            r.why = fmt::format("{} passes through more than {} modules", dotted, kMaxHops);
            return r;
        }
        if (!v.sequence) return resolve_template(v.items.front(), hops + 1);
        r.sequence = true;
        for (const auto& item : v.items) {
            Resolved one = resolve_template(item, hops + 1);
            if (!one.ok) return one;
            if (one.sequence || one.strings.size() != 1) {
                r.why = fmt::format("an item of {} is not a str", dotted);
                return r;
            }
            r.strings.push_back(one.strings.front());
        }
        r.ok = true;
        return r;
    }
    case PyValue::Kind::NonString:
    case PyValue::Kind::Computed:
        r.why = fmt::format("{} ({}, line {}) is {}", dotted, m.path, it->second.line, v.why.view());
        return r;
    }
    return r;
}

Resolved Resolver::resolve_template(const std::string& encoded, int hops) {
    Resolved r;
    const auto pieces = py::template_pieces(encoded);
    if (!pieces) {
        r.why = "a value the guard wrote itself cannot be read back";
        return r;
    }
    if (pieces->size() == 1 && pieces->front().reference) return resolve_path(pieces->front().text, hops);
    // A concatenation: every part must be a str.
    std::string text;
    for (const auto& p : *pieces) {
        if (!p.reference) {
            text += p.text;
            continue;
        }
        Resolved part = resolve_path(p.text, hops);
        if (!part.ok) return part;
        if (part.sequence || part.strings.size() != 1) {
            r.why = fmt::format("{} is not a str, so joining it to a str raises TypeError", p.text);
            return r;
        }
        text += part.strings.front();
    }
    r.ok = true;
    r.strings.push_back(std::move(text));
    return r;
}

std::optional<std::string> Resolver::check_call(const std::string& dotted) {
    if (auto it = calls_checked_.find(dotted); it != calls_checked_.end()) return it->second;
    calls_checked_.emplace(dotted, std::nullopt);
    auto verdict = [&]() -> std::optional<std::string> {
        if (dotted.find('.') == std::string::npos || preloaded_module(dotted)) return std::nullopt;
        // The module is the longest prefix that is one ("app.ids" of "app.ids.Binder.bind"); the
        // name after it is what the module defines, and a class is followed with all its methods.
        size_t dot = dotted.rfind('.');
        while (dot != std::string::npos && dot > 0) {
            const std::string module = dotted.substr(0, dot);
            // Calling a name of a module imports it first.
            if (auto why = check_import(module)) return why;
            const LoadedModule& m = load(module);
            if (!m.unreadable.empty()) return fmt::format("it calls {}: {}", dotted, m.unreadable);
            if (m.module) break;
            dot = dotted.rfind('.', dot - 1);
        }
        if (dot == std::string::npos || dot == 0) return std::nullopt;  // a library's
        const std::string module = dotted.substr(0, dot);
        const LoadedModule& m = load(module);
        const auto end = dotted.find('.', dot + 1);
        const std::string name = dotted.substr(dot + 1, end == std::string::npos ? std::string::npos : end - dot - 1);
        const PyForeignCode code = m.compiled->check_call(name, package_of(module, m));
        if (code.problem)
            return fmt::format("it calls {}, and that code of the repository ({}, line {}) may change names the guard "
                               "reads: {}",
                               dotted, m.path, code.problem->line, code.problem->message);
        return follow(code, fmt::format("it calls {} ({})", dotted, m.path));
    }();
    return calls_checked_[dotted] = std::move(verdict);
}

std::optional<std::string> Resolver::check_import(const std::string& dotted) {
    if (preloaded_module(dotted)) return std::nullopt;
    if (auto it = imports_checked_.find(dotted); it != imports_checked_.end()) return it->second;
    imports_checked_.emplace(dotted, std::nullopt);
    auto verdict = [&]() -> std::optional<std::string> {
        // Python runs the packages' __init__.py first, outermost first.
        if (const auto dot = dotted.rfind('.'); dot != std::string::npos)
            if (auto why = check_import(dotted.substr(0, dot))) return why;
        const LoadedModule& m = load(dotted);
        if (!m.module && !m.unreadable.empty()) return fmt::format("it imports {}: {}", dotted, m.unreadable);
        if (!m.module) return std::nullopt;  // a library's, or a name in its package
        const PyModule& mod = *m.module;
        if (const auto* failed = mod.syntax_error ? &*mod.syntax_error : mod.import_error ? &*mod.import_error : nullptr)
            return fmt::format("it imports {}, which fails ({}, line {}: {})", dotted, m.path, failed->line,
                               failed->message);
        const PyForeignCode code = m.compiled->check_import(package_of(dotted, m));
        if (code.problem)
            return fmt::format("it imports {}, whose code run at import ({}, line {}) may change names the guard reads: {}",
                               dotted, m.path, code.problem->line, code.problem->message);
        return follow(code, fmt::format("it imports {} ({})", dotted, m.path));
    }();
    return imports_checked_[dotted] = std::move(verdict);
}

std::optional<std::string> Resolver::check_unrooted_import(const std::string& dotted, bool own) {
    if (preloaded_module(dotted)) return std::nullopt;
    const std::string top = dotted.substr(0, dotted.find('.'));
    const LoadedModule& rooted = load(top);
    if (rooted.module || !rooted.unreadable.empty()) return std::nullopt;  // found where Python looks first
    if (!own && !env_changes_sys_path_) {
        // Alembic runs env.py before it loads the migrations (for `upgrade`).
        env_changes_sys_path_ = false;
        if (!env_py_.empty() && tree_.kind(env_py_) == EntryKind::File) {
            const PyModule env = read_python_module(tree_.read(env_py_), python_);
            env_changes_sys_path_ = env.syntax_error || env.unprovable || changes_sys_path(env.calls);
        }
    }
    if (!own && !*env_changes_sys_path_) return std::nullopt;
    if (!repository_stems_) {
        // Every name a directory or module file of the repository could be imported by.
        repository_stems_.emplace();
        tree_.walk_files([&](std::string_view dir, std::string_view name) {
            repository_stems_->insert(std::string(name.substr(0, name.find('.'))));
            for (std::string_view rest = dir; !rest.empty();) {
                const auto slash = rest.rfind('/');
                repository_stems_->insert(std::string(slash == std::string_view::npos ? rest : rest.substr(slash + 1)));
                rest = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
            }
        });
        deps_.push_back({"", tree_.content_id("").value_or(""), ""});
    }
    if (!repository_stems_->count(top)) return std::nullopt;  // a library's
    return fmt::format("{} sys.path before it imports {}, which may then be a file or package '{}' of the repository "
                       "outside the module roots the guard reads ({}); import it from a module root, or leave sys.path "
                       "alone",
                       own ? std::string_view("it changes") : kEnvChangesPath, dotted, top, rooted.looked_in);
}

std::optional<std::string> Resolver::check_escape(const std::string& dotted, int hops, const std::string& named) {
    if (preloaded_module(dotted)) return std::nullopt;
    const std::string& used = named.empty() ? dotted : named;
    const auto refuse = [&](const std::string& what) {
        return fmt::format("hands the module {} ({}{}) on as a value, and whatever receives it can change the names "
                           "other files read from it; use its names where they are needed ({}.NAME), not the module "
                           "itself",
                           used, named.empty() ? "" : dotted + ", ", what, used.substr(used.rfind('.') + 1));
    };
    // A directory without __init__.py in a module root is a namespace package: a module object
    // too (load() has made the result depend on the root's entries of that name).
    const auto namespace_package = [&](const std::string& module) -> std::string {
        std::string rel = module;
        std::replace(rel.begin(), rel.end(), '.', '/');
        for (const auto& root : roots_)
            if (tree_.kind(join_path(root, rel)) == EntryKind::Directory) return join_path(root, rel) + "/";
        return {};
    };
    // Walk the dotted name as Python does: each part an attribute of the module before it (a
    // name it binds first; a submodule of a package else), until the value is no module.
    size_t end = dotted.find('.');
    std::string current = dotted.substr(0, end);
    const LoadedModule* m = &load(current);
    std::string where;
    while (true) {
        if (!m->module && !m->unreadable.empty()) return refuse(m->unreadable);
        if (m->module) where = m->path;
        else if (std::string dir = namespace_package(current); !dir.empty()) where = dir + ", a namespace package";
        else return std::nullopt;  // a library's module, or no module at all
        if (end == std::string::npos) return refuse(where);
        const size_t next = dotted.find('.', end + 1);
        const std::string name = dotted.substr(end + 1, next == std::string::npos ? std::string::npos : next - end - 1);
        const std::string rest = next == std::string::npos ? std::string() : dotted.substr(next);
        const std::string child = current + "." + name;
        if (m->module) {
            if (const auto it = m->module->names.find(name); it != m->module->names.end() && !binds_submodule(*m, child)) {
                const PyValue& v = it->second.value;
                std::string target = v.module;
                if (v.kind == PyValue::Kind::Reference && !v.sequence) {
                    const auto pieces = py::template_pieces(v.items.front());
                    if (pieces && pieces->size() == 1 && pieces->front().reference) target = pieces->front().text;
                }
                if (target.empty() && v.may_be_module)
                    return refuse(fmt::format("{} binds '{}' (line {}) to what may be a module, in a way the guard "
                                              "cannot follow",
                                              m->path, name, it->second.line));
                if (target.empty()) return std::nullopt;  // a str, a class, a function: no module
                if (hops >= kMaxHops)
                    return refuse(fmt::format("{} passes through more than {} modules", dotted, kMaxHops));
                return check_escape(target + rest, hops + 1, used);
            }
            if (!m->path.ends_with("__init__.py")) return std::nullopt;  // AttributeError when it runs
        }
        current = child;
        m = &load(current);
        end = next;
    }
}

std::optional<std::string> Resolver::follow(const PyForeignCode& code, const std::string& reached) {
    const bool own = changes_sys_path(code.calls);
    for (const auto& i : code.imports) {
        if (auto why = check_import(i)) return why;
        if (auto why = check_unrooted_import(i, own)) return why;
    }
    for (const auto& c : code.calls)
        if (auto why = check_call(c)) return why;
    for (const auto& e : code.escapes)
        if (auto why = check_escape(e)) return fmt::format("{}, whose code run at import {}", reached, *why);
    return std::nullopt;
}

}  // namespace

bool changes_sys_path(const std::vector<std::string>& calls) {
    return std::any_of(calls.begin(), calls.end(), [](const std::string& c) {
        return c.starts_with("sys.path.") || c == "site.addsitedir" || c == "site.addpackage";
    });
}

bool preloaded_module(std::string_view dotted) {
    const std::string_view top = dotted.substr(0, dotted.find('.'));
    return std::binary_search(std::begin(kPreloadedModules), std::end(kPreloadedModules), top);
}

void resolve_module_references(const SourceTree& tree, const std::vector<std::string>& roots, py::PythonVersion python,
                               const std::string& env_py, std::vector<Migration>& migrations,
                               std::vector<ModuleDependency>& dependencies) {
    Resolver resolver(tree, roots, python, env_py, dependencies);
    for (Migration& m : migrations) {
        const bool own = changes_sys_path(m.calls);
        for (const std::string& module : m.imports) {
            if (m.error) break;
            auto why = resolver.check_import(module);
            if (!why) why = resolver.check_unrooted_import(module, own);
            if (why) {
                m.error = fmt::format("the guard cannot prove what Alembic reads from it: {}", *why);
                m.error_line = 1;
            }
        }
        for (const std::string& call : m.calls) {
            if (m.error) break;
            if (auto why = resolver.check_call(call)) {
                m.error = fmt::format("the guard cannot prove what Alembic reads from it: {}", *why);
                m.error_line = 1;
            }
        }
        for (const std::string& escape : m.escapes) {
            if (m.error) break;
            if (auto why = resolver.check_escape(escape)) {
                m.error = fmt::format("the guard cannot prove what Alembic reads from it: code that runs at import {}", *why);
                m.error_line = 1;
            }
        }
        for (const MigrationReference& ref : m.references) {
            std::vector<std::string> values;
            std::optional<std::string> failure;
            bool is_none = false;
            if (ref.sequence) {
                for (const auto& item : ref.items) {
                    Resolved one = resolver.resolve_template(item, 0);
                    if (!one.ok) { failure = one.why; break; }
                    if (one.sequence || one.strings.size() != 1) {
                        failure = fmt::format("{} is not a str", py::describe_template(item));
                        break;
                    }
                    values.push_back(one.strings.front());
                }
            } else {
                Resolved one = resolver.resolve_template(ref.items.front(), 0);
                if (!one.ok) failure = one.why;
                else {
                    values = one.strings;
                    is_none = !one.sequence && values.empty();
                    if (ref.field == "revision" && (one.sequence || values.size() != 1))
                        failure = fmt::format("revision must be a str, but {} is not",
                                              py::describe_template(ref.items.front()));
                }
            }
            if (failure) {
                if (!m.error) {
                    m.error = fmt::format("{} = {} cannot be known: {}; write it as a literal", ref.field,
                                          ref.sequence ? "(...)" : py::describe_template(ref.items.front()), *failure);
                    m.error_line = ref.line;
                }
                continue;
            }
            if (ref.field == "revision") {
                m.revision = values.front();
            } else if (ref.field == "down_revision") {
                // '' alone counted as a base before Alembic 1.12.1 (as a literal does).
                if (values.size() == 1 && values.front().empty() && !ref.sequence) m.empty_parent = true;
                else if (!is_none) m.down_revisions = values;
            } else if (ref.field == "branch_labels") {
                m.branch_labels = values;
            } else if (ref.field == "depends_on") {
                m.depends_on = values;
                if (m.depends_on.size() == 1 && m.depends_on.front().empty()) m.depends_on.clear();
            }
        }
    }
}

bool dependencies_hold(const SourceTree& tree, const std::vector<ModuleDependency>& dependencies) {
    for (const auto& d : dependencies) {
        if (!d.stem.empty()) {
            if (entries_named(tree, d.path, d.stem) != d.id) return false;
            continue;
        }
        if (d.id == "-") {
            if (tree.kind(d.path)) return false;
            continue;
        }
        if (!tree.kind(d.path) || tree.content_id(d.path).value_or("") != d.id) return false;
    }
    return true;
}

}  // namespace ag
