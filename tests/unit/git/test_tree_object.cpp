#include "git/tree_object.hpp"

#include "fixtures.hpp"
#include "git/git_handle.hpp"
#include "source/git_tree.hpp"
#include "support/guard_error.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

using namespace ag;
using ag::test::GitRepo;

namespace {

// One raw tree record: "<mode> <name>\0" and a 20-byte ID whose bytes are all `fill`.
std::string record(std::string_view mode, std::string_view name, unsigned char fill = 0xab) {
    std::string r = fmt::format("{} {}", mode, name);
    r.push_back('\0');
    r.append(GIT_OID_RAWSZ, static_cast<char>(fill));
    return r;
}

TreeObject parsed(std::string raw) {
    std::string error;
    auto t = TreeObject::parse(std::move(raw), error);
    INFO(error);
    REQUIRE(t.has_value());
    return std::move(*t);
}

std::string parse_error(std::string raw) {
    std::string error;
    CHECK_FALSE(TreeObject::parse(std::move(raw), error).has_value());
    return error;
}

git_oid oid_of(const std::string& hex) {
    git_oid id;
    REQUIRE(git_oid_fromstrn(&id, hex.data(), GIT_OID_HEXSZ) == 0);
    return id;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST_CASE("a tree's records are read in order with their names, modes and IDs") {
    const auto t = parsed(record("100644", "a.py", 1) + record("40000", "b", 2) + record("160000", "c", 3));
    REQUIRE(t.size() == 3);
    CHECK(t[0].name == "a.py");
    CHECK(t[0].mode == GIT_FILEMODE_BLOB);
    CHECK(t[1].name == "b");
    CHECK(t[1].is_tree());
    CHECK(t[2].mode == GIT_FILEMODE_COMMIT);
    CHECK(t[2].id[0] == 3);
    CHECK(t[2].id[GIT_OID_RAWSZ - 1] == 3);
    CHECK(parsed("").size() == 0);
}

TEST_CASE("modes are normalised as libgit2 normalises them") {
    const std::vector<std::pair<std::string, git_filemode_t>> cases = {
        {"100644", GIT_FILEMODE_BLOB},          {"100664", GIT_FILEMODE_BLOB},
        {"100755", GIT_FILEMODE_BLOB_EXECUTABLE}, {"100744", GIT_FILEMODE_BLOB_EXECUTABLE},
        {"40000", GIT_FILEMODE_TREE},           {"040000", GIT_FILEMODE_TREE},
        {"40755", GIT_FILEMODE_TREE},           {"120000", GIT_FILEMODE_LINK},
        {"120755", GIT_FILEMODE_BLOB_EXECUTABLE}, {"160000", GIT_FILEMODE_COMMIT},
        {"0", GIT_FILEMODE_BLOB}};
    for (const auto& c : cases) {
        const std::string& mode = c.first;  // (clang 14 cannot capture a structured binding in INFO)
        const git_filemode_t want = c.second;
        INFO(mode);
        CHECK(parsed(record(mode, "x"))[0].mode == want);
    }
}

TEST_CASE("a damaged tree is refused with the entry and what is wrong with it") {
    const std::string good = record("100644", "001.py");
    CHECK(parse_error("x" + good).find("first entry does not start with an octal mode") != std::string::npos);
    CHECK(parse_error(good + record("10064x", "002.py")).find("entry 2 (after '001.py') has no space") != std::string::npos);
    CHECK(parse_error(good + "100644").find("entry 2 (after '001.py') has no space") != std::string::npos);
    CHECK(parse_error(good + "100644 002.py").find("never ends") != std::string::npos);
    CHECK(parse_error(good + record("100644", "")).find("empty name") != std::string::npos);
    CHECK(parse_error(good + record("100644", "002.py").substr(0, 20)).find("cut short") != std::string::npos);
    CHECK(parse_error(record("1777777", "a")).find("larger than git writes") != std::string::npos);
    CHECK(parse_error(record("-100644", "a")).find("octal mode") != std::string::npos);
}

TEST_CASE("walking a tree and indexing it give the same entries, in the same order") {
    std::string raw;
    std::vector<std::string> names;
    for (int i = 0; i < 300; ++i) {
        // Modes of every kind, names of every length: the walk decodes each record itself.
        static const char* const modes[] = {"100644", "100755", "40000", "120000", "160000", "644"};
        names.push_back(fmt::format("{:03}{}", i, std::string(static_cast<size_t>(i % 17), 'x')));
        raw += record(modes[i % 6], names.back(), static_cast<unsigned char>(i));
    }
    const auto t = parsed(raw);
    REQUIRE(t.size() == names.size());
    size_t i = 0;
    for (const auto& e : t) {
        REQUIRE(i < names.size());
        CHECK(e.name == names[i]);
        CHECK(e.id[0] == static_cast<unsigned char>(i));
        const auto indexed = t[i];
        CHECK(indexed.name == e.name);
        CHECK(indexed.mode == e.mode);
        CHECK(indexed.id == e.id);
        ++i;
    }
    CHECK(i == names.size());
    CHECK(t[1].mode == GIT_FILEMODE_BLOB_EXECUTABLE);
    CHECK(t[5].mode == GIT_FILEMODE_BLOB);
    size_t walked = 0;
    for (const auto& e : TreeObject()) walked += e.name.size() + 1;
    for (const auto& e : parsed("")) walked += e.name.size() + 1;
    CHECK(walked == 0);
}

TEST_CASE("find locates files and directories whose names share prefixes") {
    // git's order: a directory sorts as if its name ended in '/', after "a.b" and before "a0".
    const auto t = parsed(record("100644", "a-b", 1) + record("100644", "a.b", 2) + record("40000", "a", 3) +
                          record("100644", "a0", 4) + record("100644", "ab", 5) + record("40000", "b", 6));
    for (const auto& c : std::vector<std::pair<std::string, int>>{
             {"a-b", 1}, {"a.b", 2}, {"a", 3}, {"a0", 4}, {"ab", 5}, {"b", 6}}) {
        const std::string& name = c.first;
        const int fill = c.second;
        INFO(name);
        const auto e = t.find(name);
        REQUIRE(e);
        CHECK(e->id[0] == fill);
    }
    CHECK(t.sorted());
    CHECK_FALSE(t.find("a."));
    CHECK_FALSE(t.find("abc"));
    CHECK_FALSE(t.find(""));
    CHECK_FALSE(t.find("c"));
    CHECK_FALSE(parsed("").find("a"));
}

TEST_CASE("a tree out of git's order still finds every entry, the first of a name winning") {
    // git never writes these (fsck: treeNotSorted, duplicateEntries), but a checkout writes
    // every entry of them, so every entry must be found.
    const auto t = parsed(record("100644", "b", 1) + record("100644", "a", 2) + record("100644", "c", 3) +
                          record("100644", "a", 4));
    CHECK_FALSE(t.sorted());
    REQUIRE(t.find("a"));
    CHECK(t.find("a")->id[0] == 2);
    REQUIRE(t.find("c"));
    CHECK(t.find("c")->id[0] == 3);
    CHECK_FALSE(t.find("d"));
    const auto file_and_dir = parsed(record("100644", "a", 1) + record("40000", "a", 2));
    CHECK(file_and_dir.sorted());  // git's order keeps a file "a" before a directory "a"
    CHECK(file_and_dir.find("a")->id[0] == 1);
}

TEST_CASE("entry order agrees with the order git writes trees in") {
    GitRepo repo;
    const std::vector<std::string> names = {"a.b", "a", "a-b", "a0", "ab", "a_", "A", "b", "ä", "a b", "z", "b-"};
    std::string listing;
    for (size_t i = 0; i < names.size(); ++i) {
        // Every other name a directory: its place moves with the implied '/'.
        const std::string blob = trim(repo.git(fmt::format("echo {} | git hash-object -w --stdin", i)));
        if (i % 2) {
            const std::string sub = trim(repo.git(fmt::format("printf '100644 blob {}\\tf\\n' | git mktree", blob)));
            listing += fmt::format("040000 tree {}\t{}\n", sub, names[i]);
        } else {
            listing += fmt::format("100644 blob {}\t{}\n", blob, names[i]);
        }
    }
    repo.write("listing", listing);
    const std::string tree = trim(repo.git("git mktree < listing"));
    const auto t = parsed(repo.git(fmt::format("git cat-file tree {}", tree)));
    REQUIRE(t.size() == names.size());
    for (size_t i = 1; i < t.size(); ++i) {
        INFO(t[i - 1].name, " before ", t[i].name);
        CHECK(tree_entry_order(t[i - 1], t[i]) < 0);
        CHECK(tree_entry_order(t[i], t[i - 1]) > 0);
        CHECK(tree_entry_order(t[i], t[i]) == 0);
    }
    for (const auto& n : names) CHECK(t.find(n).has_value());
}

TEST_CASE("a git tree answers as libgit2 does for every path, and its changes are git's diff") {
    GitRepo repo;
    repo.write("alembic.ini", "[alembic]\n");
    repo.write("alembic/env.py", "x\n");
    repo.write("alembic/versions/001_a.py", "a\n");
    repo.write("alembic/versions/002_b.py", "b\n");
    repo.write("alembic/versions/old/003.py", "c\n");
    repo.write("alembic/versions.py", "d\n");
    repo.write("run.sh", "e\n");
    repo.git("chmod +x run.sh && ln -s alembic.ini link.py && git add -A && git commit -q -m one");
    repo.write("alembic/versions/002_b.py", "b2\n");
    repo.write("alembic/versions/004_d.py", "d\n");
    repo.git("git rm -q alembic/versions/001_a.py && git add -A && git commit -q -m two && git gc -q");

    GitLibrary lib;
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, repo.dir().c_str()) == 0);
    Repository r(raw);
    const git_oid head = oid_of(repo.git("git rev-parse HEAD")), first = oid_of(repo.git("git rev-parse HEAD~1"));
    GitTree tree(r.get(), head), older(r.get(), first);

