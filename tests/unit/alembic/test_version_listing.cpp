#include "alembic/version_listing.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using ag::test::MemoryTree;

namespace {
constexpr ag::AlembicVersion kAlembic18{1, 8, 1, true};
constexpr ag::AlembicVersion kAlembic113{1, 13, 2, true};

std::vector<std::string> paths(const ag::VersionListing& l) {
    std::vector<std::string> out;
    for (const auto& f : l.files()) out.push_back(l.path(f));
    return out;
}

std::vector<std::string> refused(const ag::VersionListing& l) {
    std::vector<std::string> out;
    for (const auto& f : l.files())
        if (f.refused) out.push_back(l.path(f));
    return out;
}

// A __pycache__ file with a valid header: magic ending in \r\n, flags (bit 0: hash-stamped).
std::string pyc(bool hash_stamped) {
    return std::string("\xa7\x0d\r\n", 4) + std::string(1, hash_stamped ? '\x01' : '\x00') + std::string(11, '\0');
}
}  // namespace

TEST_CASE("a version location lists the *.py files Alembic 1.8 imports, by name, not-files and bad names refused") {
    MemoryTree t;
    t.file("v/2.py", "").file("v/1.py", "").file("v/__init__.py", "").file("v/README", "").file("v/.#x.py", "")
        .file("v/name.py\n", "").entry("v/dir.py", ag::EntryKind::Directory);
    const ag::VersionListing l(t, "v", false, kAlembic18);
    CHECK(paths(l) == std::vector<std::string>{"v/1.py", "v/2.py", "v/dir.py", "v/name.py\n"});
    CHECK(refused(l) == std::vector<std::string>{"v/dir.py", "v/name.py\n"});
    CHECK(l.entries().size() == 7);
}

TEST_CASE("a hash-stamped __pycache__ copy refuses its source; a timestamped one does not") {
    MemoryTree t;
    t.file("v/a.py", "").file("v/b.py", "")
        .file("v/__pycache__/a.cpython-311.pyc", pyc(true))
        .file("v/__pycache__/b.cpython-311.pyc", pyc(false));
    const ag::VersionListing l(t, "v", false, kAlembic18);
    CHECK(refused(l) == std::vector<std::string>{"v/a.py"});
    REQUIRE(l.files().front().refused);
    CHECK(l.files().front().refused->find("__pycache__/a.cpython-311.pyc") != std::string::npos);
    CHECK(l.refused_migration(l.files().front()).path == "v/a.py");
}

TEST_CASE("with sourceless, compiled files without a source are loaded by Alembic, so refused, after the sources") {
    MemoryTree t;
    t.file("v/a.py", "").file("v/a.pyc", "").file("v/b.pyc", "").file("v/__pycache__/c.cpython-311.pyc", pyc(false));
    CHECK(refused(ag::VersionListing(t, "v", false, kAlembic18)).empty());
    const ag::VersionListing l(t, "v", true, kAlembic18);
    CHECK(paths(l) == std::vector<std::string>{"v/a.py", "v/b.pyc", "v/__pycache__/c.cpython-311.pyc"});
    CHECK(refused(l) == std::vector<std::string>{"v/b.pyc", "v/__pycache__/c.cpython-311.pyc"});
}

TEST_CASE("an entry judged alone by Alembic 1.8: not a migration, to be read, or refused for its kind or name") {
    MemoryTree t;
    t.file("v/a.py", "").file("v/a.txt", "").entry("v/d.py", ag::EntryKind::Symlink);
    const auto listing = t.list("v");
    for (const auto& e : listing) {
        const auto f = ag::judge_entry(e, kAlembic18);
        if (e.name == "a.txt") CHECK_FALSE(f);
        if (e.name == "a.py") CHECK((f && !f->refused && f->entry == &e));
        if (e.name == "d.py") CHECK((f && f->refused));
    }
}

TEST_CASE("Alembic 1.10+ skips a directory named like a migration instead of failing on it") {
    MemoryTree t;
    t.file("v/1.py", "").entry("v/dir.py", ag::EntryKind::Directory).entry("v/mod.py", ag::EntryKind::Submodule);
    const ag::VersionListing l(t, "v", false, kAlembic113);
    CHECK(paths(l) == std::vector<std::string>{"v/1.py"});
    CHECK(refused(l).empty());
}

TEST_CASE("Alembic 1.10+ loads a symlink by its target's name and path; dangling and directory links are skipped") {
    MemoryTree t;
    t.file("v/1.py", "")
        .file("store/a2.py", "")
        .file("store/a3_migration", "")
        .file("store/sub/x.txt", "")
        .symlink("v/a2_link", "../store/a2.py")            // loaded, from store/
        .symlink("v/a3.py", "../store/a3_migration")       // the target's name does not match: not loaded
        .symlink("v/zz.py", "../nowhere")                   // dangling, to a name Alembic does not match: skipped
        .symlink("v/zy", "../nowhere.py")                   // dangling, to a `*.py` name: loaded, and fails
        .symlink("v/dir.py", "../store/sub")                // a directory: skipped
        .symlink("v/chain.py", "a2_link")                   // a chain ends at store/a2.py
        .symlink("v/abs.py", "/etc/passwd")                 // outside: refused
        .symlink("v/up.py", "../../../x.py");               // climbs out: refused
    const ag::VersionListing l(t, "v", false, kAlembic113);
    CHECK(paths(l) ==
          std::vector<std::string>{"v/1.py", "store/a2.py", "v/abs.py", "store/a2.py", "v/up.py", "v/zy"});
    CHECK(refused(l) == std::vector<std::string>{"v/abs.py", "v/up.py", "v/zy"});
    REQUIRE(l.files()[1].target_dir);
    CHECK(l.dir(l.files()[1]) == "store");
    // Where the links end is what the listing depends on outside its directory.
    CHECK(l.link_ends() == std::vector<std::string>{"store/a2.py", "store/a3_migration", "store/a2.py", "store/sub",
                                                    "nowhere.py", "nowhere"});
}

TEST_CASE("Alembic 1.8 refuses every symlink named like a migration: it loads what the deploy host's link gives") {
    MemoryTree t;
    t.file("store/a2.py", "").symlink("v/a2.py", "../store/a2.py").symlink("v/a2_link", "../store/a2.py");
    const ag::VersionListing l(t, "v", false, kAlembic18);
    CHECK(paths(l) == std::vector<std::string>{"v/a2.py"});
    CHECK(refused(l) == std::vector<std::string>{"v/a2.py"});
}
