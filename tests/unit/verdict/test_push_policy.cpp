// The push verdict of design.md: the new tip's graph against the old tip's, per environment.
#include "fixtures.hpp"
#include "report/problem_wording.hpp"
#include "verdict/push_policy.hpp"
#include "verdict/environment_check.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using ag::test::MemoryTree;

namespace {

MemoryTree history(int n) {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = migrations\n");
    t.file("migrations/env.py", "");
    for (int i = 1; i <= n; ++i) {
        const std::string rev = "00" + std::to_string(i);
        t.migration("migrations/versions/" + rev + ".py", rev, i == 1 ? "None" : "'00" + std::to_string(i - 1) + "'");
    }
    return t;
}

ag::Verdict judge(const MemoryTree& before, const MemoryTree& after) {
    return ag::compare_checks(ag::check_tree(before), ag::check_tree(after),
                              [&](const std::string& path) { return before.kind(path).has_value(); });
}

std::vector<std::string> codes(const ag::Verdict& v) {
    std::vector<std::string> out;
    for (const auto& i : v.introduced) out.push_back(i.problem.code);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("a push that chains a migration onto the head passes; one that adds a second head does not") {
    const MemoryTree old_tip = history(3);
    MemoryTree chained = old_tip;
    chained.migration("migrations/versions/004.py", "004", "'003'");
    const auto ok = judge(old_tip, chained);
    CHECK(ok.ok);
    REQUIRE(ok.environments.size() == 1);
    CHECK(ok.environments.front().head_count_before == 1);
    CHECK(ok.environments.front().heads_after == std::vector<std::string>{"004"});

    MemoryTree forked = old_tip;
    forked.migration("migrations/versions/004.py", "004", "'002'");
    const auto refused = judge(old_tip, forked);
    CHECK_FALSE(refused.ok);
    CHECK(codes(refused) == std::vector<std::string>{"multiple-heads"});
    CHECK(refused.environments.front().head_count_after == 2);
    // The message names the added file, and the fix says what to chain it onto.
    const auto& p = refused.introduced.front().problem;
    CHECK(problem_message(p).find("004") != std::string::npos);
    CHECK(problem_fix(p).find("003") != std::string::npos);
}

TEST_CASE("a history already broken passes a push that leaves it no worse, or repairs it, and fails one that worsens it") {
    MemoryTree broken = history(3);
    broken.migration("migrations/versions/004.py", "004", "'002'");  // two heads: 003, 004
    MemoryTree unrelated = broken;
    unrelated.file("README", "notes\n");
    CHECK(judge(broken, unrelated).ok);
    MemoryTree merged = broken;
    merged.migration("migrations/versions/005.py", "005", "('003', '004')");
    CHECK(judge(broken, merged).ok);
    MemoryTree third = broken;
    third.migration("migrations/versions/005.py", "005", "'001'");
    CHECK(codes(judge(broken, third)) == std::vector<std::string>{"multiple-heads"});
    // A problem the old tip had is not the push's; a new one of another key is.
    MemoryTree missing = broken;
    missing.migration("migrations/versions/005.py", "005", "'nope'");
    const auto v = judge(broken, missing);
    CHECK_FALSE(v.ok);
    const auto c = codes(v);
    CHECK(std::count(c.begin(), c.end(), "missing-revision") == 1);
}

TEST_CASE("a duplicate revision ID a push adds is the push's problem, named at the file it adds") {
    const MemoryTree old_tip = history(3);
    MemoryTree dup = old_tip;
    dup.migration("migrations/versions/004.py", "003", "'002'");
    const auto v = judge(old_tip, dup);
    CHECK_FALSE(v.ok);
    const auto c = codes(v);
    CHECK(std::find(c.begin(), c.end(), "duplicate-revision") != c.end());
    for (const auto& i : v.introduced)
        if (i.problem.code == "duplicate-revision") CHECK(problem_message(i.problem).find("004.py") != std::string::npos);
}

TEST_CASE("an environment new at the tip is judged alone: its own problems are the push's") {
    MemoryTree empty;
    empty.file("README", "x\n");
    MemoryTree first = history(2);
    const auto v = judge(empty, first);
    CHECK(v.ok);
    REQUIRE(v.environments.size() == 1);
    CHECK(v.environments.front().judged_alone);
    MemoryTree two_heads = history(2);
    two_heads.migration("migrations/versions/009.py", "009", "None");
    CHECK_FALSE(judge(empty, two_heads).ok);
}
