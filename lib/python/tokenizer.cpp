#include "python/tokenizer.hpp"

#include "python/identifier.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace ag::py {

namespace {

// CPython's tokenizer refuses more than 200 open brackets (MAXLEVEL) and keeps at most 100
// indentation levels (MAXINDENT); measured with 3.11.
constexpr size_t kMaxNesting = 200;
constexpr size_t kMaxIndent = 100;

constexpr unsigned char kIdentStart = 1, kIdentChar = 2, kOperatorChar = 4, kStringStop = 8;
constexpr std::array<unsigned char, 256> kByteClass = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const bool start = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
        t[static_cast<size_t>(c)] = static_cast<unsigned char>((start ? kIdentStart | kIdentChar : 0) |
                                                               (c >= '0' && c <= '9' ? kIdentChar : 0));
    }
    for (char c : std::string_view("()[]{},:;.=+-*/%&|^~<>@!")) t[static_cast<unsigned char>(c)] |= kOperatorChar;
    for (char c : std::string_view("'\"\\\n")) t[static_cast<unsigned char>(c)] |= kStringStop;
    return t;
}();
bool is_ident_start(unsigned char c) { return kByteClass[c] & kIdentStart; }
bool is_ident_char(unsigned char c) { return kByteClass[c] & kIdentChar; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Every name token is classified: a switch on the length and first letter keeps it to one
// comparison of a few bytes at most (a loop over the table was a tenth of reading).
Keyword classify_keyword(std::string_view w) {
    auto is = [&](std::string_view k) { return w == k; };
    switch (w.size()) {
    case 2:
        if (w[0] == 'a') return is("as") ? Keyword::As : Keyword::None_;
        if (w[0] == 'i') return is("if") ? Keyword::If : is("in") ? Keyword::In : is("is") ? Keyword::Is : Keyword::None_;
        if (w[0] == 'o') return is("or") ? Keyword::Or : Keyword::None_;
        return Keyword::None_;
    case 3:
        switch (w[0]) {
        case 'a': return is("and") ? Keyword::And : Keyword::None_;
        case 'd': return is("def") ? Keyword::Def : is("del") ? Keyword::Del : Keyword::None_;
        case 'f': return is("for") ? Keyword::For : Keyword::None_;
        case 'n': return is("not") ? Keyword::Not : Keyword::None_;
        case 't': return is("try") ? Keyword::Try : Keyword::None_;
        default: return Keyword::None_;
        }
    case 4:
        switch (w[0]) {
        case 'N': return is("None") ? Keyword::NoneKw : Keyword::None_;
        case 'T': return is("True") ? Keyword::True : Keyword::None_;
        case 'e': return is("elif") ? Keyword::Elif : is("else") ? Keyword::Else : Keyword::None_;
        case 'f': return is("from") ? Keyword::From : Keyword::None_;
        case 'p': return is("pass") ? Keyword::Pass : Keyword::None_;
        case 'w': return is("with") ? Keyword::With : Keyword::None_;
        default: return Keyword::None_;
        }
    case 5:
        switch (w[0]) {
        case 'F': return is("False") ? Keyword::False : Keyword::None_;
        case 'a': return is("async") ? Keyword::Async : is("await") ? Keyword::Await : Keyword::None_;
        case 'b': return is("break") ? Keyword::Break : Keyword::None_;
        case 'c': return is("class") ? Keyword::Class : Keyword::None_;
        case 'r': return is("raise") ? Keyword::Raise : Keyword::None_;
        case 'w': return is("while") ? Keyword::While : Keyword::None_;
        case 'y': return is("yield") ? Keyword::Yield : Keyword::None_;
        default: return Keyword::None_;
        }
    case 6:
        switch (w[0]) {
        case 'a': return is("assert") ? Keyword::Assert : Keyword::None_;
        case 'e': return is("except") ? Keyword::Except : Keyword::None_;
        case 'g': return is("global") ? Keyword::Global : Keyword::None_;
        case 'i': return is("import") ? Keyword::Import : Keyword::None_;
        case 'l': return is("lambda") ? Keyword::Lambda : Keyword::None_;
        case 'r': return is("return") ? Keyword::Return : Keyword::None_;
        default: return Keyword::None_;
        }
    case 7: return is("finally") ? Keyword::Finally : Keyword::None_;
    case 8:
        return is("continue") ? Keyword::Continue : is("nonlocal") ? Keyword::Nonlocal : Keyword::None_;
    default: return Keyword::None_;
    }
}

// The operator at s[i], longest first, and its length; Op::None_ when none.
std::pair<Op, size_t> operator_at(std::string_view s, size_t i) {
    const char a = s[i];
    const char b = i + 1 < s.size() ? s[i + 1] : '\0';
    const char c = i + 2 < s.size() ? s[i + 2] : '\0';
    switch (a) {
    case '(': return {Op::LPar, 1};
    case ')': return {Op::RPar, 1};
    case '[': return {Op::LSqb, 1};
    case ']': return {Op::RSqb, 1};
    case '{': return {Op::LBrace, 1};
    case '}': return {Op::RBrace, 1};
    case ',': return {Op::Comma, 1};
    case ';': return {Op::Semi, 1};
    case '~': return {Op::Tilde, 1};
    case ':': return b == '=' ? std::pair{Op::ColonEqual, 2} : std::pair{Op::Colon, 1};
    case '+': return b == '=' ? std::pair{Op::PlusEqual, 2} : std::pair{Op::Plus, 1};
    case '-':
        if (b == '=') return {Op::MinEqual, 2};
        if (b == '>') return {Op::RArrow, 2};
        return {Op::Minus, 1};
    case '*':
        if (b == '*') return c == '=' ? std::pair{Op::DoubleStarEqual, 3} : std::pair{Op::DoubleStar, 2};
        return b == '=' ? std::pair{Op::StarEqual, 2} : std::pair{Op::Star, 1};
    case '/':
        if (b == '/') return c == '=' ? std::pair{Op::DoubleSlashEqual, 3} : std::pair{Op::DoubleSlash, 2};
        return b == '=' ? std::pair{Op::SlashEqual, 2} : std::pair{Op::Slash, 1};
    case '|': return b == '=' ? std::pair{Op::VBarEqual, 2} : std::pair{Op::VBar, 1};
    case '&': return b == '=' ? std::pair{Op::AmperEqual, 2} : std::pair{Op::Amper, 1};
    case '^': return b == '=' ? std::pair{Op::CircumflexEqual, 2} : std::pair{Op::Circumflex, 1};
    case '%': return b == '=' ? std::pair{Op::PercentEqual, 2} : std::pair{Op::Percent, 1};
    case '@': return b == '=' ? std::pair{Op::AtEqual, 2} : std::pair{Op::At, 1};
    case '=': return b == '=' ? std::pair{Op::EqEqual, 2} : std::pair{Op::Equal, 1};
    case '!': return b == '=' ? std::pair{Op::NotEqual, 2} : std::pair{Op::Exclamation, 1};
    case '<':
        if (b == '<') return c == '=' ? std::pair{Op::LeftShiftEqual, 3} : std::pair{Op::LeftShift, 2};
        if (b == '=') return {Op::LessEqual, 2};
        if (b == '>') return {Op::NotEqual, 2};  // only with `from __future__ import barry_as_FLUFL`: the parser decides
        return {Op::Less, 1};
    case '>':
        if (b == '>') return c == '=' ? std::pair{Op::RightShiftEqual, 3} : std::pair{Op::RightShift, 2};
        return b == '=' ? std::pair{Op::GreaterEqual, 2} : std::pair{Op::Greater, 1};
    case '.':
        if (b == '.' && c == '.') return {Op::Ellipsis, 3};
        return {Op::Dot, 1};
    default: return {Op::None_, 0};
    }
}

class Tokenizer {
public:
    Tokenizer(std::string_view text, PythonVersion version, TokenStream& out)
        : s_(text), version_(version), out_(out) {
        out_.text = text;
        out_.tokens.clear();
        out_.folded_names.clear();
        out_.comments.clear();
        out_.error.reset();
    }

    void run_module(bool lenient_final_continuation);
    void run_expression(int line);

private:
    void fail(int line, std::string message) {
        if (!out_.error) out_.error = TokenError{line, std::move(message)};
    }
    Token& push(TokenType type, size_t begin, size_t size, int line) {
        Token& t = out_.tokens.emplace_back();
        t.type = type;
        t.begin = static_cast<uint32_t>(begin);
        t.size = static_cast<uint32_t>(size);
        t.line = line;
        return t;
    }
    bool start_logical_line(size_t& i);
    bool scan_token(size_t& i);
    bool scan_string(size_t& i, size_t prefix_len);
    bool scan_fstring_312(size_t& i, size_t body_begin, char quote, bool triple, bool raw, int start_line);
    bool scan_number(size_t& i);
    bool check_identifier(Token& tok);
    char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

    std::string_view s_;
    PythonVersion version_;
    TokenStream& out_;
    int line_ = 1;
    bool lenient_final_continuation_ = false;
    std::vector<char> brackets_;
    std::vector<int> bracket_lines_;
    struct Level {
        int col;
        int altcol;
    };
    std::vector<Level> indents_{{0, 0}};
    bool line_has_tokens_ = false;
    int fstring_depth_ = 0;
};

// Measures indentation as CPython's tokenizer does: tabs to multiples of 8 (col) and of 1
// (altcol); a form feed resets both; backslash continuations go on measuring on the next
// line, and the column of the first backslash (when not 0) is the line's indentation.
bool Tokenizer::start_logical_line(size_t& i) {
    int col = 0, altcol = 0, cont_col = 0;
    size_t j = i;
    while (j < s_.size()) {
        const char c = s_[j];
        if (c == ' ') { ++col; ++altcol; }
        else if (c == '\t') { col = (col / 8 + 1) * 8; altcol += 1; }
        else if (c == '\f') { col = altcol = 0; }
        else if (c == '\\') {
            cont_col = cont_col ? cont_col : col;
            if (j + 1 >= s_.size() || s_[j + 1] != '\n') {
                fail(line_, "unexpected character after line continuation character");
                return false;
            }
            if (j + 2 >= s_.size() && !lenient_final_continuation_) {
                fail(line_, "unexpected EOF while parsing");
                return false;
            }
            ++j;
            ++line_;
        }
        else break;
        ++j;
    }
    // Blank lines and comment-only lines do not count for indentation.
    if (j >= s_.size() || s_[j] == '\n' || s_[j] == '#') {
        i = j;
        return true;
    }
    if (cont_col) col = altcol = cont_col;
    i = j;
    const Level top = indents_.back();
    if (col > top.col) {
        if (altcol <= top.altcol) { fail(line_, "inconsistent use of tabs and spaces in indentation"); return false; }
        if (indents_.size() >= kMaxIndent) { fail(line_, "too many levels of indentation"); return false; }
        indents_.push_back({col, altcol});
        push(TokenType::Indent, i, 0, line_);
    } else if (col < top.col) {
        while (indents_.size() > 1 && col < indents_.back().col) {
            indents_.pop_back();
            push(TokenType::Dedent, i, 0, line_);
        }
        if (col != indents_.back().col) { fail(line_, "unindent does not match any outer indentation level"); return false; }
        if (altcol != indents_.back().altcol) { fail(line_, "inconsistent use of tabs and spaces in indentation"); return false; }
    } else if (altcol != top.altcol) {
        fail(line_, "inconsistent use of tabs and spaces in indentation");
        return false;
    }
    return true;
}

bool Tokenizer::scan_string(size_t& i, size_t prefix_len) {
    const size_t start = i;
    const int start_line = line_;
    uint8_t flags = 0;
    for (size_t k = i; k < i + prefix_len; ++k) {
        const char l = static_cast<char>(s_[k] | 0x20);
        if (l == 'r') flags |= kStrRaw;
        if (l == 'b') flags |= kStrBytes;
        if (l == 'f') flags |= kStrF;
    }
    i += prefix_len;
    const char q = s_[i];
    const bool triple = at(i + 1) == q && at(i + 2) == q;
    const size_t qlen = triple ? 3 : 1;
    if (triple) flags |= kStrTriple;
    i += qlen;
    const size_t body_begin = i;
    auto finish = [&](size_t body_end) {
        Token& t = push(TokenType::String, start, i - start, start_line);
        t.str_flags = flags;
        t.body_begin = static_cast<uint32_t>(body_begin);
        t.body_size = static_cast<uint32_t>(body_end - body_begin);
        return true;
    };
    if ((flags & kStrF) && version_.at_least(12)) {
        if (!scan_fstring_312(i, body_begin, q, triple, flags & kStrRaw, start_line)) return false;
        return finish(i - qlen);
    }
    const size_t n = s_.size();
    while (true) {
        // Skip what cannot end the string or change the line count: a docstring is most of
        // a migration's bytes.
        while (i < n && !(kByteClass[static_cast<unsigned char>(s_[i])] & kStringStop)) ++i;
        if (i >= n) {
            fail(start_line, triple ? fmt::format("unterminated triple-quoted string literal (detected at line {})", line_)
                                    : fmt::format("unterminated string literal (detected at line {})", start_line));
            return false;
        }
        const char c = s_[i];
        if (c == '\\') {
            if (at(i + 1) == '\n') ++line_;
            i += 2;
            continue;
        }
        if (c == '\n') {
            if (!triple) {
                fail(start_line, fmt::format("unterminated string literal (detected at line {})", start_line));
                return false;
            }
            ++line_;
            ++i;
            continue;
        }
        if (c == q && (!triple || (at(i + 1) == q && at(i + 2) == q))) {
            const size_t body_end = i;
            i += qlen;
            return finish(body_end);
        }
        ++i;
    }
}

// PEP 701 (3.12+): a replacement field may hold any expression, strings with the same quote
// and nested f-strings included, spread over lines; so the string ends at its quote only
// outside fields. A format spec is literal text again (3.13 refuses a newline in the spec
// of a single-quoted f-string, 3.12 does not). CPython stops nesting f-strings at 150.
bool Tokenizer::scan_fstring_312(size_t& i, size_t body_begin, char q, bool triple, bool raw, int start_line) {
    (void)body_begin;
    (void)raw;
    const size_t n = s_.size();
    if (++fstring_depth_ > 150) {
        fail(start_line, "f-string: too many nested f-strings");
        return false;
    }
    struct Depth {
        int& d;
        ~Depth() { --d; }
    } depth_guard{fstring_depth_};
    // Each open replacement field: brackets opened in it, and whether its spec has begun.
    struct Field {
        int brackets;
        bool in_spec;
    };
    std::vector<Field> fields;
    auto unterminated = [&]() {
        fail(start_line, triple ? fmt::format("unterminated triple-quoted f-string literal (detected at line {})", line_)
                                : fmt::format("unterminated f-string literal (detected at line {})", start_line));
        return false;
    };
    while (true) {
        if (i >= n) return unterminated();
        const char c = s_[i];
        const bool literal = fields.empty() || fields.back().in_spec;
        if (literal) {
            if (c == '\\') {
                if (at(i + 1) == '\n') ++line_;
                i += 2;
                continue;
            }
            if (c == '\n') {
                if (!triple) {
                    if (fields.empty()) return unterminated();
                    if (version_.at_least(13)) {
                        fail(line_, "f-string: newlines are not allowed in format specifiers for single quoted f-strings");
                        return false;
                    }
                    // 3.12 ends the spec at the newline: the field must close right there.
                    if (at(i + 1) != '}') {
                        fail(line_, "f-string: expecting '}', or format specs");
                        return false;
                    }
                }
                ++line_;
                ++i;
                continue;
            }
            if (c == q && (!triple || (at(i + 1) == q && at(i + 2) == q))) {
                if (!fields.empty()) return unterminated();
                i += triple ? 3 : 1;
                return true;
            }
            if (c == '{') {
                if (fields.empty() && at(i + 1) == '{') { i += 2; continue; }
                fields.push_back({0, false});
                ++i;
                continue;
            }
            if (c == '}') {
                if (fields.empty()) {
                    i += at(i + 1) == '}' ? 2u : 1u;  // a single '}' is the parser's error
                    continue;
                }
                fields.pop_back();  // the end of the field whose format spec this was
                ++i;
                continue;
            }
            ++i;
            continue;
        }
        Field& f = fields.back();
        if (c == '\n') {
            ++line_;
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < n && s_[i] != '\n') ++i;
            continue;
        }
        if (c == '\'' || c == '"') {
            if (!scan_string(i, 0)) return false;
            out_.tokens.pop_back();  // the nested string is part of this token
            continue;
        }
        if (is_ident_start(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < n && is_ident_char(static_cast<unsigned char>(s_[j]))) ++j;
            if (j - i <= 2 && j < n && (s_[j] == '\'' || s_[j] == '"')) {
                std::string p;
                for (size_t k = i; k < j; ++k) p += static_cast<char>(s_[k] | 0x20);
                if (p == "r" || p == "u" || p == "b" || p == "f" || p == "br" || p == "rb" || p == "fr" || p == "rf") {
                    if (!scan_string(i, j - i)) return false;
                    out_.tokens.pop_back();
                    continue;
                }
            }
            i = j;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') { ++f.brackets; ++i; continue; }
        if (c == ')' || c == ']') { --f.brackets; ++i; continue; }
        if (c == '}') {
            if (f.brackets > 0) { --f.brackets; ++i; continue; }
            fields.pop_back();
            ++i;
            continue;
        }
        if (c == ':' && f.brackets <= 0) {
            f.in_spec = true;
            ++i;
            continue;
        }
        if (c == '\\') {
            if (at(i + 1) == '\n') ++line_;
            i += 2;
            continue;
        }
        ++i;
    }
}

// CPython 3.11's number tokenizer, including its checks on what may follow a literal.
bool Tokenizer::scan_number(size_t& i) {
    auto xdigit = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    // verify_end_of_number: a keyword that may follow a number is allowed; another
    // identifier character is an error.
    auto end_ok = [&](size_t k, const char* kind) {
        const char c = at(k);
        auto ahead = [&](std::string_view rest) { return s_.substr(k + 1, rest.size()) == rest; };
        bool kw = (c == 'a' && ahead("nd")) || (c == 'e' && ahead("lse")) || (c == 'f' && ahead("or")) ||
                  (c == 'i' && (at(k + 1) == 'f' || at(k + 1) == 'n' || at(k + 1) == 's')) ||
                  (c == 'o' && ahead("r")) || (c == 'n' && ahead("ot"));
        if (!kw && is_ident_char(static_cast<unsigned char>(c))) {
            fail(line_, fmt::format("invalid {} literal", kind));
            return false;
        }
        return true;
    };
    // tok_decimal_tail: digits with single underscores between them.
    auto decimal_tail = [&](size_t& k) {
        while (true) {
            while (is_digit(at(k))) ++k;
            if (at(k) != '_') return true;
            ++k;
            if (!is_digit(at(k))) {
                fail(line_, "invalid decimal literal");
                return false;
            }
        }
    };
    size_t k = i;
    bool fraction = false, exponent = false, imaginary = false;
    if (at(k) == '.') {
        ++k;
        fraction = true;
    } else if (at(k) == '0') {
        ++k;
        const char p = static_cast<char>(at(k) | 0x20);
        if (p == 'x' || p == 'o' || p == 'b') {
            ++k;
            auto ok = [&](char c) { return p == 'x' ? xdigit(c) : p == 'o' ? (c >= '0' && c <= '7') : (c == '0' || c == '1'); };
            const char* kind = p == 'x' ? "hexadecimal" : p == 'o' ? "octal" : "binary";
            do {
                if (at(k) == '_') ++k;
                if (!ok(at(k))) {
                    if (p != 'x' && is_digit(at(k))) fail(line_, fmt::format("invalid digit '{}' in {} literal", at(k), kind));
                    else fail(line_, fmt::format("invalid {} literal", kind));
                    return false;
                }
                while (ok(at(k))) ++k;
            } while (at(k) == '_');
            if (p != 'x' && is_digit(at(k))) {
                fail(line_, fmt::format("invalid digit '{}' in {} literal", at(k), kind));
                return false;
            }
            if (!end_ok(k, kind)) return false;
            i = k;
            return true;
        }
        bool nonzero = false;
        while (true) {
            if (at(k) == '_') {
                ++k;
                if (!is_digit(at(k))) { fail(line_, "invalid decimal literal"); return false; }
            }
            if (at(k) != '0') break;
            ++k;
        }
        if (is_digit(at(k))) {
            nonzero = true;
            if (!decimal_tail(k)) return false;
        }
        if (at(k) == '.') { ++k; fraction = true; }
        else if (at(k) == 'e' || at(k) == 'E') exponent = true;
        else if (at(k) == 'j' || at(k) == 'J') imaginary = true;
        else if (nonzero) {
            fail(line_, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
            return false;
        } else {
            if (!end_ok(k, "decimal")) return false;
            i = k;
            return true;
        }
    } else {
        if (!decimal_tail(k)) return false;
        if (at(k) == '.') { ++k; fraction = true; }
    }
    if (fraction && is_digit(at(k)) && !decimal_tail(k)) return false;
    if (!imaginary && (exponent || at(k) == 'e' || at(k) == 'E')) {
        const size_t e = k;
        ++k;
        if (at(k) == '+' || at(k) == '-') {
            ++k;
            if (!is_digit(at(k))) { fail(line_, "invalid decimal literal"); return false; }
        } else if (!is_digit(at(k))) {
            // "1e" followed by a keyword such as "else" is a number then the keyword.
            if (!end_ok(e, "decimal")) return false;
            i = e;
            return true;
        }
        if (!decimal_tail(k)) return false;
    }
    if (imaginary || at(k) == 'j' || at(k) == 'J') {
        ++k;
        if (!end_ok(k, "imaginary")) return false;
    } else if (!end_ok(k, "decimal")) {
        return false;
    }
    i = k;
    return true;
}

bool Tokenizer::check_identifier(Token& tok) {
    std::string folded;
    std::string message;
    if (!verify_identifier(out_.text_of(tok), folded, message)) {
        fail(tok.line, std::move(message));
        return false;
    }
    out_.folded_names.push_back(std::move(folded));
    tok.fold = static_cast<uint32_t>(out_.folded_names.size());
    return true;
}

bool Tokenizer::scan_token(size_t& i) {
    const size_t n = s_.size();
    const char c = s_[i];
    const auto uc = static_cast<unsigned char>(c);
    if (is_ident_start(uc)) {
        size_t j = i;
        unsigned char seen = 0;  // OR of the name's bytes: non-ASCII names need checking
        while (j < n && is_ident_char(static_cast<unsigned char>(s_[j]))) seen |= static_cast<unsigned char>(s_[j++]);
        const size_t len = j - i;
        // String prefixes: r, u, b, f and two-letter mixes of r with b or f.
        if (j < n && (s_[j] == '\'' || s_[j] == '"') && len <= 2) {
            char p[2] = {static_cast<char>(s_[i] | 0x20), len == 2 ? static_cast<char>(s_[i + 1] | 0x20) : '\0'};
            const std::string_view pv(p, len);
            if (pv == "r" || pv == "u" || pv == "b" || pv == "f" || pv == "br" || pv == "rb" || pv == "fr" || pv == "rf")
                return scan_string(i, len);
        }
        Token& t = push(TokenType::Name, i, len, line_);
        i = j;
        if (seen & 0x80) return check_identifier(t);
        t.keyword = classify_keyword(out_.text_of(t));
        return true;
    }
    if (c == '\'' || c == '"') return scan_string(i, 0);
    if (is_digit(c) || (c == '.' && is_digit(at(i + 1)))) {
        const size_t start = i;
        if (!scan_number(i)) return false;
        push(TokenType::Number, start, i - start, line_);
        return true;
    }
    const auto [op, len] = operator_at(s_, i);
    if (op == Op::None_) {
        if (uc < 0x20 || uc == 0x7F) fail(line_, fmt::format("invalid non-printable character U+{:04X}", uc));
        else fail(line_, fmt::format("invalid character '{}' (U+{:04X})", c, uc));
        return false;
    }
    Token& t = push(TokenType::Op, i, len, line_);
    t.op = op;
    if (op == Op::LPar || op == Op::LSqb || op == Op::LBrace) {
        if (brackets_.size() >= kMaxNesting) { fail(line_, "too many nested parentheses"); return false; }
        brackets_.push_back(c);
        bracket_lines_.push_back(line_);
    } else if (op == Op::RPar || op == Op::RSqb || op == Op::RBrace) {
        if (brackets_.empty()) { fail(line_, fmt::format("unmatched '{}'", c)); return false; }
        const char open = brackets_.back();
        if ((open == '(' && c != ')') || (open == '[' && c != ']') || (open == '{' && c != '}')) {
            fail(line_, fmt::format("closing parenthesis '{}' does not match opening parenthesis '{}'{}", c, open,
                                    bracket_lines_.back() == line_ ? std::string()
                                                                   : fmt::format(" on line {}", bracket_lines_.back())));
            return false;
        }
        brackets_.pop_back();
        bracket_lines_.pop_back();
    }
    i += len;
    return true;
}

void Tokenizer::run_module(bool lenient_final_continuation) {
    lenient_final_continuation_ = lenient_final_continuation;
    size_t i = 0;
    const size_t n = s_.size();
    bool at_line_start = true;
    bool continuation = false;  // the previous physical line ended with a backslash
    while (i < n) {
        if (at_line_start) {
            at_line_start = false;
            // Conflict markers at column 0 are never valid Python outside a string; named
            // for what they are rather than as a generic syntax error.
            const char first = s_[i];
            if (first == '<' || first == '=' || first == '>' || first == '|') {
                for (std::string_view m : {"<<<<<<<", "=======", ">>>>>>>", "|||||||"}) {
                    if (s_.substr(i, m.size()) == m) {
                        fail(line_, fmt::format("a merge conflict marker '{}' at the start of line {}", m, line_));
                        return;
                    }
                }
            }
            if (brackets_.empty() && !continuation && !start_logical_line(i)) return;
            continuation = false;
            continue;
        }
        const char c = s_[i];
        if (c == '\n') {
            if (brackets_.empty() && line_has_tokens_) {
                push(TokenType::Newline, i, 1, line_);
                line_has_tokens_ = false;
            }
            ++i;
            ++line_;
            at_line_start = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\f') {
            ++i;
            continue;
        }
        if (c == '#') {
            const size_t start = i;
            const void* nl = std::memchr(s_.data() + i, '\n', n - i);
            i = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n;
            out_.comments.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(i));
            continue;
        }
        if (c == '\\') {
            if (at(i + 1) != '\n') { fail(line_, "unexpected character after line continuation character"); return; }
            i += 2;
            ++line_;
            at_line_start = true;
            continuation = true;
            if (i >= n && !lenient_final_continuation_) { fail(line_ - 1, "unexpected EOF while parsing"); return; }
            continue;
        }
        if (!scan_token(i)) return;
        line_has_tokens_ = true;
    }
    if (!brackets_.empty()) {
        fail(bracket_lines_.back(), fmt::format("'{}' was never closed", brackets_.back()));
        return;
    }
    if (line_has_tokens_) push(TokenType::Newline, n, 0, line_);
    while (indents_.size() > 1) {
        indents_.pop_back();
        push(TokenType::Dedent, n, 0, line_);
    }
    push(TokenType::End, n, 0, line_);
}

void Tokenizer::run_expression(int line) {
    line_ = line;
    brackets_.push_back('(');  // compiled as "(expression)": no NEWLINE or INDENT inside
    bracket_lines_.push_back(line);
    size_t i = 0;
    const size_t n = s_.size();
    while (i < n) {
        const char c = s_[i];
        if (c == '\n') { ++line_; ++i; continue; }
        if (c == ' ' || c == '\t' || c == '\f') { ++i; continue; }
        if (c == '#') {
            while (i < n && s_[i] != '\n') ++i;
            continue;
        }
        if (c == '\\') {
            if (at(i + 1) != '\n') { fail(line_, "unexpected character after line continuation character"); return; }
            i += 2;
            ++line_;
            continue;
        }
        if (!scan_token(i)) return;
        if (brackets_.empty()) {
            fail(line_, "f-string: unmatched ')'");
            return;
        }
    }
    if (brackets_.size() > 1) {
        fail(bracket_lines_.back(), fmt::format("f-string: '{}' was never closed", brackets_.back()));
        return;
    }
    push(TokenType::End, n, 0, line_);
}

}  // namespace

void tokenize(std::string_view text, PythonVersion version, bool lenient_final_continuation, TokenStream& out) {
    Tokenizer t(text, version, out);
    t.run_module(lenient_final_continuation);
}

void tokenize_expression(std::string_view text, int line, PythonVersion version, TokenStream& out) {
    Tokenizer t(text, version, out);
    t.run_expression(line);
}

}  // namespace ag::py
