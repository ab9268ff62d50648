// The pre-receive hook's input: git's `<old> <new> <ref>` lines and the object IDs in them.
#include "git/git_handle.hpp"
#include "hooks/pre_receive.hpp"
#include "support/guard_error.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("ref update lines are read as git writes them, and anything else is refused naming the line") {
    const std::string a(40, 'a'), b(40, 'b'), z(40, '0');
    const auto lines = ag::parse_ref_update_lines(a + " " + b + " refs/heads/main\n" + z + " " + b +
                                                  " refs/heads/new branch\r\n\n");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].old_hex == a);
    CHECK(lines[0].new_hex == b);
    CHECK(lines[0].ref == "refs/heads/main");
    CHECK(lines[1].ref == "refs/heads/new branch");  // the rest of the line, spaces included
    CHECK(ag::parse_ref_update_lines("").empty());
    for (const std::string& bad : {a + " " + b, a + " " + b + " ", "x" + a.substr(1) + " " + b + " refs/heads/main",
                                  a + " " + std::string(39, 'b') + " refs/heads/main",
                                  std::string(40, 'A') + " " + b + " refs/heads/main"}) {
        CAPTURE(bad);
        try {
            ag::parse_ref_update_lines(a + " " + b + " refs/heads/ok\n" + bad + "\n");
            FAIL("accepted");
        } catch (const ag::GuardError& e) {
            CHECK(std::string(e.what()).find("input line 2") != std::string::npos);
        }
    }
}

TEST_CASE("object IDs of a push: the zero ID is none, SHA-256 ones are refused saying why") {
    const ag::GitLibrary library;  // libgit2's error state, which the refusal reads
    CHECK(ag::is_zero_oid(std::string(40, '0')));
    CHECK_FALSE(ag::is_zero_oid(""));
    CHECK_FALSE(ag::is_zero_oid(std::string(39, '0') + "1"));
    CHECK_FALSE(ag::parse_push_oid(std::string(40, '0')));
    CHECK_FALSE(ag::parse_push_oid(""));
    const auto id = ag::parse_push_oid(std::string(40, 'c'));
    REQUIRE(id);
    CHECK(id->id[0] == 0xcc);
    try {
        ag::parse_push_oid(std::string(64, 'c'));
        FAIL("accepted");
    } catch (const ag::GuardError& e) {
        CHECK(std::string(e.what()).find("SHA-256") != std::string::npos);
    }
    CHECK_THROWS_AS(ag::parse_push_oid("not-an-id"), ag::GuardError);
}
