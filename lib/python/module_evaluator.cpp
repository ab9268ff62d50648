#include "python/module_evaluator.hpp"

#include "python/tokenizer.hpp"
#include "python/value_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <array>
#include <iterator>

namespace ag::py {

namespace {

// Python 3.11's builtins (3.13 adds PythonFinalizationError and _IncompleteInputError),
// and the names importlib gives every module: a name among them is never a NameError.
constexpr std::string_view kBuiltins[] = {
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup", "BlockingIOError",
    "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError", "ConnectionAbortedError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError", "Ellipsis",
    "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup", "False", "FileExistsError",
    "FileNotFoundError", "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
    "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError", "KeyError",
    "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "None",
    "NotADirectoryError", "NotImplemented", "NotImplementedError", "OSError", "OverflowError",
    "PendingDeprecationWarning", "PermissionError", "ProcessLookupError", "PythonFinalizationError", "RecursionError",
    "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration",
    "SyntaxError", "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True", "TypeError",
    "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
    "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError", "_IncompleteInputError",
    "__annotations__", "__build_class__", "__builtins__", "__cached__", "__debug__", "__doc__", "__file__",
    "__import__", "__loader__", "__name__", "__package__", "__spec__", "abs", "aiter", "all", "anext", "any", "ascii",
    "bin", "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex",
    "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "exit", "filter",
    "float", "format", "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int",
    "isinstance", "issubclass", "iter", "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next",
    "object", "oct", "open", "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set",
    "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip",
};

// The builtins (not the module's dunder names) that can be subscripted, the same in 3.11 and
// 3.13 (measured: `getattr(builtins, n)[int]`); subscripting any other is a TypeError.
constexpr std::string_view kSubscriptableBuiltins[] = {
    "BaseExceptionGroup", "ExceptionGroup", "dict", "enumerate", "frozenset", "list", "set", "tuple", "type",
};

// Ways code reaches a module's namespace without a binding statement: reading or writing
// globals() or vars(), executing text, walking frames to f_globals, a function's
// __globals__ or __code__, the module object through sys.modules, importlib or gc. Any of
// them in code that runs at import makes the four names unprovable.
constexpr std::string_view kDynamicNames[] = {
    "__builtins__", "__import__", "breakpoint", "compile", "delattr", "eval", "exec", "globals", "locals", "setattr",
    "vars",
};
constexpr std::string_view kDynamicAttributes[] = {
    "__builtins__", "__code__", "__delattr__", "__dict__", "__getattribute__", "__globals__", "__import__",
    "__setattr__", "_getframe", "ag_frame", "attrgetter", "cr_frame", "currentframe", "eval", "exec", "f_back",
    "f_builtins", "f_globals", "f_locals", "get_objects", "get_referents", "get_referrers", "getmodule", "gi_frame",
    "globals", "import_module", "locals", "methodcaller", "modules", "reload", "setattr", "setprofile", "settrace",
    "stack", "tb_frame", "vars",
};
// Modules whose every use at import time can reach the caller's namespace (frames, the
// garbage collector, unpickling that calls exec, raw memory).
constexpr std::string_view kDynamicModules[] = {
    "__builtin__", "_ctypes", "_pickle", "bdb", "builtins", "cPickle", "code", "codeop", "copyreg", "ctypes", "dill",
    "gc", "importlib", "inspect", "marshal", "pdb", "pickle", "runpy", "shelve", "sys._getframe",
};

// The lists are sorted (checked at compile time): a lookup is a binary search, run for every
// name and attribute in code that runs at import.
template <size_t N>
constexpr bool sorted(const std::string_view (&list)[N]) {
    return std::is_sorted(std::begin(list), std::end(list));
}
#include "python/builtin_attributes.inc"

static_assert(sorted(kBuiltins) && sorted(kSubscriptableBuiltins) && sorted(kDynamicNames) &&
              sorted(kDynamicAttributes) && sorted(kDynamicModules) && sorted(kKnownAttributeBuiltins) &&
              sorted(kBuiltinAttributes));

// Which (first character, length) pairs a list holds: most names are rejected by one load.
template <size_t N>
constexpr std::array<uint32_t, 128> shapes_of(const std::string_view (&list)[N]) {
    std::array<uint32_t, 128> t{};
    for (std::string_view v : list) t[static_cast<unsigned char>(v[0]) & 127] |= 1u << (v.size() < 31 ? v.size() : 31);
    return t;
}

template <const auto& List>
bool among(std::string_view v) {
    static constexpr std::array<uint32_t, 128> shapes = shapes_of(List);
    if (v.empty() || static_cast<unsigned char>(v[0]) >= 128 ||
        !(shapes[static_cast<unsigned char>(v[0])] & (1u << (v.size() < 31 ? v.size() : 31))))
        return false;
    return std::binary_search(std::begin(List), std::end(List), v);
}

ModuleValue unknown(Reason why, const Node* node = nullptr) {
    ModuleValue v;
    v.kind = ModuleValue::Kind::Unknown;
    v.why = std::move(why);
    v.node = node;
    return v;
}

// A short rendering of an expression for messages.
std::string describe(const Node* e, int budget = 60) {
    if (!e || budget <= 0) return "...";
    switch (e->kind) {
    case NodeKind::Name: return std::string(e->name);
    case NodeKind::Attribute: return describe(e->a, budget - 1) + "." + std::string(e->name);
    case NodeKind::Call: {
        std::string out = describe(e->a, budget - 1) + "(";
        const uint32_t n = e->l[0].size() + e->l[1].size();
        if (n > 3 || budget < 20) return out + "...)";
        bool first = true;
        for (const Node* a : e->l[0]) {
            out += (first ? "" : ", ") + describe(a, budget / 3);
            first = false;
        }
        for (const Node* k : e->l[1]) {
            out += (first ? "" : ", ") + (k->name.empty() ? "**" : std::string(k->name) + "=") + describe(k->a, budget / 3);
            first = false;
        }
        return out + ")";
    }
    case NodeKind::Subscript: return describe(e->a, budget - 1) + "[" + describe(e->b, budget / 2) + "]";
    case NodeKind::Constant:
        switch (static_cast<ConstantKind>(e->op)) {
        case ConstantKind::Str: return fmt::format("'{}'", e->name.substr(0, 40));
        case ConstantKind::Bytes: return fmt::format("b'{}'", e->name.substr(0, 40));
        case ConstantKind::None: return "None";
        case ConstantKind::True: return "True";
        case ConstantKind::False: return "False";
        case ConstantKind::Ellipsis: return "...";
        default: return std::string(e->name.substr(0, 40));
        }
    case NodeKind::JoinedStr: return "f'...'";
    case NodeKind::Tuple: {
        std::string out = "(";
        for (uint32_t i = 0; i < e->l[0].size() && i < 4; ++i) out += (i ? ", " : "") + describe(e->l[0][i], budget / 2);
        if (e->l[0].size() > 4) out += ", ...";
        if (e->l[0].size() == 1) out += ",";
        return out + ")";
    }
    case NodeKind::List: {
        std::string out = "[";
        for (uint32_t i = 0; i < e->l[0].size() && i < 4; ++i) out += (i ? ", " : "") + describe(e->l[0][i], budget / 2);
        if (e->l[0].size() > 4) out += ", ...";
        return out + "]";
    }
    case NodeKind::BinOp: return describe(e->a, budget / 2) + " ... " + describe(e->b, budget / 2);
    case NodeKind::NamedExpr: return describe(e->a, budget) + " := ...";
    case NodeKind::Starred: return "*" + describe(e->a, budget - 1);
    case NodeKind::Alias: return std::string(e->name);
    default: return "an expression";
    }
}

bool truthy_constant(const Node* e, bool& value) {
    if (e->kind != NodeKind::Constant) return false;
    switch (static_cast<ConstantKind>(e->op)) {
    case ConstantKind::True: value = true; return true;
    case ConstantKind::False:
    case ConstantKind::None: value = false; return true;
    case ConstantKind::Str:
    case ConstantKind::Bytes: value = !e->name.empty(); return true;
    case ConstantKind::Int: {
        bool zero = true;
        for (char c : e->name)
            if (c != '0' && c != '_' && c != 'x' && c != 'X' && c != 'o' && c != 'O' && c != 'b' && c != 'B') zero = false;
        value = !zero;
        return true;
    }
    default: return false;
    }
}

// What a value of a known kind cannot be called as, or nullptr.
const char* not_callable(const ModuleValue& v) {
    switch (v.kind) {
    case ModuleValue::Kind::None: return "None";
    case ModuleValue::Kind::Str: return "a str";
    case ModuleValue::Kind::Bytes: return "bytes";
    case ModuleValue::Kind::Sequence: return v.is_list ? "a list" : "a tuple";
    case ModuleValue::Kind::Module: return "a module";
    case ModuleValue::Kind::Other: return "a number or bool";
    default: return nullptr;
    }
}

// A literal zero: 0, 0_0, 0.0, .0, 0e9, 0j.
bool literal_zero(const Node* n) {
    if (n->kind != NodeKind::Constant) return false;
    const auto k = static_cast<ConstantKind>(n->op);
    if (k != ConstantKind::Int && k != ConstantKind::Float && k != ConstantKind::Complex) return false;
    for (char c : n->name) {
        if (c == 'e' || c == 'E') break;
        if (c != '0' && c != '_' && c != '.' && c != 'j' && c != 'J') return false;
    }
    return true;
}

bool numeric_literal(const Node* n) {
    if (n->kind == NodeKind::UnaryOp && (n->op == static_cast<uint8_t>(Op::Minus) || n->op == static_cast<uint8_t>(Op::Plus)))
        n = n->a;
    if (n->kind != NodeKind::Constant) return false;
    const auto k = static_cast<ConstantKind>(n->op);
    return k == ConstantKind::Int || k == ConstantKind::Float || k == ConstantKind::Complex || k == ConstantKind::True ||
           k == ConstantKind::False;
}

// The error a binary operation on values of known kinds surely raises, in Python's words.
std::optional<std::string> operator_error(const Node* e, const ModuleValue& a, const ModuleValue& b) {
    using K = ModuleValue::Kind;
    const auto op = static_cast<Op>(e->op);
    if ((op == Op::Slash || op == Op::DoubleSlash || op == Op::Percent) && literal_zero(e->b) && numeric_literal(e->a))
        return std::string("division by zero (ZeroDivisionError)");
    if (op != Op::Plus) return std::nullopt;
    auto kind_name = [](const ModuleValue& v) -> const char* {
        switch (v.kind) {
        case K::None: return "NoneType";
        case K::Str: return "str";
        case K::Bytes: return "bytes";
        case K::Sequence: return v.is_list ? "list" : "tuple";
        case K::Module: return "module";
        case K::Other: return "a number";
        default: return nullptr;
        }
    };
    const char* ka = kind_name(a);
    const char* kb = kind_name(b);
    if (!ka || !kb) return std::nullopt;
    const bool numbers = a.kind == K::Other && b.kind == K::Other;
    const bool same = a.kind == b.kind && (a.kind != K::Sequence || a.is_list == b.is_list) && a.kind != K::None &&
                      a.kind != K::Module;
    if (numbers || same) return std::nullopt;
    return fmt::format("{} + {} (TypeError)", ka, kb);
}

// The error a subscript of a value of known kind surely raises.
std::optional<std::string> subscript_error(const Node* e, const ModuleValue& base) {
    using K = ModuleValue::Kind;
    if (base.kind == K::None) return std::string("None is not subscriptable (TypeError)");
    if (base.kind == K::Module) return std::string("a module is not subscriptable (TypeError)");
    if (base.kind == K::Other) return fmt::format("{} is not subscriptable (TypeError)", base.why.view());
    if (e->a->kind == NodeKind::Dict && e->a->l[0].empty() && e->b->kind == NodeKind::Constant)
        return std::string("the dict is empty (KeyError)");
    // An int literal index past the end of a known sequence or str.
    const Node* index = e->b;
    bool negative = false;
    if (index->kind == NodeKind::UnaryOp && index->op == static_cast<uint8_t>(Op::Minus)) {
        negative = true;
        index = index->a;
    }
    // A str, tuple or list indexed by what is surely no integer (a bool is one) and no slice.
    if ((base.kind == K::Sequence || base.kind == K::Str) && !negative) {
        const bool not_an_index =
            index->kind == NodeKind::Tuple || index->kind == NodeKind::List || index->kind == NodeKind::Dict ||
            index->kind == NodeKind::Set || index->kind == NodeKind::JoinedStr ||
            (index->kind == NodeKind::Constant && static_cast<ConstantKind>(index->op) != ConstantKind::Int &&
             static_cast<ConstantKind>(index->op) != ConstantKind::True &&
             static_cast<ConstantKind>(index->op) != ConstantKind::False);
        if (not_an_index)
            return fmt::format("{} indices must be integers or slices (TypeError)",
                               base.kind == K::Str ? "string" : base.is_list ? "list" : "tuple");
    }
    if (index->kind != NodeKind::Constant || static_cast<ConstantKind>(index->op) != ConstantKind::Int) return std::nullopt;
    size_t length = 0;
    if (base.kind == K::Sequence) length = base.items.size();
    else if (base.kind == K::Str) {
        for (char c : base.text) length += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    } else {
        return std::nullopt;
    }
    std::string digits;
    for (char c : index->name)
        if (c != '_') digits += c;
    if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const unsigned long long value = std::stoull(digits);
    const bool out = negative ? value > length : value >= length;
    if (!out) return std::nullopt;
    return std::string("index out of range (IndexError)");
}

// Calls `f` on every statement of `body`, nested blocks and function and class bodies
// included (defined below).
template <class F>
void for_each_statement(const NodeList& body, const F& f);

class Evaluator {
public:
    explicit Evaluator(const std::vector<std::string_view>& guarded, std::string_view package = {})
        : guarded_(guarded), package_(package) {}
    ModuleEvaluation run(const Node* module);

private:
    struct Env {
        std::vector<ModuleBinding> names;
        Env* parent = nullptr;  // a class body reads the module's names it does not bind itself
        // A function body: the names it binds anywhere are local, read before bound they are
        // an UnboundLocalError, and its `return` ends what surely runs.
        const std::vector<std::string_view>* locals = nullptr;
        bool returned = false;       // a return that surely ran
        bool maybe_returned = false; // a return in a block that may have run
        ModuleBinding* lookup(std::string_view n) {
            for (Env* e = this; e; e = e->parent)
                if (ModuleBinding* b = e->find(n)) return b;
            return nullptr;
        }
        ModuleBinding* find(std::string_view n) {
            for (auto& b : names)
                if (b.name == n) return &b;
            return nullptr;
        }
        void erase(std::string_view n) {
            names.erase(std::remove_if(names.begin(), names.end(), [&](const ModuleBinding& b) { return b.name == n; }),
                        names.end());
        }
    };

