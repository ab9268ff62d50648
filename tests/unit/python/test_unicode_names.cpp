#include "python/unicode_names.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

using ag::py::code_point_by_name;

TEST_CASE("\\N{} names resolve in any letter case, aliases included") {
    CHECK(code_point_by_name("DIGIT ZERO") == U'0');
    CHECK(code_point_by_name("digit zero") == U'0');
    CHECK(code_point_by_name("Digit Zero") == U'0');
    CHECK(code_point_by_name("GRINNING FACE") == U'\U0001F600');
    CHECK(code_point_by_name("LATIN CAPITAL LETTER GHA") == U'\u01A2');
    // Aliases: controls, abbreviations, corrections.
    CHECK(code_point_by_name("LINE FEED") == U'\n');
    CHECK(code_point_by_name("lf") == U'\n');
    CHECK(code_point_by_name("NUL") == U'\0');
    CHECK(code_point_by_name("BYTE ORDER MARK") == U'\uFEFF');
    CHECK(code_point_by_name("VS256") == U'\U000E01EF');
    CHECK(code_point_by_name("LATIN CAPITAL LETTER GHA") != code_point_by_name("LATIN SMALL LETTER GHA"));
}

TEST_CASE("\\N{} names with a hyphen followed by a space or a space by a hyphen") {
    CHECK(code_point_by_name("TIBETAN MARK BKA- SHOG YIG MGO") == U'\u0F0A');
    CHECK(code_point_by_name("TIBETAN MARK TSA -PHRU") == U'\u0F39');
    CHECK(code_point_by_name("HANGUL JUNGSEONG O-E") == U'\u1180');
}

TEST_CASE("\\N{} names that end in their own code point are listed, so any case works") {
    CHECK(code_point_by_name("CJK COMPATIBILITY IDEOGRAPH-F900") == U'\uF900');
    CHECK(code_point_by_name("cjk compatibility ideograph-f900") == U'\uF900');
    CHECK(code_point_by_name("CJK COMPATIBILITY IDEOGRAPH-2F800") == U'\U0002F800');
    CHECK(code_point_by_name("KHITAN SMALL SCRIPT CHARACTER-18B00") == U'\U00018B00');
    CHECK(code_point_by_name("NUSHU CHARACTER-1B170") == U'\U0001B170');
    CHECK(code_point_by_name("TANGUT COMPONENT-001") == U'\U00018800');
    CHECK_FALSE(code_point_by_name("CJK COMPATIBILITY IDEOGRAPH-F8FF"));
}

TEST_CASE("CJK unified ideographs are computed: upper case, four or five hex digits, in range") {
    CHECK(code_point_by_name("CJK UNIFIED IDEOGRAPH-4E00") == U'\u4E00');
    CHECK(code_point_by_name("CJK UNIFIED IDEOGRAPH-04E00") == U'\u4E00');
    CHECK(code_point_by_name("CJK UNIFIED IDEOGRAPH-3134A") == U'\U0003134A');
    CHECK(code_point_by_name("CJK UNIFIED IDEOGRAPH-2A6DF") == U'\U0002A6DF');
    CHECK_FALSE(code_point_by_name("CJK UNIFIED IDEOGRAPH-2A6E0"));
    CHECK_FALSE(code_point_by_name("CJK UNIFIED IDEOGRAPH-004E00"));
    CHECK_FALSE(code_point_by_name("CJK UNIFIED IDEOGRAPH-4e00"));
    CHECK_FALSE(code_point_by_name("cjk unified ideograph-4E00"));
    CHECK_FALSE(code_point_by_name("CJK UNIFIED IDEOGRAPH-"));
    // Tangut ideographs have no name in Python 3.11's unicodedata.
    CHECK_FALSE(code_point_by_name("TANGUT IDEOGRAPH-17000"));
}

TEST_CASE("Hangul syllables are computed: upper case, longest jamo first, nothing left over") {
    CHECK(code_point_by_name("HANGUL SYLLABLE GA") == U'\uAC00');
    CHECK(code_point_by_name("HANGUL SYLLABLE GAG") == U'\uAC01');
    CHECK(code_point_by_name("HANGUL SYLLABLE GGAG") == U'\uAE4D');
    CHECK(code_point_by_name("HANGUL SYLLABLE A") == U'\uC544');
    CHECK(code_point_by_name("HANGUL SYLLABLE HIH") == U'\uD7A3');
    CHECK_FALSE(code_point_by_name("HANGUL SYLLABLE "));
    CHECK(code_point_by_name("HANGUL SYLLABLE GAGG") == U'\uAC02');
    CHECK_FALSE(code_point_by_name("HANGUL SYLLABLE GAGGG"));
    CHECK_FALSE(code_point_by_name("hangul syllable ga"));
    CHECK_FALSE(code_point_by_name("Hangul Syllable GA"));
}

TEST_CASE("\\N{} refuses empty names, spaces around or doubled, named sequences, non-ASCII") {
    for (const char* name : {"", " DIGIT ZERO", "DIGIT ZERO ", "DIGIT  ZERO", "DIGIT-ZERO", "DIGIT ZER", "DIGIT ZEROS",
                             "LATIN CAPITAL LETTER A WITH MACRON AND GRAVE", "KATAKANA LETTER AINU P",
                             "LATIN SMALL LETTER \xC3\x89", "\xFF", "A", "ZZZZZZZZZZZZZZZZZZZZ",
                             "LINE FEED (LF)"}) {
        CAPTURE(name);
        CHECK_FALSE(code_point_by_name(name));
    }
    CHECK_FALSE(code_point_by_name(std::string(200, 'A')));
}

// tools/check_unicode_names.py writes every name CPython accepts and a sample of near misses,
// each with what "\N{name}" gave (hex code point, or '-' when refused), and runs this case.
TEST_CASE("AG_UNICODE_NAMES_ORACLE: every listed name resolves as CPython 3.11 resolves it") {
    const char* path = std::getenv("AG_UNICODE_NAMES_ORACLE");
    if (path == nullptr) return;
    std::ifstream in(path);
    REQUIRE(in);
    std::string line;
    size_t checked = 0;
    size_t wrong = 0;
    while (std::getline(in, line)) {
        const auto tab = line.rfind('\t');
        if (tab == std::string::npos) FAIL("not a name<TAB>answer line: " << line);
        const std::string name = line.substr(0, tab);
        const std::string want = line.substr(tab + 1);
        const auto got = code_point_by_name(name);
        const bool ok = want == "-" ? !got : got && *got == static_cast<char32_t>(std::stoul(want, nullptr, 16));
        if (!ok && ++wrong <= 20) {
            CAPTURE(name);
            CAPTURE(want);
            FAIL_CHECK("differs from CPython");
        }
        ++checked;
    }
    MESSAGE(checked << " names checked, " << wrong << " differ");
    CHECK(wrong == 0);
    CHECK(checked > 0);
}
