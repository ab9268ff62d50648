#include "git/pack_reader.hpp"

#include "fixtures.hpp"
#include "git/git_handle.hpp"
#include "source/git_tree.hpp"
#include "alembic/migration_reader.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ag;
using ag::test::GitRepo;

namespace {

// 120 migrations written over four commits, each commit editing earlier files, so that a
// repack stores most blobs as deltas of deltas.
void build_history(const GitRepo& repo) {
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < 120; ++i) {
            if (i % 4 < round) continue;
            repo.write(fmt::format("versions/{:04}_m.py", i),
                       test::migration_source(fmt::format("'r{}'", i), i ? fmt::format("'r{}'", i - 1) : "None",
                                              fmt::format("# round {}\ndef upgrade():\n    op.add_column('t{}', 'c{}')\n",
                                                          round, i % 7, i)));
        }
        repo.git(fmt::format("git add -A && git commit -q -m round{}", round));
    }
}

std::vector<std::string> blob_ids(const GitRepo& repo) {
    std::istringstream in(repo.git("git cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)'"));
    std::vector<std::string> ids;
    for (std::string id, type; in >> id >> type;)
        if (type == "blob") ids.push_back(id);
    return ids;
}

// How many objects of the repository's packs are stored as deltas.
size_t deltas_in_packs(const GitRepo& repo) {
    std::istringstream in(repo.git("git verify-pack -v .git/objects/pack/*.idx"));
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::vector<std::string> f;
        for (std::string x; fields >> x;) f.push_back(x);
        if (f.size() == 7 && f[0].size() == 40) ++n;  // id type size packed offset depth base
    }
    return n;
}

git_oid oid_of(const std::string& hex) {
    git_oid id;
    REQUIRE(git_oid_fromstr(&id, hex.c_str()) == 0);
    return id;
}

// What libgit2 reads for `hex`: the reference the pack reader must match byte for byte.
std::string libgit2_read(const GitRepo& repo, const std::string& hex) {
    GitLibrary lib;
    git_repository* r = nullptr;
    REQUIRE(git_repository_open(&r, repo.dir().c_str()) == 0);
    Repository owned(r);
    git_odb* odb = nullptr;
    REQUIRE(git_repository_odb(&odb, r) == 0);
    Odb owned_odb(odb);
    git_odb_object* o = nullptr;
    const git_oid id = oid_of(hex);
    REQUIRE(git_odb_read(&o, odb, &id) == 0);
    OdbObject obj(o);
    return std::string(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
}

void check_every_blob_matches(const GitRepo& repo) {
    const PackReader packs(repo.dir() + "/.git/objects");
    REQUIRE(packs.pack_count() == 1);
    const auto ids = blob_ids(repo);
    REQUIRE(ids.size() >= 300);
    for (const auto& hex : ids) {
        std::string bytes;
        INFO(hex);
        REQUIRE(packs.read_blob(oid_of(hex), bytes));
        CHECK(bytes == libgit2_read(repo, hex));
    }
}

}  // namespace

TEST_CASE("every blob of an aggressively repacked history reads byte for byte as libgit2 reads it") {
    GitRepo repo;
    build_history(repo);
    repo.git("git gc -q --aggressive");
    REQUIRE(deltas_in_packs(repo) > 200);
    check_every_blob_matches(repo);
}

TEST_CASE("blobs stored as reference deltas (no offset deltas) read as libgit2 reads them") {
    GitRepo repo;
    build_history(repo);
    repo.git("git -c repack.useDeltaBaseOffset=false repack -q -a -d -f --depth=20 --window=50");
    REQUIRE(deltas_in_packs(repo) > 200);
    check_every_blob_matches(repo);
}

TEST_CASE("what is not a blob of this object directory is declined: a tree, an unknown ID, another directory's blob") {
    GitRepo repo;
    build_history(repo);
    repo.git("git gc -q");
    repo.write("loose.py", "x = 1\n");
    const std::string loose = repo.git("git hash-object -w loose.py").substr(0, 40);
    const std::string tree = repo.git("git rev-parse HEAD^{tree}").substr(0, 40);
    const PackReader packs(repo.dir() + "/.git/objects");
    std::string bytes;
    CHECK(packs.read_blob(oid_of(loose), bytes));  // loose, beside the packs
    CHECK(bytes == "x = 1\n");
    CHECK_FALSE(packs.read_blob(oid_of(tree), bytes));
    CHECK_FALSE(packs.read_blob(oid_of(std::string(40, 'e')), bytes));
    const PackReader nothing(repo.dir() + "/no-such-objects");
    CHECK(nothing.pack_count() == 0);
    CHECK_FALSE(nothing.read_blob(oid_of(loose), bytes));
}

