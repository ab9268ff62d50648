// Which Python a project declares, and which grammar its migrations are judged by.
#include "alembic/environment.hpp"
#include "fixtures.hpp"
#include "alembic/project_python.hpp"
#include "report/problem_wording.hpp"
#include "verdict/environment_check.hpp"

#include <doctest/doctest.h>

using ag::declared_python_version;
using ag::test::MemoryTree;

TEST_CASE("each declaration file says its version the way its tool reads it; a range counts by its lower bound") {
    auto v = [](std::string_view file, std::string_view text) {
        const auto r = declared_python_version(file, text);
        return r ? r->text() : std::string("none");
    };
    CHECK(v(".python-version", "3.12.4\n") == "3.12");
    CHECK(v(".python-version", "# pinned\n3.13\n3.12\n") == "3.13");
    CHECK(v(".python-version", "system\n") == "none");
    CHECK(v("pyproject.toml", "[project]\nname = 'x'\nrequires-python = \">=3.12,<4\"\n") == "3.12");
    CHECK(v("pyproject.toml", "[project]\nrequires-python = \"~=3.11\"\n") == "3.11");
    CHECK(v("pyproject.toml", "[project]\nrequires-python = \"<4\"\n") == "none");
    CHECK(v("pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.12\"\n") == "3.12");
    CHECK(v("pyproject.toml", "[tool.other]\nrequires-python = \">=3.13\"\n") == "none");  // not [project]
    CHECK(v(".tool-versions", "nodejs 20.1.0\npython 3.13.1\n") == "3.13");
    CHECK(v("runtime.txt", "python-3.12.1\n") == "3.12");
    CHECK(v("Pipfile", "[requires]\npython_version = \"3.12\"\n") == "3.12");
}

TEST_CASE("a TOML declaration is read as tomllib reads it: a key inside a string or under another table is none") {
    auto v = [](std::string_view file, std::string_view text) {
        const auto r = declared_python_version(file, text);
        return r ? r->text() : std::string("none");
    };
    CHECK(v("pyproject.toml", "[project]\ndescription = \"\"\"\nrequires-python = \">=3.13\"\n\"\"\"\nrequires-python = \">=3.11\"\n") ==
          "3.11");
    CHECK(v("pyproject.toml", "[project]\nrequires-python = '>=3.12' # inline comment\n") == "3.12");
    CHECK(v("pyproject.toml", "project.requires-python = \">=3.13\"\n") == "3.13");  // a dotted key
    CHECK(v("pyproject.toml", "[project]\n[project.urls]\nrequires-python = \">=3.13\"\n") == "none");
    CHECK(v("pyproject.toml", "[project]\nrequires-python = \">=3.13\"\nrequires-python = \">=3.12\"\n") == "none");
    CHECK(v("Pipfile", "[requires]\npython_version = 3.12\n") == "none");  // not a str
}

TEST_CASE("the nearest declaration above an environment's config decides its grammar; none declared is the oldest known") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = migrations\n");
    t.file("migrations/env.py", "");
    t.migration("migrations/versions/001.py", "001", "None");
    // A PEP 701 f-string: 3.12 reads it, 3.11 does not.
    t.file("migrations/versions/002.py", "revision = '002'\ndown_revision = '001'\ny = 1\nx = f\"{'a' if y else \"b\"}\"\n");
    auto check = [&](const MemoryTree& tree) {
        const auto c = ag::check_tree(tree);
        REQUIRE(c.environments.size() == 1);
        return c.environments.front();
    };
    const auto undeclared = check(t);
    CHECK(undeclared.environment.python.version == ag::py::kUndeclaredPython);
    CHECK(undeclared.environment.python.from.empty());
    CHECK_FALSE(undeclared.ok());
    MemoryTree declared = t;
    declared.file(".python-version", "3.12\n");
    const auto e = check(declared);
    CHECK(e.environment.python.version.text() == "3.12");
    CHECK(e.environment.python.from == ".python-version");
    CHECK(e.ok());
    // An operator's or command line's version replaces the project's.
    ag::CheckOptions o;
    o.python = ag::choose_python({3, 11}, "--python-version");
    CHECK_FALSE(ag::check_tree(declared, o).environments.front().ok());
    // A version beyond the known grammars is judged by the nearest, with a note.
    MemoryTree future = t;
    future.file(".python-version", "3.14\n");
    const auto f = check(future);
    CHECK(f.environment.python.version == ag::py::kNewestPython);
    REQUIRE_FALSE(f.notes.empty());
    CHECK(f.notes.front().kind == ag::NoteKind::python_nearest);
    CHECK(f.notes.front().subject == "3.14");
    CHECK(ag::note_message(f.notes.front()).find("declares Python 3.14; the guard judges its migrations by Python") !=
          std::string::npos);
}
