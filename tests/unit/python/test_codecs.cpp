#include "python/codecs.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using ag::py::Codec;
using ag::py::CodecKind;
using ag::py::decode_single_byte;
using ag::py::find_codec;

namespace {
std::string decoded(const Codec& codec, std::string_view bytes) {
    std::string out;
    size_t bad = 0;
    REQUIRE(decode_single_byte(codec, bytes, out, bad));
    return out;
}
}  // namespace

TEST_CASE("codec cookies the tokenizer reads as utf-8 itself: first 12 characters, any case, '_' as '-'") {
    for (const char* name : {"utf-8", "UTF-8", "utf_8", "Utf_8_Sig", "utf-8-sig", "utf-8-anything-longer"}) {
        CAPTURE(name);
        const auto codec = find_codec(name);
        CHECK(codec.kind == CodecKind::Utf8);
        CHECK(codec.name == "utf-8");
    }
}

TEST_CASE("codec cookies that reach the utf-8 codec decode the whole file: utf8, u8, cp65001, utf--8") {
    for (const char* name : {"utf8", "UTF8", "u8", "utf", "cp65001", "utf--8", "-utf-8"}) {
        CAPTURE(name);
        CHECK(find_codec(name).kind == CodecKind::Utf8Codec);
    }
    CHECK(find_codec("-utf-8-sig").name == "utf-8-sig");
}

TEST_CASE("codec cookies read as latin-1: the tokenizer's prefixes and the codec's aliases") {
    for (const char* name : {"latin-1", "LATIN_1", "latin-1-x", "iso-8859-1", "iso_8859_1_x", "iso-latin-1",
                             "iso-latin-1-anything", "latin1", "latin", "l1", "8859", "cp819", "iso8859"}) {
        CAPTURE(name);
        const auto codec = find_codec(name);
        CHECK(codec.kind == CodecKind::SingleByte);
        CHECK(codec.name == "iso8859-1");
    }
    CHECK(find_codec("charmap").name == "charmap");
    CHECK(find_codec("iso-8859-15").name == "iso8859-15");  // not the latin-1 prefix: '5' follows
    CHECK(find_codec("latin10").name == "iso8859-16");
    CHECK(find_codec("latin-10").kind == CodecKind::Unknown);  // the alias is "latin10", no module "latin_10"
    CHECK(find_codec("iso-latin-1x").kind == CodecKind::Unknown);
}

TEST_CASE("codec lookup: case, runs of '-' '_' and other punctuation as one '_', '.' kept, ends dropped") {
    CHECK(find_codec("CP1252").name == "cp1252");
    CHECK(find_codec("windows-1252").name == "cp1252");
    CHECK(find_codec("Windows__1252").name == "cp1252");
    CHECK(find_codec("-cp1252-").name == "cp1252");
    CHECK(find_codec("1252").name == "cp1252");
    CHECK(find_codec("koi8-r").name == "koi8-r");
    CHECK(find_codec("mac-roman").name == "mac-roman");
    CHECK(find_codec("macintosh").name == "mac-roman");
    // '.' is kept; the alias is found with '.' as '_', a module name never has one.
    CHECK(find_codec("ansi_x3.4_1968").name == "ascii");
    CHECK(find_codec("ansi.x3.4.1968").name == "ascii");
    for (const char* name : {"iso8859.15", "cp.1252", "cp1252.", "utf-8.", "utf.8"}) {
        CAPTURE(name);
        CHECK(find_codec(name).kind == CodecKind::Unknown);
    }
}

TEST_CASE("codec cookies Python rejects: unknown names, Windows-only codecs, upper-case alias keys") {
    for (const char* name : {"foo", "aliases", "mbcs", "oem", "ansi", "dbcs", "csHPRoman8", "init", "tactis", ".",
                             "-", ""}) {
        CAPTURE(name);
        const auto codec = find_codec(name);
        CHECK(codec.kind == CodecKind::Unknown);
        CHECK(codec.name.empty());
    }
    CHECK(find_codec("roman8").name == "hp-roman8");
}

TEST_CASE("codec cookies naming non-text codecs, undefined and punycode always fail to compile") {
    for (const char* name : {"rot13", "ROT-13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "undefined",
                             "punycode"}) {
        CAPTURE(name);
        CHECK(find_codec(name).kind == CodecKind::NotText);
    }
}

TEST_CASE("codec cookies naming a CJK codec select the multi-byte decoder, by alias too") {
    for (const char* name : {"shift_jis", "euc-jp", "gb18030", "big5", "cp932", "sjis", "ms-kanji", "936", "eucjp",
                             "big5-hkscs", "ks_c-5601-1987", "shift_jis_2004"}) {
        CAPTURE(name);
        const auto codec = find_codec(name);
        CHECK(codec.kind == CodecKind::MultiByte);
        CHECK(codec.table == nullptr);
    }
    CHECK(find_codec("936").name == "gbk");
    CHECK(find_codec("ms-kanji").name == "cp932");
    for (const char* name : {"iso2022_jp", "iso2022-kr", "csiso2022jp"}) {  // iso2022_codecs.hpp
        CAPTURE(name);
        CHECK(find_codec(name).kind == CodecKind::MultiByte);
    }
}

