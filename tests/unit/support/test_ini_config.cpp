#include "support/ini_config.hpp"

#include <doctest/doctest.h>

using ag::IniError;
using ag::IniFile;
using ag::parse_ini;

namespace {
const std::map<std::string, std::string, std::less<>> kHere{{"here", "/repo"}};

std::string get(const IniFile& ini, const char* sec, const char* opt) {
    auto v = ini.get(sec, opt, kHere);
    REQUIRE(std::holds_alternative<std::string>(v));
    return std::get<std::string>(v);
}
}  // namespace

TEST_CASE("configparser keeps inline comments as part of the value") {
    auto r = parse_ini("[alembic]\nscript_location = alembic  # where the scripts are\nversion_path_separator = os  # Use os.pathsep.\n");
    REQUIRE(std::holds_alternative<IniFile>(r));
    const auto& ini = std::get<IniFile>(r);
    CHECK(get(ini, "alembic", "script_location") == "alembic  # where the scripts are");
    CHECK(get(ini, "alembic", "version_path_separator") == "os  # Use os.pathsep.");
}

TEST_CASE("full-line comments, ':' delimiters, lowercase keys and continuation lines") {
    auto r = parse_ini("; top comment\n[alembic]\n# comment\nScript_Location: migrations\nversion_locations =\n  a\n\n  b\nnext = 1\n");
    REQUIRE(std::holds_alternative<IniFile>(r));
    const auto& ini = std::get<IniFile>(r);
    CHECK(get(ini, "alembic", "script_location") == "migrations");
    CHECK(get(ini, "alembic", "version_locations") == "\na\n\nb");
    CHECK(get(ini, "alembic", "next") == "1");
    CHECK(ini.line_of("alembic", "next") == 9);
}

TEST_CASE("interpolation: %(here)s, other keys, [DEFAULT] and %%") {
    auto r = parse_ini("[DEFAULT]\nbase = db\n[alembic]\nscript_location = %(here)s/%(base)s/%(sub)s\nsub = m\npct = 100%%\n");
    REQUIRE(std::holds_alternative<IniFile>(r));
    const auto& ini = std::get<IniFile>(r);
    CHECK(get(ini, "alembic", "script_location") == "/repo/db/m");
    CHECK(get(ini, "alembic", "pct") == "100%");
    CHECK(ini.has_option("alembic", "base"));
}

TEST_CASE("interpolation errors name the line") {
    auto r = parse_ini("[alembic]\nscript_location = %(nope)s\nbad = 50%\n");
    const auto& ini = std::get<IniFile>(r);
    auto v = ini.get("alembic", "script_location", kHere);
    REQUIRE(std::holds_alternative<IniError>(v));
    CHECK(std::get<IniError>(v).line == 2);
    CHECK(std::holds_alternative<IniError>(ini.get("alembic", "bad", kHere)));
}

TEST_CASE("what configparser refuses: no section header, duplicates, junk lines, invalid UTF-8, a BOM") {
    for (const char* text : {"script_location = a\n", "[a]\nx=1\n[a]\n", "[a]\nx=1\nX=2\n", "[a]\njunk line\n",
                             "[a]\nx = \xff\n", "\xEF\xBB\xBF[alembic]\nx = 1\n"}) {
        CAPTURE(text);
        CHECK(std::holds_alternative<IniError>(parse_ini(text)));
    }
    auto dup = parse_ini("[a]\nx=1\nx=2\n");
    REQUIRE(std::holds_alternative<IniError>(dup));
    CHECK(std::get<IniError>(dup).line == 3);
}

TEST_CASE("section headers match greedily and a header with trailing text still counts") {
    auto r = parse_ini("[alembic] trailing\nx = 1\n[a]b]\ny = 2\n");
    REQUIRE(std::holds_alternative<IniFile>(r));
    const auto& ini = std::get<IniFile>(r);
    CHECK(ini.section("alembic"));
    CHECK(ini.section("a]b"));
}