TEST_CASE("every tree reads as libgit2 reads it, a large tree and its delta in either order") {
    GitRepo repo;
    build_history(repo);
    // One more commit adding a file: its versions/ tree and the previous one are one small
    // delta apart once packed (620 entries: larger than the small-base cache takes).
    for (int i = 0; i < 500; ++i) repo.write(fmt::format("versions/{:04}_note.txt", i), "y\n");
    repo.git("git add -A && git commit -q -m notes");
    repo.write("versions/9999_last.py", "x = 1\n");
    repo.git("git add -A && git commit -q -m last && git gc -q --aggressive");
    std::istringstream in(repo.git("git cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)'"));
    std::vector<std::string> trees;
    for (std::string id, type; in >> id >> type;)
        if (type == "tree") trees.push_back(id);
    REQUIRE(trees.size() >= 6);
    const std::string newer = repo.git("git rev-parse HEAD:versions").substr(0, 40);
    const std::string older = repo.git("git rev-parse HEAD~1:versions").substr(0, 40);
    REQUIRE(libgit2_read(repo, newer).size() > 16 * 1024);
    const std::string pack = repo.git("git verify-pack -v .git/objects/pack/*.idx");
    const bool delta_pair = pack.find(older + " tree") != std::string::npos &&
                            (pack.find(" " + newer + "\n") != std::string::npos || pack.find(" " + older + "\n") != std::string::npos);
    REQUIRE(delta_pair);  // one of the two is stored as a delta against the other
    for (const auto& order : {std::vector<std::string>{newer, older}, std::vector<std::string>{older, newer}}) {
        const PackReader packs(repo.dir() + "/.git/objects");
        std::vector<std::shared_ptr<const std::string>> kept;  // both alive, as in a push
        for (const auto& hex : order) {
            INFO(hex);
            kept.push_back(packs.read_tree(oid_of(hex)));
            REQUIRE(kept.back() != nullptr);
            CHECK(*kept.back() == libgit2_read(repo, hex));
            CHECK(packs.read_tree(oid_of(hex)) != nullptr);  // again, from what is held
            CHECK(*packs.read_tree(oid_of(hex)) == *kept.back());
        }
    }
    const PackReader packs(repo.dir() + "/.git/objects");
    for (const auto& hex : trees) {
        INFO(hex);
        const auto bytes = packs.read_tree(oid_of(hex));
        REQUIRE(bytes != nullptr);
        CHECK(*bytes == libgit2_read(repo, hex));
        std::string as_blob;
        CHECK_FALSE(packs.read_blob(oid_of(hex), as_blob));
    }
    CHECK(packs.read_tree(oid_of(blob_ids(repo).front())) == nullptr);
}

TEST_CASE("a damaged pack is declined or read right, never misread; a damaged index is skipped") {
    GitRepo repo;
    build_history(repo);
    repo.git("git gc -q --aggressive");
    const auto ids = blob_ids(repo);
    std::vector<std::string> expected;
    for (const auto& hex : ids) expected.push_back(libgit2_read(repo, hex));
    std::string pack = repo.git("ls .git/objects/pack/*.pack");
    pack.pop_back();  // the newline
    // Damage bytes across the whole pack body, a few at a time, keeping its header.
    std::string original;
    {
        std::ifstream in(repo.dir() + "/" + pack, std::ios::binary);
        original.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    REQUIRE(original.size() > 1000);
    repo.git("chmod u+w .git/objects/pack/*");
    size_t declined = 0;
    for (size_t at = 12; at + 1 < original.size(); at += original.size() / 7) {
        std::string damaged = original;
        for (size_t k = at; k < std::min(damaged.size(), at + 40); ++k) damaged[k] = static_cast<char>(damaged[k] ^ 0x5A);
        std::ofstream(repo.dir() + "/" + pack, std::ios::binary | std::ios::trunc) << damaged;
        const PackReader packs(repo.dir() + "/.git/objects");
        for (size_t i = 0; i < ids.size(); ++i) {
            std::string bytes;
            if (!packs.read_blob(oid_of(ids[i]), bytes)) {
                ++declined;
                continue;
            }
            INFO(ids[i], " damaged at ", at);
            CHECK(bytes == expected[i]);
        }
    }
    CHECK(declined > 0);
    std::ofstream(repo.dir() + "/" + pack, std::ios::binary | std::ios::trunc) << original;
    const std::string idx = pack.substr(0, pack.size() - 5) + ".idx";
    repo.git(fmt::format("truncate -s 500 '{}'", idx));
    CHECK(PackReader(repo.dir() + "/.git/objects").pack_count() == 0);
}

TEST_CASE("reading a packed history on four threads gives what one thread gives") {
    GitRepo repo;
    build_history(repo);
    repo.git("git gc -q --aggressive");
    GitLibrary lib;
    git_repository* r = nullptr;
    REQUIRE(git_repository_open(&r, repo.dir().c_str()) == 0);
    Repository owned(r);
    const git_oid head = oid_of(repo.git("git rev-parse HEAD").substr(0, 40));
    const GitTree tree(r, head);
    const auto entries = tree.list("versions");
    std::vector<MigrationSource> sources;
    for (const auto& e : entries) sources.push_back({"versions", &e});
    REQUIRE(sources.size() == 120);
    const auto one = read_migrations(tree, sources, 1);
    REQUIRE(tree.prepare_concurrent_reads());
    const auto four = read_migrations(tree, sources, 4);
    REQUIRE(one.size() == four.size());
    for (size_t i = 0; i < one.size(); ++i) {
        CHECK(one[i].revision == four[i].revision);
        CHECK(one[i].down_revisions == four[i].down_revisions);
        CHECK(one[i].path == four[i].path);
        CHECK(one[i].error == four[i].error);
    }
    CHECK(four.back().revision == "r119");
}
