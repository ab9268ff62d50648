#include "alembic/environment.hpp"
#include "fixtures.hpp"
#include "report/problem_wording.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <tuple>

using ag::discover_environments;
using ag::test::MemoryTree;

namespace {
ag::Environment only(const std::vector<ag::Environment>& envs) {
    REQUIRE(envs.size() == 1);
    return envs.front();
}
}  // namespace

TEST_CASE("alembic.ini's script_location gives <script_location>/versions, relative to the ini") {
    MemoryTree t;
    t.file("svc/alembic.ini", "[alembic]\nscript_location = db\n").file("svc/db/env.py", "").migration("svc/db/versions/a.py", "a", "None");
    const auto e = only(discover_environments(t));
    CHECK(e.name == "svc/alembic.ini");
    CHECK(e.config == "svc/alembic.ini");
    CHECK(e.version_locations == std::vector<std::string>{"svc/db/versions"});
    CHECK(e.notes.empty());
}

TEST_CASE("version_locations replaces the default and splits as Alembic 1.8.1 does") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = %(here)s/db\nversion_locations = %(here)s/a, b c\n")
        .file("db/env.py", "").file("a/x.py", "").file("b/x.py", "").file("c/x.py", "");
    CHECK(only(discover_environments(t)).version_locations == std::vector<std::string>{"a", "b", "c"});
    MemoryTree s;
    s.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = a;b c\nversion_path_separator = ;\n")
        .file("db/env.py", "");
    CHECK(only(discover_environments(s)).version_locations == std::vector<std::string>{"a", "b c"});
}

TEST_CASE("the stock template's inline comment on version_path_separator is an unreadable config") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = db/versions\n"
                          "version_path_separator = os  # Use os.pathsep.\n").file("db/env.py", "");
    const auto e = only(discover_environments(t));
    REQUIRE(e.problems.size() == 1);
    CHECK(e.problems.front().code == "unreadable-config");
    CHECK(e.problems.front().locations.front().line == 4);
    // Near miss: without version_locations Alembic never reads the separator.
    MemoryTree ok;
    ok.file("alembic.ini", "[alembic]\nscript_location = db\nversion_path_separator = os  # Use os.pathsep.\n")
        .file("db/env.py", "").migration("db/versions/a.py", "a", "None");
    CHECK(only(discover_environments(ok)).problems.empty());
}

TEST_CASE("every section with script_location is an environment; the same locations found twice are one") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = one\n[two]\nscript_location = two\n[again]\nscript_location = one\n"
                          "[loggers]\nkeys = root\n")
        .file("one/env.py", "").file("two/env.py", "").file("one/versions/a.py", "").file("two/versions/a.py", "");
    auto envs = discover_environments(t);
    REQUIRE(envs.size() == 2);
    CHECK(envs[0].name == "alembic.ini");
    CHECK(envs[1].name == "alembic.ini [two]");
}

TEST_CASE("a directory with env.py and versions/ is an environment unless a config names it") {
    MemoryTree t;
    t.file("src/app/migrations/env.py", "").file("src/app/migrations/versions/a.py", "").file("other/env.py", "");
    const auto e = only(discover_environments(t));
    CHECK(e.version_locations == std::vector<std::string>{"src/app/migrations/versions"});
    CHECK(e.config.empty());
    MemoryTree named;
    named.file("alembic.ini", "[alembic]\nscript_location = m\nversion_locations = elsewhere\n")
        .file("m/env.py", "").file("m/versions/a.py", "").file("elsewhere/b.py", "");
    CHECK(only(discover_environments(named)).version_locations == std::vector<std::string>{"elsewhere"});
}

TEST_CASE("package:dir script locations resolve inside the repository") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = myapp.db:migrations\n").file("myapp/db/migrations/env.py", "")
        .file("myapp/db/migrations/versions/a.py", "");
    CHECK(only(discover_environments(t)).version_locations == std::vector<std::string>{"myapp/db/migrations/versions"});
}

TEST_CASE("missing locations are notes, not silent empty graphs") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = nowhere\n").file("db/env.py", "");
    const auto e = only(discover_environments(t));
    CHECK(e.problems.empty());
    REQUIRE_FALSE(e.notes.empty());
    CHECK(e.notes.front().kind == ag::NoteKind::no_location_exists);
    CHECK(note_message(e.notes.front()).find("none of this environment's version locations exists") != std::string::npos);
}

TEST_CASE("a broken ini is unreadable-config only when it is an Alembic config") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\nscript_location = other\n").file("tox.ini", "junk\n");
    const auto e = only(discover_environments(t));
    REQUIRE(e.problems.size() == 1);
    CHECK(e.problems.front().code == "unreadable-config");
    CHECK(e.problems.front().files == std::vector<std::string>{"alembic.ini"});
}

