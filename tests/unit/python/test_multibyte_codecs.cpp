// Expected values are CPython 3.11's bytes.decode(); tests/python_compile/check_multibyte_codecs.py
// compares every one- and two-byte sequence.
#include "python/multibyte_codecs.hpp"
#include "python/source_text.hpp"
#include "codec_expectations.hpp"

#include <doctest/doctest.h>

#include <string>

using ag::py::codec_failure_message;
using ag::py::CodecFailure;
using ag::py::decode_multibyte;
using ag::py::decode_source;
using ag::py::SourceText;

using ag::py::test::decoded;
using ag::py::test::failure_of;

TEST_CASE("multibyte codecs: the CJK and ISO-2022 codecs Python has are the ones decoded") {
    for (const char* name : {"gbk", "gb2312", "gb18030", "big5", "cp950", "big5hkscs", "cp932", "shift_jis",
                             "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "euc_kr",
                             "cp949", "johab"}) {
        CAPTURE(name);
        CHECK(ag::py::has_multibyte_decoder(name));
    }
    CHECK_FALSE(ag::py::has_multibyte_decoder("gb-2312"));  // names as codecs.lookup() spells them
    CHECK(ag::py::has_multibyte_decoder("iso2022_jp"));  // iso2022_codecs.hpp
    CHECK_FALSE(ag::py::has_multibyte_decoder("iso-2022-jp"));
}

TEST_CASE("multibyte codecs: gbk decodes two-byte Chinese and leaves ASCII alone") {
    CHECK(decoded("gbk", "x = '\xD6\xD0\xCE\xC4'\n") == "x = '\xE4\xB8\xAD\xE6\x96\x87'\n");  // 中文
}

TEST_CASE("multibyte codecs: a lead byte followed by a byte that cannot end it is one illegal byte") {
    CHECK(failure_of("gbk", "ab\x81\n") == "'gbk' codec can't decode byte 0x81 in position 2: illegal multibyte sequence");
    CHECK(failure_of("gbk", "\xFF\xFF") == "'gbk' codec can't decode byte 0xff in position 0: illegal multibyte sequence");
    // shift_jis refuses 0x80 by itself, with nothing after it.
    CHECK(failure_of("shift_jis", "\x80") == "'shift_jis' codec can't decode byte 0x80 in position 0: illegal multibyte sequence");
}

TEST_CASE("multibyte codecs: a lead byte at the very end is an incomplete sequence") {
    CHECK(failure_of("gbk", "a\x81") == "'gbk' codec can't decode byte 0x81 in position 1: incomplete multibyte sequence");
}

TEST_CASE("multibyte codecs: what comes before a failure is kept") {
    std::string out = "kept:";
    CodecFailure failure;
    CHECK_FALSE(decode_multibyte("gbk", "a\xD6\xD0\x81\x20", out, failure));
    CHECK(out == "kept:a\xE4\xB8\xAD");
    CHECK(failure.start == 3);
    CHECK(failure.end == 4);
}

TEST_CASE("multibyte codecs: gb18030 four-byte sequences: the BMP by ranges, U+10000 on by arithmetic") {
    CHECK(decoded("gb18030", "\x81\x30\x81\x30") == "\xC2\x80");                 // U+0080
    CHECK(decoded("gb18030", "\x84\x31\xA4\x39") == "\xEF\xBF\xBF");             // U+FFFF
    CHECK(decoded("gb18030", "\x90\x30\x81\x30") == "\xF0\x90\x80\x80");         // U+10000
    CHECK(decoded("gb18030", "\xE3\x32\x9A\x35") == "\xF4\x8F\xBF\xBF");         // U+10FFFF
    CHECK(failure_of("gb18030", "\xE3\x32\x9A\x36") ==
          "'gb18030' codec can't decode byte 0xe3 in position 0: illegal multibyte sequence");  // past U+10FFFF
    CHECK(failure_of("gb18030", "\x84\x31\xA5\x30") ==
          "'gb18030' codec can't decode byte 0x84 in position 0: illegal multibyte sequence");  // past the BMP ranges
    CHECK(failure_of("gb18030", "\x85\x30\x81\x30") ==
          "'gb18030' codec can't decode byte 0x85 in position 0: illegal multibyte sequence");
    CHECK(failure_of("gb18030", "a\x81\x30\x81") ==
          "'gb18030' codec can't decode bytes in position 1-3: incomplete multibyte sequence");
}

