#pragma once
// Reads a Python module's source the way CPython 3.11 would compile it, without executing
// it: reports the first error that would make `import` fail at the tokenizer/indentation
// level, and resolves the module-level names bound to literals (the last binding wins, a
// name bound earlier to a literal resolves as in Python). Anything it cannot know without
// running code is reported as computed, never guessed.
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

struct PyModule {
    // Module-level names and their final values; a name `del`eted at the end is absent.
    std::map<std::string, PyBinding, std::less<>> names;
    // The first error that would stop CPython from compiling the file.
    std::optional<PySyntaxError> syntax_error;
};

// Never throws on any input; never executes anything.
PyModule read_python_module(std::string_view source);

}  // namespace ag
