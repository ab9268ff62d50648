// What Alembic loads besides plain .py sources: compiled copies, sourceless migrations and
// names that match its pattern only to fail.
#include "fixtures.hpp"
#include "verdict/environment_check.hpp"

#include <doctest/doctest.h>

using ag::test::MemoryTree;

namespace {

MemoryTree chain(const std::string& ini_extra = "") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = migrations\n" + ini_extra);
    t.file("migrations/env.py", "");
    t.migration("migrations/versions/001_a.py", "001", "None");
    t.migration("migrations/versions/002_b.py", "002", "'001'");
    return t;
}

std::vector<std::string> unparsable_files(const MemoryTree& t) {
    const auto check = ag::check_tree(t);
    REQUIRE(check.environments.size() == 1);
    std::vector<std::string> out;
    for (const auto& p : check.environments.front().problems)
        if (p.code == "unparsable-migration")
            for (const auto& f : p.files) out.push_back(f);
    return out;
}

}  // namespace

TEST_CASE("a committed hash-stamped __pycache__ copy makes its migration unparsable: Python may run the copy instead") {
    MemoryTree t = chain();
    CHECK(unparsable_files(t).empty());
    // PEP 552 header: magic, then flags (bit 0: hash-based; 3: unchecked).
    t.file("migrations/versions/__pycache__/002_b.cpython-311.pyc", std::string("\xa7\x0d\x0d\x0a\x03\0\0\0", 8) + "hash....");
    CHECK(unparsable_files(t) == std::vector<std::string>{"migrations/versions/002_b.py"});
    // A copy stamped with the source's mtime is stale on a fresh checkout: Python recompiles.
    MemoryTree stamped = chain();
    stamped.file("migrations/versions/__pycache__/002_b.cpython-311.pyc", std::string("\xa7\x0d\x0d\x0a\0\0\0\0", 8) + "mtime...");
    CHECK(unparsable_files(stamped).empty());
    // Nor is a file that is no compiled Python at all.
    MemoryTree junk = chain();
    junk.file("migrations/versions/__pycache__/002_b.cpython-311.pyc", std::string("\0junk", 5));
    CHECK(unparsable_files(junk).empty());
    // A copy of some other file is no copy of this one.
    MemoryTree other = chain();
    other.file("migrations/versions/__pycache__/002_bb.cpython-311.pyc", "x");
    CHECK(unparsable_files(other).empty());
}

TEST_CASE("with sourceless = true a compiled migration without its source is refused, one beside its source is not") {
    MemoryTree t = chain("sourceless = true\n");
    t.file("migrations/versions/003_c.pyc", "bytecode");
    t.file("migrations/versions/002_b.pyc", "bytecode");  // skipped: 002_b.py is there
    CHECK(unparsable_files(t) == std::vector<std::string>{"migrations/versions/003_c.pyc"});
    MemoryTree cached = chain("sourceless = true\n");
    cached.file("migrations/versions/__pycache__/004_d.cpython-311.pyc", "bytecode");
    CHECK(unparsable_files(cached) == std::vector<std::string>{"migrations/versions/__pycache__/004_d.cpython-311.pyc"});
    // Without sourceless Alembic ignores .pyc files in the location.
    MemoryTree plain = chain();
    plain.file("migrations/versions/003_c.pyc", "bytecode");
    CHECK(unparsable_files(plain).empty());
}

TEST_CASE("names that match Alembic's pattern only to fail are refused: '.py' and a final newline") {
    MemoryTree t = chain();
    t.migration("migrations/versions/003_c.py\n", "003", "'002'");
    t.migration("migrations/versions/.py", "004", "'003'");
    const auto files = unparsable_files(t);
    CHECK(files.size() == 2);
    // A newline inside the name does not match: Alembic ignores that file.
    MemoryTree inside = chain();
    inside.migration("migrations/versions/003\nc.py", "003", "'002'");
    CHECK(unparsable_files(inside).empty());
}

TEST_CASE("sub-directories of a version location: read with recursive_version_locations, else a note counts them") {
    MemoryTree t = chain();
    t.migration("migrations/versions/postgresql/003_pg.py", "003", "'002'");
    t.migration("migrations/versions/postgresql/004_pg.py", "004", "'002'");
    t.migration("migrations/versions/sqlite/deep/005.py", "005", "'002'");
    t.file("migrations/versions/postgresql/README", "");
    const auto plain = ag::check_tree(t);
    REQUIRE(plain.environments.size() == 1);
    const auto& env = plain.environments.front();
    CHECK(env.graph.revision_count == 2);
    REQUIRE(env.notes.size() == 1);
    CHECK(env.notes.front().kind == ag::NoteKind::unread_subdirectories);
    CHECK(env.notes.front().subject == "3");
    CHECK(env.notes.front().ids ==
          std::vector<std::string>{"migrations/versions/postgresql", "migrations/versions/sqlite/deep"});
    // Read by Alembic 1.10+ with the setting: three more revisions, all on 002: four heads.
    MemoryTree r = chain("recursive_version_locations = true\n");
    r.migration("migrations/versions/postgresql/003_pg.py", "003", "'002'");
    r.migration("migrations/versions/postgresql/004_pg.py", "004", "'002'");
    r.migration("migrations/versions/sqlite/deep/005.py", "005", "'002'");
    const auto rec = ag::check_tree(r);
    CHECK(rec.environments.front().graph.revision_count == 5);
    CHECK(rec.environments.front().graph.head_count == 3);
    CHECK(rec.environments.front().notes.empty());
    ag::CheckOptions old_alembic;
    old_alembic.alembic = ag::choose_alembic(ag::AlembicVersion{1, 9, 4, true}, "test");
    const auto old_check = ag::check_tree(r, old_alembic);
    CHECK(old_check.environments.front().graph.revision_count == 2);
    CHECK(old_check.environments.front().notes.size() == 1);
}
