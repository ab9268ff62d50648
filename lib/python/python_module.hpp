#pragma once
// A Python module's source read the way CPython compiles it and the way its module-level
// code binds names, without executing anything: the first error that would make `import`
// fail at compile time, the module's final names with their values where the guard can
// prove them, and what it cannot prove.
#include "python/python_version.hpp"
#include "python/reason.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag {

struct PyValue {
    enum class Kind {
        None,       // None
        String,     // 'x' (items[0])
        Sequence,   // tuple or list of strings (items)
        NonString,  // a value that is not a str/None/sequence of str (number, bool, bytes, a nested sequence...)
        Computed,   // known only by running code: a call, attribute, f-string, import, ...
        Reference,  // strings made of literals and names of other modules (items: encoded
                    // templates, python/value_template.hpp), known once those are read
    };
    Kind kind = Kind::Computed;
    std::vector<std::string> items;
    std::string text;  // the expression as written (shortened), for messages
    Reason why;        // for NonString/Computed: what it is, in words
    bool bytes = false;     // a bytes literal (b'004'), which Alembic keeps distinct from '004'
    bool sequence = false;  // Reference: written as a tuple or list
    bool list = false;      // Sequence or Reference: a list, which code can change in place
    bool nested = false;    // Sequence: the one sequence of str inside a one-item sequence
    // Computed: bound by an import, so perhaps a module object; `module` is the module's
    // dotted name where the import surely bound it (`import a.b as c`), else "".
    bool may_be_module = false;
    std::string module;
};

struct PyBinding {
    PyValue value;
    int line = 0;  // line of the statement that made the binding
};

struct PySyntaxError {
    int line = 0;
    std::string message;
};

// Module-level names and their bindings, in the order each name was first bound.
class PyNames {
public:
    using value_type = std::pair<std::string, PyBinding>;
    using iterator = std::vector<value_type>::iterator;
    using const_iterator = std::vector<value_type>::const_iterator;

    iterator find(std::string_view name);
    const_iterator find(std::string_view name) const;
    // Throws std::out_of_range when `name` is not bound.
    const PyBinding& at(std::string_view name) const;
    size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
    PyBinding& slot(std::string_view name);
    void erase(std::string_view name);

    iterator begin() { return entries_.begin(); }
    iterator end() { return entries_.end(); }
    const_iterator begin() const { return entries_.begin(); }
    const_iterator end() const { return entries_.end(); }
    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

private:
    std::vector<value_type> entries_;
};

struct PyModule {
    // Module-level names and their final values; a name `del`eted at the end is absent.
    PyNames names;
    // The first error that would stop CPython from compiling the file.
    std::optional<PySyntaxError> syntax_error;
    // Code that runs at import and that the guard cannot follow (a write to the module's
    // namespace it cannot see, an encoding it cannot decode): the names cannot be proven.
    std::optional<PySyntaxError> unprovable;
    // A failure the import certainly meets once compiled (NameError, a raise at module level).
    std::optional<PySyntaxError> import_error;
    // Names of other modules called at import ("app.ids.bind"): see check_called_function.
    std::vector<std::string> calls;
    // Modules imported at import ("app.ids", and "app.ids.bind" which may be a submodule):
    // see check_imported_module.
    std::vector<std::string> imports;
    // Imported names handed on as values at import ("app.labels" for `f(labels)`): a module
    // of the repository among them can have its names written by what receives it.
    std::vector<std::string> escapes;
};

// The names whose values must be exact; binding them any other way is unprovable.
inline const std::vector<std::string_view>& alembic_module_names() {
    static const std::vector<std::string_view> names{"revision", "down_revision", "branch_labels", "depends_on"};
    return names;
}

// Never throws on any input; never executes anything. Judged by `version`'s grammar.
PyModule read_python_module(std::string_view source, py::PythonVersion version = py::kUndeclaredPython);

// What another module's code, run because a migration imports or calls it, leads to.
struct PyForeignCode {
    // Why the guard cannot prove it leaves other modules' names alone (it reaches frames,
    // globals(), exec, writes into an imported module, or cannot be read); nullopt if none.
    std::optional<PySyntaxError> problem;
    std::vector<std::string> imports;  // what it imports in turn, as PyModule::imports
    std::vector<std::string> calls;    // what it calls in other modules, as PyModule::calls
    std::vector<std::string> escapes;  // imported names it hands on as values, as PyModule::escapes
};

// A module of the repository, compiled once: its names as read_python_module gives them, and
// the code it runs when a migration (or code it runs) imports it or calls into it. Holds the
// module's syntax tree, so it is for the few modules migrations reach, not for migrations.
class PyCompiledModule {
public:
    // `package`: where the module's relative imports start (the module itself for a
    // package's __init__.py, else the package it is in).
    PyCompiledModule(std::string_view source, py::PythonVersion version, std::string_view package = {});
    ~PyCompiledModule();
    PyCompiledModule(const PyCompiledModule&) = delete;
    PyCompiledModule& operator=(const PyCompiledModule&) = delete;

    // read_python_module(source, version), with relative imports read from `package`.
    const PyModule& names() const { return module_; }
    // For the module imported by a migration or by code it runs: its code that runs at
    // import. `package`: where the module's relative imports start. A module that does not
    // compile, or cannot be decoded, is that problem.
    PyForeignCode check_import(std::string_view package) const;
    // For `function`, a def or class of the module that a migration calls at import.
    PyForeignCode check_call(std::string_view function, std::string_view package) const;

private:
    struct Tree;
    std::unique_ptr<Tree> tree_;  // null when the module does not compile
    PyModule module_;
};

// Shorthands compiling `source` for one check (PyCompiledModule::check_call, check_import).
PyForeignCode check_called_function(std::string_view source, std::string_view function, py::PythonVersion version,
                                    std::string_view package);
PyForeignCode check_imported_module(std::string_view source, py::PythonVersion version, std::string_view package);

}  // namespace ag