TEST_CASE("multibyte codecs: sequences that decode to two code points or outside the BMP") {
    CHECK(decoded("big5hkscs", "\x88\x62") == "\xC3\x8A\xCC\x84");               // U+00CA U+0304
    CHECK(decoded("big5hkscs", "\x9C\x71") == "\xF0\xA0\x80\xA1");               // U+20021
    CHECK(decoded("euc_jis_2004", "\xA4\xF7") == "\xE3\x81\x8B\xE3\x82\x9A");     // U+304B U+309A
    CHECK(decoded("euc_jis_2004", "\x8F\xA1\xA1") == "\xF0\xA0\x82\x89");        // U+20089
}

TEST_CASE("multibyte codecs: euc_jp's 0x8f asks for three bytes before it looks at the second") {
    CHECK(decoded("euc_jp", "\x8F\xB0\xA1") == "\xE4\xB8\x82");  // U+4E02, JIS X 0212
    CHECK(failure_of("euc_jp", "\x8F\x41") ==
          "'euc_jp' codec can't decode bytes in position 0-1: incomplete multibyte sequence");
    CHECK(failure_of("euc_jp", "\x8F\xA1\xA1") ==
          "'euc_jp' codec can't decode byte 0x8f in position 0: illegal multibyte sequence");
}

TEST_CASE("multibyte codecs: euc_kr's eight-byte make-up sequences") {
    CHECK(decoded("euc_kr", "\xA4\xD4\xA4\xA1\xA4\xBF\xA4\xD4") == "\xEA\xB0\x80");  // U+AC00
    CHECK(failure_of("euc_kr", "\xA4\xD4\xA4\xA1") ==
          "'euc_kr' codec can't decode bytes in position 0-3: incomplete multibyte sequence");
    CHECK(failure_of("euc_kr", "\xA4\xD4\xA4\xA1\xA4\xBF\xA4\xA0") ==
          "'euc_kr' codec can't decode byte 0xa4 in position 0: illegal multibyte sequence");
}

TEST_CASE("multibyte codecs: shift_jis_2004 reads '\\\\' and '~' as the yen sign and the overline") {
    CHECK(decoded("shift_jis_2004", "\\~") == "\xC2\xA5\xE2\x80\xBE");
    CHECK(decoded("shift_jis", "\\~") == "\\~");
}

TEST_CASE("multibyte codecs: shift_jisx0213 refuses some pairs as two illegal bytes") {
    CHECK(failure_of("shift_jisx0213", "\x87\x9F") ==
          "'shift_jisx0213' codec can't decode bytes in position 0-1: illegal multibyte sequence");
}

TEST_CASE("decode_source: a gbk file is decoded whole, comments included") {
    SourceText text;
    const auto problem = decode_source("# -*- coding: gbk -*-\n# \xD6\xD0\nx = '\xCE\xC4'\n", text);
    REQUIRE_FALSE(problem);
    CHECK(text.text == "# -*- coding: gbk -*-\n# \xE4\xB8\xAD\nx = '\xE6\x96\x87'\n");
    CHECK_FALSE(text.check_utf8_outside_comments);
}

TEST_CASE("decode_source: an illegal sequence in a comment fails the file with Python's message") {
    SourceText text;
    const auto problem = decode_source("# coding: gbk\nx = 1\r\n# \x81\r\n", text);
    REQUIRE(problem);
    CHECK_FALSE(problem->cannot_decode);
    CHECK(problem->line == 3);
    // Positions count after CRLF became LF, as CPython's do.
    CHECK(problem->message.find("'gbk' codec can't decode byte 0x81 in position 22: illegal multibyte sequence") !=
          std::string::npos);
}

TEST_CASE("decode_source: a lead byte ending a file without a newline meets the one CPython appends") {
    SourceText text;
    const auto problem = decode_source("# coding: gbk\nx = 1\n#\xD6", text);
    REQUIRE(problem);
    CHECK(problem->message.find("byte 0xd6 in position 21: illegal multibyte sequence") != std::string::npos);
    SourceText ok;
    REQUIRE_FALSE(decode_source("# coding: gbk\nx = 1\n#\xD6\xD0", ok));
    CHECK(ok.text == "# coding: gbk\nx = 1\n#\xE4\xB8\xAD");
}

TEST_CASE("decode_source: gb18030's four-byte sequence cut by the end of the file is incomplete") {
    SourceText text;
    const auto problem = decode_source("# coding: gb18030\n#\x81\x30", text);
    REQUIRE(problem);
    CHECK(problem->message.find("bytes in position 19-21: incomplete multibyte sequence") != std::string::npos);
}
