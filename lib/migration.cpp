#include "migration.hpp"

#include "python_module.hpp"

#include <fmt/format.h>

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
    case PyValue::Kind::Sequence: return v.items;
    case PyValue::Kind::NonString:
    case PyValue::Kind::Computed:
        m.notes.push_back({m.path, it->second.line,
                           fmt::format("{} = {} is not a literal ({}); heads and duplicates are computed without it",
                                       name, v.text.empty() ? "..." : v.text, v.why.view())});
        return {};
    }
    return {};
}

}  // namespace

bool is_migration_file_name(std::string_view name) {
    if (name.size() < 3 || name.substr(name.size() - 3) != ".py") return false;
    if (name.substr(0, 2) == ".#" || name.substr(0, 8) == "__init__") return false;
    return name.find('\n') == std::string_view::npos;
}

Migration read_migration(std::string path, std::string_view bytes) {
    Migration m;
    m.path = std::move(path);
    const auto name = base_name(m.path);
    if (bytes.substr(0, 40) == "version https://git-lfs.github.com/spec/") {
        set_error(m, 1, "is a Git LFS pointer, not the migration itself (Alembic fails with SyntaxError on a checkout "
                        "without the LFS object)");
        return m;
    }
    PyModule mod = read_python_module(bytes);
    if (mod.syntax_error) {
        set_error(m, mod.syntax_error->line,
                  fmt::format("Python 3 cannot compile it: {} (line {}), so Alembic fails to load it",
                              mod.syntax_error->message, mod.syntax_error->line));
    }
    // revision
    if (auto it = mod.names.find("revision"); it != mod.names.end()) {
        PyValue& v = it->second.value;
        m.revision_line = it->second.line;
        if (v.kind == PyValue::Kind::String) {
            m.revision = std::move(v.items.front());
            for (char bad : std::string_view("@-+")) {
                if (m.revision.find(bad) != std::string::npos) {
                    set_error(m, m.revision_line,
                              fmt::format("revision '{}' contains '{}', which Alembic does not allow in a revision ID",
                                          m.revision, bad));
                    break;
                }
            }
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
    if (auto it = mod.names.find("down_revision"); it != mod.names.end()) {
        PyValue& v = it->second.value;
        m.down_revision_line = it->second.line;
        switch (v.kind) {
        case PyValue::Kind::None: break;
        case PyValue::Kind::String:
            // '' counted as a base before Alembic 1.12.1 (tuple_rev_as_scalar).
            if (!v.items.front().empty()) m.down_revisions = std::move(v.items);
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

Migration unloadable_migration(std::string path, EntryKind kind) {
    Migration m;
    m.path = std::move(path);
    switch (kind) {
    case EntryKind::Directory:
        m.error = "is a directory named like a migration: Alembic fails on it (IsADirectoryError)";
        break;
    case EntryKind::Submodule:
        m.error = "is a git submodule named like a migration: Alembic fails on it on a checkout (IsADirectoryError)";
        break;
    case EntryKind::Symlink:
        m.error = "is a symbolic link: what Alembic loads depends on the deploy host's file system (a dangling link "
                  "fails with ImportError); commit the migration itself";
        break;
    default: m.error = "is not a regular file: Alembic cannot load it"; break;
    }
    m.error_line = 0;
    return m;
}

}  // namespace ag
