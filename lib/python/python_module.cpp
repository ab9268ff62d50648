#include "python/python_module.hpp"

#include "python/compile_check.hpp"
#include "python/module_evaluator.hpp"
#include "python/parser.hpp"
#include "python/source_text.hpp"
#include "python/tokenizer.hpp"
#include "python/unicode_text.hpp"
#include "python/value_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ag {

namespace {

// One tokenizer buffer and arena per thread, reused from file to file: a history's
// migrations are read one after another.
struct Scratch {
    py::TokenStream tokens;
    py::Arena arena;
};
thread_local Scratch t_scratch;

int line_of(std::string_view text, size_t offset) {
    return static_cast<int>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// What a message needs of a value: its kind and items always, the expression and reason only
// where a message could show them (a literal needs neither).
PyValue to_value(const py::ModuleValue& v) {
    PyValue out;
    using K = py::ModuleValue::Kind;
    auto explain = [&](Reason why) {
        out.text = py::describe_expression(v.node);
        out.why = std::move(why);
    };
    switch (v.kind) {
    case K::None: out.kind = PyValue::Kind::None; break;
    case K::Str:
        out.kind = PyValue::Kind::String;
        out.items.push_back(v.text);
        break;
    case K::Bytes:
        out.kind = PyValue::Kind::NonString;
        out.bytes = true;
        out.items.push_back(v.text);
        explain("a bytes literal, not a str");
        break;
    case K::Template:
        out.kind = PyValue::Kind::Reference;
        out.items.push_back(v.text);
        out.text = py::describe_expression(v.node);
        break;
    case K::Sequence:
        out.kind = PyValue::Kind::Sequence;
        out.list = py::holds_list(v);
        // One sequence of str inside another: Alembic's to_tuple then tuple_rev_as_scalar
        // unwrap it, so (("003",),) names the parent '003'.
        if (v.items.size() == 1 && v.items.front().kind == K::Sequence && !v.items.front().items.empty() &&
            std::all_of(v.items.front().items.begin(), v.items.front().items.end(),
                        [](const py::ModuleValue& i) { return i.kind == K::Str; })) {
            for (const auto& item : v.items.front().items) out.items.push_back(item.text);
            out.nested = true;
            return out;
        }
        if (std::any_of(v.items.begin(), v.items.end(), [](const py::ModuleValue& i) { return i.kind == K::Template; }) &&
            std::all_of(v.items.begin(), v.items.end(),
                        [](const py::ModuleValue& i) { return i.kind == K::Template || i.kind == K::Str; })) {
            out.kind = PyValue::Kind::Reference;
            out.sequence = true;
            out.text = py::describe_expression(v.node);
            for (const auto& item : v.items)
                out.items.push_back(item.kind == K::Str ? py::template_literal(item.text) : item.text);
            return out;
        }
        for (const auto& item : v.items) {
            if (item.kind == K::Str) {
                out.items.push_back(item.text);
                continue;
            }
            out.items.clear();
            if (item.kind == K::Unknown || item.kind == K::Module || item.kind == K::Template) {
                out.kind = PyValue::Kind::Computed;
                explain(Reason(fmt::format("an item of the sequence is computed: {}",
                                           item.kind == K::Unknown ? item.why.view() : "a name of another module")));
                return out;
            }
            out.kind = PyValue::Kind::NonString;
            explain(item.kind == K::None       ? Reason("a sequence holding None")
                    : item.kind == K::Sequence ? Reason("a sequence holding a sequence")
                    : item.kind == K::Bytes    ? Reason("a sequence holding bytes")
                                               : Reason(fmt::format("a sequence holding {}", item.why.view())));
            return out;
        }
        break;
    case K::Other:
        out.kind = PyValue::Kind::NonString;
        explain(Reason(fmt::format("{}, not a str", v.why.view())));
        break;
    case K::Module:
        out.kind = PyValue::Kind::Computed;
        out.may_be_module = true;
        out.module = v.text;
        explain(Reason(fmt::format("it is the module {}", v.text)));
        break;
    case K::Unknown:
        out.kind = PyValue::Kind::Computed;
        // An import in a block that may not run, or a relative one: a module, perhaps.
        out.may_be_module = v.node && v.node->kind == py::NodeKind::Alias;
        explain(v.why);
        break;
    }
    return out;
}

}  // namespace

PyNames::iterator PyNames::find(std::string_view name) {
    return std::find_if(entries_.begin(), entries_.end(), [name](const value_type& e) { return e.first == name; });
}

PyNames::const_iterator PyNames::find(std::string_view name) const {
    return std::find_if(entries_.begin(), entries_.end(), [name](const value_type& e) { return e.first == name; });
}

const PyBinding& PyNames::at(std::string_view name) const {
    const auto it = find(name);
    if (it == end()) throw std::out_of_range(fmt::format("'{}' is not bound", name));
    return it->second;
}

PyBinding& PyNames::slot(std::string_view name) {
    if (const auto it = find(name); it != end()) return it->second;
    if (entries_.empty()) entries_.reserve(12);
    return entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple()).second;
}

