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

// The environment a config file declares (a convention directory may be found beside it).
ag::Environment of_config(const std::vector<ag::Environment>& envs, const std::string& config) {
    for (const auto& e : envs)
        if (e.config == config) return e;
    FAIL("no environment of ", config);
    return {};
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

namespace {
ag::AlembicChoice judged_as(const char* version) { return ag::choose_alembic(*ag::parse_alembic_version(version), "test"); }
}  // namespace

TEST_CASE("recursive_version_locations = true (exactly) reads sub-directories from Alembic 1.10, depth first by name") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\nrecursive_version_locations = true\n")
        .file("db/env.py", "")
        .file("db/versions/a1.py", "")
        .file("db/versions/2024/b/a3.py", "")
        .file("db/versions/2024/a2.py", "")
        .file("db/versions/2023/a0.py", "")
        .file("db/versions/__pycache__/x.py", "");
    const auto old_env = only(discover_environments(t, nullptr, judged_as("1.9.4")));
    CHECK_FALSE(old_env.recursive);
    CHECK(ag::loaded_directories(t, old_env) == std::vector<std::string>{"db/versions"});
    const auto env = only(discover_environments(t, nullptr, judged_as("1.10.0")));
    CHECK(env.recursive);
    CHECK(ag::loaded_directories(t, env) ==
          std::vector<std::string>{"db/versions", "db/versions/2023", "db/versions/2024", "db/versions/2024/b"});
    // configparser's value must be the word true: True, yes and 1 leave it off in every version.
    for (const char* word : {"True", "yes", "1"}) {
        MemoryTree w;
        w.file("alembic.ini", fmt::format("[alembic]\nscript_location = db\nrecursive_version_locations = {}\n", word))
            .file("db/env.py", "")
            .file("db/versions/a.py", "");
        CHECK_FALSE(only(discover_environments(w, nullptr, judged_as("1.18.4"))).recursive);
    }
}

TEST_CASE("separators: stripped entries and newline from 1.13.3, path_separator winning from 1.16") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = va; vb\nversion_path_separator = ;\n")
        .file("db/env.py", "");
    CHECK(only(discover_environments(t, nullptr, judged_as("1.13.2"))).version_locations ==
          std::vector<std::string>{"va", " vb"});
    CHECK(only(discover_environments(t, nullptr, judged_as("1.13.3"))).version_locations ==
          std::vector<std::string>{"va", "vb"});
    MemoryTree nl;
    nl.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations =\n    va\n    vb\n"
                           "version_path_separator = newline\n")
        .file("db/env.py", "");
    CHECK(only(discover_environments(nl, nullptr, judged_as("1.13.2"))).problems.size() == 1);
    CHECK(only(discover_environments(nl, nullptr, judged_as("1.13.3"))).version_locations ==
          std::vector<std::string>{"va", "vb"});
    MemoryTree ps;
    ps.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = va:vb\npath_separator = os\n")
        .file("db/env.py", "");
    // Before 1.16 path_separator means nothing: the legacy split leaves "va:vb", a package path.
    CHECK(only(discover_environments(ps, nullptr, judged_as("1.15.2"))).version_locations.size() != 2);
    CHECK(only(discover_environments(ps, nullptr, judged_as("1.16.0"))).version_locations ==
          std::vector<std::string>{"va", "vb"});
}

TEST_CASE("from 1.16 [tool.alembic] beside the ini fills what the ini section lacks, the ini winning key by key") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\n")
        .file("pyproject.toml", "[tool.alembic]\nscript_location = \"elsewhere\"\nversion_locations = [\"db/versions\", "
                                "\"%(here)s/extra\"]\n")
        .file("db/env.py", "")
        .file("db/versions/a.py", "")
        .file("extra/b.py", "");
    const auto newer = only(discover_environments(t, nullptr, judged_as("1.16.0")));
    CHECK(newer.script_directory == "db");
    CHECK(newer.version_locations == std::vector<std::string>{"db/versions", "extra"});
    // 1.15 reads the ini alone, and finds the pyproject's own environment as another.
    const auto older = discover_environments(t, nullptr, judged_as("1.15.2"));
    REQUIRE(older.size() == 2);
    CHECK(older.front().version_locations == std::vector<std::string>{"db/versions"});
}

