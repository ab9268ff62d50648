#pragma once
// What CPython's compiler refuses in a module that parsed: the symbol table's errors
// (global/nonlocal misuse, duplicate parameters, `import *` in a function, assignment
// expressions in comprehensions), the code generator's (return/yield/await/break/continue
// out of place, starred expressions where none may stand, 20 nested blocks, late
// `__future__` imports, repeated keyword arguments, unreachable or conflicting match
// patterns, `__debug__` assigned).
#include "python/parser.hpp"
#include "python/syntax_tree.hpp"

#include <optional>

namespace ag::py {

// The first error CPython's compiler would raise for `module`, or nothing. Never throws.
std::optional<SyntaxError> check_compile(const Node* module, PythonVersion version);

}  // namespace ag::py
