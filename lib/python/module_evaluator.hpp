#pragma once
// What a module's names hold once CPython has run it, as far as that can be proven without
// running it: the module's statements are followed in order, literals and names bound to
// them are evaluated exactly, and everything the guard cannot prove is said so -- a value
// computed at run time, a name bound conditionally, code that can write the module's
// namespace behind the statements' back (globals(), exec, frames, a module __getattr__, a
// `global` declaration, a star import), or a statement that makes the import fail.
#include "python/reason.hpp"
#include "python/syntax_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag::py {

struct ModuleValue {
    // Template: a str built from literals and names of other modules (value_template.hpp),
    // known once those modules are read.
    enum class Kind : uint8_t { None, Str, Bytes, Sequence, Other, Unknown, Module, Template };
    Kind kind = Kind::Unknown;
    bool is_list = false;             // Sequence: a list rather than a tuple
    std::string text;                // Str/Bytes: the value; Module: its dotted path; Template: the encoding
    Reason why;                      // Unknown: why it is not known; Other: what it is
    std::vector<ModuleValue> items;  // Sequence
    const Node* node = nullptr;      // the expression, for messages (describe_expression)
    const Node* function = nullptr;  // Unknown: the module's own undecorated def it is bound to
};

struct ModuleBinding {
    std::string name;
    ModuleValue value;
    int line = 0;
    // Ever bound to what may be a module object (an import, a module, another module's name),
    // surely or not: a value the resolver must not take for a plain one when it is handed on.
    bool may_be_module = false;
};

struct ModuleProblem {
    int line = 0;
    std::string message;
};

struct ModuleEvaluation {
    std::vector<ModuleBinding> names;  // the module's namespace at the end, in first-bound order
    // Import-time code the guard cannot follow: what it is and where.
    std::optional<ModuleProblem> unprovable;
    // A failure the import certainly meets (NameError, ValueError, a raise, assert False).
    std::optional<ModuleProblem> import_error;
    // Names of other modules that code running at import calls ("app.ids.bind"): their code
    // runs too, and where it is the repository's own, the guard reads it (module_references).
    std::vector<std::string> calls;
    // Modules that code running at import imports ("app.ids", and "app.ids.bind" for
    // `from app.ids import bind`, which may be a submodule): their code runs too.
    std::vector<std::string> imports;
    // What imported names code running at import hands on as values ("app.labels" for
    // `f(labels)` after `from app import labels`), not only reads a name through or calls:
    // where one is a module of the repository, whatever receives it can write its names.
    std::vector<std::string> escapes;
};

// What another module's code, run because a migration imports or calls it, does that the
// guard must follow: the first way it has to its caller's or another module's names
// (frames, globals(), exec, a write into an imported module...), and what it imports and
// calls in turn.
struct ForeignCode {
    std::optional<ModuleProblem> problem;
    std::vector<std::string> imports;
    std::vector<std::string> calls;
    std::vector<std::string> escapes;  // as ModuleEvaluation::escapes
};

// For `function` of `module` (another module's def or class called at a migration's
// import): its body, and what it refers to in its own module (a class: every method). A
// problem saying so when `function` is no def or class of the module. `package`: where the
// module's relative imports start.
ForeignCode check_called_function(const Node* module, std::string_view function, std::string_view package);
// For `module`, imported by a migration (or by code a migration runs): its code that runs at
// import, and what that code refers to in the module.
ForeignCode check_imported_module(const Node* module, std::string_view package);

// Whether `v` is or holds a list: a value code can change in place.
bool holds_list(const ModuleValue& v);
// The expression as written, shortened, for messages ("cli.EXPAND_BRANCH", "str('x')").
std::string describe_expression(const Node* e);

// `guarded` are the names whose values must be exact (Alembic's revision, down_revision,
// branch_labels, depends_on): binding them in a way the guard does not evaluate is reported
// as unprovable. `package`: where the module's relative imports start ("" for a migration,
// whose relative imports fail). Never throws.
ModuleEvaluation evaluate_module(const Node* module, const std::vector<std::string_view>& guarded,
                                 std::string_view package = {});

}  // namespace ag::py
