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
    std::string why;   // for NonString/Computed: what it is, in words
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