    bool is_guarded(std::string_view n) const {
        return std::find(guarded_.begin(), guarded_.end(), n) != guarded_.end();
    }
    void unprovable(int line, std::string message) {
        if (!result_.unprovable) result_.unprovable = ModuleProblem{line, std::move(message)};
    }
    void import_error(int line, std::string message) {
        if (!result_.import_error) result_.import_error = ModuleProblem{line, std::move(message)};
    }

    // ---- the module's own statements ----
    void exec_block(const NodeList& body, Env& env, bool certain, bool module_scope);
    void exec(const Node* s, Env& env, bool certain, bool module_scope);
    void exec_import(const Node* s, Env& env, bool certain);
    void exec_import_from(const Node* s, Env& env, bool certain);
    void exec_match(const Node* s, Env& env, bool certain, bool module_scope);
    void exec_function_def(const Node* s, Env& env, bool certain, bool module_scope);
    void exec_class_def(const Node* s, Env& env, bool certain, bool module_scope);
    void exec_try(const Node* s, Env& env, bool certain, bool module_scope);
    // Runs `f` (a def, or a lambda, of the module) called where the module surely runs; a call
    // at `line` nested too deep to follow is unprovable.
    void call_function(const Node* f, Env& module_env, int line);
    // A name of another module called (or applied as a decorator) while the module runs.
    void note_call(const ModuleValue& callee) {
        if (callee.kind != ModuleValue::Kind::Template) return;
        const auto pieces = template_pieces(callee.text);
        if (!pieces || pieces->size() != 1 || !pieces->front().reference) return;
        if (std::find(result_.calls.begin(), result_.calls.end(), pieces->front().text) == result_.calls.end())
            result_.calls.push_back(pieces->front().text);
    }

public:
    // check_called_function's work: scans `function` (and what it refers to in its module)
    // for ways to its caller's namespace.
    ForeignCode check_function(const Node* module, std::string_view function);
    // check_imported_module's work: scans the module's code that runs when it is imported.
    ForeignCode check_import(const Node* module);

private:
    ModuleValue eval(const Node* e, Env& env, bool certain, bool module_scope);
    static ModuleValue eval_constant(const Node* e);
    ModuleValue eval_joined_str(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_name(const Node* e, Env& env, bool certain);
    ModuleValue eval_sequence(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_binop(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_call(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_attribute(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_subscript(const Node* e, Env& env, bool certain, bool module_scope);
    ModuleValue eval_comprehension(const Node* e, Env& env, bool certain, bool module_scope);
    void bind(const Node* target, const ModuleValue& v, Env& env, bool certain, bool module_scope, int line);
    void bind_name(std::string_view name, ModuleValue v, Env& env, bool certain, int line, const char* how);
    void unbind(const Node* target, Env& env, bool certain, int line);
    // An attribute or item assigned or deleted: refused when it is one of another module's.
    void write_through(const Node* target, Env& env, bool certain, bool module_scope);
    // The decorators of a def or class, evaluated (outermost first) as the statement runs.
    std::vector<ModuleValue> eval_decorators(const Node* definition, Env& env, bool certain, bool module_scope) {
        std::vector<ModuleValue> out;
        for (const Node* d : definition->l[1]) {
            out.push_back(eval(d, env, certain, module_scope));
            note_call(out.back());
        }
        return out;
    }
    // Calls the decorators of `definition` (their values, outermost first) where the module
    // surely runs, innermost first; whether every one is the module's own function.
    bool apply_decorators(const std::vector<ModuleValue>& decorators, const Node* definition, Env& env, bool certain) {
        bool own = true;
        for (auto d = decorators.rbegin(); d != decorators.rend(); ++d) {
            const bool followed = d->kind == ModuleValue::Kind::Unknown && d->function;
            own = own && followed;
            if (certain && followed) {
                Env* top = &env;
                while (top->parent) top = top->parent;
                call_function(d->function, *top, definition->line);
            }
        }
        return own;
    }

    // ---- code that may run at import without being a module statement ----
    void scan(const Node* n, bool import_time);
    void scan_referenced_definitions();
    // An import (anywhere in the module) of something through which code reaches frames or
    // namespaces: a use of the name it binds, in code that runs at import, is refused.
    void note_dynamic_import(const Node* statement);
    // The absolute module an import statement names ("" for a relative one without a package).
    std::string imported_module(const Node* statement) const;
    // The dotted name an expression reaches through a name some import bound ("app.ids.bind"
    // for `ids.bind` after `from app import ids`), or "".
    std::string imported_path(const Node* e) const;
    void note_import(std::string dotted) {
        if (!dotted.empty() && std::find(result_.imports.begin(), result_.imports.end(), dotted) == result_.imports.end())
            result_.imports.push_back(std::move(dotted));
    }
    // `e`, an expression in code that runs at import, is handed on as a value: where it is
    // something imported (a module, perhaps), what receives it can write into it.
    void note_escape(const Node* e) {
        std::string dotted = imported_path(e);
        if (!dotted.empty() && std::find(result_.escapes.begin(), result_.escapes.end(), dotted) == result_.escapes.end())
            result_.escapes.push_back(std::move(dotted));
    }
    void note_imported_call(const Node* callee) {
        std::string dotted = imported_path(callee);
        if (!dotted.empty() && std::find(result_.calls.begin(), result_.calls.end(), dotted) == result_.calls.end())
            result_.calls.push_back(std::move(dotted));
    }
    void scan_list(const NodeList& l, bool import_time) {
        for (const Node* n : l)
            if (n) scan(n, import_time);
    }
    void note_binding_loads(const Node* value) {
        if (!value) return;
        if (value->kind == NodeKind::Name) binding_loads_.push_back(value);
        if (value->kind == NodeKind::Tuple || value->kind == NodeKind::List)
            for (const Node* e : value->l[0]) note_binding_loads(e);
    }
    void note_reference(std::string_view name) {
        if (std::find(referenced_.begin(), referenced_.end(), name) == referenced_.end()) referenced_.push_back(name);
    }

    const std::vector<std::string_view>& guarded_;
    ModuleEvaluation result_;
    std::vector<std::string_view> referenced_;                        // names loaded by import-time code
    std::vector<std::pair<std::string_view, const Node*>> deferred_;  // functions and classes not yet known to run
    std::vector<std::pair<std::string_view, std::string_view>> imported_;  // local name -> module it came from
    bool future_annotations_ = false;
    int call_depth_ = 0;
    int calls_followed_ = 0;
    bool foreign_ = false;  // scanning another module's function, called by the migration
    // scan() does not recurse, so one stack serves every call. With each node: whether it is
    // read through or called (`labels` in `labels.X` or `labels()`), not handed on as a value.
    std::vector<std::pair<const Node*, bool>> scan_stack_;
    std::vector<std::string_view> list_names_;  // names that were ever bound to a value holding a list
    // Loads that only bind a value to names of the module, which the evaluator follows
    // (`x = D`, `x = (D, E)` at the top): no way for the value to change there.
    std::vector<const Node*> binding_loads_;
    std::vector<std::string_view> changing_uses_;  // names loaded by import-time code anywhere else
    std::string_view package_;  // the package relative imports start from ("" for a migration: they fail)
    std::vector<std::pair<std::string_view, std::string>> import_names_;  // local name -> what it imports
};


void Evaluator::bind_name(std::string_view name, ModuleValue v, Env& env, bool certain, int line, const char* how) {
    if (holds_list(v) && std::find(list_names_.begin(), list_names_.end(), name) == list_names_.end())
        list_names_.push_back(name);
    const bool module_like = v.kind == ModuleValue::Kind::Module || v.kind == ModuleValue::Kind::Template ||
                             (v.node && v.node->kind == NodeKind::Alias);
    if (!certain) {
        v = unknown(Reason(fmt::format("it is {} in a block that may not run, or may run more than once", how)), v.node);
    }
    if (ModuleBinding* b = env.find(name)) {
        b->value = std::move(v);
        b->line = line;
        b->may_be_module |= module_like;
    } else {
        env.names.push_back(ModuleBinding{std::string(name), std::move(v), line, module_like});
    }
}

void Evaluator::write_through(const Node* t, Env& env, bool certain, bool module_scope) {
    const ModuleValue base = eval(t->a, env, certain, module_scope);
    if (t->kind == NodeKind::Subscript) eval(t->b, env, certain, module_scope);
    // Another module's names and objects are where other files read their revision values
    // from (and what Alembic itself runs): a write there, from any migration, changes them
    // for every file loaded after it.
    if (base.kind == ModuleValue::Kind::Module || base.kind == ModuleValue::Kind::Template)
        unprovable(t->line, fmt::format("'{}' changes {} of another module when the module is imported: other files "
                                        "read their names through it",
                                        describe(t), t->kind == NodeKind::Attribute ? "a name" : "an item"));
}

void Evaluator::bind(const Node* t, const ModuleValue& v, Env& env, bool certain, bool module_scope, int line) {
    switch (t->kind) {
    case NodeKind::Name: bind_name(t->name, v, env, certain, line, "assigned"); return;
    case NodeKind::Attribute:
    case NodeKind::Subscript: write_through(t, env, certain, module_scope); return;
    case NodeKind::Starred: bind(t->a, v, env, certain, module_scope, line); return;
    case NodeKind::Tuple:
    case NodeKind::List: {
        // Unpacking: exact when the value is a known sequence (or a str, whose characters
        // are its items).
        std::vector<ModuleValue> items;
        bool known = false;
        if (v.kind == ModuleValue::Kind::Sequence) {
            items = v.items;
            known = true;
        } else if (v.kind == ModuleValue::Kind::Str) {
            size_t i = 0;
            while (i < v.text.size()) {
                size_t len = 1;
                const auto c = static_cast<unsigned char>(v.text[i]);
                if (c >= 0xF0) len = 4;
                else if (c >= 0xE0) len = 3;
                else if (c >= 0xC0) len = 2;
                ModuleValue ch;
                ch.kind = ModuleValue::Kind::Str;
                ch.text = v.text.substr(i, len);
                items.push_back(std::move(ch));
                i += len;
            }
            known = true;
        }
        const NodeList& targets = t->l[0];
        size_t star = targets.size();
        for (uint32_t i = 0; i < targets.size(); ++i)
            if (targets[i]->kind == NodeKind::Starred) star = i;
        if (known) {
            const size_t fixed = star == targets.size() ? targets.size() : targets.size() - 1;
            const bool fits = star == targets.size() ? items.size() == fixed : items.size() >= fixed;
            if (!fits) {
                if (certain)
                    import_error(line, fmt::format("unpacking {} values into {} targets raises ValueError when the "
                                                   "module is imported",
                                                   items.size(), fixed));
                known = false;
            }
        }
        for (uint32_t i = 0; i < targets.size(); ++i) {
            const Node* target = targets[i];
            if (!known) {
                bind(target, unknown("it is unpacked from a value the guard does not evaluate", v.node), env, certain,
                     module_scope, line);
                continue;
            }
            if (i < star) {
                bind(target, items[i], env, certain, module_scope, line);
            } else if (i == star) {
                ModuleValue rest;
                rest.kind = ModuleValue::Kind::Sequence;
                rest.is_list = true;  // a starred target always receives a list
                const size_t after = targets.size() - star - 1;
                rest.items.assign(items.begin() + static_cast<std::ptrdiff_t>(star),
                                  items.end() - static_cast<std::ptrdiff_t>(after));
                rest.node = v.node;
                bind(target, rest, env, certain, module_scope, line);
            } else {
                bind(target, items[items.size() - (targets.size() - i)], env, certain, module_scope, line);
            }
        }
        return;
    }
    default: return;
    }
}

void Evaluator::unbind(const Node* t, Env& env, bool certain, int line) {
    switch (t->kind) {
    case NodeKind::Name:
        if (!env.find(t->name)) {
            if (certain)
                import_error(line, fmt::format("'del {}' deletes a name that is not bound: NameError when the module is "
                                               "imported",
                                               t->name));
            return;
        }
        if (certain) env.erase(t->name);
        else bind_name(t->name, unknown("it may be deleted"), env, false, line, "deleted");
        return;
    case NodeKind::Tuple:
    case NodeKind::List:
        for (const Node* e : t->l[0]) unbind(e, env, certain, line);
        return;
    default: return;
    }
}

ModuleValue Evaluator::eval(const Node* e, Env& env, bool certain, bool module_scope) {
    switch (e->kind) {
    case NodeKind::Constant:
        return eval_constant(e);
    case NodeKind::JoinedStr:
        return eval_joined_str(e, env, certain, module_scope);
    case NodeKind::Name:
        return eval_name(e, env, certain);
    case NodeKind::Tuple:
    case NodeKind::List:
        return eval_sequence(e, env, certain, module_scope);
    case NodeKind::BinOp:
        return eval_binop(e, env, certain, module_scope);
    case NodeKind::NamedExpr: {
        // Binds in the namespace that runs it: the module's, or a class body's.
        ModuleValue v = eval(e->b, env, certain, module_scope);
        bind_name(e->a->name, v, env, certain, e->line, "bound with ':='");
        return v;
    }
    case NodeKind::BoolOp: {
        bool first = true;
        for (const Node* x : e->l[0]) {
            eval(x, env, certain && first, module_scope);
            first = false;
        }
        return unknown("an expression evaluated when the module runs", e);
    }
    case NodeKind::IfExp:
        eval(e->a, env, certain, module_scope);
        eval(e->b, env, false, module_scope);
        eval(e->c, env, false, module_scope);
        return unknown("a conditional expression evaluated when the module runs", e);
    case NodeKind::Compare: {
        eval(e->a, env, certain, module_scope);
        bool first = true;
        for (const Node* x : e->l[0]) {
            eval(x, env, certain && first, module_scope);
            first = false;
        }
        return unknown("a comparison evaluated when the module runs", e);
    }
    case NodeKind::Call:
        return eval_call(e, env, certain, module_scope);
    case NodeKind::Attribute:
        return eval_attribute(e, env, certain, module_scope);
    case NodeKind::Subscript:
        return eval_subscript(e, env, certain, module_scope);
    case NodeKind::UnaryOp:
        eval(e->a, env, certain, module_scope);
        return unknown("an expression evaluated when the module runs", e);
    case NodeKind::Slice:
        if (e->a) eval(e->a, env, certain, module_scope);
        if (e->b) eval(e->b, env, certain, module_scope);
        if (e->c) eval(e->c, env, certain, module_scope);
        return unknown("a slice", e);
    case NodeKind::Dict:
        for (uint32_t i = 0; i < e->l[1].size(); ++i) {
            if (e->l[0][i]) eval(e->l[0][i], env, certain, module_scope);
            eval(e->l[1][i], env, certain, module_scope);
        }
        return unknown("a dict", e);
    case NodeKind::Set:
        for (const Node* x : e->l[0]) eval(x->kind == NodeKind::Starred ? x->a : x, env, certain, module_scope);
        return unknown("a set", e);
    case NodeKind::ListComp:
    case NodeKind::SetComp:
    case NodeKind::DictComp:
    case NodeKind::GeneratorExp:
        return eval_comprehension(e, env, certain, module_scope);
    case NodeKind::Lambda: {
        // Its defaults are evaluated now; its body when it is called (followed where it reads
        // only the module's names).
        for (const Node* a : e->a->l[0])
            if (a->b) eval(a->b, env, certain, module_scope);
        ModuleValue v = unknown("a lambda", e);
        if (module_scope) v.function = e;
        return v;
    }
    case NodeKind::Await:
    case NodeKind::Yield:
    case NodeKind::YieldFrom:
        if (e->a) eval(e->a, env, certain, module_scope);
        return unknown("an expression evaluated when the module runs", e);
    case NodeKind::Starred:
        eval(e->a, env, certain, module_scope);
        return unknown("a starred expression", e);
    case NodeKind::FormattedValue:
        eval(e->a, env, certain, module_scope);
        return unknown("an f-string field", e);
    default: return unknown("an expression evaluated when the module runs", e);
    }
}

ModuleValue Evaluator::eval_constant(const Node* e) {
    ModuleValue v;
    v.node = e;
    switch (static_cast<ConstantKind>(e->op)) {
    case ConstantKind::Str: v.kind = ModuleValue::Kind::Str; v.text = std::string(e->name); break;
    case ConstantKind::Bytes: v.kind = ModuleValue::Kind::Bytes; v.text = std::string(e->name); break;
    case ConstantKind::None: v.kind = ModuleValue::Kind::None; break;
    case ConstantKind::True:
    case ConstantKind::False: v.kind = ModuleValue::Kind::Other; v.why = "a bool"; break;
    case ConstantKind::Int: v.kind = ModuleValue::Kind::Other; v.why = "an int"; break;
    case ConstantKind::Float: v.kind = ModuleValue::Kind::Other; v.why = "a float"; break;
    case ConstantKind::Complex: v.kind = ModuleValue::Kind::Other; v.why = "a complex number"; break;
    case ConstantKind::Ellipsis: v.kind = ModuleValue::Kind::Other; v.why = "Ellipsis"; break;
    }
    return v;
}

ModuleValue Evaluator::eval_joined_str(const Node* e, Env& env, bool certain, bool module_scope) {
    // Without fields an f-string is its text.
    std::string text;
    bool literal = true;
    for (const Node* part : e->l[0]) {
        if (part->kind == NodeKind::Constant) text += part->name;
        else {
            literal = false;
            eval(part->a, env, certain, module_scope);
            if (part->b) eval(part->b, env, certain, module_scope);
        }
    }
    if (!literal) return unknown("an f-string is formatted when the module runs", e);
    ModuleValue v;
    v.kind = ModuleValue::Kind::Str;
    v.text = std::move(text);
    v.node = e;
    return v;
}

ModuleValue Evaluator::eval_name(const Node* e, Env& env, bool certain) {
    if (env.locals && !env.find(e->name) &&
        std::find(env.locals->begin(), env.locals->end(), e->name) != env.locals->end()) {
        if (certain)
            import_error(e->line, fmt::format("'{}' is read before the function assigns it: UnboundLocalError when "
                                              "the module is imported",
                                              e->name));
        return unknown("a local variable", e);
    }
    if (ModuleBinding* b = env.lookup(e->name)) {
        ModuleValue v = b->value;
        if (v.kind == ModuleValue::Kind::Unknown)
            v.why = Reason(fmt::format("it refers to '{}' (line {}), and {}", e->name, b->line, v.why.view()));
        v.node = e;
        return v;
    }
    if (!among<kBuiltins>(e->name)) {
        if (certain)
            import_error(e->line, fmt::format("name '{}' is not defined: NameError when the module is imported",
                                              e->name));
        return unknown(Reason(fmt::format("it refers to '{}', which is not bound at that point", e->name)), e);
    }
    return unknown("it refers to a builtin", e);
}

ModuleValue Evaluator::eval_sequence(const Node* e, Env& env, bool certain, bool module_scope) {
    ModuleValue v;
    v.kind = ModuleValue::Kind::Sequence;
    v.is_list = e->kind == NodeKind::List;
    v.node = e;
    bool known = true;
    for (const Node* item : e->l[0]) {
        if (item->kind == NodeKind::Starred) {
            ModuleValue inner = eval(item->a, env, certain, module_scope);
            if (inner.kind == ModuleValue::Kind::Sequence) {
                for (auto& x : inner.items) v.items.push_back(std::move(x));
            } else {
                known = false;
            }
            continue;
        }
        v.items.push_back(eval(item, env, certain, module_scope));
    }
    if (!known) return unknown("a sequence unpacks a value the guard does not evaluate", e);
    return v;
}

ModuleValue Evaluator::eval_binop(const Node* e, Env& env, bool certain, bool module_scope) {
    ModuleValue a = eval(e->a, env, certain, module_scope);
    ModuleValue b = eval(e->b, env, certain, module_scope);
    if (e->op == static_cast<uint8_t>(Op::Plus)) {
        const bool a_text = a.kind == ModuleValue::Kind::Str || a.kind == ModuleValue::Kind::Template;
        const bool b_text = b.kind == ModuleValue::Kind::Str || b.kind == ModuleValue::Kind::Template;
        if (a_text && b_text && (a.kind == ModuleValue::Kind::Template || b.kind == ModuleValue::Kind::Template)) {
            // str + a name of another module: resolved once that module is read (a
            // non-str there is the resolver's error, as Python's TypeError would be).
            ModuleValue v;
            v.kind = ModuleValue::Kind::Template;
            v.text = (a.kind == ModuleValue::Kind::Str ? template_literal(a.text) : a.text) +
                     (b.kind == ModuleValue::Kind::Str ? template_literal(b.text) : b.text);
            v.node = e;
            return v;
        }
        if (a.kind == ModuleValue::Kind::Str && b.kind == ModuleValue::Kind::Str) {
            a.text += b.text;
            a.node = e;
            return a;
        }
        if (a.kind == ModuleValue::Kind::Sequence && b.kind == ModuleValue::Kind::Sequence && a.is_list == b.is_list) {
            for (auto& x : b.items) a.items.push_back(std::move(x));
            a.node = e;
            return a;
        }
    }
    if (certain) {
        if (auto why = operator_error(e, a, b))
            import_error(e->line, fmt::format("{}: {} when the module is imported", describe(e), *why));
    }
    return unknown("an expression evaluated when the module runs", e);
}

ModuleValue Evaluator::eval_call(const Node* e, Env& env, bool certain, bool module_scope) {
    const ModuleValue callee = eval(e->a, env, certain, module_scope);
    note_call(callee);
    for (const Node* x : e->l[0]) eval(x->kind == NodeKind::Starred ? x->a : x, env, certain, module_scope);
    for (const Node* k : e->l[1]) eval(k->a, env, certain, module_scope);
    if (certain) {
        if (const char* what = not_callable(callee))
            import_error(e->line, fmt::format("'{}' is {}, which cannot be called: TypeError when the module is "
                                              "imported",
                                              describe(e->a), what));
        // The module's own function runs now: what surely happens in it happens here.
        if (callee.kind == ModuleValue::Kind::Unknown && callee.function) {
            Env* top = &env;
            while (top->parent) top = top->parent;
            call_function(callee.function, *top, e->line);
        }
    }
    return unknown("a call, evaluated when the module runs", e);
}

ModuleValue Evaluator::eval_attribute(const Node* e, Env& env, bool certain, bool module_scope) {
    // A name of an imported module refers to that module's file in the repository,
    // read later; any other attribute is looked up at run time.
    const ModuleValue base = eval(e->a, env, certain, module_scope);
    if (certain && base.kind == ModuleValue::Kind::None && !(e->name.starts_with("__") && e->name.ends_with("__")))
        import_error(e->line, fmt::format("None has no attribute '{}': AttributeError when the module is imported",
                                          e->name));
    // A builtin type's or function's attribute it has in no Python the guard knows, and
    // one a str, bytes, tuple or list the module made has not.
    const auto lacks = [](std::string_view type, std::string_view attribute) {
        return !std::binary_search(std::begin(kBuiltinAttributes), std::end(kBuiltinAttributes),
                                   fmt::format("{}.{}", type, attribute));
    };
    if (certain && e->a->kind == NodeKind::Name && !env.lookup(e->a->name) &&
        among<kKnownAttributeBuiltins>(e->a->name) && lacks(e->a->name, e->name))
        import_error(e->line, fmt::format("the builtin {} has no attribute '{}': AttributeError when the module is "
                                          "imported",
                                          e->a->name, e->name));
    if (certain) {
        const char* type = base.kind == ModuleValue::Kind::Str        ? "str"
                           : base.kind == ModuleValue::Kind::Bytes    ? "bytes"
                           : base.kind == ModuleValue::Kind::Sequence ? (base.is_list ? "list" : "tuple")
                                                                      : nullptr;
        if (type && lacks(type, e->name))
            import_error(e->line, fmt::format("{} is a {}, which has no attribute '{}': AttributeError when the "
                                              "module is imported",
                                              describe(e->a), type, e->name));
    }
    std::string path;
    if (base.kind == ModuleValue::Kind::Module) path = base.text;
    else if (base.kind == ModuleValue::Kind::Template) {
        const auto pieces = template_pieces(base.text);
        if (pieces && pieces->size() == 1 && pieces->front().reference) path = pieces->front().text;
    }
    if (path.empty()) return unknown("an attribute, looked up when the module runs", e);
    ModuleValue v;
    v.kind = ModuleValue::Kind::Template;
    v.text = template_reference(path + "." + std::string(e->name));
    v.node = e;
    return v;
}

ModuleValue Evaluator::eval_subscript(const Node* e, Env& env, bool certain, bool module_scope) {
    const ModuleValue base = eval(e->a, env, certain, module_scope);
    eval(e->b, env, certain, module_scope);
    if (certain) {
        if (auto why = subscript_error(e, base))
            import_error(e->line, fmt::format("{}: {} when the module is imported", describe(e), *why));
        else if ((base.kind == ModuleValue::Kind::Str || base.kind == ModuleValue::Kind::Sequence) &&
                 e->b->kind == NodeKind::Name && !env.lookup(e->b->name) && among<kBuiltins>(e->b->name) &&
                 !e->b->name.starts_with("_"))
            import_error(e->line, fmt::format("{}: indices must be integers or slices, not the builtin {} "
                                              "(TypeError) when the module is imported",
                                              describe(e), e->b->name));
        else if (e->a->kind == NodeKind::Name && !env.lookup(e->a->name) && among<kBuiltins>(e->a->name) &&
                 !e->a->name.starts_with("_") && !among<kSubscriptableBuiltins>(e->a->name))
            import_error(e->line, fmt::format("{}: the builtin {} is not subscriptable (TypeError) when the module "
                                              "is imported",
                                              describe(e), e->a->name));
    }
    return unknown("a subscript, evaluated when the module runs", e);
}

ModuleValue Evaluator::eval_comprehension(const Node* e, Env& env, bool certain, bool module_scope) {
    // The outermost iterable runs now; the rest once per item (perhaps never). A ':='
    // inside binds in the module.
    const NodeList& gens = e->l[0];
    eval(gens[0]->b, env, certain, module_scope);
    Env inner = env;
    for (uint32_t i = 0; i < gens.size(); ++i) {
        if (i > 0) eval(gens[i]->b, inner, false, false);
        for (const Node* c : gens[i]->l[0]) eval(c, inner, false, false);
    }
    eval(e->a, inner, false, false);
    if (e->b) eval(e->b, inner, false, false);
    // Assignment expressions in the comprehension bind module names, conditionally.
    std::vector<const Node*> stack{e};
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        if (n->kind == NodeKind::Lambda) {
            // Its body runs when called; its defaults run here, in the comprehension.
            for (const Node* arg : n->a->l[0])
                if (arg->b) stack.push_back(arg->b);
            continue;
        }
        if (n->kind == NodeKind::NamedExpr && module_scope)
            bind_name(n->a->name, unknown("it is bound with ':=' inside a comprehension"), env, false, n->line,
                      "bound with ':='");
        for (const Node* c : {n->a, n->b, n->c})
            if (c) stack.push_back(c);
        for (const NodeList& l : n->l)
            for (const Node* c : l)
                if (c) stack.push_back(c);
    }
    return unknown("a comprehension, evaluated when the module runs", e);
}

void Evaluator::exec_block(const NodeList& body, Env& env, bool certain, bool module_scope) {
    for (const Node* s : body) {
        if (env.returned) return;
        exec(s, env, certain && !env.maybe_returned, module_scope);
    }
}

namespace {

// The names a function body binds (its locals): targets, imports, defs, classes, `as`
// names, match captures, and assignment expressions (in comprehensions too); not what
// nested functions, classes, lambdas or comprehension loops bind; not `global` names.
void collect_locals(const Node* n, std::vector<std::string_view>& out, std::vector<std::string_view>& globals) {
    if (!n) return;
    auto add = [&](std::string_view name) {
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    switch (n->kind) {
    case NodeKind::Name:
        if (n->ctx != Ctx::Load) add(n->name);
        return;
    case NodeKind::NamedExpr: add(n->a->name); collect_locals(n->b, out, globals); return;
    case NodeKind::Alias: add(n->name2.empty() ? n->name.substr(0, n->name.find('.')) : n->name2); return;
    case NodeKind::Global:
        for (const Node* g : n->l[0]) globals.push_back(g->name);
        return;
    case NodeKind::FunctionDef:
    case NodeKind::ClassDef:
        add(n->name);
        for (const Node* d : n->l[1]) collect_locals(d, out, globals);
        if (n->kind == NodeKind::FunctionDef)
            for (const Node* a : n->a->l[0]) {
                collect_locals(a->a, out, globals);
                collect_locals(a->b, out, globals);
            }
        else
            for (const Node* b : n->l[3]) collect_locals(b, out, globals);
        return;
    case NodeKind::Lambda:
        for (const Node* a : n->a->l[0]) collect_locals(a->b, out, globals);
        return;
    case NodeKind::Comprehension:  // its loop target is the comprehension's own
        collect_locals(n->b, out, globals);
        for (const Node* c : n->l[0]) collect_locals(c, out, globals);
        return;
    case NodeKind::ExceptHandler: add(n->name); break;
    case NodeKind::MatchAs:
    case NodeKind::MatchStar:
    case NodeKind::MatchMapping: add(n->name); break;
    default: break;
    }
    collect_locals(n->a, out, globals);
    collect_locals(n->b, out, globals);
    collect_locals(n->c, out, globals);
    for (const NodeList& l : n->l)
        for (const Node* c : l) collect_locals(c, out, globals);
}

}  // namespace

// Calls followed from one module's import: deeper or more than this, and the guard stops
// (and says it cannot tell whether the import fails). Real migrations call a helper or two.
constexpr int kMaxCallDepth = 16;
constexpr int kMaxCallsFollowed = 1000;

// Runs the body of the module's own function `f`, called where the module surely runs: a
// raise, a NameError or an UnboundLocalError there fails the import.
void Evaluator::call_function(const Node* f, Env& module_env, int line) {
    if (call_depth_ >= kMaxCallDepth || calls_followed_ >= kMaxCallsFollowed) {
        unprovable(line, fmt::format("the functions the module calls at import call further than the guard follows "
                                     "({} deep, {} calls), so it cannot tell whether the import fails",
                                     kMaxCallDepth, kMaxCallsFollowed));
        return;
    }
    ++call_depth_;
    ++calls_followed_;
    std::vector<std::string_view> locals, globals;
    for (const Node* a : f->a->l[0]) locals.push_back(a->name);
    if (f->kind == NodeKind::Lambda) collect_locals(f->b, locals, globals);
    else
        for (const Node* st : f->l[0]) collect_locals(st, locals, globals);
    locals.erase(std::remove_if(locals.begin(), locals.end(),
                                [&](std::string_view n) { return std::find(globals.begin(), globals.end(), n) != globals.end(); }),
                 locals.end());
    Env local;
    local.parent = &module_env;
    local.locals = &locals;
    for (const Node* a : f->a->l[0])
        local.names.push_back(ModuleBinding{std::string(a->name), unknown("a parameter", a), a->line, false});
    if (f->kind == NodeKind::Lambda) eval(f->b, local, true, false);
    else exec_block(f->l[0], local, true, false);
    --call_depth_;
}

void Evaluator::exec(const Node* s, Env& env, bool certain, bool module_scope) {
    switch (s->kind) {
    case NodeKind::Expr: eval(s->a, env, certain, module_scope); return;
    case NodeKind::Assign: {
        const ModuleValue v = eval(s->a, env, certain, module_scope);
        for (const Node* t : s->l[0]) bind(t, v, env, certain, module_scope, s->line);
        return;
    }
    case NodeKind::AnnAssign:
        if (s->c) {
            const ModuleValue v = eval(s->c, env, certain, module_scope);
            bind(s->a, v, env, certain, module_scope, s->line);
        } else if (s->a->kind != NodeKind::Name) {
            // Without a value the target is not assigned, but its base and index are evaluated.
            eval(s->a->a, env, certain, module_scope);
            if (s->a->kind == NodeKind::Subscript) eval(s->a->b, env, certain, module_scope);
        }
        // A module or class body evaluates its annotations (not under `from __future__
        // import annotations`); a function body never does.
        if (!future_annotations_ && call_depth_ == 0) eval(s->b, env, certain, module_scope);
        return;
    case NodeKind::AugAssign:
        if (s->a->kind == NodeKind::Name) {
            if (!env.lookup(s->a->name) && !among<kBuiltins>(s->a->name) && certain)
                import_error(s->line, fmt::format("'{}' is changed before it is bound: NameError when the module is "
                                                  "imported",
                                                  s->a->name));
            eval(s->b, env, certain, module_scope);
            bind_name(s->a->name, unknown("it is changed with an augmented assignment", s->b), env, certain, s->line,
                      "changed");
        } else {
            write_through(s->a, env, certain, module_scope);
            eval(s->b, env, certain, module_scope);
        }
        return;
    case NodeKind::Delete:
        for (const Node* t : s->l[0]) {
            if (t->kind == NodeKind::Attribute || t->kind == NodeKind::Subscript) write_through(t, env, certain, module_scope);
            else unbind(t, env, certain, s->line);
        }
        return;
    case NodeKind::Import:
        exec_import(s, env, certain);
        return;
    case NodeKind::ImportFrom:
        exec_import_from(s, env, certain);
        return;
    case NodeKind::FunctionDef:
        exec_function_def(s, env, certain, module_scope);
        return;
    case NodeKind::ClassDef:
        exec_class_def(s, env, certain, module_scope);
        return;
    case NodeKind::If: {
        eval(s->a, env, certain, module_scope);
        // `if True:`, `if 0:`: the compiler keeps one branch, and only that one runs.
        bool value = false;
        if (truthy_constant(s->a, value)) {
            exec_block(value ? s->l[0] : s->l[1], env, certain, module_scope);
            return;
        }
        exec_block(s->l[0], env, false, module_scope);
        exec_block(s->l[1], env, false, module_scope);
        return;
    }
    case NodeKind::While:
        eval(s->a, env, false, module_scope);
        exec_block(s->l[0], env, false, module_scope);
        exec_block(s->l[1], env, false, module_scope);
        return;
    case NodeKind::For:
        eval(s->b, env, certain, module_scope);
        bind(s->a, unknown("it is a for-loop variable"), env, false, module_scope, s->line);
        exec_block(s->l[0], env, false, module_scope);
        exec_block(s->l[1], env, false, module_scope);
        return;
    case NodeKind::With:
        for (const Node* item : s->l[0]) {
            eval(item->a, env, certain, module_scope);
            if (item->b) bind(item->b, unknown("it is bound by 'with ... as'"), env, certain, module_scope, s->line);
        }
        // A context manager may suppress an exception and skip the rest of the body.
        exec_block(s->l[1], env, false, module_scope);
        return;
    case NodeKind::Match:
        exec_match(s, env, certain, module_scope);
        return;
    case NodeKind::Try:
        exec_try(s, env, certain, module_scope);
        return;
    case NodeKind::Raise:
        if (s->a) eval(s->a, env, certain, module_scope);
        if (s->b) eval(s->b, env, certain, module_scope);
        if (certain) import_error(s->line, "a 'raise' statement runs when the module is imported");
        return;
    case NodeKind::Assert: {
        eval(s->a, env, certain, module_scope);
        if (s->b) eval(s->b, env, false, module_scope);
        bool value = true;
        if (certain && truthy_constant(s->a, value) && !value)
            import_error(s->line, "an assert that always fails runs when the module is imported");
        return;
    }
    case NodeKind::Return:
        if (s->a) eval(s->a, env, certain, module_scope);
        if (certain) env.returned = true;
        else env.maybe_returned = true;
        return;
    case NodeKind::Global:
        // At module level a no-op; in a class body it makes the body write module names.
        if (!module_scope)
            unprovable(s->line, call_depth_ > 0
                                    ? "a function called at import declares 'global', so it can change module names"
                                    : "a class body declares 'global', so it can change module names at import");
        return;
    case NodeKind::TypeAlias:
        bind_name(s->a->name, unknown("it is a type alias"), env, certain, s->line, "defined");
        return;
    default: return;
    }
}

void Evaluator::exec_import(const Node* s, Env& env, bool certain) {
    for (const Node* a : s->l[0]) {
        const std::string_view stored = a->name2.empty() ? a->name.substr(0, a->name.find('.')) : a->name2;
        const std::string_view module = a->name2.empty() ? stored : a->name;
        ModuleValue v;
        v.kind = ModuleValue::Kind::Module;
        v.text = std::string(module);
        v.node = a;
        bind_name(stored, v, env, certain, s->line, "imported");
    }
}

void Evaluator::exec_import_from(const Node* s, Env& env, bool certain) {
    for (const Node* a : s->l[0]) {
        if (a->name == "*") {
            unprovable(s->line, fmt::format("'from {}{} import *' binds names the guard cannot see, and any of them "
                                            "may be revision, down_revision, branch_labels or depends_on",
                                            std::string(s->level, '.'), s->name));
            continue;
        }
        const std::string_view stored = a->name2.empty() ? a->name : a->name2;
        if (s->level == 0 && s->name == "alembic" && (a->name == "op" || a->name == "context")) {
            // Alembic's op and context are modules (proxies filled in when a migration
            // runs): subscripting or calling them fails.
            ModuleValue v;
            v.kind = ModuleValue::Kind::Module;
            v.text = fmt::format("alembic.{}", a->name);
            v.node = a;
            bind_name(stored, v, env, certain, s->line, "imported");
        } else if (const std::string from = imported_module(s); !from.empty()) {
            // A module of the repository, or a name of one: read later (a relative import
            // from the package the module is in).
            ModuleValue v;
            v.kind = ModuleValue::Kind::Template;
            v.text = template_reference(fmt::format("{}.{}", from, a->name));
            v.node = a;
            bind_name(stored, v, env, certain, s->line, "imported");
        } else {
            bind_name(stored, unknown(Reason(fmt::format("it is imported from {}{}", std::string(s->level, '.'), s->name)), a),
                      env, certain, s->line, "imported");
        }
    }
}

void Evaluator::exec_match(const Node* s, Env& env, bool certain, bool module_scope) {
    eval(s->a, env, certain, module_scope);
    for (const Node* c : s->l[0]) {
        std::vector<const Node*> stack{c->a};
        while (!stack.empty()) {
            const Node* p = stack.back();
            stack.pop_back();
            if ((p->kind == NodeKind::MatchAs || p->kind == NodeKind::MatchStar || p->kind == NodeKind::MatchMapping) &&
                !p->name.empty())
                bind_name(p->name, unknown("it is bound by a case pattern"), env, false, c->line, "bound");
            if (p->kind == NodeKind::MatchValue || p->kind == NodeKind::MatchClass) scan(p->a, true);
            if (p->kind == NodeKind::MatchMapping) scan_list(p->l[0], true);
            if (p->a && p->kind != NodeKind::MatchValue && p->kind != NodeKind::MatchClass) stack.push_back(p->a);
            for (const NodeList& l : p->l)
                for (const Node* q : l)
                    if (q && p->kind != NodeKind::MatchMapping) stack.push_back(q);
            if (p->kind == NodeKind::MatchMapping)
                for (const Node* q : p->l[1]) stack.push_back(q);
        }
        if (c->b) eval(c->b, env, false, module_scope);
        exec_block(c->l[0], env, false, module_scope);
    }
}

void Evaluator::exec_function_def(const Node* s, Env& env, bool certain, bool module_scope) {
    // Decorators, then defaults, then annotations run when the def statement runs; then
    // the decorators are called, innermost first.
    const std::vector<ModuleValue> decorators = eval_decorators(s, env, certain, module_scope);
    for (const Node* a : s->a->l[0])
        if (a->b) eval(a->b, env, certain, module_scope);
    if (!future_annotations_) {
        for (const Node* a : s->a->l[0])
            if (a->a) eval(a->a, env, certain, module_scope);
        if (s->b) eval(s->b, env, certain, module_scope);
    }
    const bool own_decorators = apply_decorators(decorators, s, env, certain);
    if (s->name == "__getattr__" && module_scope)
        unprovable(s->line, "the module defines __getattr__ (PEP 562), which can supply revision or down_revision "
                            "when Alembic reads them");
    ModuleValue fn = unknown("it is a function", s);
    // Decorated by the module's own functions only: calling the result is taken to run the
    // body (what a decorator does with a function it is given, almost always).
    if (own_decorators && !(s->flags & kAsync) && module_scope) fn.function = s;
    bind_name(s->name, std::move(fn), env, certain, s->line, "defined");
}

void Evaluator::exec_class_def(const Node* s, Env& env, bool certain, bool module_scope) {
    const std::vector<ModuleValue> decorators = eval_decorators(s, env, certain, module_scope);
    for (const Node* b : s->l[3]) eval(b->kind == NodeKind::Keyword ? b->a : b, env, certain, module_scope);
    // The class body runs now, once, in its own namespace, reading the module's names.
    Env class_env;
    class_env.parent = &env;
    exec_block(s->l[0], class_env, certain, false);
    apply_decorators(decorators, s, env, certain);
    ModuleValue cls = unknown("it is a class");
    // Calling a plain class (no base but object, no metaclass, no __new__) runs its own
    // undecorated __init__.
    const bool plain = std::all_of(s->l[3].begin(), s->l[3].end(), [](const Node* b) {
        return b->kind == NodeKind::Name && b->name == "object";
    });
    if (plain && s->l[1].empty() && module_scope) {
        const Node* init = nullptr;
        bool other_constructor = false;
        for (const Node* st : s->l[0]) {
            if (st->kind == NodeKind::FunctionDef && st->name == "__init__") init = st;
            if (st->kind == NodeKind::FunctionDef && (st->name == "__new__" || st->name == "__call__"))
                other_constructor = true;
        }
        if (init && init->l[1].empty() && !(init->flags & kAsync) && !other_constructor) cls.function = init;
    }
    bind_name(s->name, std::move(cls), env, certain, s->line, "defined");
}

void Evaluator::exec_try(const Node* s, Env& env, bool certain, bool module_scope) {
    // Without a handler, the body runs as surely as the statement does: an exception in
    // it goes on after the finally block, unless that block leaves (return, break,
    // continue), which drops it.
    bool finally_leaves = false;
    for_each_statement(s->l[3], [&](const Node* x) {
        if (x->kind == NodeKind::Return || x->kind == NodeKind::Break || x->kind == NodeKind::Continue)
            finally_leaves = true;
    });
    exec_block(s->l[0], env, certain && s->l[1].empty() && !finally_leaves, module_scope);
    for (const Node* h : s->l[1]) {
        if (h->a) eval(h->a, env, false, module_scope);
        exec_block(h->l[0], env, false, module_scope);
        // `except E as name` deletes name when the handler ends.
        if (!h->name.empty()) bind_name(h->name, unknown("it is bound by 'except ... as'"), env, false, h->line, "bound");
    }
    exec_block(s->l[2], env, false, module_scope);
    exec_block(s->l[3], env, certain, module_scope);
}

// Functions and classes that import-time code refers to may run at import: what they do is
// import-time code too (a class referred to may have any of its methods called). Scanning one
// can refer to more, so this runs until nothing new is referred to.
void Evaluator::scan_referenced_definitions() {
    bool grew = true;
    while (grew) {
        grew = false;
        for (size_t i = 0; i < deferred_.size(); ++i) {
            const auto [name, node] = deferred_[i];
            if (!node || std::find(referenced_.begin(), referenced_.end(), name) == referenced_.end()) continue;
            deferred_[i].second = nullptr;
            grew = true;
            scan_list(node->l[0], true);
            // Python calls a class's methods without naming them (__init_subclass__,
            // __set_name__, __class_getitem__, a metaclass's __new__...): all may run.
            if (node->kind == NodeKind::ClassDef)
                for (const Node* st : node->l[0])
                    if (st->kind == NodeKind::FunctionDef) scan_list(st->l[0], true);
        }
    }
}

// Looks for what lets import-time code write the module namespace behind its statements.
void Evaluator::scan(const Node* n, bool import_time) {
    if (!n || !import_time) return;
    // One stack for every scan of the module (a module has a few dozen statements to scan).
    auto& stack = scan_stack_;
    stack.clear();
    stack.emplace_back(n, false);
    while (!stack.empty()) {
        const auto [x, through] = stack.back();
        stack.pop_back();
        switch (x->kind) {
        case NodeKind::Name:
            if (x->ctx == Ctx::Load) {
                if (!through) note_escape(x);
                note_reference(x->name);
                if (std::find(binding_loads_.begin(), binding_loads_.end(), x) == binding_loads_.end() &&
                    std::find(changing_uses_.begin(), changing_uses_.end(), x->name) == changing_uses_.end())
                    changing_uses_.push_back(x->name);
                if (among<kDynamicNames>(x->name))
                    unprovable(x->line, fmt::format("'{}' is used in code that runs at import: it can read or write the "
                                                    "module's names behind its assignments",
                                                    x->name));
                for (const auto& [local, module] : imported_)
                    if (local == x->name)
                        unprovable(x->line, fmt::format("'{}' (from {}) is used in code that runs at import: it can reach "
                                                        "the module's names behind its assignments",
                                                        x->name, module));
            }
            break;
        case NodeKind::Attribute:
            if (among<kDynamicAttributes>(x->name))
                unprovable(x->line, fmt::format("'.{}' is used in code that runs at import: it can reach the module's "
                                                "names behind its assignments",
                                                x->name));
            if (x->ctx == Ctx::Load && !through) note_escape(x);
            [[fallthrough]];
        case NodeKind::Subscript:
            // The scanned code's counterpart of write_through: an attribute or item of what an
            // import bound, assigned or deleted.
            if (x->ctx != Ctx::Load && !imported_path(x->a).empty())
                unprovable(x->line, fmt::format("'{}' changes {} of another module in code that runs at import: other "
                                                "files read their names through it",
                                                describe(x), x->kind == NodeKind::Attribute ? "a name" : "an item"));
            break;
        case NodeKind::Import:
            for (const Node* a : x->l[0]) note_import(std::string(a->name));
            break;
        case NodeKind::ImportFrom: {
            // The module, and each name as the submodule it may be.
            const std::string module = imported_module(x);
            if (module.empty()) break;
            note_import(module);
            for (const Node* a : x->l[0])
                if (a->name != "*") note_import(fmt::format("{}.{}", module, a->name));
            break;
        }
        case NodeKind::Call: note_imported_call(x->a); break;
        case NodeKind::Global:
            // Also in another module's code: its names are the ones migrations read from it.
            for (const Node* g : x->l[0])
                unprovable(x->line, fmt::format("'global {}' in code that runs at import lets it change module names",
                                                g->name));
            break;
        case NodeKind::FunctionDef:
        case NodeKind::ClassDef:
            // A function runs when called (a decorator may call it: then now); a class body
            // runs now. Decorators, defaults, annotations and bases run now.
            if (x->kind == NodeKind::FunctionDef && !x->l[1].empty())
                for (const Node* b : x->l[0]) stack.emplace_back(b, false);
            else
                deferred_.emplace_back(x->name, x);
            // A decorator is called, and a base class's __init_subclass__ or metaclass runs.
            for (const Node* d : x->l[1]) {
                note_imported_call(d);
                stack.emplace_back(d, true);
            }
            if (x->kind == NodeKind::ClassDef)
                for (const Node* b : x->l[3]) note_imported_call(b->kind == NodeKind::Keyword ? b->a : b);
            if (x->a && x->kind == NodeKind::FunctionDef)
                for (const Node* a : x->a->l[0]) {
                    if (a->a) stack.emplace_back(a->a, false);
                    if (a->b) stack.emplace_back(a->b, false);
                }
            if (x->kind == NodeKind::ClassDef) {
                for (const Node* b : x->l[3]) stack.emplace_back(b, false);
                for (const Node* b : x->l[0]) stack.emplace_back(b, false);
            }
            continue;
        default: break;
        }
        // What an attribute is read from, and what a call calls, is not handed on.
        const bool base_read_through = x->kind == NodeKind::Attribute || x->kind == NodeKind::Call;
        for (const Node* c : {x->a, x->b, x->c})
            if (c) stack.emplace_back(c, base_read_through && c == x->a);
        for (const NodeList& l : x->l)
            for (const Node* c : l)
                if (c) stack.emplace_back(c, false);
    }
}

// Calls `f` on every statement of `body`, nested blocks and function and class bodies
// included (expressions hold no statements). The compile check bounded the nesting.
template <class F>
void for_each_statement(const NodeList& body, const F& f) {
    for (const Node* s : body) {
        f(s);
        switch (s->kind) {
        case NodeKind::Try:
            for (const Node* h : s->l[1]) for_each_statement(h->l[0], f);
            for_each_statement(s->l[0], f);
            for_each_statement(s->l[2], f);
            for_each_statement(s->l[3], f);
            break;
        case NodeKind::Match:
            for (const Node* c : s->l[0]) for_each_statement(c->l[0], f);
            break;
        case NodeKind::With: for_each_statement(s->l[1], f); break;
        case NodeKind::FunctionDef:
        case NodeKind::ClassDef:
        case NodeKind::If:
        case NodeKind::While:
        case NodeKind::For:
            for_each_statement(s->l[0], f);
            if (s->kind != NodeKind::FunctionDef && s->kind != NodeKind::ClassDef) for_each_statement(s->l[1], f);
            break;
        default: break;
        }
    }
}

std::string Evaluator::imported_module(const Node* x) const {
    if (x->level == 0) return std::string(x->name);
    // `from .. import x` inside package a.b.c starts at a.b; a migration has no package.
    if (package_.empty()) return {};
    std::string_view base = package_;
    for (int up = 1; up < x->level; ++up) {
        const auto dot = base.rfind('.');
        if (dot == std::string_view::npos) return {};
        base = base.substr(0, dot);
    }
    return x->name.empty() ? std::string(base) : fmt::format("{}.{}", base, x->name);
}

std::string Evaluator::imported_path(const Node* e) const {
    std::vector<std::string_view> attributes;
    while (e->kind == NodeKind::Attribute) {
        attributes.push_back(e->name);
        e = e->a;
    }
    if (e->kind != NodeKind::Name) return {};
    for (auto it = import_names_.rbegin(); it != import_names_.rend(); ++it) {
        if (it->first != e->name) continue;
        std::string out = it->second;
        for (auto a = attributes.rbegin(); a != attributes.rend(); ++a) fmt::format_to(std::back_inserter(out), ".{}", *a);
        return out;
    }
    return {};
}

void Evaluator::note_dynamic_import(const Node* x) {
    if (x->kind == NodeKind::Import) {
        for (const Node* a : x->l[0]) {
            const std::string_view top = a->name.substr(0, a->name.find('.'));
            if (among<kDynamicModules>(a->name) || among<kDynamicModules>(top))
                imported_.emplace_back(a->name2.empty() ? top : a->name2, a->name);
            // `import a.b` binds a; `import a.b as c` binds c to a.b.
            if (a->name2.empty()) import_names_.emplace_back(top, std::string(top));
            else import_names_.emplace_back(a->name2, std::string(a->name));
        }
    } else if (x->kind == NodeKind::ImportFrom) {
        const std::string module = imported_module(x);
        for (const Node* a : x->l[0]) {
            const std::string_view stored = a->name2.empty() ? a->name : a->name2;
            if (!module.empty() && a->name != "*") import_names_.emplace_back(stored, fmt::format("{}.{}", module, a->name));
            if (among<kDynamicModules>(x->name) || among<kDynamicModules>(x->name.substr(0, x->name.find('.'))) ||
                among<kDynamicAttributes>(a->name) || among<kDynamicModules>(a->name))
                imported_.emplace_back(stored, x->name.empty() ? std::string_view("sys._getframe") : x->name);
        }
    }
}

ModuleEvaluation Evaluator::run(const Node* module) {
    // Anywhere in the module: a `global` naming a guarded name, and the imports through which
    // code can reach frames or the module's namespace (a use of them at import counts
    // wherever they were imported).
    for_each_statement(module->l[0], [&](const Node* x) {
        if (x->kind == NodeKind::Global) {
            for (const Node* g : x->l[0])
                if (is_guarded(g->name))
                    unprovable(x->line,
                               fmt::format("'global {}' lets code outside the module's statements assign {}", g->name, g->name));
        } else {
            note_dynamic_import(x);
        }
    });
    for (const Node* st : module->l[0])
        if (st->kind == NodeKind::ImportFrom && st->level == 0 && st->name == "__future__")
            for (const Node* a : st->l[0])
                if (a->name == "annotations") future_annotations_ = true;
    for (const Node* st : module->l[0]) {
        const bool to_names =
            (st->kind == NodeKind::Assign &&
             std::all_of(st->l[0].begin(), st->l[0].end(), [](const Node* t) { return t->kind == NodeKind::Name; })) ||
            (st->kind == NodeKind::AnnAssign && st->a->kind == NodeKind::Name);
        if (to_names) note_binding_loads(st->kind == NodeKind::Assign ? st->a : st->c);
    }
    scan_list(module->l[0], true);
    Env env;
    env.names.reserve(16);
    // The compiler binds __doc__ first: the docstring, or None.
    {
        ModuleValue doc;
        doc.kind = ModuleValue::Kind::None;
        const NodeList& body = module->l[0];
        if (!body.empty() && body[0]->kind == NodeKind::Expr && body[0]->a->kind == NodeKind::Constant &&
            body[0]->a->op == static_cast<uint8_t>(ConstantKind::Str)) {
            doc.kind = ModuleValue::Kind::Str;
            doc.text = std::string(body[0]->a->name);
        }
        env.names.push_back(ModuleBinding{"__doc__", std::move(doc), 1, false});
    }
    exec_block(module->l[0], env, true, true);
    if (env.find("__getattr__") && !result_.unprovable)
        unprovable(env.find("__getattr__")->line, "the module binds __getattr__ (PEP 562), which can supply revision or "
                                                  "down_revision when Alembic reads them");
    scan_referenced_definitions();
    // A list changes in place through any name bound to it (`x.append(...)`, `x[0] = ...`,
    // a function given it): where code run at import refers to a name that ever held one, other
    // than to bind its value to a name at the top (`down_revision = D`), a list among the
    // guarded values is not proven.
    for (std::string_view n : list_names_) {
        if (std::find(changing_uses_.begin(), changing_uses_.end(), n) == changing_uses_.end()) continue;
        for (ModuleBinding& b : env.names) {
            if (!holds_list(b.value)) continue;
            if (is_guarded(b.name)) {
                unprovable(b.line, fmt::format("{} is a list, and code that runs at import uses '{}', which held a list: "
                                               "it can change it in place; write a tuple",
                                               b.name, n));
                continue;
            }
            // Whoever reads the namespace (a migration importing this name) must not take
            // the list as it was written for what it is once the module has run.
            const Node* node = b.value.node;
            b.value = ModuleValue{};
            b.value.node = node;
            b.value.why = Reason(fmt::format("a list that code run at import can change in place (through '{}')", n));
        }
        break;
    }
    result_.names = std::move(env.names);
    return std::move(result_);
}

}  // namespace

std::string describe_expression(const Node* e) { return e ? describe(e) : std::string(); }

bool holds_list(const ModuleValue& v) {
    if (v.kind != ModuleValue::Kind::Sequence) return false;
    return v.is_list || std::any_of(v.items.begin(), v.items.end(), [](const ModuleValue& i) { return holds_list(i); });
}

ModuleEvaluation evaluate_module(const Node* module, const std::vector<std::string_view>& guarded,
                                 std::string_view package) {
    Evaluator e(guarded, package);
    return e.run(module);
}

ForeignCode Evaluator::check_function(const Node* module, std::string_view function) {
    foreign_ = true;
    // The module's defs and classes, as import-time code would find them.
    const Node* found = nullptr;
    for (const Node* st : module->l[0])
        if ((st->kind == NodeKind::FunctionDef || st->kind == NodeKind::ClassDef) && st->name == function) found = st;
    if (!found)
        return {ModuleProblem{1, fmt::format("'{}' is not a def or class of that module, so the guard cannot follow what "
                                             "it runs",
                                             function)},
                {},
                {},
                {}};
    for (const Node* st : module->l[0])
        if (st->kind == NodeKind::FunctionDef || st->kind == NodeKind::ClassDef) deferred_.emplace_back(st->name, st);
    // Imports anywhere in that module, for the frame-walking and unpickling ones.
    for_each_statement(module->l[0], [&](const Node* x) { note_dynamic_import(x); });
    // The called definition is scanned as a referred one (a class: with all its methods).
    note_reference(found->name);
    scan_referenced_definitions();
    // Whatever it could do to its own module's names, it does through the same means.
    return {std::move(result_.unprovable), std::move(result_.imports), std::move(result_.calls), std::move(result_.escapes)};
}

ForeignCode Evaluator::check_import(const Node* module) {
    foreign_ = true;
    for_each_statement(module->l[0], [&](const Node* x) { note_dynamic_import(x); });
    scan_list(module->l[0], true);
    // A module __getattr__ (PEP 562) runs for any name its importers ask for and it lacks.
    note_reference("__getattr__");
    scan_referenced_definitions();
    return {std::move(result_.unprovable), std::move(result_.imports), std::move(result_.calls), std::move(result_.escapes)};
}

ForeignCode check_called_function(const Node* module, std::string_view function, std::string_view package) {
    static const std::vector<std::string_view> none;
    Evaluator e(none, package);
    return e.check_function(module, function);
}

ForeignCode check_imported_module(const Node* module, std::string_view package) {
    static const std::vector<std::string_view> none;
    Evaluator e(none, package);
    return e.check_import(module);
}

}  // namespace ag::py