    std::istringstream all(repo.git("git ls-tree -r -t --full-tree HEAD"));
    size_t seen = 0;
    for (std::string line; std::getline(all, line); ++seen) {
        const auto tab = line.find('\t');
        const std::string path = line.substr(tab + 1), mode = line.substr(0, 6), id = line.substr(tab - 40, 40);
        INFO(path);
        CHECK(tree.content_id(path) == id);
        const auto kind = tree.kind(path);
        REQUIRE(kind.has_value());
        CHECK(*kind == (mode == "040000" ? EntryKind::Directory : mode == "120000" ? EntryKind::Symlink : EntryKind::File));
        if (*kind == EntryKind::File) CHECK(tree.read(path) == repo.git(fmt::format("git cat-file blob {}", id)));
    }
    CHECK(seen == 11);
    CHECK_FALSE(tree.kind("alembic/versions/001_a.py").has_value());
    CHECK_FALSE(tree.kind("alembic/nothing/x.py").has_value());
    CHECK(tree.list("run.sh").empty());

    std::vector<std::string> listed;
    for (const auto& e : tree.list("alembic/versions")) listed.emplace_back(e.name);
    CHECK(listed == std::vector<std::string>{"002_b.py", "004_d.py", "old"});

    std::vector<std::string> changes;
    for (const auto& c : tree.changes_since(older, "alembic/versions"))
        changes.push_back(fmt::format("{}{}", c.before ? c.before->name : "+", c.after ? c.after->name : "-"));
    CHECK(changes == std::vector<std::string>{"001_a.py-", "002_b.py002_b.py", "+004_d.py"});

