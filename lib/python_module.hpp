#pragma once
// Reads a Python module's source the way CPython 3.11 would compile it, without executing
// it: reports the first error that would make `import` fail at the tokenizer/indentation
// level, and resolves the module-level names bound to literals (the last binding wins, a
// name bound earlier to a literal resolves as in Python). Anything it cannot know without
// running code is reported as computed, never guessed.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag {

// Why a value is not a usable literal, in words: almost always fixed text (kept without a
// copy: a migration binds a dozen names, a history has tens of thousands of migrations),
// sometimes composed.
class Reason {
public:
    Reason() = default;
    Reason(const char* fixed) : fixed_(fixed) {}
    Reason(std::string composed) : composed_(std::move(composed)) {}
    std::string_view view() const { return fixed_ ? std::string_view(fixed_) : std::string_view(composed_); }
    bool empty() const { return view().empty(); }

private:
    const char* fixed_ = nullptr;
    std::string composed_;
};

struct PyValue {
    enum class Kind {
        None,       // None
        String,     // 'x' (items[0])
        Sequence,   // tuple or list of strings (items)
        NonString,  // a literal that is not a str/None/sequence of str (number, bool, bytes, ...)
        Computed,   // known only by running code: a call, attribute, f-string, import, ...
    };
    Kind kind = Kind::Computed;
    std::vector<std::string> items;
    std::string text;  // the expression as written (shortened), for messages
    Reason why;        // for NonString/Computed: what it is, in words
};

struct PyBinding {
    PyValue value;
    int line = 0;  // line of the statement that made the binding
};

struct PySyntaxError {
    int line = 0;
    std::string message;
};

// Module-level names and their bindings, in the order each name was first bound. A flat
// table, not a std::map: a migration binds about ten names, and a node per name (allocated,
// compared, freed) was a sixth of reading a migration.
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
    // The binding of `name`, added (empty) when there is none: binding again overwrites it,
    // as the last binding wins.
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
};

// Never throws on any input; never executes anything.
PyModule read_python_module(std::string_view source);

}  // namespace ag
