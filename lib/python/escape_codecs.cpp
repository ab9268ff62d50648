#include "python/escape_codecs.hpp"

#include "python/unicode_names.hpp"
#include "python/unicode_text.hpp"

#include <cstdint>

namespace ag::py {
namespace {

int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads `count` hex digits at bytes[s..]; false (s at the first byte that is not one, or at
// the end) when there are fewer.
bool read_hex(std::string_view bytes, size_t& s, int count, uint32_t& value) {
    value = 0;
    for (; count > 0; --count, ++s) {
        if (s >= bytes.size()) return false;
        const int digit = hex_digit(static_cast<uint8_t>(bytes[s]));
        if (digit < 0) return false;
        value = value << 4 | static_cast<uint32_t>(digit);
    }
    return true;
}

}  // namespace

bool decode_unicode_escape(std::string_view bytes, std::string& out, CodecFailure& failure) {
    constexpr std::string_view kEncoding = "unicodeescape";
    size_t s = 0;
    while (s < bytes.size()) {
        const auto c = static_cast<uint8_t>(bytes[s]);
        if (c != '\\') {
            append_utf8(out, c);
            ++s;
            continue;
        }
        const size_t start = s++;
        const auto fail = [&](std::string_view reason) {
            failure = {kEncoding, start, s, reason};
            return false;
        };
        if (s >= bytes.size()) return fail("\\ at end of string");
        const auto e = static_cast<uint8_t>(bytes[s++]);
        switch (e) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            // Up to three octal digits; above 0o377 too (a DeprecationWarning only).
            uint32_t code = e - '0';
            for (int more = 0; more < 2 && s < bytes.size() && bytes[s] >= '0' && bytes[s] <= '7'; ++more)
                code = code * 8 + static_cast<uint32_t>(bytes[s++] - '0');
            append_utf8(out, code);
            break;
        }
        case 'x':
        case 'u':
        case 'U': {
            const int count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t code = 0;
            if (!read_hex(bytes, s, count, code))
                return fail(e == 'x' ? "truncated \\xXX escape" : e == 'u' ? "truncated \\uXXXX escape"
                                                                           : "truncated \\UXXXXXXXX escape");
            if (code > 0x10FFFF) return fail("illegal Unicode character");
            append_utf8(out, code);
            break;
        }
        case 'N': {
            if (s >= bytes.size() || bytes[s] != '{') return fail("malformed \\N character escape");
            const size_t name_start = ++s;
            while (s < bytes.size() && bytes[s] != '}') ++s;
            if (s >= bytes.size() || s == name_start) return fail("malformed \\N character escape");
            const auto code = code_point_by_name(bytes.substr(name_start, s - name_start));
            ++s;
            if (!code) return fail("unknown Unicode character name");
            append_utf8(out, *code);
            break;
        }
        default:
            out += '\\';
            append_utf8(out, e);
            break;
        }
    }
    return true;
}

bool decode_raw_unicode_escape(std::string_view bytes, std::string& out, CodecFailure& failure) {
    constexpr std::string_view kEncoding = "rawunicodeescape";
    size_t s = 0;
    while (s < bytes.size()) {
        const auto c = static_cast<uint8_t>(bytes[s]);
        if (c != '\\') {
            append_utf8(out, c);
            ++s;
            continue;
        }
        // A run of backslashes is kept; after an odd one, 'u' or 'U' starts an escape that
        // takes the run's last backslash.
        const size_t run = s;
        while (s < bytes.size() && bytes[s] == '\\') ++s;
        const size_t length = s - run;
        const bool escape = length % 2 == 1 && s < bytes.size() && (bytes[s] == 'u' || bytes[s] == 'U');
        out.append(escape ? length - 1 : length, '\\');
        if (!escape) continue;
        const size_t start = s - 1;
        const bool wide = bytes[s++] == 'U';
        uint32_t code = 0;
        if (!read_hex(bytes, s, wide ? 8 : 4, code)) {
            failure = {kEncoding, start, s, wide ? "truncated \\UXXXXXXXX escape" : "truncated \\uXXXX escape"};
            return false;
        }
        if (code > 0x10FFFF) {
            failure = {kEncoding, start, s, "\\Uxxxxxxxx out of range"};
            return false;
        }
        append_utf8(out, code);
    }
    return true;
}

}  // namespace ag::py
