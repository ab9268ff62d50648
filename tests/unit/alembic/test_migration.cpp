#include "fixtures.hpp"
#include "alembic/migration.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

using ag::read_migration;

TEST_CASE("a migration's four fields become revision, parents, labels and dependencies") {
    auto m = read_migration("v/031_a.py", ag::test::migration_source("'031'", "('029', '030')",
                                                                     "branch_labels = 'lbl'\ndepends_on = ['x', 'y']"));
    CHECK_FALSE(m.error);
    CHECK(m.revision == "031");
    CHECK(m.down_revisions == std::vector<std::string>{"029", "030"});
    CHECK(m.branch_labels == std::vector<std::string>{"lbl"});
    CHECK(m.depends_on == std::vector<std::string>{"x", "y"});
    CHECK(m.revision_line == 7);
}

TEST_CASE("None, '' and () are all a base, as in Alembic 1.8.1") {
    for (const char* down : {"None", "''", "()", "[]"}) {
        CAPTURE(down);
        auto m = read_migration("v/a.py", ag::test::migration_source("'a'", down));
        CHECK_FALSE(m.error);
        CHECK(m.down_revisions.empty());
    }
}

TEST_CASE("a missing revision falls back to a legacy hex file name only") {
    auto legacy = read_migration("v/1975ea83b712.py", "down_revision = None\n");
    CHECK_FALSE(legacy.error);
    CHECK(legacy.revision == "1975ea83b712");
    CHECK(legacy.revision_line == 0);
    auto named = read_migration("v/1975ea83b712_add.py", "down_revision = None\n");
    REQUIRE(named.error);
    CHECK(named.error->find("Could not determine revision id") != std::string::npos);
    auto upper = read_migration("v/ABC.py", "down_revision = None\n");
    CHECK(upper.error);
}

TEST_CASE("no down_revision, a computed value or a non-string make the file unloadable") {
    CHECK(read_migration("v/a.py", "revision = 'a'\n").error);
    auto computed = read_migration("v/a.py", "from x import get_down_revision\nrevision = 'a'\n"
                                             "down_revision = get_down_revision(revision)\n");
    REQUIRE(computed.error);
    CHECK(computed.error->find("computed") != std::string::npos);
    CHECK(computed.error_line == 3);
    // A name never bound is a NameError when Alembic imports the file: known without running it.
    auto unbound = read_migration("v/a.py", "revision = 'a'\ndown_revision = get_down_revision(revision)\n");
    REQUIRE(unbound.error);
    CHECK(unbound.error->find("NameError") != std::string::npos);
    CHECK(unbound.error_line == 2);
    CHECK(read_migration("v/a.py", "revision = 1\ndown_revision = None\n").error);
    CHECK(read_migration("v/a.py", "revision = None\ndown_revision = None\n").error);
}

TEST_CASE("the characters an ID may not have are the version's: '@', '-', '+' always, ':' from Alembic 1.17.1") {
    const ag::AlembicVersion v18{1, 8, 1, true}, v170{1, 17, 0, true}, v171{1, 17, 1, true};
    auto read = [](const char* id) {
        return read_migration("v/a.py", fmt::format("revision = '{}'\ndown_revision = None\n", id));
    };
    // Read alone, a file declares what it declares; the version decides whether Alembic loads it.
    CHECK_FALSE(read("a-b").error);
    for (const auto& v : {v18, v170, v171}) {
        auto m = read("a-b@c");
        ag::apply_version_rules(m, v);
        REQUIRE(m.error);
        CHECK(m.invalid_id);
        CHECK(*m.error == v.text());
        CHECK(ag::refused_id_characters("a-b@c", v) == "-@");
    }
    // Revision() raises LoopDetected before it looks at the characters: a self-loop stays one.
    auto looped = read_migration("v/a.py", "revision = 'a-1'\ndown_revision = 'a-1'\n");
    ag::apply_version_rules(looped, v18);
    CHECK_FALSE(looped.error);
    auto colon17 = read("a:2"), colon171 = read("a:2");
    ag::apply_version_rules(colon17, v170);
    ag::apply_version_rules(colon171, v171);
    CHECK_FALSE(colon17.error);
    REQUIRE(colon171.error);
    CHECK(colon171.invalid_id);
    CHECK(colon171.error_line == 1);
}

TEST_CASE("down_revision = '' is a base before Alembic 1.12.1 and a missing parent '' from it on") {
    const ag::AlembicVersion v120{1, 12, 0, true}, v121{1, 12, 1, true};
    auto old_rules = read_migration("v/a.py", "revision = 'a'\ndown_revision = ''\n");
    CHECK(old_rules.empty_parent);
    auto new_rules = old_rules;
    ag::apply_version_rules(old_rules, v120);
    ag::apply_version_rules(new_rules, v121);
    CHECK(old_rules.down_revisions.empty());
    CHECK(new_rules.down_revisions == std::vector<std::string>{""});
    // A tuple holding '' names the revision '' in every version.
    auto tuple = read_migration("v/a.py", "revision = 'a'\ndown_revision = ('',)\n");
    CHECK_FALSE(tuple.empty_parent);
    CHECK(tuple.down_revisions == std::vector<std::string>{""});
}

TEST_CASE("names of another module are kept as references to resolve; values computed at run time are refused") {
    // `cli.EXPAND_BRANCH` is read from the repository's cli module later (module_references).
    auto m = read_migration("v/a.py", ag::test::migration_source("'a'", "None", "import cli\nbranch_labels = (cli.EXPAND_BRANCH,)"));
    CHECK_FALSE(m.error);
    REQUIRE(m.references.size() == 1);
    CHECK(m.references[0].field == "branch_labels");
    CHECK(m.references[0].sequence);
    CHECK(m.references[0].items == std::vector<std::string>{"\x01" "cli.EXPAND_BRANCH" "\x02"});
    CHECK(m.branch_labels.empty());
    // Alembic may fail on a value computed at run time, and a label the guard cannot see
    // could hide a clash.
    auto d = read_migration("v/a.py", ag::test::migration_source("'a'", "None", "depends_on = str('nope')"));
    REQUIRE(d.error);
    CHECK(d.error->find("depends_on") != std::string::npos);
    CHECK_FALSE(read_migration("v/a.py", ag::test::migration_source("'a'", "None", "depends_on = ('x', 'y')")).error);
}

TEST_CASE("syntax errors and Git LFS pointers are named with the line") {
    auto conflict = read_migration("v/a.py", "revision = 'a'\n<<<<<<< HEAD\ndown_revision = 'b'\n=======\n");
    REQUIRE(conflict.error);
    CHECK(conflict.error_line == 2);
    CHECK(conflict.error->find("conflict marker") != std::string::npos);
    auto lfs = read_migration("v/a.py", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n");
    REQUIRE(lfs.error);
    CHECK(lfs.error->find("LFS") != std::string::npos);
}

TEST_CASE("which names Alembic loads from a version location") {
    CHECK(ag::is_migration_file_name("001_init.py"));
    CHECK(ag::is_migration_file_name("abc.py"));
    CHECK_FALSE(ag::is_migration_file_name("__init__.py"));
    CHECK_FALSE(ag::is_migration_file_name("__init__foo.py"));
    CHECK_FALSE(ag::is_migration_file_name(".#001_init.py"));
    CHECK_FALSE(ag::is_migration_file_name("001_init.pyc"));
    CHECK_FALSE(ag::is_migration_file_name("README"));
    CHECK_FALSE(ag::is_migration_file_name("script.py.mako"));
}