TEST_CASE("TOML booleans are unsupported before 1.16.4 and required from it") {
    MemoryTree t;
    t.file("pyproject.toml", "[tool.alembic]\nscript_location = \"db\"\nrecursive_version_locations = true\n")
        .file("db/env.py", "")
        .file("db/versions/sub/a.py", "");
    const auto early = of_config(discover_environments(t, nullptr, judged_as("1.16.3")), "pyproject.toml");
    REQUIRE(early.problems.size() == 1);
    CHECK(early.problems.front().reason.find("unsupported TOML value type") != std::string::npos);
    const auto later = only(discover_environments(t, nullptr, judged_as("1.16.4")));
    CHECK(later.problems.empty());
    CHECK(later.recursive);
    // 1.16.0-1.16.3 read a TOML string as the ini's text: "true" turns recursion on.
    MemoryTree early_str;
    early_str.file("pyproject.toml", "[tool.alembic]\nscript_location = \"db\"\nrecursive_version_locations = \"true\"\n")
        .file("db/env.py", "")
        .file("db/versions/sub/a.py", "");
    CHECK(of_config(discover_environments(early_str, nullptr, judged_as("1.16.3")), "pyproject.toml").recursive);
    MemoryTree s;
    s.file("pyproject.toml", "[tool.alembic]\nscript_location = \"db\"\nrecursive_version_locations = \"true\"\n")
        .file("db/env.py", "");
    const auto str = of_config(discover_environments(s, nullptr, judged_as("1.18.4")), "pyproject.toml");
    REQUIRE(str.problems.size() == 1);
    CHECK(str.problems.front().reason.find("boolean value expected") != std::string::npos);
}

TEST_CASE("before 1.10 a missing default versions/ or a location that is a file fails; from 1.10 it is skipped") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = db\n").file("db/env.py", "");
    const auto old_env = only(discover_environments(t, nullptr, judged_as("1.8.1")));
    REQUIRE(old_env.problems.size() == 1);
    CHECK(old_env.problems.front().situation == ag::Situation::location_fails);
    CHECK(old_env.problems.front().reason == "FileNotFoundError");
    CHECK(ag::problem_message(old_env.problems.front()).find("db/versions") != std::string::npos);
    CHECK(only(discover_environments(t, nullptr, judged_as("1.10.0"))).problems.empty());
    MemoryTree f;
    f.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = db/versions notadir\n")
        .file("db/env.py", "").file("db/versions/a.py", "").file("notadir", "");
    const auto file_env = only(discover_environments(f, nullptr, judged_as("1.9.4")));
    REQUIRE(file_env.problems.size() == 1);
    CHECK(file_env.problems.front().reason == "NotADirectoryError");
    CHECK(only(discover_environments(f, nullptr, judged_as("1.10.0"))).problems.empty());
    // An explicit location that does not exist is skipped by every version.
    MemoryTree m;
    m.file("alembic.ini", "[alembic]\nscript_location = db\nversion_locations = db/versions gone\n")
        .file("db/env.py", "").file("db/versions/a.py", "");
    CHECK(only(discover_environments(m, nullptr, judged_as("1.8.1"))).problems.empty());
}

TEST_CASE("the Alembic judged by: the given one, else .alembic-guard.toml's, else the nearest pin, else the newest") {
    MemoryTree t;
    t.file("svc/alembic.ini", "[alembic]\nscript_location = db\n")
        .file("svc/db/env.py", "").file("svc/db/versions/a.py", "")
        .file("svc/requirements.txt", "alembic==1.13.2\n");
    const auto pinned = only(discover_environments(t));
    CHECK(pinned.alembic.version.text() == "1.13.2");
    CHECK(pinned.alembic.from == "svc/requirements.txt");
    CHECK(only(discover_environments(t, nullptr, judged_as("1.8.1"))).alembic.version.text() == "1.8.1");
    t.remove("svc/requirements.txt");
    const auto newest = only(discover_environments(t));
    CHECK(newest.alembic.version == ag::kNewestAlembic);
    CHECK(newest.alembic.from.empty());
    MemoryTree g;
    g.file(".alembic-guard.toml", "alembic_version = \"1.10\"\n[[environment]]\nname = \"x\"\nversion_locations = [\"v\"]\n")
        .file("v/a.py", "").file("requirements.txt", "alembic==1.18.4\n");
    CHECK(only(discover_environments(g)).alembic.version.text() == "1.10");
    MemoryTree old;
    old.file("alembic.ini", "[alembic]\nscript_location = db\n").file("db/env.py", "").file("db/versions/a.py", "")
        .file("requirements.txt", "alembic==1.6.5\n");
    const auto six = only(discover_environments(old));
    CHECK(six.alembic.version == ag::kOldestAlembic);
    REQUIRE(six.notes.size() == 1);
    CHECK(six.notes.front().kind == ag::NoteKind::alembic_oldest);
}
