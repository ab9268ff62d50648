#include "alembic/migration.hpp"

#include "python/python_module.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ag {

namespace {

bool legacy_revision_name(std::string_view name, std::string* out) {
    // Alembic: re.match(r"([a-f0-9]+)\.py$", filename) — the whole stem must be lowercase hex.
    if (name.size() <= 3 || name.substr(name.size() - 3) != ".py") return false;
    const auto stem = name.substr(0, name.size() - 3);
    for (char c : stem)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    *out = std::string(stem);
    return true;
}

std::string describe_value(const PyValue& v) {
    const std::string_view why = v.why.view();
    if (v.text.empty()) return std::string(why);
    // why reads "it refers to ...", "it is a call...", or "a call, evaluated ...".
    if (why.substr(0, 3) == "it ") return fmt::format("'{}' {}", v.text, why.substr(3));
    return fmt::format("'{}' is {}", v.text, why);
}

void set_error(Migration& m, int line, std::string message) {
    if (m.error) return;
    m.error = std::move(message);
    m.error_line = line;
}

// branch_labels / depends_on: None or missing → empty; a str → one; a sequence → its items.
std::vector<std::string> optional_strings(Migration& m, const PyModule& mod, std::string_view name) {
    auto it = mod.names.find(name);
    if (it == mod.names.end()) return {};
    const PyValue& v = it->second.value;
    switch (v.kind) {
    case PyValue::Kind::None: return {};
    case PyValue::Kind::String: return v.items;
    case PyValue::Kind::Sequence:
        // Alembic keeps a nested label as a tuple (unlike a nested dependency): not a str.
        if (v.nested && name == "branch_labels") {
            set_error(m, it->second.line, "branch_labels holds a sequence inside a sequence: each label must be a str");
            return {};
        }
        return v.items;
    case PyValue::Kind::Reference: return {};
    case PyValue::Kind::NonString:
    case PyValue::Kind::Computed:
        // Alembic may fail on it (KeyError, TypeError), and a label the guard cannot see can
        // hide a clash: what cannot be proven is refused.
        set_error(m, it->second.line,
                  fmt::format("{} = {} cannot be known ({}): Alembic may fail on it, and the guard cannot check it; "
                              "write it as None, a string or a tuple of strings",
                              name, v.text.empty() ? "..." : v.text, v.why.view()));
        return {};
    }
    return {};
}

}  // namespace

std::string refused_id_characters(std::string_view id, const AlembicVersion& version) {
    std::string out;
    for (char bad : std::string_view("+-:@"))  // sorted, as RevisionError names them
        if ((bad != ':' || version.refuses_colon_in_ids()) && id.find(bad) != std::string_view::npos) out += bad;
    return out;
}

void apply_version_rules(Migration& m, const AlembicVersion& version) {
    if (m.empty_parent && version.empty_parent_is_missing() && m.down_revisions.empty()) m.down_revisions = {""};
    if (m.error || m.revision.empty()) return;
    // Revision() checks for a loop on itself before the characters: the graph reports that.
    const auto names_itself = [&](const std::vector<std::string>& ids) {
        return std::find(ids.begin(), ids.end(), m.revision) != ids.end();
    };
    if (names_itself(m.down_revisions) || names_itself(m.depends_on)) return;
    if (!refused_id_characters(m.revision, version).empty()) {
        m.error = version.text();
        m.error_line = m.revision_line;
        m.invalid_id = true;
    }
}

bool is_migration_file_name(std::string_view name) {
    // Alembic: re.match(r"(?!\.\#|__init__)(.*\.py)$", name): '.' stops at a newline, and
    // '$' also matches before a final one.
    if (name.substr(0, 2) == ".#" || name.substr(0, 8) == "__init__") return false;
    if (name.ends_with('\n')) name.remove_suffix(1);
    return name.size() >= 3 && name.substr(name.size() - 3) == ".py" && name.find('\n') == std::string_view::npos;
}

std::optional<std::string> unloadable_name(std::string_view name) {
    if (name.ends_with('\n'))
        return "is named with a final newline: Alembic matches the name and then fails to load it "
               "(UnboundLocalError); rename it";
    if (name == ".py") return "is named '.py': Alembic matches the name and then fails to load it; rename it";
    return std::nullopt;
}

