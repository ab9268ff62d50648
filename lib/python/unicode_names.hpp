#pragma once
// The character names a \N{...} escape in a CPython 3.11 str literal accepts (Unicode 14.0,
// the version of Debian 12's /usr/bin/python3), without asking an interpreter.
#include <optional>
#include <string_view>

namespace ag::py {

// The code point "\N{name}" denotes, or nullopt where CPython refuses the escape. As CPython:
// a character name or a formal alias in any ASCII letter case; CJK UNIFIED IDEOGRAPH-<4 or 5
// hex digits> and HANGUL SYLLABLE <jamo> only in upper case; no named sequences, no spaces
// around the name. For an empty name CPython says "malformed \N character escape", for any
// other refusal "unknown Unicode character name"; that wording is the caller's.
std::optional<char32_t> code_point_by_name(std::string_view name);

}  // namespace ag::py