void PyNames::erase(std::string_view name) {
    if (const auto it = find(name); it != end()) entries_.erase(it);
}

namespace {

// The front end every reading shares: decode, tokenize, parse and check the module as
// CPython's compile() would. Returns the tree (in `arena`, pointing into `text` and
// `tokens`), or null with the first error in `out` (an encoding the guard cannot decode as
// unprovable, anything else as a syntax error).
const py::Node* compile_source(std::string_view source, py::PythonVersion version, py::SourceText& text,
                               py::TokenStream& tokens, py::Arena& arena, PyModule& out) {
    if (auto problem = py::decode_source(source, text)) {
        if (problem->cannot_decode) out.unprovable = PySyntaxError{problem->line, problem->message};
        else out.syntax_error = PySyntaxError{problem->line, problem->message};
        return nullptr;
    }
    py::tokenize(text.text, version, text.lenient_final_continuation, tokens);
    if (tokens.error) {
        out.syntax_error = PySyntaxError{tokens.error->line, tokens.error->message};
        return nullptr;
    }
    if (text.check_utf8_outside_comments) {
        // The tokenizer decodes tokens, not comments: invalid UTF-8 in a comment compiles.
        const auto& comments = tokens.comments;
        for (size_t off : py::invalid_utf8_offsets(text.text)) {
            auto it = std::upper_bound(comments.begin(), comments.end(), off,
                                       [](size_t v, const std::pair<uint32_t, uint32_t>& r) { return v < r.first; });
            if (it != comments.begin() && off < (it - 1)->second) continue;
            out.syntax_error = PySyntaxError{line_of(text.text, off), "the file is not valid UTF-8 and declares no other encoding"};
            return nullptr;
        }
    }
    arena.reset();
    std::optional<py::SyntaxError> error;
    const py::Node* module = py::parse_module(tokens, version, arena, error);
    if (!module) {
        out.syntax_error = PySyntaxError{error ? error->line : 1, error ? error->message : "invalid syntax"};
        return nullptr;
    }
    if (auto compile_error = py::check_compile(module, version)) {
        out.syntax_error = PySyntaxError{compile_error->line, compile_error->message};
        return nullptr;
    }
    return module;
}

// The module's names, and what running it meets, from its compiled tree.
void evaluate_names(const py::Node* module, PyModule& out, std::string_view package = {}) {
    py::ModuleEvaluation eval = py::evaluate_module(module, alembic_module_names(), package);
    if (eval.unprovable) out.unprovable = PySyntaxError{eval.unprovable->line, eval.unprovable->message};
    if (eval.import_error) out.import_error = PySyntaxError{eval.import_error->line, eval.import_error->message};
    out.calls = std::move(eval.calls);
    out.imports = std::move(eval.imports);
    out.escapes = std::move(eval.escapes);
    for (const auto& b : eval.names) {
        PyBinding& slot = out.names.slot(b.name);
        slot.value = to_value(b.value);
        slot.value.may_be_module |= b.may_be_module;
        slot.line = b.line;
    }
}

PyForeignCode foreign_code(py::ForeignCode code) {
    PyForeignCode out;
    if (code.problem) out.problem = PySyntaxError{code.problem->line, code.problem->message};
    out.imports = std::move(code.imports);
    out.calls = std::move(code.calls);
    out.escapes = std::move(code.escapes);
    return out;
}

}  // namespace

PyModule read_python_module(std::string_view source, py::PythonVersion version) {
    PyModule out;
    py::SourceText text;
    Scratch& scratch = t_scratch;
    if (const py::Node* module = compile_source(source, version, text, scratch.tokens, scratch.arena, out))
        evaluate_names(module, out);
    return out;
}

struct PyCompiledModule::Tree {
    py::SourceText text;
    py::TokenStream tokens;
    py::Arena arena;
    const py::Node* module = nullptr;
};

PyCompiledModule::PyCompiledModule(std::string_view source, py::PythonVersion version, std::string_view package)
    : tree_(std::make_unique<Tree>()) {
    tree_->module = compile_source(source, version, tree_->text, tree_->tokens, tree_->arena, module_);
    if (!tree_->module) {
        tree_.reset();
        return;
    }
    evaluate_names(tree_->module, module_, package);
}

PyCompiledModule::~PyCompiledModule() = default;

PyForeignCode PyCompiledModule::check_import(std::string_view package) const {
    if (!tree_) {
        PyForeignCode out;
        out.problem = module_.syntax_error ? module_.syntax_error : module_.unprovable;
        return out;
    }
    return foreign_code(py::check_imported_module(tree_->module, package));
}

PyForeignCode PyCompiledModule::check_call(std::string_view function, std::string_view package) const {
    if (!tree_) return check_import(package);
    return foreign_code(py::check_called_function(tree_->module, function, package));
}

PyForeignCode check_called_function(std::string_view source, std::string_view function, py::PythonVersion version,
                                    std::string_view package) {
    return PyCompiledModule(source, version).check_call(function, package);
}

PyForeignCode check_imported_module(std::string_view source, py::PythonVersion version, std::string_view package) {
    return PyCompiledModule(source, version).check_import(package);
}

}  // namespace ag