    std::vector<std::string> files;
    tree.walk_files([&](std::string_view dir, std::string_view name) { files.push_back(fmt::format("{}{}", dir, name)); });
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"alembic.ini", "alembic/env.py", "alembic/versions.py",
                                            "alembic/versions/002_b.py", "alembic/versions/004_d.py",
                                            "alembic/versions/old/003.py", "run.sh"});
}

TEST_CASE("a damaged tree object stops the read with the tree's ID and what is wrong") {
    GitRepo repo;
    repo.write("alembic/versions/001_a.py", "a\n");
    repo.git("git add -A && git commit -q -m one");
    // A versions/ tree whose second record has no space after its mode, written loose.
    const git_oid blob = oid_of(repo.git("git rev-parse HEAD:alembic/versions/001_a.py"));
    std::string damaged("100644 001_a.py", 15);
    damaged.push_back('\0');
    damaged.append(reinterpret_cast<const char*>(blob.id), GIT_OID_RAWSZ);
    repo.write("bad", damaged + "100644x");
    const std::string bad = trim(repo.git("git hash-object -t tree --literally -w bad"));
    const std::string top = trim(repo.git(fmt::format("printf '040000 tree {}\\tversions\\n' | git mktree --missing", bad)));
    const std::string alembic = trim(repo.git(fmt::format("printf '040000 tree {}\\talembic\\n' | git mktree --missing", top)));
    const std::string commit = trim(repo.git(fmt::format("git commit-tree -m bad {}", alembic)));

    GitLibrary lib;
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, repo.dir().c_str()) == 0);
    Repository r(raw);
    GitTree tree(r.get(), oid_of(commit));
    CHECK(tree.kind("alembic/versions") == EntryKind::Directory);
    try {
        (void)tree.list("alembic/versions");
        FAIL("a damaged tree was listed");
    } catch (const GuardError& e) {
        const std::string what = e.what();
        CHECK(what.find(bad) != std::string::npos);
        CHECK(what.find("'alembic/versions'") != std::string::npos);
        CHECK(what.find("entry 2 (after '001_a.py') has no space after its mode") != std::string::npos);
    }
}
