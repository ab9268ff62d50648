// Expected values are CPython 3.11's bytes.decode() and compile();
// tests/python_compile/check_multibyte_codecs.py compares every escape sequence and every one-
// and two-byte sequence after each designation.
#include "python/codecs.hpp"
#include "python/iso2022_codecs.hpp"
#include "python/source_text.hpp"
#include "codec_expectations.hpp"

#include <doctest/doctest.h>

#include <string>

using ag::py::codec_failure_message;
using ag::py::CodecFailure;
using ag::py::CodecKind;
using ag::py::decode_iso2022;
using ag::py::decode_source;
using ag::py::find_codec;
using ag::py::SourceText;

using ag::py::test::decoded;
using ag::py::test::failure_of;

TEST_CASE("iso2022: every alias Python has selects the ISO-2022 decoder") {
    const std::pair<const char*, const char*> names[] = {
        {"iso2022_jp", "iso2022_jp"},       {"csiso2022jp", "iso2022_jp"},         {"iso-2022-jp", "iso2022_jp"},
        {"ISO2022JP", "iso2022_jp"},        {"iso2022jp_1", "iso2022_jp_1"},       {"iso-2022-jp-2", "iso2022_jp_2"},
        {"iso_2022_jp_2004", "iso2022_jp_2004"}, {"iso2022jp-3", "iso2022_jp_3"}, {"iso2022jp_ext", "iso2022_jp_ext"},
        {"csiso2022kr", "iso2022_kr"},      {"iso-2022-kr", "iso2022_kr"},         {"iso2022kr", "iso2022_kr"}};
    for (const auto& entry : names) {
        // Not a structured binding: CAPTURE's lambda cannot refer to one under clang 14.
        const char* cookie = entry.first;
        CAPTURE(cookie);
        const auto codec = find_codec(cookie);
        CHECK(codec.kind == CodecKind::MultiByte);
        CHECK(codec.name == entry.second);
        CHECK(ag::py::is_iso2022_codec(codec.name));
    }
    CHECK_FALSE(ag::py::is_iso2022_codec("iso2022_cn"));  // Python has no such codec
}

TEST_CASE("iso2022: ESC $ B designates JIS X 0208, ESC ( B returns to ASCII") {
    CHECK(decoded("iso2022_jp", "a\x1B$B0!\x1B(Bb") == "a\xE4\xBA\x9C" "b");  // U+4E9C
    // The revision prefix "ESC & @" before ESC $ B, and the old JIS C 6226 "ESC $ @".
    CHECK(decoded("iso2022_jp", "\x1B&@\x1B$B0!") == "\xE4\xBA\x9C");
    CHECK(decoded("iso2022_jp", "\x1B$@0!") == "\xE4\xBA\x9C");
    // JIS X 0201 Roman reads '\\' and '~' as the yen sign and the overline.
    CHECK(decoded("iso2022_jp", "\x1B(J\\~") == "\xC2\xA5\xE2\x80\xBE");
    // iso2022_jp_3 has JIS X 0213 plane 1; iso2022_jp does not.
    CHECK(decoded("iso2022_jp_3", "\x1B$(O!!") == "\xE3\x80\x80");  // U+3000
    CHECK(failure_of("iso2022_jp", "\x1B$(O!!") ==
          "'iso2022_jp' codec can't decode bytes in position 0-3: illegal multibyte sequence");
}

TEST_CASE("iso2022: failures name Python's bytes and reason") {
    CHECK(failure_of("iso2022_jp", "a\xE9") ==
          "'iso2022_jp' codec can't decode byte 0xe9 in position 1: illegal multibyte sequence");
    CHECK(failure_of("iso2022_jp", "\x1B") ==
          "'iso2022_jp' codec can't decode byte 0x1b in position 0: incomplete multibyte sequence");
    CHECK(failure_of("iso2022_jp", "\x1B$B0") ==
          "'iso2022_jp' codec can't decode byte 0x30 in position 3: incomplete multibyte sequence");
    CHECK(failure_of("iso2022_kr", "\x1B$)C\x0E\x30\x7F") ==
          "'iso2022_kr' codec can't decode bytes in position 5-6: illegal multibyte sequence");
}

TEST_CASE("iso2022: ESC followed by no designation is copied as Latin-1 up to a final byte") {
    CHECK(decoded("iso2022_jp", "\x1Bx\xE9Zq") == "\x1B" "x\xC3\xA9Zq");
}

TEST_CASE("iso2022_kr: SO shifts to KS X 1001 and a newline shifts back; in iso2022_jp a newline keeps the set") {
    CHECK(decoded("iso2022_kr", "\x1B$)C\x0E\x30\x21\n0!") == "\xEA\xB0\x80\n0!");        // U+AC00
    CHECK(decoded("iso2022_kr", "\x1B$)C\x0E\x30\x21\x0F\x30\x21") == "\xEA\xB0\x80" "0!");
    CHECK(decoded("iso2022_jp", "\x1B$B\n0!") == "\n\xE4\xBA\x9C");
    // SO and SI are plain C0 bytes to the Japanese codecs.
    CHECK(decoded("iso2022_jp", "\x0E!\x0F") == "\x0E!\x0F");
}

TEST_CASE("iso2022_jp_2: the single shift ESC N reads G2; with JIS X 0201 Roman there, a RuntimeError") {
    CHECK(decoded("iso2022_jp_2", "\x1B.A\x1BNa") == "\xC3\xA1");  // U+00E1
    CHECK(decoded("iso2022_jp_2", "\x1B.F\x1BN\xC1") == "A");
    std::string out;
    CodecFailure failure;
    const std::string_view bytes = "x\x1B.J\x1BNa";
    REQUIRE_FALSE(decode_iso2022("iso2022_jp_2", bytes, out, failure));
    CHECK(failure.runtime_error);
    CHECK(failure.start == 4);
    CHECK(codec_failure_message(bytes, failure) ==
          "decoding with 'iso2022_jp_2' codec failed (RuntimeError: internal codec error)");
}

TEST_CASE("decode_source: an iso2022_jp file is decoded whole; a newline does not end a designation") {
    SourceText text;
    REQUIRE_FALSE(decode_source("# coding: csiso2022jp\nx = '\x1B$B0!\x1B(B'\n", text));
    CHECK(text.text == "# coding: csiso2022jp\nx = '\xE4\xBA\x9C'\n");
    SourceText failed;
    const auto problem = decode_source("# coding: iso2022_jp\n# \x1B$B\nx = 1\n", failed);
    REQUIRE(problem);
    CHECK(problem->line == 3);
    CHECK(problem->message.find(
              "'iso2022_jp' codec can't decode bytes in position 27-28: illegal multibyte sequence") !=
          std::string::npos);
    SourceText runtime;
    const auto internal = decode_source("# coding: iso2022_jp_2\nx = 1\n# \x1B.J\x1BNa\n", runtime);
    REQUIRE(internal);
    CHECK(internal->line == 3);
    CHECK(internal->message.find("decoding with 'iso2022_jp_2' codec failed (RuntimeError: internal codec error)") !=
          std::string::npos);
}
