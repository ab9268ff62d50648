#include "support/toml_document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace ag {

namespace {

// toml++ 3.3 (Debian) reaches undefined behaviour (__builtin_unreachable) when it classifies
// some non-ASCII code points as possible whitespace (upstream #295, fixed after 3.3), and it
// does so wherever a malformed value makes it look for a separator, even inside what a valid
// file would have as a string. So toml++ is only ever given ASCII: every non-ASCII character
// of a string is written as the \u escape of the same character (a literal string holding one
// becomes the basic string of the same value), of a comment as '?'; elsewhere TOML 1.0 allows
// none, and Python's tomllib refuses it too. Lines stay where they were.
struct AsciiToml {
    std::string text;
    int bad_line = 0;  // > 0: refused, for `why`, at this line
    std::string why;
};

// The code point of the UTF-8 sequence at t[i] (leaving i on its last byte), nullopt when invalid.
std::optional<uint32_t> utf8_at(std::string_view t, size_t& i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(t[k]); };
    const unsigned char c = b(i);
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n == 0 || c > 0xF4 || i + n > t.size()) return std::nullopt;
    uint32_t cp = c & (0x7Fu >> n);
    for (size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (b(i + k) & 0x3Fu);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += n - 1;
    return cp;
}

AsciiToml toml_as_ascii(std::string_view t) {
    AsciiToml out;
    out.text.reserve(t.size());
    int line = 1;
    auto refuse = [&](const char* why) {
        out.bad_line = line;
        out.why = why;
        return out;
    };
    for (size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '\n') ++line;
        if (c == '#') {
            for (; i < t.size() && t[i] != '\n'; ++i) {
                if (static_cast<unsigned char>(t[i]) < 0x80) {
                    out.text += t[i];
                } else if (utf8_at(t, i)) {
                    out.text += '?';
                } else {
                    return refuse("invalid UTF-8 in a comment");  // (Python decodes the whole file)
                }
            }
            --i;
            continue;
        }
        if (c != '"' && c != '\'') {
            if (static_cast<unsigned char>(c) >= 0x80) return refuse("a non-ASCII character outside a string or comment");
            out.text += c;
            continue;
        }
        const bool triple = t.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "'''");
        const size_t delim = triple ? 3 : 1;
        const std::string_view close = t.substr(i, delim);
        // The body runs to the closing delimiter, the end of the line of a one-line string
        // (unterminated: toml++ reports it), or the end of the text.
        size_t end = i + delim;
        for (; end < t.size() && t.substr(end, delim) != close; ++end) {
            if (t[end] == '\n' && !triple) break;
            if (c == '"' && t[end] == '\\' && end + 1 < t.size()) ++end;
        }
        end = std::min(end, t.size());
        const std::string_view inside = t.substr(i + delim, end - (i + delim));
        const bool ascii =
            std::all_of(inside.begin(), inside.end(), [](char x) { return static_cast<unsigned char>(x) < 0x80; });
        const bool rewrite = !ascii && c == '\'';  // a literal string becomes a basic one
        const std::string_view quote = rewrite ? std::string_view("\"\"\"", delim) : close;
        out.text += quote;
        for (size_t k = 0; k < inside.size(); ++k) {
            const char x = inside[k];
            if (x == '\n') ++line;
            if (static_cast<unsigned char>(x) >= 0x80) {
                const auto cp = utf8_at(inside, k);
                if (!cp) return refuse("invalid UTF-8 in a string");
                out.text += *cp > 0xFFFF ? fmt::format("\\U{:08X}", *cp) : fmt::format("\\u{:04X}", *cp);
            } else if (c == '"' && x == '\\' && k + 1 < inside.size()) {
                // An escape stays as it was; one of a non-ASCII character is no TOML escape.
                if (static_cast<unsigned char>(inside[k + 1]) >= 0x80) return refuse("an invalid escape in a string");
                out.text += x;
                out.text += inside[++k];
                if (inside[k] == '\n') ++line;
            } else if (rewrite && (x == '\\' || x == '"')) {
                out.text += '\\';
                out.text += x;
            } else {
                out.text += x;
            }
        }
        const bool closed = end < t.size() && t.substr(end, delim) == close;
        if (closed) out.text += quote;
        // Go on after the closing delimiter, or at what ended an unterminated string.
        i = closed ? end + delim - 1 : end - 1;
    }
    return out;
}

}  // namespace

TomlDocument parse_toml(std::string_view text, std::string_view path) {
    TomlDocument doc;
    const AsciiToml ascii = toml_as_ascii(text);
    if (ascii.bad_line) {
        doc.error_line = ascii.bad_line;
        doc.error = ascii.why;
        return doc;
    }
    auto result = toml::parse(ascii.text, path);
    if (!result) {
        doc.error_line = static_cast<int>(result.error().source().begin.line);
        doc.error = std::string(result.error().description());
        return doc;
    }
    doc.table = std::move(result.table());
    return doc;
}

}  // namespace ag