Migration read_migration(std::string path, std::string_view bytes, py::PythonVersion python) {
    Migration m;
    m.path = std::move(path);
    m.python = python;
    const auto name = base_name(m.path);
    if (bytes.substr(0, 40) == "version https://git-lfs.github.com/spec/") {
        set_error(m, 1, "is a Git LFS pointer, not the migration itself (Alembic fails with SyntaxError on a checkout "
                        "without the LFS object)");
        return m;
    }
    PyModule mod = read_python_module(bytes, python);
    if (mod.syntax_error) {
        set_error(m, mod.syntax_error->line,
                  fmt::format("Python {} cannot compile it: {} (line {}), so Alembic fails to load it", python.text(),
                              mod.syntax_error->message, mod.syntax_error->line));
    }
    if (mod.unprovable) {
        set_error(m, mod.unprovable->line,
                  fmt::format("the guard cannot prove what Alembic reads from it: {} (line {}); write revision, "
                              "down_revision, branch_labels and depends_on as plain assignments of literals",
                              mod.unprovable->message, mod.unprovable->line));
    }
    if (mod.import_error) {
        set_error(m, mod.import_error->line,
                  fmt::format("importing it fails: {} (line {}), so Alembic fails to load it", mod.import_error->message,
                              mod.import_error->line));
    }
    m.calls = std::move(mod.calls);
    m.imports = std::move(mod.imports);
    m.escapes = std::move(mod.escapes);
    // Fields naming the repository's own modules are resolved once the tree is at hand.
    for (std::string_view field : alembic_module_names()) {
        auto it = mod.names.find(field);
        if (it == mod.names.end() || it->second.value.kind != PyValue::Kind::Reference) continue;
        m.references.push_back({std::string(field), it->second.value.items, it->second.value.sequence, it->second.line});
        if (field == "revision") m.revision_line = it->second.line;
        if (field == "down_revision") m.down_revision_line = it->second.line;
        mod.names.erase(field);
    }
    const auto referenced = [&](std::string_view field) {
        return std::any_of(m.references.begin(), m.references.end(), [&](const MigrationReference& r) { return r.field == field; });
    };
    // revision
    if (referenced("revision")) {
    } else if (auto it = mod.names.find("revision"); it != mod.names.end()) {
        PyValue& v = it->second.value;
        m.revision_line = it->second.line;
        if (v.kind == PyValue::Kind::String) {
            m.revision = std::move(v.items.front());
        } else if (v.kind == PyValue::Kind::Computed) {
            set_error(m, m.revision_line,
                      fmt::format("revision is computed when the module is imported ({}): the guard cannot know it, so "
                                  "the graph cannot be known; write it as a string literal",
                                  describe_value(v)));
        } else {
            set_error(m, m.revision_line,
                      fmt::format("revision must be a string, but {}", v.kind == PyValue::Kind::None ? "it is None"
                                  : v.kind == PyValue::Kind::Sequence ? "it is a tuple or list" : "it is " + std::string(v.why.view())));
        }
    } else if (!legacy_revision_name(name, &m.revision)) {
        set_error(m, 1,
                  "has no module-level `revision` and its name is not the legacy `<hex>.py` form: Alembic fails with "
                  "\"Could not determine revision id from filename\"");
    }
    // down_revision
    if (referenced("down_revision")) {
    } else if (auto it = mod.names.find("down_revision"); it != mod.names.end()) {
        PyValue& v = it->second.value;
        m.down_revision_line = it->second.line;
        switch (v.kind) {
        case PyValue::Kind::None: break;
        case PyValue::Kind::String:
            // '' counted as a base before Alembic 1.12.1 (tuple_rev_as_scalar).
            if (!v.items.front().empty()) m.down_revisions = std::move(v.items);
            else m.empty_parent = true;
            break;
        case PyValue::Kind::Sequence: m.down_revisions = std::move(v.items); break;
        case PyValue::Kind::Computed:
            set_error(m, m.down_revision_line,
                      fmt::format("down_revision is computed when the module is imported ({}): the guard cannot know "
                                  "it, so the graph cannot be known; write it as a string literal or a tuple of them",
                                  describe_value(v)));
            break;
        case PyValue::Kind::NonString:
            set_error(m, m.down_revision_line,
                      fmt::format("down_revision must be None, a string or a tuple of strings, but it is {}", v.why.view()));
            break;
        case PyValue::Kind::Reference: break;
        }
    } else {
        set_error(m, 1, "has no module-level `down_revision`: Alembic fails with AttributeError when it loads it");
    }
    m.branch_labels = optional_strings(m, mod, "branch_labels");
    m.depends_on = optional_strings(m, mod, "depends_on");
    // Alembic drops a lone '' dependency (tuple_rev_as_scalar then a falsy check).
    if (m.depends_on.size() == 1 && m.depends_on.front().empty()) m.depends_on.clear();
    return m;
}

Migration unloadable_migration(std::string path, std::string why) {
    Migration m;
    m.path = std::move(path);
    m.error = std::move(why);
    return m;
}

std::string not_a_file_reason(EntryKind kind) {
    switch (kind) {
    case EntryKind::Directory: return "is a directory named like a migration: Alembic fails on it (IsADirectoryError)";
    case EntryKind::Submodule:
        return "is a git submodule named like a migration: Alembic fails on it on a checkout (IsADirectoryError)";
    case EntryKind::Symlink:
        return "is a symbolic link: what Alembic loads depends on the deploy host's file system (a dangling link "
               "fails with ImportError); commit the migration itself";
    default: return "is not a regular file: Alembic cannot load it";
    }
}

}  // namespace ag
