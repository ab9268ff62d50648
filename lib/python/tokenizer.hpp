#pragma once
// Python's tokenizer over decoded source text (UTF-8, newlines already "\n"): the tokens
// CPython's parser sees, INDENT/DEDENT/NEWLINE included, or the first error CPython's
// tokenizer raises. Which tokens exist depends on the Python version (3.12 reads f-strings
// with nested quotes).
#include "python/python_version.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag::py {

enum class TokenType : uint8_t { Name, Number, String, Op, Newline, Indent, Dedent, End };

// Keywords, classified once when the name is read (the parser compares them constantly).
enum class Keyword : uint8_t {
    None_ = 0,
    False, NoneKw, True, And, As, Assert, Async, Await, Break, Class, Continue, Def, Del, Elif, Else, Except,
    Finally, For, From, Global, If, Import, In, Is, Lambda, Nonlocal, Not, Or, Pass, Raise, Return, Try, While,
    With, Yield,
};

// Operators and delimiters, one code each.
enum class Op : uint8_t {
    None_ = 0,
    LPar, RPar, LSqb, RSqb, LBrace, RBrace, Colon, Comma, Semi, Plus, Minus, Star, Slash, VBar, Amper, Less,
    Greater, Equal, Dot, Percent, EqEqual, NotEqual, LessEqual, GreaterEqual, Tilde, Circumflex, LeftShift,
    RightShift, DoubleStar, PlusEqual, MinEqual, StarEqual, SlashEqual, PercentEqual, AmperEqual, VBarEqual,
    CircumflexEqual, LeftShiftEqual, RightShiftEqual, DoubleStarEqual, DoubleSlash, DoubleSlashEqual, At, AtEqual,
    RArrow, Ellipsis, ColonEqual, Exclamation,
};

constexpr uint8_t kStrBytes = 1, kStrRaw = 2, kStrF = 4, kStrTriple = 8;

struct Token {
    TokenType type;
    Keyword keyword = Keyword::None_;  // Name
    Op op = Op::None_;                 // Op
    uint8_t str_flags = 0;             // String: kStr*
    int line = 0;
    uint32_t begin = 0;  // offset of the token's text in the source
    uint32_t size = 0;
    uint32_t body_begin = 0;  // String: its contents, between the quotes
    uint32_t body_size = 0;
    uint32_t fold = 0;        // Name with non-ASCII characters: 1 + index of its NFKC form
};

struct TokenError {
    int line = 0;
    std::string message;
};

struct TokenStream {
    std::string_view text;
    std::vector<Token> tokens;               // ends with End unless error is set
    std::vector<std::string> folded_names;   // Token::fold
    std::vector<std::pair<uint32_t, uint32_t>> comments;  // byte ranges, in order
    std::optional<TokenError> error;

    std::string_view text_of(const Token& t) const { return text.substr(t.begin, t.size); }
    // The name a Name token binds: CPython folds identifiers with NFKC.
    std::string_view name_of(const Token& t) const {
        return t.fold ? std::string_view(folded_names[t.fold - 1]) : text_of(t);
    }
};

// `text` must outlive the stream. `lenient_final_continuation`: the raw file ended with
// "\\\r\n", which CPython's end-of-file check lets through (measured).
void tokenize(std::string_view text, PythonVersion version, bool lenient_final_continuation, TokenStream& out);

// Tokenizes the text of one f-string replacement field as CPython compiles it: inside
// brackets (no NEWLINE/INDENT), `line` the line it starts on.
void tokenize_expression(std::string_view text, int line, PythonVersion version, TokenStream& out);

}  // namespace ag::py
