#include "alembic/alembic_version.hpp"
#include "fixtures.hpp"

#include <doctest/doctest.h>

using ag::AlembicVersion;
using ag::parse_alembic_version;
using ag::pinned_alembic_version;
using ag::test::MemoryTree;

namespace {
std::string text_of(const std::optional<AlembicVersion>& v) { return v ? v->text() : std::string("none"); }
}  // namespace

TEST_CASE("an Alembic version is 1.X or 1.X.Y; a pre-release or local suffix is judged by its release") {
    CHECK(text_of(parse_alembic_version("1.13")) == "1.13");
    CHECK(text_of(parse_alembic_version(" 1.13.2 ")) == "1.13.2");
    CHECK(text_of(parse_alembic_version("1.17.1rc1")) == "1.17.1");
    CHECK(text_of(parse_alembic_version("1.13.*")) == "1.13");
    CHECK(text_of(parse_alembic_version("2.0")) == "none");
    CHECK(text_of(parse_alembic_version("1")) == "none");
    CHECK(text_of(parse_alembic_version("1.x")) == "none");
    CHECK(text_of(parse_alembic_version("1.13.2.7")) == "none");
    CHECK(text_of(parse_alembic_version(">=1.13")) == "none");
    // "1.13" is judged as 1.13.0: before 1.13.3's stripped separators.
    CHECK_FALSE(parse_alembic_version("1.13")->strips_location_entries());
}

TEST_CASE("each rule starts at the release that brought it") {
    const AlembicVersion v19{1, 9, 4, true}, v110{1, 10, 0, true}, v1120{1, 12, 0, true}, v1121{1, 12, 1, true},
        v1132{1, 13, 2, true}, v1133{1, 13, 3, true}, v1153{1, 15, 3, true}, v1160{1, 16, 0, true},
        v1163{1, 16, 3, true}, v1164{1, 16, 4, true}, v1170{1, 17, 0, true}, v1171{1, 17, 1, true};
    CHECK_FALSE(v19.reads_sub_directories());
    CHECK(v110.reads_sub_directories());
    CHECK_FALSE(v19.skips_what_it_cannot_load());
    CHECK(v110.skips_what_it_cannot_load());
    CHECK_FALSE(v1120.empty_parent_is_missing());
    CHECK(v1121.empty_parent_is_missing());
    CHECK_FALSE(v1132.strips_location_entries());
    CHECK(v1133.strips_location_entries());
    CHECK_FALSE(v1153.reads_pyproject());
    CHECK(v1160.reads_pyproject());
    CHECK_FALSE(v1163.reads_toml_booleans());
    CHECK(v1164.reads_toml_booleans());
    CHECK_FALSE(v1170.refuses_colon_in_ids());
    CHECK(v1171.refuses_colon_in_ids());
}

TEST_CASE("a version older than the guard knows is judged as the oldest, and says what was declared") {
    const auto c = ag::choose_alembic(AlembicVersion{1, 6, 5, true}, "requirements.txt");
    CHECK(c.version == ag::kOldestAlembic);
    REQUIRE(c.declared);
    CHECK(c.declared->text() == "1.6.5");
    CHECK_FALSE(ag::choose_alembic(AlembicVersion{1, 20, 0, true}, "uv.lock").declared);
}

TEST_CASE("lock files give the locked version of the alembic package, not of one named like it") {
    CHECK(text_of(pinned_alembic_version("uv.lock", "version = 1\n\n[[package]]\nname = \"alembic-utils\"\n"
                                                     "version = \"0.8.2\"\n\n[[package]]\nname = \"alembic\"\n"
                                                     "version = \"1.13.2\"\nsource = { registry = \"x\" }\n")) ==
          "1.13.2");
    CHECK(text_of(pinned_alembic_version("poetry.lock", "[[package]]\nname = \"Alembic\"\nversion = \"1.16.4\"\n")) ==
          "1.16.4");
    CHECK(text_of(pinned_alembic_version("pdm.lock", "[[package]]\nname = \"sqlalchemy\"\nversion = \"2.0.1\"\n")) ==
          "none");
    // A table between name and version ends the package's own lines.
    CHECK(text_of(pinned_alembic_version("uv.lock", "[[package]]\nname = \"alembic\"\n[package.dependencies]\n"
                                                     "version = \"9.9\"\n")) == "none");
    CHECK(text_of(pinned_alembic_version("Pipfile.lock",
                                         R"({"default": {"alembic": {"version": "==1.18.4", "hashes": []}}})")) ==
          "1.18.4");
    CHECK(text_of(pinned_alembic_version("Pipfile.lock", "{not json")) == "none");
}

TEST_CASE("a requirements file pins alembic only with ==, whatever the case, extras, markers or hashes") {
    CHECK(text_of(pinned_alembic_version("requirements.txt", "sqlalchemy==2.0\nAlembic[tz] == 1.13.1 ; python_version "
                                                              ">= '3.8' \\\n    --hash=sha256:abc\n")) == "1.13.1");
    CHECK(text_of(pinned_alembic_version("requirements.txt", "alembic>=1.13\n")) == "none");
    CHECK(text_of(pinned_alembic_version("requirements.txt", "# alembic==1.8.1\nalembic-utils==0.8\n")) == "none");
    CHECK(text_of(pinned_alembic_version("constraints.txt", "alembic===1.10.4  # pinned\n")) == "1.10.4");
}

TEST_CASE("the pin nearest to the environment's config wins, lock files before requirements in a directory") {
    MemoryTree t;
    t.file("requirements.txt", "alembic==1.8.1\n")
        .file("svc/requirements/base.txt", "alembic==1.13.2\n")
        .file("svc/uv.lock", "[[package]]\nname = \"alembic\"\nversion = \"1.18.4\"\n")
        .file("other/x.txt", "");
    auto svc = ag::project_alembic(t, "svc/db");
    REQUIRE(svc);
    CHECK(svc->version.text() == "1.18.4");
    CHECK(svc->from == "svc/uv.lock");
    t.remove("svc/uv.lock");
    CHECK(ag::project_alembic(t, "svc")->from == "svc/requirements/base.txt");
    CHECK(ag::project_alembic(t, "other")->from == "requirements.txt");
    MemoryTree none;
    none.file("requirements.txt", "alembic\n");
    CHECK_FALSE(ag::project_alembic(none, ""));
}
