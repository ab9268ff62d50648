#include "module_references.hpp"

#include "python/python_module.hpp"
#include "python/value_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

namespace ag {

namespace {

// How many modules a value may pass through (cli.X = labels.Y = ...) before the guard stops.
constexpr int kMaxHops = 4;

struct LoadedModule {
    std::string path;  // repository-relative file, "" when not found
    std::optional<PyModule> module;
    std::string looked_in;  // for messages: where it was looked for
};

struct Resolved {
    bool ok = false;
    bool sequence = false;             // the name holds a tuple or list
    std::vector<std::string> strings;  // a str (one), a sequence of str, or None (none)
    std::string why;                   // when not ok
};

class Resolver {
public:
    Resolver(const SourceTree& tree, const std::vector<std::string>& roots, std::vector<ModuleDependency>& deps)
        : tree_(tree), roots_(roots), deps_(deps) {}

    Resolved resolve_path(const std::string& dotted, int hops);
    Resolved resolve_template(const std::string& encoded, int hops);
    // Why a call of `dotted` at import cannot be proven to leave the caller alone, or nothing
    // (also when the module is no file of the repository: a library's code is beyond it).
    std::optional<std::string> check_call(const std::string& dotted);

private:
    const LoadedModule& load(const std::string& module);
    void depend(const std::string& path, bool present) {
        for (const auto& d : deps_)
            if (d.path == path) return;
        deps_.push_back({path, present ? tree_.content_id(path).value_or("") : "-"});
    }

    const SourceTree& tree_;
    const std::vector<std::string>& roots_;
    std::vector<ModuleDependency>& deps_;
    std::map<std::string, LoadedModule> modules_;
};

const LoadedModule& Resolver::load(const std::string& module) {
    if (auto it = modules_.find(module); it != modules_.end()) return it->second;
    LoadedModule out;
    std::string rel = module;
    std::replace(rel.begin(), rel.end(), '.', '/');
    // Each root in import order; in a root a package (a directory with __init__.py) wins
    // over a module file of the same name, as Python's path finder has it.
    for (const auto& root : roots_) {
        for (const std::string& candidate : {join_path(join_path(root, rel), "__init__.py"), join_path(root, rel + ".py")}) {
            const bool present = tree_.kind(candidate) == EntryKind::File;
            depend(candidate, present);
            if (!present) continue;
            out.path = candidate;
            out.module = read_python_module(tree_.read(candidate));
            return modules_.emplace(module, std::move(out)).first->second;
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
    const LoadedModule& m = load(module);
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
    const auto dot = dotted.rfind('.');
    if (dot == std::string::npos || dot == 0) return std::nullopt;
    const std::string module = dotted.substr(0, dot);
    const LoadedModule& m = load(module);
    if (!m.module) return std::nullopt;
    if (auto problem = check_called_function(tree_.read(m.path), dotted.substr(dot + 1)))
        return fmt::format("it calls {} when it is imported, and that code of the repository ({}, line {}) may change "
                           "the migration's names: {}",
                           dotted, m.path, problem->line, problem->message);
    return std::nullopt;
}

}  // namespace

void resolve_module_references(const SourceTree& tree, const std::vector<std::string>& roots,
                               std::vector<Migration>& migrations, std::vector<ModuleDependency>& dependencies) {
    Resolver resolver(tree, roots, dependencies);
    for (Migration& m : migrations) {
        for (const std::string& call : m.calls) {
            if (m.error) break;
            if (auto why = resolver.check_call(call)) {
                m.error = fmt::format("the guard cannot prove what Alembic reads from it: {}", *why);
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
                if (auto bad = invalid_revision_id(m.revision); bad && !m.error) {
                    m.error = *bad;
                    m.error_line = ref.line;
                }
            } else if (ref.field == "down_revision") {
                // '' alone counted as a base before Alembic 1.12.1 (as a literal does).
                if (!(is_none || (values.size() == 1 && values.front().empty() && !ref.sequence))) m.down_revisions = values;
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
        if (d.id == "-") {
            if (tree.kind(d.path)) return false;
            continue;
        }
        if (tree.kind(d.path) != EntryKind::File || tree.content_id(d.path).value_or("") != d.id) return false;
    }
    return true;
}

}  // namespace ag
