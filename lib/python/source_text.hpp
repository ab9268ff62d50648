#pragma once
// A migration's bytes as CPython's tokenizer receives them when Alembic imports the file
// (compile() of the bytes): NUL bytes refused, CRLF and CR read as LF, a UTF-8 BOM, a PEP 263
// coding cookie on line 1 or 2, the whole file decoded by that codec into UTF-8.
#include <optional>
#include <string>
#include <string_view>

namespace ag::py {

struct SourceText {
    std::string text;  // UTF-8 (or, for the tokenizer's own UTF-8 reading, the raw bytes), "\n" newlines
    // True when the tokenizer reads UTF-8 itself: then only what it tokenizes (not comments)
    // must be valid UTF-8, which the caller checks after tokenizing.
    bool check_utf8_outside_comments = true;
    // The raw file ended with "\\\r\n": CPython's end-of-file check lets that continuation
    // through (measured), unlike "\\\n" or a final "\\".
    bool lenient_final_continuation = false;
};

struct SourceProblem {
    int line = 0;
    std::string message;
    bool cannot_decode = false;  // a codec Python has and the guard has not: not a syntax error
};

// Decodes `bytes`; on failure says why (a syntax error CPython raises, or a codec the guard
// cannot decode).
std::optional<SourceProblem> decode_source(std::string_view bytes, SourceText& out);

}  // namespace ag::py
