#pragma once
// What a PEP 263 coding cookie selects in CPython 3.11 (Debian 12's /usr/bin/python3) when a
// migration is compiled from bytes, as Alembic's import does, and the single-byte decoders.
//
// Measured with compile(b"# -*- coding: NAME -*-\n...", "m.py", "exec") for every module of the
// encodings package, every key and value of encodings.aliases.aliases and their spellings
// (case, '-', '_', '.', runs of them, leading and trailing ones; tools/check_codecs.py):
//   * The tokenizer first looks at the cookie's first 12 characters, lower-cased with '_' as
//     '-': "utf-8" or "utf-8-..." is UTF-8 read by the tokenizer itself (Utf8: invalid UTF-8
//     in a comment compiles, in a string or name fails with "(unicode error) 'utf-8' codec
//     can't decode..."). "latin-1", "iso-8859-1", "iso-latin-1", each alone or followed by
//     '-', is latin-1. So "utf-8-sig", "UTF_8" and "utf-8-anything" are UTF-8, "utf8" is not.
//   * Any other cookie goes to the codec registry, and the codec decodes the WHOLE file before
//     tokenizing: one undecodable byte anywhere, comments included, fails the compile with
//     "'charmap' codec can't decode byte 0x81 in position N: character maps to <undefined>"
//     ('ascii' ... "ordinal not in range(128)" for ascii; 'utf-8' ... for utf8, u8, cp65001),
//     with no line number; N counts bytes after CRLF and CR became LF.
//   * Unknown names fail with "unknown encoding: NAME"; so do the Windows-only mbcs, oem,
//     ansi and dbcs, the module encodings.aliases itself, and the alias key "csHPRoman8" (the
//     registry lower-cases the name before consulting the aliases).
//   * Codecs that are not text encodings (base64, bz2, hex, quopri, rot13, uu, zlib and their
//     aliases) fail with "'NAME' is not a text encoding; use codecs.decode() to handle
//     arbitrary codecs"; "undefined" and "punycode" fail with "decoding with 'NAME' codec
//     failed (UnicodeError: ...)" whatever the file holds.
//   * ASCII files compile with every other codec except the EBCDIC ones (cp037, cp273, cp424,
//     cp500, cp875, cp1026, cp1140), whose files never compile: the cookie line's own '#'
//     decodes to U+0083, "invalid non-printable character" (cp424 leaves p, r, s, u, v and w
//     undefined, so "cp424" itself already fails to decode), and utf-16/utf-32 (an ASCII file
//     is not valid UTF-16/32). cp864 decodes '%' (0x25) as U+066A.
//   * With a UTF-8 BOM the cookie must be UTF-8 in the first sense ("utf8" fails: "encoding
//     problem: utf8 with BOM").
// What the guard decodes: every single-byte codec (the tables below), UTF-8, the CJK codecs
// (gbk, gb2312, gb18030, big5, cp950, big5hkscs, cp932, shift_jis, shift_jis_2004,
// shift_jisx0213, euc_jp, euc_jis_2004, euc_jisx0213, euc_kr, cp949, johab, hz:
// multibyte_codecs.hpp), the ISO-2022 codecs (iso2022_jp, iso2022_jp_1, iso2022_jp_2,
// iso2022_jp_2004, iso2022_jp_3, iso2022_jp_ext, iso2022_kr: iso2022_codecs.hpp), utf-7 and
// the two escape codecs. The others Python decodes (utf-16/32, idna) are Unsupported: an ASCII
// file the codec reads as ASCII is accepted, any other is refused.
#include <cstddef>
#include <string>
#include <string_view>

namespace ag::py {

enum class CodecKind {
    Utf8,         // the tokenizer reads UTF-8 itself: only tokens it decodes must be valid
    Utf8Codec,    // the utf-8 codec decodes the whole file first: every byte must be valid UTF-8
    SingleByte,     // a table below: the whole file is decoded first, byte by byte
    MultiByte,      // the CJK codecs, hz and iso2022 (multibyte_codecs.hpp): the whole file first
    Utf7,           // utf7_codec.hpp: the whole file is decoded first
    UnicodeEscape,  // unicode_escape, raw_unicode_escape (escape_codecs.hpp): the whole file first
    Unsupported,    // Python decodes with it (utf-16/32, idna) but the guard has no
                    // decoder: refuse the file, don't guess
    NotText,      // Python knows the codec but compiling with it always fails
    Unknown,      // "unknown encoding: NAME"
};

// A table maps a byte to this where the codec refuses it (as Python's charmap tables do).
inline constexpr char32_t kUndefinedByte = 0xFFFE;

struct Codec {
    CodecKind kind = CodecKind::Unknown;
    std::string_view name;            // Python's codec name (codecs.lookup(...).name); "" for Unknown
    const char32_t* table = nullptr;  // SingleByte: 256 code points, kUndefinedByte where undefined
};

// The codec a coding cookie selects; `cookie_name` as written after "coding[:=]" (the
// tokenizer takes [A-Za-z0-9._-]+ there).
Codec find_codec(std::string_view cookie_name);

// Where a codec stopped, in the terms of Python's UnicodeDecodeError.
struct CodecFailure {
    std::string_view encoding;  // what the exception names: 'gbk', 'utf7', 'unicodeescape', ...
    size_t start = 0;           // the first byte Python names
    size_t end = 0;             // one past the last
    std::string_view reason;    // e.g. "illegal multibyte sequence"
    // Python raised RuntimeError(reason) instead (iso2022_jp_2's single shift with JIS X 0201
    // Roman in G2); `start` is where the decoder stood.
    bool runtime_error = false;
};

// Python's str() of that UnicodeDecodeError: "'gbk' codec can't decode byte 0x81 in position
// 19: illegal multibyte sequence", or "bytes in position 19-20" for more than one byte; for a
// RuntimeError, what bytes.decode() and compile() say: "decoding with 'iso2022_jp_2' codec
// failed (RuntimeError: internal codec error)".
std::string codec_failure_message(std::string_view bytes, const CodecFailure& failure);

// Appends `bytes` decoded as bytes.decode(codec.name) decodes them to `out` as UTF-8 (lone
// surrogates, which utf-7 and the escape codecs can produce, as their three bytes) and returns
// true; or returns false with the failure Python reports first. For MultiByte, Utf7 and
// UnicodeEscape codecs: they decode the whole file at once.
bool decode_whole(const Codec& codec, std::string_view bytes, std::string& out, CodecFailure& failure);

// Appends `bytes` decoded with a SingleByte codec to `out` as UTF-8. False, with the offset of
// the first byte the codec cannot decode (`out` then holds the bytes before it), otherwise
// true. CPython turns CRLF and CR into LF before decoding and counts positions after that; for
// an EBCDIC codec that changes what the bytes decode to, so decode the translated bytes.
bool decode_single_byte(const Codec& codec, std::string_view bytes, std::string& out, size_t& bad_offset);

}  // namespace ag::py
