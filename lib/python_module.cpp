#include "python_module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace ag {

namespace {

// CPython's tokenizer refuses more than 200 open brackets (MAXLEVEL); measured with 3.11.
constexpr size_t kMaxNesting = 200;
// CPython's tokenizer keeps at most 100 indentation levels (MAXINDENT).
constexpr size_t kMaxIndent = 100;

enum class Tok { Name, Number, String, Op };

// A view of source text whose comparison with a literal is inlined: std::string_view's
// operator== calls memcmp with a runtime length, which showed as a tenth of all parsing
// time (every token is compared with a few keywords and operators).
struct Text : std::string_view {
    constexpr Text() = default;
    constexpr Text(std::string_view v) : std::string_view(v) {}
    template <size_t N>
    [[gnu::always_inline]] constexpr bool operator==(const char (&lit)[N]) const {
        if constexpr (N == 2) return size() == 1 && front() == lit[0];  // most operators
        if (size() != N - 1) return false;
        for (size_t i = 0; i + 1 < N; ++i)
            if ((*this)[i] != lit[i]) return false;
        return true;
    }
    template <size_t N>
    constexpr bool operator!=(const char (&lit)[N]) const { return !(*this == lit); }
};

// Trivially copyable and small: a migration has hundreds of tokens, a history tens of
// thousands of migrations. What only a few tokens need (a string's decoded value, a
// non-ASCII name's folded form) is computed when asked for, or kept beside the tokens.
struct Token {
    Tok type;
    // Strings only.
    bool is_bytes = false;
    bool is_fstring = false;
    bool raw = false;
    uint32_t body_begin = 0;  // the string's contents: text.substr(body_begin, body_size)
    uint32_t body_size = 0;
    uint32_t norm = 0;        // Names with non-ASCII characters: 1 + index of the NFKC-folded name
    int line = 0;
    Text text;                // as written (for strings: including prefix and quotes), in the source
};

enum class Scope { Module, Conditional, Function };

struct SyntaxFailure {
    int line;
    std::string message;
};

// Length of the multi-character operator at s[i] (2 or 3), or 0.
size_t op_length(std::string_view s, size_t i) {
    const char a = s[i];
    const char b = i + 1 < s.size() ? s[i + 1] : '\0';
    const char c = i + 2 < s.size() ? s[i + 2] : '\0';
    if ((a == '*' || a == '/' || a == '<' || a == '>') && b == a) return c == '=' ? 3 : 2;  // ** // << >> and **= //= <<= >>=
    if (a == '.' && b == '.' && c == '.') return 3;
    if (a == '-' && b == '>') return 2;
    if (a == '<' && b == '>') return 2;  // refused by the caller
    if (b == '=' && std::string_view("+-*/%&|^@=!<>:").find(a) != std::string_view::npos) return 2;
    return 0;
}

// Byte classes, looked up once per byte by the tokenizer's inner loops.
constexpr unsigned char kIdentStart = 1, kIdentChar = 2, kOperator = 4, kStringStop = 8;
constexpr std::array<unsigned char, 256> kByteClass = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const bool start = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
        t[static_cast<size_t>(c)] = static_cast<unsigned char>((start ? kIdentStart | kIdentChar : 0) |
                                                               (c >= '0' && c <= '9' ? kIdentChar : 0));
    }
    for (char c : std::string_view("()[]{},:;.=+-*/%&|^~<>@")) t[static_cast<unsigned char>(c)] |= kOperator;
    for (char c : std::string_view("'\"\\\n")) t[static_cast<unsigned char>(c)] |= kStringStop;
    return t;
}();
bool is_ident_start(unsigned char c) { return kByteClass[c] & kIdentStart; }
bool is_ident_char(unsigned char c) { return kByteClass[c] & kIdentChar; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// PEP 263: a coding declaration in a comment on line 1 or 2 (line 2 only when line 1 is
// blank or a comment). Returns the lowercased, normalised encoding name, or "".
std::string coding_cookie(std::string_view s) {
    size_t pos = 0;
    for (int ln = 0; ln < 2 && pos <= s.size(); ++ln) {
        const auto nl = s.find('\n', pos);
        const auto line = s.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        size_t i = 0;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
        if (i < line.size() && line[i] == '#') {
            const auto c = line.find("coding", i);
            if (c != std::string_view::npos && c + 6 < line.size() && (line[c + 6] == ':' || line[c + 6] == '=')) {
                size_t j = c + 7;
                while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
                std::string name;
                while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '-' ||
                                           line[j] == '_' || line[j] == '.'))
                    name += static_cast<char>(std::tolower(static_cast<unsigned char>(line[j++])));
                std::replace(name.begin(), name.end(), '_', '-');
                return name;
            }
        } else if (i < line.size() && line[i] != '\r') {
            return "";  // line 1 is code: no cookie on line 2
        }
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return "";
}

struct CodeRange {
    uint32_t first;
    uint32_t last;
};
struct AsciiFold {
    uint32_t code;
    const char* ascii;
};
#include "python_tables.inc"

bool in_ranges(const CodeRange* b, const CodeRange* e, uint32_t c) {
    auto it = std::upper_bound(b, e, c, [](uint32_t v, const CodeRange& r) { return v < r.first; });
    return it != b && c <= (it - 1)->last;
}

// The tokenizer's get_normal_name: the first 12 characters, lowercased, '_' as '-'.
std::string normal_encoding_name(const std::string& enc) {
    std::string n = enc.substr(0, 12);
    for (auto& c : n) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "utf-8" || n.rfind("utf-8-", 0) == 0) return "utf-8";
    for (const char* l : {"latin-1", "iso-8859-1", "iso-latin-1"}) {
        const std::string ls(l);
        if (n == ls || n.rfind(ls + "-", 0) == 0) return "iso-8859-1";
    }
    return enc;
}

// codecs.lookup's normalisation (lowercase, runs of punctuation other than '.' as one '_').
std::string codec_key(const std::string& enc) {
    std::string out;
    bool pending = false;
    for (char ch : enc) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '.') {
            if (pending && !out.empty()) out += '_';
            pending = false;
            out += static_cast<char>(std::tolower(c));
        } else {
            pending = true;
        }
    }
    return out;
}

bool known_source_encoding(const std::string& enc) {
    const std::string key = codec_key(normal_encoding_name(enc));
    return std::find(std::begin(kSourceEncodings), std::end(kSourceEncodings), key) != std::end(kSourceEncodings);
}