TEST_CASE("codec cookies naming hz, utf-7 and the escape codecs select the guard's own decoders") {
    CHECK(find_codec("hz").kind == CodecKind::MultiByte);
    CHECK(find_codec("hz-gb-2312").kind == CodecKind::MultiByte);
    CHECK(find_codec("utf-7").kind == CodecKind::Utf7);
    CHECK(find_codec("U7").kind == CodecKind::Utf7);
    CHECK(find_codec("unicode_escape").kind == CodecKind::UnicodeEscape);
    CHECK(find_codec("raw-unicode-escape").kind == CodecKind::UnicodeEscape);
    CHECK(find_codec("raw-unicode-escape").name == "raw-unicode-escape");
}

TEST_CASE("codec cookies Python decodes but the guard refuses: utf-16/32, idna") {
    for (const char* name : {"utf-16", "utf-32-le", "idna"}) {
        CAPTURE(name);
        const auto codec = find_codec(name);
        CHECK(codec.kind == CodecKind::Unsupported);
        CHECK(codec.table == nullptr);
    }
}

TEST_CASE("decode_single_byte: cp1252 decodes 0x80 to the euro sign and stops at undefined 0x81") {
    const auto cp1252 = find_codec("cp1252");
    REQUIRE(cp1252.kind == CodecKind::SingleByte);
    CHECK(decoded(cp1252, "x = '\x80'\n") == "x = '\xE2\x82\xAC'\n");
    std::string out = "kept:";
    size_t bad = 99;
    CHECK_FALSE(decode_single_byte(cp1252, "ab\x81\x80", out, bad));
    CHECK(bad == 2);
    CHECK(out == "kept:ab");
}

TEST_CASE("decode_single_byte: ascii refuses every byte from 0x80, latin-1 none") {
    const auto ascii = find_codec("us-ascii");
    std::string out;
    size_t bad = 0;
    CHECK_FALSE(decode_single_byte(ascii, "# ok\n# \xE9\n", out, bad));
    CHECK(bad == 7);
    CHECK(decoded(find_codec("latin-1"), "\xE9\xFF") == "\xC3\xA9\xC3\xBF");
}

TEST_CASE("decode_single_byte: koi8-r, cp437, mac-roman and EBCDIC cp500") {
    CHECK(decoded(find_codec("koi8_r"), "\xC1") == "\xD0\xB0");         // U+0430
    CHECK(decoded(find_codec("cp437"), "\xDB") == "\xE2\x96\x88");      // U+2588
    CHECK(decoded(find_codec("mac_roman"), "\xA5") == "\xE2\x80\xA2");  // U+2022
    CHECK(decoded(find_codec("cp500"), "#") == "\xC2\x83");             // U+0083: why EBCDIC cookies fail
    CHECK(decoded(find_codec("cp864"), "%") == "\xD9\xAA");             // U+066A
}

// tools/check_codecs.py writes, for every cookie spelling it measured with compile(), the kind,
// the codec name and the byte table, and runs this case.
TEST_CASE("AG_CODECS_ORACLE: every measured cookie selects what CPython 3.11 selects") {
    const char* path = std::getenv("AG_CODECS_ORACLE");
    if (path == nullptr) return;
    std::ifstream in(path);
    REQUIRE(in);
    const char* kinds[] = {"Utf8",          "Utf8Codec",   "SingleByte", "MultiByte", "Utf7",
                           "UnicodeEscape", "Unsupported", "NotText",    "Unknown"};
    static_assert(std::size(kinds) == static_cast<size_t>(CodecKind::Unknown) + 1);
    std::string line;
    size_t checked = 0;
    size_t tables = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
        REQUIRE(fields.size() == 6);
        CAPTURE(line.substr(0, line.find('\t')));
        const auto codec = find_codec(fields[0]);
        CHECK(kinds[static_cast<int>(codec.kind)] == fields[1]);
        CHECK(codec.name == (fields[2] == "-" ? "" : fields[2]));
        ++checked;
        if (fields[3] == "-") {
            CHECK(codec.table == nullptr);
            continue;
        }
        REQUIRE(codec.table != nullptr);
        std::istringstream values(fields[3]);
        std::string bytes;
        size_t b = 0;
        for (std::string value; std::getline(values, value, ','); ++b) {
            CHECK(codec.table[b] == static_cast<char32_t>(std::stoul(value, nullptr, 16)));
            bytes += static_cast<char>(b);
        }
        CHECK(b == 256);
        // All 256 bytes: fails at the first undefined one. The defined ones: Python's UTF-8.
        std::string out;
        size_t bad = 0;
        const auto first_bad = std::stol(fields[5]);
        CHECK(decode_single_byte(codec, bytes, out, bad) == (first_bad < 0));
        if (first_bad >= 0) CHECK(bad == static_cast<size_t>(first_bad));
        std::string defined;
        for (size_t i = 0; i < 256; ++i) {
            if (codec.table[i] != ag::py::kUndefinedByte) defined += static_cast<char>(i);
        }
        out.clear();
        REQUIRE(decode_single_byte(codec, defined, out, bad));
        std::string want;
        for (size_t i = 0; fields[4] != "-" && i < fields[4].size(); i += 2) {
            want += static_cast<char>(std::stoul(fields[4].substr(i, 2), nullptr, 16));
        }
        CHECK(out == want);
        ++tables;
    }
    MESSAGE(checked << " cookies checked, " << tables << " of them with a byte table");
    CHECK(checked > 0);
}
