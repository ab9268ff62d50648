#pragma once
// Python's grammar, read as CPython's parser reads it: a module's tokens become a syntax
// tree, or the file is refused with the first syntax error. Acceptance is what must match
// CPython exactly (the differential suites check it); messages follow CPython's where it is
// cheap and say what is wrong in plain words otherwise.
#include "python/python_version.hpp"
#include "python/syntax_tree.hpp"
#include "python/tokenizer.hpp"

#include <optional>
#include <string>

namespace ag::py {

struct SyntaxError {
    int line = 0;
    std::string message;
};

// Parses the whole module. The tree's nodes live in `arena`; decoded string constants too.
// Never throws on any input.
Node* parse_module(const TokenStream& tokens, PythonVersion version, Arena& arena, std::optional<SyntaxError>& error);

// How deep the guard follows nested expressions and statements before it refuses a file:
// CPython's own limits (parser stack, compiler recursion) lie beyond, and depend on the
// interpreter's state, so what lies between cannot be proven to compile.
constexpr int kMaxNestingDepth = 2500;

}  // namespace ag::py