enum class SourceEncoding { Utf8, Latin1, Ascii, Other };

template <size_t N>
bool listed(const std::string_view (&names)[N], const std::string& key) {
    return std::find(std::begin(names), std::end(names), key) != std::end(names);
}

SourceEncoding classify_encoding(const std::string& enc) {
    if (enc.empty()) return SourceEncoding::Utf8;
    const std::string key = codec_key(normal_encoding_name(enc));
    if (listed(kUtf8Names, key)) return SourceEncoding::Utf8;
    if (listed(kLatin1Names, key)) return SourceEncoding::Latin1;
    if (listed(kAsciiNames, key)) return SourceEncoding::Ascii;
    return SourceEncoding::Other;
}

// Every offset where a byte sequence is not valid UTF-8 (strict, as CPython decodes).
std::vector<size_t> invalid_utf8_offsets(std::string_view s) {
    std::vector<size_t> out;
    size_t i = 0;
    const auto n = s.size();
    while (i < n) {
        // Eight ASCII bytes at a time: migrations are almost always plain ASCII.
        while (i + 8 <= n) {
            uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        size_t len = 0;
        uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1Fu; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0Fu; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07u; }
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                   (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (!ok) { out.push_back(i); ++i; continue; }
        i += len;
    }
    return out;
}

// Decodes one UTF-8 code point at s[i] (validity already known); advances i.
uint32_t next_code_point(std::string_view s, size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += len;
    return cp;
}

std::string utf8_of(uint32_t cp) {
    std::string out;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::string latin1_to_utf8(std::string_view s) {
    std::string out;
    for (char ch : s) out += utf8_of(static_cast<unsigned char>(ch));
    return out;
}

std::string shorten(std::string_view text) {
    // Most values are short and on one line: nothing to fold.
    if (text.size() <= 80 && std::none_of(text.begin(), text.end(), [](char c) {
            return c == '\n' || c == '\r' || c == '\t' || c == ' ';
        }))
        return std::string(text);
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    if (out.size() > 80) out = out.substr(0, 77) + "...";
    return out;
}

std::string utf8_of(uint32_t cp);

// Decodes the escapes of a non-raw str literal body (the common ones; an unknown escape
// keeps its backslash, as CPython does).
std::string decode_escapes(std::string_view body) {
    if (body.find('\\') == std::string_view::npos) return std::string(body);  // the common case
    std::string out;
    out.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (c != '\\' || i + 1 >= body.size()) { out += c; continue; }
        char e = body[++i];
        switch (e) {
        case '\n': break;
        case '\r': if (i + 1 < body.size() && body[i + 1] == '\n') ++i; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'x':
        case 'u':
        case 'U': {
            // \xhh, \uhhhh, \Uhhhhhhhh name code points, stored as UTF-8.
            const size_t len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            bool ok = i + len < body.size();
            for (size_t k = 1; ok && k <= len; ++k) ok = std::isxdigit(static_cast<unsigned char>(body[i + k])) != 0;
            if (ok) {
                out += utf8_of(static_cast<uint32_t>(std::stoul(std::string(body.substr(i + 1, len)), nullptr, 16)));
                i += len;
            } else {
                out += '\\';
                out += e;
            }
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                int k = 1;
                while (k < 3 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7') {
                    v = v * 8 + (body[++i] - '0');
                    ++k;
                }
                out += utf8_of(static_cast<uint32_t>(v));
            } else {
                out += '\\';
                out += e;
            }
        }
    }
    return out;
}

// The Reader's working buffers, kept per thread between files: a history's migrations are
// read one after another, and allocating these afresh for each file showed in the profile.
// (A Reader never makes another: one per thread at a time.)
struct Scratch {
    std::vector<std::pair<size_t, size_t>> comments;
    std::vector<char> brackets;
    std::vector<int> bracket_lines;
    std::vector<Token> current;
    std::vector<const Token*> eqs;
    Scratch& cleared() {
        comments.clear();
        brackets.clear();
        bracket_lines.clear();
        current.clear();
        eqs.clear();
        return *this;
    }
};
thread_local Scratch t_scratch;

class Reader {
public:
    explicit Reader(std::string_view src) : s_(src) {}
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    PyModule run();

private:
    // ---- tokenizer ----
    void tokenize_all();
    void fail(int line, std::string message) {
        if (!failure_) failure_ = SyntaxFailure{line, std::move(message)};
    }
    bool scan_string(size_t& i, size_t prefix_len, Token& tok);
    void end_logical_line(int line);
    // Lines inside a function body bind nothing at module level: only their first, second
    // and last tokens matter (block headers, decorators, `async def`), so no others are kept.
    // The token is built in place: building it aside and copying it in was a fifth of all
    // parsing time (the copy's wide loads stall on the narrow stores that built it).
    Token& new_token() {
        if (current_.empty()) skim_ = indents_.back().scope == Scope::Function;
        if (!skim_ || current_.size() < 3) return current_.emplace_back();
        current_[2] = Token{};
        return current_[2];
    }
    void start_logical_line(size_t& i);

    // ---- statements ----
    void process_line(std::vector<Token>& toks, Scope scope);
    void process_simple(const Token* b, const Token* e, Scope scope);
    void bind(std::string_view name, PyValue&& v, int line, Scope scope);
    void bind_computed(std::string_view name, std::string_view text, Reason why, int line, Scope scope);
    PyValue evaluate(const Token* b, const Token* e) const;
    PyValue evaluate_list(const Token*& p, const Token* e, bool* had_comma) const;
    PyValue evaluate_atom(const Token*& p, const Token* e) const;
    std::string text_of(const Token* b, const Token* e) const {
        if (b >= e) return "";
        const Token& last = *(e - 1);
        return shorten(std::string_view(b->text.data(), static_cast<size_t>(last.text.data() + last.text.size() - b->text.data())));
    }

    // The name a Name token binds: Python folds identifiers with NFKC.
    Text name_of(const Token& t) const { return t.norm ? Text(norms_[t.norm - 1]) : t.text; }
    // The contents of a str literal, escapes decoded, as UTF-8.
    std::string string_value(const Token& t) const {
        const std::string_view body(t.text.data() + t.body_begin, t.body_size);
        std::string v = t.raw ? std::string(body) : decode_escapes(body);
        return encoding_ == SourceEncoding::Latin1 ? latin1_to_utf8(v) : v;
    }

    bool scan_number(size_t& i);
    bool check_fstring_fields(std::string_view body, int line);
    bool verify_identifier(Token& tok);

    // s_[pos, pos + len), both known to be in range: string_view::substr's range check and
    // its out-of-line call showed in the profile (it runs for every token).
    Text view(size_t pos, size_t len) const { return Text(std::string_view(s_.data() + pos, len)); }

    std::string_view s_;
    Scratch& scratch_ = t_scratch.cleared();
    SourceEncoding encoding_ = SourceEncoding::Utf8;
    std::vector<std::pair<size_t, size_t>>& comments_ = scratch_.comments;  // byte ranges of comments
    bool decorator_pending_ = false;
    size_t decorator_depth_ = 0;
    bool lenient_final_continuation_ = false;          // the file ended with "\\\r\n"
    std::optional<SyntaxFailure> failure_;
    int line_ = 1;
    std::vector<char>& brackets_ = scratch_.brackets;
    std::vector<int>& bracket_lines_ = scratch_.bracket_lines;
    struct Level {
        int col;
        int altcol;
        Scope scope;
    };
    std::vector<Level> indents_{{0, 0, Scope::Module}};
    std::vector<Token>& current_ = scratch_.current;  // tokens of the logical line being read
    std::vector<std::string> norms_;  // folded non-ASCII names (Token::norm)
    std::vector<const Token*>& eqs_ = scratch_.eqs;  // process_simple's '=' positions
    bool skim_ = false;               // current_ holds only the first, second and last tokens
    bool expect_indent_ = false;
    int header_line_ = 0;
    std::string header_kw_;
    Scope pending_scope_ = Scope::Module;
    PyNames names_;
};

bool Reader::scan_string(size_t& i, size_t prefix_len, Token& tok) {
    const size_t start = i;
    const int start_line = line_;
    std::string_view prefix = s_.substr(i, prefix_len);
    bool raw = false;
    for (char c : prefix) {
        const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (l == 'r') raw = true;
        if (l == 'b') tok.is_bytes = true;
        if (l == 'f') tok.is_fstring = true;
    }
    i += prefix_len;
    const char q = s_[i];
    const bool triple = i + 2 < s_.size() && s_[i + 1] == q && s_[i + 2] == q;
    const size_t qlen = triple ? 3 : 1;
    i += qlen;
    const size_t body_begin = i;
    const size_t n = s_.size();
    while (true) {
        // Skip what cannot end the string or change the line count, in a tight loop: a
        // docstring is most of a migration's bytes.
        while (i < n && !(kByteClass[static_cast<unsigned char>(s_[i])] & kStringStop)) ++i;
        if (i >= n) {
            fail(start_line, triple ? fmt::format("unterminated triple-quoted string literal (detected at line {})", line_)
                                    : fmt::format("unterminated string literal (detected at line {})", start_line));
            return false;
        }
        const char c = s_[i];
        if (c == '\\') {
            if (i + 1 < s_.size() && s_[i + 1] == '\n') ++line_;
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
        if (c == q && (!triple || (i + 2 < s_.size() && s_[i + 1] == q && s_[i + 2] == q))) {
            const std::string_view body = view(body_begin, i - body_begin);
            i += qlen;
            tok.type = Tok::String;
            tok.text = view(start, i - start);
            tok.line = start_line;
            tok.raw = raw;
            tok.body_begin = static_cast<uint32_t>(body_begin - start);
            tok.body_size = static_cast<uint32_t>(body.size());
            if (tok.is_fstring && !check_fstring_fields(body, start_line)) return false;
            return true;
        }
        ++i;
    }
}

void Reader::start_logical_line(size_t& i) {
    // Measure indentation as CPython 3.11's tokenizer does: tabs to multiples of 8 (col)
    // and of 1 (altcol); backslash continuations go on measuring on the next line, and the
    // column of the first backslash (when not 0) is the line's indentation.
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
                return;
            }
            if (j + 2 >= s_.size() && !lenient_final_continuation_) {
                fail(line_, "unexpected EOF while parsing");
                return;
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
        return;
    }
    if (cont_col) col = altcol = cont_col;
    i = j;
    const Level& top = indents_.back();
    if (col > top.col) {
        if (!expect_indent_) { fail(line_, "unexpected indent"); return; }
        if (altcol <= top.altcol) { fail(line_, "inconsistent use of tabs and spaces in indentation"); return; }
        if (indents_.size() >= kMaxIndent) { fail(line_, "too many levels of indentation"); return; }
        indents_.push_back({col, altcol, pending_scope_});
    } else {
        if (expect_indent_) {
            fail(line_, fmt::format("expected an indented block after '{}' statement on line {}", header_kw_, header_line_));
            return;
        }
        while (indents_.size() > 1 && col < indents_.back().col) indents_.pop_back();
        if (col != indents_.back().col) { fail(line_, "unindent does not match any outer indentation level"); return; }
        if (altcol != indents_.back().altcol) { fail(line_, "inconsistent use of tabs and spaces in indentation"); return; }
    }
    expect_indent_ = false;
}

// The statement keywords the reader cares about, classified without string compares
// against a list (this runs for every logical line of every migration).
enum class Kw { None, If, Elif, Else, For, While, Try, Except, Finally, With, Def, Class, Async, Match, Case };

Kw keyword(Text w) {
    switch (w.size()) {
    case 2: return w == "if" ? Kw::If : Kw::None;
    case 3: return w == "for" ? Kw::For : w == "try" ? Kw::Try : w == "def" ? Kw::Def : Kw::None;
    case 4:
        return w == "elif" ? Kw::Elif : w == "else" ? Kw::Else : w == "with" ? Kw::With : w == "case" ? Kw::Case : Kw::None;
    case 5:
        return w == "while" ? Kw::While : w == "class" ? Kw::Class : w == "async" ? Kw::Async : w == "match" ? Kw::Match
                                                                                                          : Kw::None;
    case 6: return w == "except" ? Kw::Except : Kw::None;
    case 7: return w == "finally" ? Kw::Finally : Kw::None;
    default: return Kw::None;
    }
}

bool is_compound_keyword(Text w) { return keyword(w) != Kw::None; }

void Reader::end_logical_line(int line) {
    if (current_.empty()) return;
    const Token& first = current_.front();
    const Token& last = current_.back();
    const Scope scope = indents_.back().scope;
    Text kw = first.type == Tok::Name ? first.text : Text();
    if (kw == "async" && current_.size() > 1) kw = current_[1].text;
    if (decorator_pending_ && ((!(first.type == Tok::Op && first.text == "@") && kw != "def" && kw != "class") ||
                               indents_.size() != decorator_depth_)) {
        fail(first.line, "a decorator must be followed by a def or class statement at the same indentation");
        return;
    }
    decorator_pending_ = first.type == Tok::Op && first.text == "@";
    decorator_depth_ = indents_.size();
    if (last.type == Tok::Op && last.text == ":" && is_compound_keyword(kw)) {
        expect_indent_ = true;
        header_line_ = first.line;
        header_kw_ = std::string(kw);
        const bool opens_function = kw == "def" || kw == "class";
        pending_scope_ = scope == Scope::Function || opens_function ? Scope::Function : Scope::Conditional;
    } else if (last.type == Tok::Op && last.text == ":" && !(kw == "match" || kw == "case")) {
        // A logical line ending in ':' that is no compound statement cannot compile.
        fail(last.line, "invalid syntax (a line ends with ':' but is not a block header)");
    }
    (void)line;
    if (!failure_ && scope != Scope::Function) process_line(current_, scope);
    current_.clear();
}

void Reader::tokenize_all() {
    size_t i = 0;
    const size_t n = s_.size();
    bool at_line_start = true;
    bool continuation = false;  // previous physical line ended with a backslash
    // Every path that fails returns at once, so the loop need not test for a failure.
    while (i < n) {
        if (at_line_start) {
            at_line_start = false;
            // Conflict markers at column 0 are never valid Python outside a string.
            const auto rest = s_.substr(i);
            const char first = rest.empty() ? '\0' : rest.front();
            if (first == '<' || first == '=' || first == '>' || first == '|')
            for (std::string_view m : {"<<<<<<<", "=======", ">>>>>>>", "|||||||"}) {
                if (rest.substr(0, m.size()) == m) {
                    fail(line_, fmt::format("a merge conflict marker '{}' at the start of line {}", m, line_));
                    return;
                }
            }
            if (brackets_.empty() && !continuation) {
                start_logical_line(i);
                if (failure_) return;
            }
            continuation = false;
            continue;
        }
        const char c = s_[i];
        const auto uc = static_cast<unsigned char>(c);
        if (c == '\n') {
            ++i;
            if (brackets_.empty()) {
                end_logical_line(line_);
                if (failure_) return;
            }
            ++line_;
            at_line_start = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
            ++i;
            while (i < n && (s_[i] == ' ' || s_[i] == '\t' || s_[i] == '\f' || s_[i] == '\r')) ++i;
            continue;
        }
        if (c == '#') {
            const size_t start = i;
            const void* nl = std::memchr(s_.data() + i, '\n', n - i);
            i = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n;
            comments_.emplace_back(start, i);
            continue;
        }
        if (c == '\\') {
            size_t j = i + 1;
            if (j < n && s_[j] == '\r') ++j;
            if (j >= n) { fail(line_, "unexpected EOF while parsing"); return; }
            if (s_[j] != '\n') { fail(line_, "unexpected character after line continuation character"); return; }
            i = j + 1;
            ++line_;
            at_line_start = true;
            continuation = true;
            if (i >= n && !lenient_final_continuation_) { fail(line_ - 1, "unexpected EOF while parsing"); return; }
            continue;
        }
        Token& tok = new_token();
        if (is_ident_start(uc)) {
            size_t j = i;
            unsigned char seen = 0;  // OR of the name's bytes: non-ASCII names need checking
            while (j < n && is_ident_char(static_cast<unsigned char>(s_[j]))) seen |= static_cast<unsigned char>(s_[j++]);
            // String prefixes: r, u, b, f and two-letter mixes of r with b or f.
            const size_t len = j - i;
            if (j < n && (s_[j] == '\'' || s_[j] == '"') && len <= 2) {
                std::string p;
                for (size_t k = i; k < j; ++k) p += static_cast<char>(std::tolower(static_cast<unsigned char>(s_[k])));
                if (p == "r" || p == "u" || p == "b" || p == "f" || p == "br" || p == "rb" || p == "fr" || p == "rf") {
                    if (!scan_string(i, len, tok)) return;
                    continue;
                }
            }
            tok.type = Tok::Name;
            tok.text = view(i, len);
            tok.line = line_;
            i = j;
            if ((seen & 0x80) && !verify_identifier(tok)) return;
            continue;
        }
        if (c == '\'' || c == '"') {
            if (!scan_string(i, 0, tok)) return;
            continue;
        }
        if (is_digit(uc) || (c == '.' && i + 1 < n && is_digit(static_cast<unsigned char>(s_[i + 1])))) {
            const size_t start = i;
            if (!scan_number(i)) return;
            tok.type = Tok::Number;
            tok.text = view(start, i - start);
            tok.line = line_;
            continue;
        }
        // Operators and delimiters: the longest of Python's operators starting here.
        size_t len = op_length(s_, i);
        if (len == 0) {
            if (!(kByteClass[uc] & kOperator)) {
                fail(line_, fmt::format("invalid character '{}' (U+{:04X})", c, uc));
                return;
            }
            len = 1;
        }
        if (len == 2 && c == '<' && s_[i + 1] == '>') { fail(line_, "invalid syntax ('<>' is not an operator in Python 3)"); return; }
        tok.type = Tok::Op;
        tok.text = view(i, len);
        tok.line = line_;
        if (len == 1 && (c == '(' || c == '[' || c == '{')) {
            if (brackets_.size() >= kMaxNesting) { fail(line_, "too many nested parentheses"); return; }
            brackets_.push_back(c);
            bracket_lines_.push_back(line_);
        } else if (len == 1 && (c == ')' || c == ']' || c == '}')) {
            if (brackets_.empty()) { fail(line_, fmt::format("unmatched '{}'", c)); return; }
            const char open = brackets_.back();
            if ((open == '(' && c != ')') || (open == '[' && c != ']') || (open == '{' && c != '}')) {
                fail(line_, fmt::format("closing parenthesis '{}' does not match opening parenthesis '{}'{}", c, open,
                                        bracket_lines_.back() == line_ ? std::string()
                                                                       : fmt::format(" on line {}", bracket_lines_.back())));
                return;
            }
            brackets_.pop_back();
            bracket_lines_.pop_back();
        }
        i += len;
    }
    if (failure_) return;
    if (!brackets_.empty()) {
        fail(bracket_lines_.back(), fmt::format("'{}' was never closed", brackets_.back()));
        return;
    }
    end_logical_line(line_);
    if (!failure_ && expect_indent_)
        fail(line_, fmt::format("expected an indented block after '{}' statement on line {}", header_kw_, header_line_));
    if (!failure_ && decorator_pending_) fail(line_, "a decorator must be followed by a def or class statement");
}

// The expressions inside an f-string's {} are tokenized when the module is compiled: a
// character that cannot stand in Python code there fails it. Nested string literals are
// skipped; the grammar of the expression itself is not checked.
bool Reader::check_fstring_fields(std::string_view body, int line) {
    int depth = 0;
    char quote = 0;
    for (size_t k = 0; k < body.size();) {
        const char c = body[k];
        if (depth == 0) {
            if (c == '{' && k + 1 < body.size() && body[k + 1] == '{') { k += 2; continue; }
            if (c == '{') ++depth;
            ++k;
            continue;
        }
        if (quote) {
            if (c == '\\') { k += 2; continue; }
            if (c == quote) quote = 0;
            ++k;
            continue;
        }
        if (c == '\'' || c == '"') { quote = c; ++k; continue; }
        if (c == '{') { ++depth; ++k; continue; }
        if (c == '}') { --depth; ++k; continue; }
        const auto uc = static_cast<unsigned char>(c);
        if ((uc < 0x20 && c != '\t' && c != '\n' && c != '\f') || uc == 0x7F) {
            fail(line, fmt::format("invalid non-printable character U+{:04X} in an f-string expression", uc));
            return false;
        }
        if (uc >= 0x80 && encoding_ == SourceEncoding::Utf8) {
            const uint32_t cp = next_code_point(body, k);
            if (!in_ranges(std::begin(kXidContinue), std::end(kXidContinue), cp)) {
                fail(line, fmt::format("invalid character U+{:04X} in an f-string expression", cp));
                return false;
            }
            continue;
        }
        ++k;
    }
    return true;
}

// CPython 3.11's number tokenizer, including its checks on what may follow a literal.
bool Reader::scan_number(size_t& i) {
    const size_t n = s_.size();
    auto at = [&](size_t k) -> char { return k < n ? s_[k] : '\0'; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
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
            while (digit(at(k))) ++k;
            if (at(k) != '_') return true;
            ++k;
            if (!digit(at(k))) {
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
        const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(at(k))));
        if (p == 'x' || p == 'o' || p == 'b') {
            ++k;
            auto ok = [&](char c) { return p == 'x' ? xdigit(c) : p == 'o' ? (c >= '0' && c <= '7') : (c == '0' || c == '1'); };
            const char* kind = p == 'x' ? "hexadecimal" : p == 'o' ? "octal" : "binary";
            do {
                if (at(k) == '_') ++k;
                if (!ok(at(k))) {
                    if (p != 'x' && digit(at(k))) fail(line_, fmt::format("invalid digit '{}' in {} literal", at(k), kind));
                    else fail(line_, fmt::format("invalid {} literal", kind));
                    return false;
                }
                while (ok(at(k))) ++k;
            } while (at(k) == '_');
            if (p != 'x' && digit(at(k))) {
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
                if (!digit(at(k))) { fail(line_, "invalid decimal literal"); return false; }
            }
            if (at(k) != '0') break;
            ++k;
        }
        if (digit(at(k))) {
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
    if (fraction && digit(at(k)) && !decimal_tail(k)) return false;
    if (!imaginary && (exponent || at(k) == 'e' || at(k) == 'E')) {
        const size_t e = k;
        ++k;
        if (at(k) == '+' || at(k) == '-') {
            ++k;
            if (!digit(at(k))) { fail(line_, "invalid decimal literal"); return false; }
        } else if (!digit(at(k))) {
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

// CPython checks non-ASCII identifiers against XID_Start/XID_Continue, then binds the
// NFKC-normalised name.
bool Reader::verify_identifier(Token& tok) {
    const std::string_view t = tok.text;
    if (std::all_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return true;
    if (encoding_ == SourceEncoding::Other) return true;  // cannot decode without the codec's table
    std::string norm;
    size_t k = 0;
    bool first = true;
    while (k < t.size()) {
        uint32_t cp;
        if (encoding_ == SourceEncoding::Latin1) cp = static_cast<unsigned char>(t[k++]);
        else cp = next_code_point(t, k);
        if (cp < 0x80) {
            norm += static_cast<char>(cp);
        } else {
            const bool ok = first ? in_ranges(std::begin(kXidStart), std::end(kXidStart), cp)
                                  : in_ranges(std::begin(kXidContinue), std::end(kXidContinue), cp);
            if (!ok) {
                fail(tok.line, fmt::format("invalid character U+{:04X} in an identifier", cp));
                return false;
            }
            auto it = std::lower_bound(std::begin(kNfkcAscii), std::end(kNfkcAscii), cp,
                                       [](const AsciiFold& f, uint32_t v) { return f.code < v; });
            if (it != std::end(kNfkcAscii) && it->code == cp) norm += it->ascii;
            else norm += utf8_of(cp);
        }
        first = false;
    }
    norms_.push_back(std::move(norm));
    tok.norm = static_cast<uint32_t>(norms_.size());
    return true;
}

constexpr const char* kConditional =
    "it is assigned inside an if/try/for/with block, whose outcome the guard does not evaluate";

void Reader::bind(std::string_view name, PyValue&& v, int line, Scope scope) {
    if (scope == Scope::Function) return;
    if (scope == Scope::Conditional) {
        bind_computed(name, v.text, kConditional, line, scope);
        return;
    }
    PyBinding& b = names_.slot(name);
    b.value = std::move(v);
    b.line = line;
}

// Written in place: building a PyValue and moving it through to the table cost more than
// everything else a binding does.
void Reader::bind_computed(std::string_view name, std::string_view text, Reason why, int line, Scope scope) {
    if (scope == Scope::Function) return;
    PyBinding& b = names_.slot(name);
    b.value.kind = PyValue::Kind::Computed;
    b.value.items.clear();
    b.value.text.assign(text);
    b.value.why = scope == Scope::Conditional ? Reason(kConditional) : std::move(why);
    b.line = line;
}

PyValue computed(std::string text, Reason why) {
    PyValue v;
    v.kind = PyValue::Kind::Computed;
    v.text = std::move(text);
    v.why = std::move(why);
    return v;
}

template <size_t N>
bool is_op(const Token* p, const Token* e, const char (&op)[N]) { return p < e && p->type == Tok::Op && p->text == op; }

PyValue Reader::evaluate_atom(const Token*& p, const Token* e) const {
    const Token* start = p;
    PyValue v;
    if (p >= e) return computed("", "an empty expression");
    if (p->type == Tok::String) {
        bool any_bytes = false, any_f = false;
        std::string acc;
        while (p < e && p->type == Tok::String) {
            any_bytes |= p->is_bytes;
            any_f |= p->is_fstring;
            acc += string_value(*p);
            ++p;
        }
        if (any_f) v = computed(text_of(start, p), "an f-string is formatted when the module runs");
        else if (any_bytes) { v.kind = PyValue::Kind::NonString; v.why = "a bytes literal, not a str"; }
        else { v.kind = PyValue::Kind::String; v.items.push_back(std::move(acc)); }
    } else if (p->type == Tok::Number) {
        v.kind = PyValue::Kind::NonString;
        v.why = "a number, not a str";
        ++p;
    } else if (p->type == Tok::Name) {
        const auto name = name_of(*p);
        ++p;
        if (name == "None") v.kind = PyValue::Kind::None;
        else if (name == "True" || name == "False") { v.kind = PyValue::Kind::NonString; v.why = "a bool, not a str"; }
        else if (name == "lambda" || name == "yield" || name == "await" || name == "not") {
            p = e;
            return computed(text_of(start, e), "an expression evaluated when the module runs");
        } else if (auto it = names_.find(name); it != names_.end()) {
            v = it->second.value;
            if (v.kind == PyValue::Kind::Computed)
                v.why = fmt::format("it refers to '{}' (line {}), and {}", name, it->second.line, v.why.view());
        } else {
            v = computed(std::string(name),
                         fmt::format("it refers to '{}', which is not bound to a literal earlier in this file", name));
        }
    } else if (is_op(p, e, "(")) {
        ++p;
        if (is_op(p, e, ")")) {
            ++p;
            v.kind = PyValue::Kind::Sequence;
        } else {
            bool comma = false;
            v = evaluate_list(p, e, &comma);
            if (!is_op(p, e, ")")) return computed(text_of(start, e), "an expression evaluated when the module runs");
            ++p;
            if (comma) {
                // evaluate_list already built the tuple
            }
        }
    } else if (is_op(p, e, "[")) {
        ++p;
        if (is_op(p, e, "]")) {
            ++p;
            v.kind = PyValue::Kind::Sequence;
        } else {
            bool comma = false;
            PyValue inner = evaluate_list(p, e, &comma);
            if (!is_op(p, e, "]")) return computed(text_of(start, e), "an expression evaluated when the module runs");
            ++p;
            if (!comma) {
                // A one-element list: wrap the single value.
                PyValue seq;
                seq.kind = PyValue::Kind::Sequence;
                if (inner.kind == PyValue::Kind::String) seq.items = inner.items;
                else if (inner.kind == PyValue::Kind::Computed) seq = inner;
                else { seq.kind = PyValue::Kind::NonString; seq.why = "a list holding something other than strings"; }
                v = std::move(seq);
            } else {
                v = std::move(inner);
            }
        }
    } else {
        p = e;
        return computed(text_of(start, e), "an expression evaluated when the module runs");
    }
    // Anything following an atom other than a separator makes it an expression.
    if (p < e && !(p->type == Tok::Op && (p->text == "," || p->text == ")" || p->text == "]"))) {
        const char* why = "an expression evaluated when the module runs";
        if (is_op(p, e, "(")) why = "a call, evaluated when the module runs";
        else if (is_op(p, e, ".")) why = "an attribute, looked up when the module runs";
        else if (is_op(p, e, "[")) why = "a subscript, evaluated when the module runs";
        // Consume to the end of this element (up to a separator at this depth).
        int depth = 0;
        while (p < e) {
            if (p->type == Tok::Op && (p->text == "(" || p->text == "[" || p->text == "{")) ++depth;
            else if (p->type == Tok::Op && (p->text == ")" || p->text == "]" || p->text == "}")) {
                if (depth == 0) break;
                --depth;
            } else if (depth == 0 && is_op(p, e, ",")) break;
            ++p;
        }
        return computed(text_of(start, p), why);
    }
    if (v.text.empty()) v.text = text_of(start, p);
    return v;
}

PyValue Reader::evaluate_list(const Token*& p, const Token* e, bool* had_comma) const {
    const Token* start = p;
    PyValue first = evaluate_atom(p, e);
    if (!is_op(p, e, ",")) {  // the common case: one value, no tuple
        *had_comma = false;
        return first;
    }
    std::vector<PyValue> items;
    items.push_back(std::move(first));
    bool comma = false;
    while (is_op(p, e, ",")) {
        comma = true;
        ++p;
        if (p >= e || is_op(p, e, ")") || is_op(p, e, "]")) break;
        items.push_back(evaluate_atom(p, e));
    }
    *had_comma = comma;
    PyValue seq;
    seq.kind = PyValue::Kind::Sequence;
    seq.text = text_of(start, p);
    for (auto& it : items) {
        if (it.kind == PyValue::Kind::String) {
            seq.items.push_back(it.items.front());
        } else if (it.kind == PyValue::Kind::Computed) {
            it.text = seq.text;
            return it;
        } else {
            seq.kind = PyValue::Kind::NonString;
            seq.items.clear();
            seq.why = it.kind == PyValue::Kind::None ? Reason("a sequence holding None")
                                                      : Reason(fmt::format("a sequence holding {}", it.why.view()));
            return seq;
        }
    }
    return seq;
}

PyValue Reader::evaluate(const Token* b, const Token* e) const {
    const Token* p = b;
    bool comma = false;
    PyValue v = evaluate_list(p, e, &comma);
    if (p != e) return computed(text_of(b, e), "an expression evaluated when the module runs");
    v.text = text_of(b, e);
    return v;
}

void Reader::process_simple(const Token* b, const Token* e, Scope scope) {
    if (b >= e) return;
    const int line = b->line;
    // Walrus anywhere binds a name when the statement runs.
    for (const Token* p = b; p + 1 < e; ++p)
        if (p->type == Tok::Name && is_op(p + 1, e, ":="))
            bind_computed(name_of(*p), name_of(*p), "it is bound with ':=' inside an expression", line, scope);

    if (b->type == Tok::Name && (b->text == "import" || b->text == "from")) {
        // import a.b as c / from x import a as b, c  → names bound to imported objects.
        const Token* p = b;
        if (b->text == "from") {
            while (p < e && !(p->type == Tok::Name && p->text == "import")) ++p;
            ++p;
            while (p < e) {
                if (p->type == Tok::Name && p->text != "as") {
                    const Token* name = p;
                    if (p + 2 < e && p[1].type == Tok::Name && p[1].text == "as") name = p + 2, p += 2;
                    bind_computed(name_of(*name), name_of(*name), "it is imported from another module", line, scope);
                }
                ++p;
            }
        } else {
            ++p;
            while (p < e) {
                const Token* first = p;
                while (p < e && !is_op(p, e, ",")) ++p;  // one dotted name [as alias]
                const Token* name = first;
                for (const Token* q = first; q < p; ++q)
                    if (q->type == Tok::Name && q->text == "as" && q + 1 < p) name = q + 1;
                if (name->type == Tok::Name)
                    bind_computed(name_of(*name), name_of(*name), "it is an imported module", line, scope);
                ++p;
            }
        }
        return;
    }
    if (b->type == Tok::Name && b->text == "del") {
        if (scope == Scope::Module) {
            for (const Token* p = b + 1; p < e; ++p)
                if (p->type == Tok::Name && (p + 1 >= e || is_op(p + 1, e, ",")) && (p == b + 1 || is_op(p - 1, e, ",")))
                    names_.erase(name_of(*p));
        } else {
            for (const Token* p = b + 1; p < e; ++p)
                if (p->type == Tok::Name) bind_computed(name_of(*p), "del", "it is deleted conditionally", line, scope);
        }
        return;
    }
    // Split on '=' at depth 0 (stopping at a lambda, whose defaults also use '=').
    std::vector<const Token*>& eqs = eqs_;  // reused: most statements have one '='
    eqs.clear();
    int depth = 0;
    const Token* aug = nullptr;
    const Token* annot = nullptr;
    for (const Token* p = b; p < e; ++p) {
        if (p->type != Tok::Op) {
            if (p->type == Tok::Name && p->text == "lambda" && depth == 0) break;
            continue;
        }
        const auto t = p->text;
        if (t == "(" || t == "[" || t == "{") ++depth;
        else if (t == ")" || t == "]" || t == "}") --depth;
        else if (depth == 0 && t == "=") eqs.push_back(p);
        else if (depth == 0 && eqs.empty() && !aug && t.size() >= 2 && t.back() == '=' && t != "==" && t != "!=" && t != ":=" &&
                 t != "<=" && t != ">=")
            aug = p;
        else if (depth == 0 && eqs.empty() && t == ":" && !annot) annot = p;
    }
    if (aug) {
        if (b->type == Tok::Name && b + 1 == aug)
            bind_computed(name_of(*b), text_of(b, e), "it is changed with an augmented assignment", line, scope);
        return;
    }
    if (eqs.empty()) return;  // an expression, or an annotation without a value (binds nothing)
    const Token* value_begin = eqs.back() + 1;
    PyValue value = evaluate(value_begin, e);
    const Token* seg_begin = b;
    for (const Token* eq : eqs) {
        const Token* seg_end = eq;
        // Annotated assignment: NAME ':' annotation '=' value.
        if (annot && annot < seg_end && seg_begin == b) seg_end = annot;
        // Strip enclosing brackets of a target list.
        const Token* tb = seg_begin;
        const Token* te = seg_end;
        if (te - tb >= 2 && ((is_op(tb, te, "(") && is_op(te - 1, te, ")")) || (is_op(tb, te, "[") && is_op(te - 1, te, "]")))) {
            ++tb;
            --te;
        }
        if (te - tb == 1 && tb->type == Tok::Name) {
            if (eq == eqs.back()) bind(name_of(*tb), std::move(value), line, scope);  // its last use
            else bind(name_of(*tb), PyValue(value), line, scope);
        } else {
            // A target list: a, b = 'x', 'y'. Only elements that are a bare name (or *name)
            // bind; attributes and subscripts (p.n, d[k]) bind nothing at module level.
            std::vector<const Token*> targets;
            bool simple = true;
            int d = 0;
            const Token* elem = tb;
            for (const Token* p = tb; p <= te; ++p) {
                if (p < te && p->type == Tok::Op && (p->text == "(" || p->text == "[" || p->text == "{")) ++d;
                else if (p < te && p->type == Tok::Op && (p->text == ")" || p->text == "]" || p->text == "}")) --d;
                if (p < te && !(d == 0 && is_op(p, te, ","))) continue;
                const Token* eb = elem;
                if (eb < p && is_op(eb, p, "*")) { ++eb; simple = false; }
                if (p - eb == 1 && eb->type == Tok::Name) targets.push_back(eb);
                else simple = false;
                elem = p + 1;
            }
            for (size_t k = 0; k < targets.size(); ++k) {
                if (simple && value.kind == PyValue::Kind::Sequence && value.items.size() == targets.size()) {
                    PyValue item;
                    item.kind = PyValue::Kind::String;
                    item.items.push_back(value.items[k]);
                    item.text = fmt::format("'{}'", value.items[k]);
                    bind(name_of(*targets[k]), std::move(item), line, scope);
                } else {
                    bind_computed(name_of(*targets[k]), text_of(b, e), "it is unpacked from a sequence the guard cannot evaluate",
                         line, scope);
                }
            }
        }
        seg_begin = eq + 1;
    }
}

void Reader::process_line(std::vector<Token>& toks, Scope scope) {
    const Token* b = toks.data();
    const Token* e = b + toks.size();
    if (b->type == Tok::Op && b->text == "@") return;  // a decorator
    Text kw = b->type == Tok::Name ? b->text : Text();
    const Token* kwtok = b;
    if (kw == "async" && toks.size() > 1) { kw = b[1].text; kwtok = b + 1; }
    const Kw k = keyword(kw);
    const bool compound = (k != Kw::None && k != Kw::Match && k != Kw::Case && k != Kw::Async) ||
                          (k == Kw::Match && (e - 1)->type == Tok::Op && (e - 1)->text == ":") ||
                          (k == Kw::Case && std::any_of(b, e, [](const Token& t) { return t.type == Tok::Op && t.text == ":"; }));
    if (compound) {
        // Header: find its ':' at depth 0; what follows on the same line is the body.
        int depth = 0;
        const Token* colon = nullptr;
        for (const Token* p = kwtok; p < e; ++p) {
            if (p->type != Tok::Op) continue;
            if (p->text == "(" || p->text == "[" || p->text == "{") ++depth;
            else if (p->text == ")" || p->text == "]" || p->text == "}") --depth;
            else if (depth == 0 && p->text == ":") { colon = p; break; }
            else if (p->type == Tok::Name && p->text == "lambda") break;
        }
        const int line = b->line;
        if (kw == "def" || kw == "class") {
            if (kwtok + 1 < e && kwtok[1].type == Tok::Name)
                bind_computed(name_of(kwtok[1]), name_of(kwtok[1]), kw == "def" ? "it is a function" : "it is a class",
                     line, scope);
            return;
        }
        // Names bound by the header itself: for-targets and 'as' targets.
        const Token* header_end = colon ? colon : e;
        if (kw == "for") {
            for (const Token* p = kwtok + 1; p < header_end && !(p->type == Tok::Name && p->text == "in"); ++p)
                if (p->type == Tok::Name) bind_computed(name_of(*p), name_of(*p), "it is a for-loop variable", line, scope);
        }
        if (kw == "case") {
            // A capture pattern binds its names when the case matches.
            for (const Token* p = kwtok + 1; p < header_end; ++p) {
                if (p->type != Tok::Name) continue;
                if (p->text == "if") break;  // the guard
                const bool dotted = (p > kwtok + 1 && is_op(p - 1, e, ".")) || is_op(p + 1, header_end, ".") ||
                                    is_op(p + 1, header_end, "(");
                if (dotted || p->text == "_" || p->text == "as" || p->text == "None" || p->text == "True" ||
                    p->text == "False")
                    continue;
                bind_computed(name_of(*p), name_of(*p), "it is bound by a case pattern", line, scope);
            }
        }
        for (const Token* p = kwtok; p + 1 < header_end; ++p)
            if (p->type == Tok::Name && p->text == "as" && p[1].type == Tok::Name)
                bind_computed(name_of(p[1]), name_of(p[1]), "it is bound by 'as'", line, scope);
        if (colon && colon + 1 < e) {
            const Scope body_scope = scope == Scope::Function ? Scope::Function : Scope::Conditional;
            // Simple statements after the colon, separated by ';'.
            const Token* s = colon + 1;
            for (const Token* p = s; p <= e; ++p) {
                if (p == e || is_op(p, e, ";")) {
                    process_simple(s, p, body_scope);
                    s = p + 1;
                }
            }
        }
        return;
    }
    const Token* s = b;
    for (const Token* p = b; p <= e; ++p) {
        if (p == e || is_op(p, e, ";")) {
            process_simple(s, p, scope);
            s = p + 1;
        }
    }
}

PyModule Reader::run() {
    PyModule out;
    // Checks on the raw bytes first, in the order CPython meets them.
    if (const auto nul = s_.find('\0'); nul != std::string_view::npos) {
        const auto line = 1 + std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
        out.syntax_error = PySyntaxError{static_cast<int>(line), "the file contains NUL bytes"};
        return out;
    }
    auto line_at = [](std::string_view text, size_t offset) {
        return static_cast<int>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    };
    bool bom = false;
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") {
        s_.remove_prefix(3);
        bom = true;
    }
    const std::string enc = coding_cookie(s_);
    if (!enc.empty() && !known_source_encoding(enc)) {
        out.syntax_error = PySyntaxError{1, fmt::format("unknown encoding: {}", enc)};
        return out;
    }
    if (bom && !enc.empty() && normal_encoding_name(enc) != "utf-8") {
        out.syntax_error = PySyntaxError{1, fmt::format("encoding problem: {} with BOM", enc)};
        return out;
    }
    encoding_ = classify_encoding(enc);
    if (encoding_ == SourceEncoding::Ascii) {
        // A declared codec decodes the whole file, comments included.
        for (size_t i = 0; i < s_.size(); ++i) {
            if (static_cast<unsigned char>(s_[i]) >= 0x80) {
                out.syntax_error = PySyntaxError{line_at(s_, i), "the file declares the ascii encoding but holds "
                                                                 "non-ASCII bytes"};
                return out;
            }
        }
    }
    // The tokenizer's end-of-file check differs for a final backslash before CRLF (measured).
    lenient_final_continuation_ = s_.size() >= 3 && s_.substr(s_.size() - 3) == "\\\r\n";
    // CPython translates \r\n and lone \r to \n before tokenizing.
    std::string normalized;
    if (s_.find('\r') != std::string_view::npos) {
        normalized.reserve(s_.size());
        for (size_t i = 0; i < s_.size(); ++i) {
            if (s_[i] == '\r') {
                normalized += '\n';
                if (i + 1 < s_.size() && s_[i + 1] == '\n') ++i;
            } else {
                normalized += s_[i];
            }
        }
        s_ = normalized;
    }
    tokenize_all();
    if (!failure_ && encoding_ == SourceEncoding::Utf8) {
        // Without a cookie (or with one whose normal name is "utf-8") CPython decodes tokens,
        // not comments: invalid UTF-8 in a comment compiles, anywhere else it does not
        // (measured through importlib). Another name for the codec ("utf8", "u8") decodes
        // the whole file, comments included.
        const bool whole_file = !enc.empty() && normal_encoding_name(enc) != "utf-8";
        for (size_t off : invalid_utf8_offsets(s_)) {
            auto it = std::upper_bound(comments_.begin(), comments_.end(), off,
                                       [](size_t v, const std::pair<size_t, size_t>& r) { return v < r.first; });
            if (!whole_file && it != comments_.begin() && off < (it - 1)->second) continue;
            fail(line_at(s_, off), "the file is not valid UTF-8 and declares no other encoding");
            break;
        }
    }
    if (failure_) out.syntax_error = PySyntaxError{failure_->line, failure_->message};
    out.names = std::move(names_);
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
    // One allocation for a typical migration's names.
    if (entries_.empty()) entries_.reserve(12);
    return entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple()).second;
}

void PyNames::erase(std::string_view name) {
    if (const auto it = find(name); it != end()) entries_.erase(it);
}

PyModule read_python_module(std::string_view source) {
    Reader r(source);
    return r.run();
}

}  // namespace ag
