#include "python/source_text.hpp"

#include "python/codecs.hpp"
#include "python/unicode_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ag::py {

namespace {

// The tokenizer's get_coding_spec on one line: a line whose first non-blank character is
// '#' and which holds "coding" followed by ':' or '=', spaces, and a non-empty name (the
// first such). `code` is set when the line holds anything but blanks before a '#': then a
// cookie on the next line does not count.
std::optional<std::string> coding_spec(std::string_view line, bool& code) {
    code = false;
    for (char c : line) {
        if (c == '#') break;
        if (c != ' ' && c != '\t' && c != '\f') {
            code = true;
            break;
        }
    }
    const auto limit = static_cast<std::ptrdiff_t>(line.size()) - 6;
    std::ptrdiff_t i = 0;
    for (; i < limit; ++i) {
        const char c = line[static_cast<size_t>(i)];
        if (c == '#') break;
        if (c != ' ' && c != '\t' && c != '\f') return std::nullopt;
    }
    for (; i < limit; ++i) {
        const auto at = static_cast<size_t>(i);
        if (line.compare(at, 6, "coding") != 0) continue;
        size_t t = at + 6;
        if (line[t] != ':' && line[t] != '=') continue;
        do {
            ++t;
        } while (t < line.size() && (line[t] == ' ' || line[t] == '\t'));
        const size_t begin = t;
        while (t < line.size() && (std::isalnum(static_cast<unsigned char>(line[t])) || line[t] == '-' || line[t] == '_' ||
                                   line[t] == '.'))
            ++t;
        if (begin < t) return std::string(line.substr(begin, t - begin));
    }
    return std::nullopt;
}

// The tokenizer's get_normal_name: its first 12 characters decide UTF-8 and Latin-1.
bool normal_name_is_utf8(const std::string& name) {
    std::string buf;
    for (size_t i = 0; i < name.size() && i < 12; ++i)
        buf += name[i] == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    return buf == "utf-8" || buf.rfind("utf-8-", 0) == 0;
}

int line_at(std::string_view text, size_t offset) {
    return static_cast<int>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// A codec that decodes the whole file (CPython's decode_str): it is handed the text with the
// final newline translate_newlines appends, so a lead byte at the very end is an illegal
// sequence (its second byte is that newline), not an incomplete one. What comes back is made
// UTF-8 (a lone surrogate fails there) and tokenized as a C string.
std::optional<SourceProblem> decode_with_codec(const Codec& codec, const std::string& cookie, std::string& text) {
    const bool appended = text.empty() || text.back() != '\n';
    if (appended) text += '\n';
    std::string decoded;
    CodecFailure failure;
    if (!decode_whole(codec, text, decoded, failure)) {
        const int line = line_at(text, failure.start);
        return SourceProblem{line, fmt::format("the file declares the encoding {}, which cannot decode line {}: {}",
                                               cookie, line, codec_failure_message(text, failure))};
    }
    // utf-7 and the escape codecs can give lone surrogates (WTF-8: 0xED 0xA0..0xBF ...).
    for (size_t i = 0; i + 1 < decoded.size(); ++i) {
        if (static_cast<unsigned char>(decoded[i]) != 0xED || static_cast<unsigned char>(decoded[i + 1]) < 0xA0)
            continue;
        const auto characters = std::count_if(decoded.begin(), decoded.begin() + static_cast<std::ptrdiff_t>(i),
                                              [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
        const unsigned surrogate = 0xD000u | (static_cast<unsigned char>(decoded[i + 1]) & 0x3Fu) << 6 |
                                   (static_cast<unsigned char>(decoded[i + 2]) & 0x3Fu);
        const int line = line_at(decoded, i);
        return SourceProblem{line, fmt::format("the file declares the encoding {}, which decodes line {} to a lone "
                                               "surrogate: 'utf-8' codec can't encode character '\\u{:04x}' in "
                                               "position {}: surrogates not allowed",
                                               cookie, line, surrogate, characters)};
    }
    // Refused, not modelled: CPython 3.11 reads a decoded NUL as the end of the file, and a
    // last line the codec took the newline from ("~\n" in hz, "\\\n" in unicode_escape)
    // otherwise than any file the guard sees.
    if (decoded.find('\0') != std::string::npos)
        return SourceProblem{line_at(decoded, decoded.find('\0')),
                             fmt::format("the file declares the encoding {}, which decodes it to a NUL character; the "
                                         "guard does not model where CPython then stops reading",
                                         cookie),
                             true};
    if (decoded.empty() || decoded.back() != '\n')
        return SourceProblem{line_at(text, text.size() - 1),
                             fmt::format("the file declares the encoding {}, which reads its final newline as part of "
                                         "an escape or a sequence; the guard does not model how CPython then reads "
                                         "the last line",
                                         cookie),
                             true};
    if (appended) decoded.pop_back();
    text = std::move(decoded);
    return std::nullopt;
}

// Whether `codec` (one the guard has no table for) decodes `text` to the same characters
// as ASCII does. Measured per codec on every byte below 0x80 (tools/check_codecs.py's
// oracle): idna reads "xn--" labels, utf-16/32 read nothing as ASCII.
bool ascii_identity(std::string_view codec, std::string_view text) {
    std::string name(codec);
    std::replace(name.begin(), name.end(), '-', '_');
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) return false;
    if (name == "idna") {
        for (size_t i = 0; i + 4 <= text.size(); ++i)
            if ((text[i] | 0x20) == 'x' && (text[i + 1] | 0x20) == 'n' && text[i + 2] == '-' && text[i + 3] == '-') return false;
        return true;
    }
    return false;
}

}  // namespace

std::optional<SourceProblem> decode_source(std::string_view bytes, SourceText& out) {
    if (const auto nul = bytes.find('\0'); nul != std::string_view::npos) {
        const auto line = 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
        return SourceProblem{static_cast<int>(line), "the file contains NUL bytes (source code cannot contain null bytes)"};
    }
    out.lenient_final_continuation = bytes.size() >= 3 && bytes.substr(bytes.size() - 3) == "\\\r\n";
    // CRLF and lone CR become LF before anything else, cookie detection included.
    std::string text;
    text.reserve(bytes.size() + 1);
    if (bytes.find('\r') == std::string_view::npos) {
        text.assign(bytes);
    } else {
        for (size_t i = 0; i < bytes.size(); ++i) {
            if (bytes[i] == '\r') {
                text += '\n';
                if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
            } else {
                text += bytes[i];
            }
        }
    }
    bool bom = false;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        text.erase(0, 3);
        bom = true;
    }
    // The cookie: line 1, or line 2 when line 1 is blank or a comment. CPython appends a
    // final newline first, and looks only at lines that end in one.
    std::optional<std::string> cookie;
    {
        const std::string_view t(text);
        const size_t nl1 = t.find('\n');
        const std::string_view line1 = t.substr(0, nl1 == std::string_view::npos ? t.size() : nl1);
        bool code = false;
        cookie = coding_spec(line1, code);
        if (!cookie && !code && nl1 != std::string_view::npos) {
            const size_t nl2 = t.find('\n', nl1 + 1);
            // Line 2 counts only when a newline ends it (CPython's appended one included).
            const std::string_view line2 = t.substr(nl1 + 1, nl2 == std::string_view::npos ? t.size() - nl1 - 1 : nl2 - nl1 - 1);
            bool code2 = false;
            cookie = coding_spec(line2, code2);
        }
    }
    if (cookie) {
        if (bom && !normal_name_is_utf8(*cookie))
            return SourceProblem{1, fmt::format("encoding problem: {} with BOM", *cookie)};
        const Codec codec = find_codec(*cookie);
        switch (codec.kind) {
        case CodecKind::Utf8: break;
        case CodecKind::Utf8Codec: {
            const auto bad = invalid_utf8_offsets(text);
            if (!bad.empty()) {
                const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad.front()), '\n');
                return SourceProblem{static_cast<int>(line),
                                     fmt::format("the file declares the encoding {} but is not valid UTF-8", *cookie)};
            }
            out.check_utf8_outside_comments = false;
            break;
        }
        case CodecKind::SingleByte: {
            std::string decoded;
            size_t bad = 0;
            if (!decode_single_byte(codec, text, decoded, bad)) {
                const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
                return SourceProblem{static_cast<int>(line),
                                     fmt::format("the file declares the encoding {}, which cannot decode byte 0x{:02x} "
                                                 "on line {}",
                                                 *cookie, static_cast<unsigned char>(text[bad]), line)};
            }
            text = std::move(decoded);
            out.check_utf8_outside_comments = false;
            break;
        }
        case CodecKind::MultiByte:
        case CodecKind::Utf7:
        case CodecKind::UnicodeEscape:
            if (auto problem = decode_with_codec(codec, *cookie, text)) return problem;
            out.check_utf8_outside_comments = false;
            break;
        case CodecKind::Unsupported:
            // An ASCII file reads the same under most of these (measured with CPython 3.11):
            // what each one treats specially must be absent.
            if (ascii_identity(codec.name, text)) {
                out.check_utf8_outside_comments = false;
                break;
            }
            return SourceProblem{1,
                                 fmt::format("the file declares the encoding {} ({}) and holds bytes or characters that "
                                             "codec reads differently from ASCII, which the guard does not decode; "
                                             "save it as UTF-8",
                                             *cookie, codec.name),
                                 true};
        case CodecKind::NotText:
            return SourceProblem{1, fmt::format("the coding cookie names '{}', which is not a text encoding", *cookie)};
        case CodecKind::Unknown: return SourceProblem{1, fmt::format("unknown encoding: {}", *cookie)};
        }
    }
    out.text = std::move(text);
    return std::nullopt;
}

}  // namespace ag::py
