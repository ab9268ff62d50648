#include "git/loose_object.hpp"

#include "fixtures.hpp"
#include "git/git_handle.hpp"
#include "git/pack_reader.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace ag;
using ag::test::GitRepo;

namespace {

git_oid oid_of(const std::string& hex) {
    git_oid id;
    REQUIRE(git_oid_fromstrn(&id, hex.data(), GIT_OID_HEXSZ) == 0);
    return id;
}

// The object as `git cat-file` prints it raw.
std::string cat_file(const GitRepo& repo, const std::string& type, const std::string& hex) {
    const std::string out = repo.dir() + "/.cat";
    repo.git(fmt::format("git cat-file {} {} > {}", type, hex, out));
    std::ifstream in(out, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes `raw` (header and content) zlib-compressed as loose object `hex` of `objects`.
void write_loose(const std::string& objects, const std::string& hex, const std::string& raw, size_t cut = 0) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string z(size, '\0');
    REQUIRE(compress2(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                      static_cast<uLong>(raw.size()), 6) == Z_OK);
    z.resize(size - cut);
    std::filesystem::create_directories(objects + "/" + hex.substr(0, 2));
    std::ofstream(objects + "/" + hex.substr(0, 2) + "/" + hex.substr(2), std::ios::binary) << z;
}

}  // namespace

TEST_CASE("loose blobs, small and large, and loose trees read byte for byte as git stores them") {
    GitRepo repo;
    repo.write("a.py", "revision = 'a'\n");
    // Incompressible and larger than a read buffer: its file is mapped, not read.
    repo.git("head -c 300000 /dev/urandom > big.bin");
    repo.write("versions/001_a.py", "x = 1\n");
    repo.git("git add -A && git commit -q -m one");
    const std::string objects = repo.dir() + "/.git/objects";
    for (const std::string path : {"a.py", "big.bin", "versions/001_a.py"}) {
        INFO(path);
        const std::string hex = repo.git("git rev-parse HEAD:" + path).substr(0, 40);
        std::string bytes;
        REQUIRE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
        CHECK(bytes == cat_file(repo, "blob", hex));
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_TREE, bytes));  // not a tree
    }
    for (const std::string tree : {"HEAD^{tree}", "HEAD:versions"}) {
        INFO(tree);
        const std::string hex = repo.git("git rev-parse " + tree).substr(0, 40);
        std::string bytes;
        REQUIRE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_TREE, bytes));
        CHECK(bytes == cat_file(repo, "tree", hex));
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    std::string bytes;
    CHECK_FALSE(read_loose_object(objects, oid_of(std::string(40, 'e')), GIT_OBJECT_BLOB, bytes));
    CHECK_FALSE(read_loose_object(repo.dir() + "/no-such-dir", oid_of(std::string(40, 'e')), GIT_OBJECT_BLOB, bytes));
}

TEST_CASE("a damaged or lying loose object is declined, never misread") {
    GitRepo repo;
    const std::string objects = repo.dir() + "/.git/objects";
    const std::string content = "revision = 'a'\n";
    const std::string hex = "aa" + std::string(38, '1');
    std::string bytes;
    SUBCASE("well formed: the control case") {
        write_loose(objects, hex, fmt::format("blob {}", content.size()) + '\0' + content);
        REQUIRE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
        CHECK(bytes == content);
    }
    SUBCASE("the stream cut short") {
        write_loose(objects, hex, fmt::format("blob {}", content.size()) + '\0' + content, 3);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("bytes after the stream (libgit2: zlib input had trailing garbage)") {
        write_loose(objects, hex, fmt::format("blob {}", content.size()) + '\0' + content);
        std::ofstream(objects + "/aa/" + std::string(38, '1'), std::ios::binary | std::ios::app) << '*';
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("a size larger than the content") {
        write_loose(objects, hex, fmt::format("blob {}", content.size() + 1) + '\0' + content);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("a size smaller than the content") {
        write_loose(objects, hex, fmt::format("blob {}", content.size() - 1) + '\0' + content);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("a size no stream of this length could inflate to") {
        write_loose(objects, hex, std::string("blob 99999999999") + '\0' + content);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("a size that is not a number, or no size") {
        write_loose(objects, hex, std::string("blob 1x") + '\0' + content);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
        write_loose(objects, hex, std::string("blob") + '\0' + content);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("a header that never ends") {
        write_loose(objects, hex, "blob " + std::string(200, '1'));
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
    SUBCASE("not zlib at all, or empty") {
        std::filesystem::create_directories(objects + "/aa");
        std::ofstream(objects + "/aa/" + std::string(38, '1'), std::ios::binary) << "blob 15" << '\0' << content;
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
        std::ofstream(objects + "/aa/" + std::string(38, '1'), std::ios::binary | std::ios::trunc);
        CHECK_FALSE(read_loose_object(objects, oid_of(hex), GIT_OBJECT_BLOB, bytes));
    }
}

TEST_CASE("an object directory's reader finds loose objects beside its packs") {
    GitRepo repo;
    repo.write("packed.py", "x = 1\n");
    repo.git("git add -A && git commit -q -m one && git gc -q");
    repo.write("loose.py", "x = 2\n");
    repo.git("git add -A && git commit -q -m two");
    const PackReader reader(repo.dir() + "/.git/objects");
    REQUIRE(reader.pack_count() == 1);
    for (const std::string path : {"packed.py", "loose.py"}) {
        INFO(path);
        const std::string hex = repo.git("git rev-parse HEAD:" + path).substr(0, 40);
        std::string bytes;
        REQUIRE(reader.read_blob(oid_of(hex), bytes));
        CHECK(bytes == cat_file(repo, "blob", hex));
    }
    const std::string tree = repo.git("git rev-parse HEAD^{tree}").substr(0, 40);  // loose
    const auto t = reader.read_tree(oid_of(tree));
    REQUIRE(t);
    CHECK(*t == cat_file(repo, "tree", tree));
}