TEST_CASE("[tool.alembic] in pyproject.toml follows Alembic 1.16") {
    MemoryTree t;
    t.file("pyproject.toml", "[project]\nname = 'x'\n[tool.alembic]\nscript_location = \"%(here)s/migrations\"\n"
                             "version_locations = [\"%(here)s/migrations/versions\", \"extra\"]\n")
        .file("migrations/env.py", "").file("migrations/versions/a.py", "").file("extra/b.py", "");
    const auto e = only(discover_environments(t));
    CHECK(e.name == "pyproject.toml");
    CHECK(e.version_locations == std::vector<std::string>{"migrations/versions", "extra"});
    MemoryTree bad;
    bad.file("pyproject.toml", "[tool.alembic]\nscript_location = \n");
    CHECK(only(discover_environments(bad)).problems.front().code == "unreadable-config");
}

TEST_CASE(".alembic-guard.toml replaces discovery, and a push is judged under the declaring tree's file") {
    MemoryTree t;
    t.file(".alembic-guard.toml", "[[environment]]\nname = \"neutron\"\nversion_locations = [\"a/expand\", \"a/contract\"]\n"
                                  "allow_multiple_heads = true\n")
        .file("alembic.ini", "[alembic]\nscript_location = other\n").file("a/expand/x.py", "").file("a/contract/y.py", "");
    const auto e = only(discover_environments(t));
    CHECK(e.name == "neutron");
    CHECK(e.allow_multiple_heads);
    CHECK(e.identity() == "a/contract\na/expand");
    MemoryTree old;  // the old tip has no .alembic-guard.toml: discovery as usual on the new tree
    auto envs = discover_environments(t, &old);
    CHECK(envs.size() == 1);
    CHECK(envs.front().name == "alembic.ini");
    MemoryTree typo;
    typo.file(".alembic-guard.toml", "[[environment]]\nname = \"x\"\nversion_location = [\"a\"]\n");
    CHECK(only(discover_environments(typo)).problems.front().code == "unreadable-config");
}

TEST_CASE("non-ASCII outside TOML strings and comments is unreadable, inside them it is fine") {
    MemoryTree t;
    t.file(".alembic-guard.toml", "\xc3\xa9\n");
    CHECK(only(discover_environments(t)).problems.front().code == "unreadable-config");
    MemoryTree ok;
    ok.file(".alembic-guard.toml", "# caf\xc3\xa9\n[[environment]]\nname = \"caf\xc3\xa9\"\nversion_locations = [\"v\"]\n")
        .file("v/a.py", "");
    auto e = only(discover_environments(ok));
    CHECK(e.problems.empty());
    CHECK(e.name == "caf\xc3\xa9");
}

TEST_CASE("non-ASCII strings keep their values, literal and multi-line ones too, and line numbers stay") {
    MemoryTree t;
    t.file(".alembic-guard.toml",
           "# \xc3\xa9t\xc3\xa9\n[[environment]]\nname = 'caf\xc3\xa9 \\ \"x\"'\nversion_locations = ['''\n"
           "v\xc3\xa9''', \"w\\t\xf0\x9f\x98\x80\"]\n")
        .file("v\xc3\xa9/a.py", "").file("w\t\xf0\x9f\x98\x80/b.py", "");
    auto e = only(discover_environments(t));
    CHECK(e.problems.empty());
    CHECK(e.name == "caf\xc3\xa9 \\ \"x\"");
    CHECK(e.version_locations == std::vector<std::string>{"v\xc3\xa9", "w\t\xf0\x9f\x98\x80"});
    for (const auto& [text, line, why] : std::vector<std::tuple<std::string, int, std::string>>{
             {"[[environment]]\nname = \"\xc3\x28\"\n", 2, "invalid UTF-8 in a string"},
             {"[[environment]]\n# \xe9t\xe9\n", 2, "invalid UTF-8 in a comment"},
             {"[[environment]]\n\nname = \"a\\\xc3\xa9\"\n", 3, "an invalid escape in a string"},
             {"[[environment]]\nname = '''a\n\nb'''\nx = \xc3\xa9\n", 5, "a non-ASCII character outside a string"}}) {
        MemoryTree bad;
        bad.file(".alembic-guard.toml", text);
        const auto p = only(discover_environments(bad)).problems;
        REQUIRE(p.size() == 1);
        INFO(problem_message(p.front()));
        CHECK(problem_message(p.front()).find(fmt::format(".alembic-guard.toml:{}: not valid TOML: {}", line, why)) == 0);
    }
}

TEST_CASE("a malformed value before a non-ASCII string is a TOML error, not undefined behaviour (fuzz)") {
    MemoryTree t;
    t.file(".alembic-guard.toml", "[[environment]]\nname = 'x'\nversion_locations =1[\"\\u00e9t\xc3\xa9\", 'x']\n");
    const auto p = only(discover_environments(t)).problems;
    REQUIRE(p.size() == 1);
    CHECK(p.front().code == "unreadable-config");
    CHECK(problem_message(p.front()).find(".alembic-guard.toml:3: not valid TOML") == 0);
}
