#include "python/string_literal.hpp"

#include "python/unicode_names.hpp"
#include "python/unicode_text.hpp"

#include <fmt/format.h>

namespace ag::py {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads `len` hex digits at body[i]; -1 when fewer are there.
long read_hex(std::string_view body, size_t i, size_t len) {
    long v = 0;
    for (size_t k = 0; k < len; ++k) {
        if (i + k >= body.size()) return -1;
        const int h = hex_value(body[i + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

// The escapes str and bytes literals read alike: one character each; -1 for any other.
int single_character_escape(char e) {
    switch (e) {
    case '\\': return '\\';
    case '\'': return '\'';
    case '"': return '"';
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    default: return -1;
    }
}

}  // namespace

bool decode_str_escapes(std::string_view body, std::string& out, std::string& error) {
    if (body.find('\\') == std::string_view::npos) {  // the common case: nothing to decode
        out.assign(body);
        return true;
    }
    out.clear();
    out.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 1 >= body.size()) {
            // Only an f-string's literal part can end in a backslash ("\\{"): CPython keeps it.
            out += '\\';
            break;
        }
        const size_t esc = i;
        const char e = body[++i];
        if (const int single = single_character_escape(e); single >= 0) {
            out += static_cast<char>(single);
            continue;
        }
        switch (e) {
        case '\n': break;
        case 'x':
        case 'u':
        case 'U': {
            const size_t len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            const long v = read_hex(body, i + 1, len);
            if (v < 0) {
                error = fmt::format("(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: "
                                    "truncated \\{}{} escape",
                                    esc, body.size() - 1, e, std::string(len, 'X'));
                return false;
            }
            if (v > 0x10FFFF) {
                error = fmt::format("(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: "
                                    "illegal Unicode character",
                                    esc, i + len);
                return false;
            }
            append_utf8(out, static_cast<uint32_t>(v));
            i += len;
            break;
        }
        case 'N': {
            // \N{NAME}: the name must be known to the Unicode database Python was built with.
            const size_t open = i + 1;
            const size_t close = open < body.size() && body[open] == '{' ? body.find('}', open + 1) : std::string_view::npos;
            if (close == std::string_view::npos || close == open + 1) {
                error = fmt::format("(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: "
                                    "malformed \\N character escape",
                                    esc, close == std::string_view::npos ? body.size() - 1 : close);
                return false;
            }
            const auto cp = code_point_by_name(body.substr(open + 1, close - open - 1));
            if (!cp) {
                error = fmt::format("(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: "
                                    "unknown Unicode character name",
                                    esc, close);
                return false;
            }
            append_utf8(out, static_cast<uint32_t>(*cp));
            i = close;
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                uint32_t v = static_cast<uint32_t>(e - '0');
                for (int k = 1; k < 3 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
                    v = v * 8 + static_cast<uint32_t>(body[++i] - '0');
                append_utf8(out, v);
            } else {
                // An unknown escape keeps its backslash (a DeprecationWarning, not an error).
                out += '\\';
                out += e;
            }
        }
    }
    return true;
}

bool decode_bytes_escapes(std::string_view body, std::string& out, std::string& error) {
    out.clear();
    out.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 1 >= body.size()) {
            error = "(value error) Trailing \\ in string";
            return false;
        }
        const size_t esc = i;
        const char e = body[++i];
        if (const int single = single_character_escape(e); single >= 0) {
            out += static_cast<char>(single);
            continue;
        }
        switch (e) {
        case '\n': break;
        case 'x': {
            const long v = read_hex(body, i + 1, 2);
            if (v < 0) {
                error = fmt::format("(value error) invalid \\x escape at position {}", esc);
                return false;
            }
            out += static_cast<char>(v);
            i += 2;
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                unsigned v = static_cast<unsigned>(e - '0');
                for (int k = 1; k < 3 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
                    v = v * 8 + static_cast<unsigned>(body[++i] - '0');
                out += static_cast<char>(v & 0xFF);
            } else {
                out += '\\';
                out += e;
            }
        }
    }
    return true;
}

}  // namespace ag::py
