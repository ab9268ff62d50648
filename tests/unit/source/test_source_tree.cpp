#include "source/source_tree.hpp"

#include "fixtures.hpp"
#include "git/git_handle.hpp"
#include "source/git_tree.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace ag;
using ag::test::GitRepo;

TEST_CASE("a listing of copied names is sorted, and its views outlive the names it was made from") {
    Listing listing;
    {
        std::vector<std::pair<std::string, EntryKind>> names{
            {"b_" + std::string(40, 'x') + ".py", EntryKind::File}, {"a.py", EntryKind::File}, {"sub", EntryKind::Directory}};
        listing = Listing::of_names(std::move(names));
    }
    const Listing moved = std::move(listing);
    REQUIRE(moved.size() == 3);
    CHECK(moved[0].name == "a.py");
    CHECK(moved[1].name == "b_" + std::string(40, 'x') + ".py");  // longer than a short string holds inline
    CHECK(moved[2].name == "sub");
    CHECK(moved[2].kind == EntryKind::Directory);
    CHECK(moved[0].id == nullptr);
    CHECK(moved[0].id_hex().empty());
}

TEST_CASE("a git tree's listing carries each entry's object ID and outlives the tree") {
    GitRepo repo;
    repo.write("versions/001_a.py", "revision = 'a'\n");
    repo.write("versions/002_" + std::string(40, 'b') + ".py", "revision = 'b'\n");
    repo.git("git add -A && git commit -q -m one");
    // Loose, the trees are libgit2's objects viewed in place; packed, the pack reader's bytes.
    SUBCASE("loose objects") {}
    SUBCASE("packed objects") { repo.git("git gc -q"); }
    GitLibrary lib;
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, repo.dir().c_str()) == 0);
    Repository r(raw);
    git_oid head;
    REQUIRE(git_oid_fromstrn(&head, repo.git("git rev-parse HEAD").data(), GIT_OID_HEXSZ) == 0);
    Listing listing;
    {
        auto tree = std::make_unique<GitTree>(r.get(), head);
        listing = tree->list("versions");
    }  // the tree and its cached subtrees are gone; the listing keeps what it points into
    REQUIRE(listing.size() == 2);
    for (const auto& e : listing) {
        const std::string path = "versions/" + std::string(e.name);
        INFO(path);
        CHECK(e.kind == EntryKind::File);
        CHECK(e.id_hex() + "\n" == repo.git("git rev-parse HEAD:" + path));
    }
    CHECK(listing[1].name == "002_" + std::string(40, 'b') + ".py");
}
