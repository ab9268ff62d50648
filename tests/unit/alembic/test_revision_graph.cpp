#include "alembic/revision_graph.hpp"
#include "report/problem_wording.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using ag::build_revision_graph;
using ag::Migration;

namespace {
Migration mig(std::string rev, std::vector<std::string> down, std::vector<std::string> deps = {},
              std::vector<std::string> labels = {}) {
    Migration m;
    m.path = "v/" + rev + ".py";
    m.revision = std::move(rev);
    m.down_revisions = std::move(down);
    m.depends_on = std::move(deps);
    m.branch_labels = std::move(labels);
    m.revision_line = 1;
    return m;
}

std::vector<std::string> codes(const ag::RevisionGraph& g) {
    std::vector<std::string> c;
    for (const auto& p : g.problems) c.push_back(p.code);
    return c;
}

bool has(const ag::RevisionGraph& g, const std::string& code) {
    auto c = codes(g);
    return std::find(c.begin(), c.end(), code) != c.end();
}
}  // namespace

TEST_CASE("a linear chain has one head and one base") {
    auto g = build_revision_graph({mig("001", {}), mig("002", {"001"}), mig("e09c9e678004", {"002"}), mig("003", {"e09c9e678004"})}, false);
    CHECK(g.heads == std::vector<std::string>{"003"});
    CHECK(g.head_count == 1);
    CHECK(g.bases == std::vector<std::string>{"001"});
    CHECK(g.problems.empty());
}

TEST_CASE("the incident: two files both 031 on 030 give heads [031] counted twice, and a duplicate") {
    auto a = mig("031", {"030"});
    a.path = "v/031_a.py";
    auto b = mig("031", {"030"});
    b.path = "v/031_b.py";
    auto g = build_revision_graph({mig("030", {}), a, b}, false);
    CHECK(g.heads == std::vector<std::string>{"031"});
    CHECK(g.head_count == 2);
    CHECK(has(g, "duplicate-revision"));
    CHECK(has(g, "multiple-heads"));
    const auto& dup = *std::find_if(g.problems.begin(), g.problems.end(), [](auto& p) { return p.code == "duplicate-revision"; });
    CHECK(dup.files == std::vector<std::string>{"v/031_a.py", "v/031_b.py"});
    CHECK(problem_message(dup).find("'030'") != std::string::npos);
}

TEST_CASE("a duplicated ID stays a head even under a child: a1 <- a2 <- a3 plus a second a2 on a1") {
    auto g = build_revision_graph({mig("a1", {}), mig("a2", {"a1"}), mig("a3", {"a2"}), mig("a2", {"a1"})}, false);
    CHECK(g.heads == std::vector<std::string>{"a2", "a3"});
    CHECK(g.head_count == 2);
}

TEST_CASE("a fork is multiple-heads; a merge migration joins it (near miss)") {
    auto fork = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("c", {"a"})}, false);
    CHECK(codes(fork) == std::vector<std::string>{"multiple-heads"});
    CHECK(problem_message(fork.problems.front()).find("share the parent 'a'") != std::string::npos);
    auto merged = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("c", {"a"}), mig("d", {"b", "c"})}, false);
    CHECK(merged.problems.empty());
    CHECK(merged.merge_points == std::vector<std::string>{"d"});
}

TEST_CASE("allowing multiple heads silences multiple-heads but still counts them") {
    auto g = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("c", {"a"})}, true);
    CHECK(g.problems.empty());
    CHECK(g.head_count == 2);
}

TEST_CASE("depends_on does not stop a revision being a head") {
    auto g = build_revision_graph({mig("a", {}), mig("b", {}, {"a"})}, false);
    CHECK(g.head_count == 2);
    CHECK(has(g, "multiple-heads"));
}

TEST_CASE("missing-revision: a down_revision naming nothing, or a branch label; depends_on may name a label") {
    CHECK(has(build_revision_graph({mig("a", {}), mig("b", {"zzz"})}, false), "missing-revision"));
    CHECK(has(build_revision_graph({mig("a", {}, {}, {"lbl"}), mig("b", {"lbl"})}, false), "missing-revision"));
    auto label_dep = build_revision_graph({mig("a", {}, {}, {"lbl"}), mig("b", {"a"}, {"lbl"})}, false);
    CHECK_FALSE(has(label_dep, "missing-revision"));
    CHECK(has(build_revision_graph({mig("a", {}), mig("b", {"a"}, {"nope"})}, false), "missing-revision"));
    auto p = build_revision_graph({mig("a", {}), mig("b", {"zzz"})}, false).problems;
    auto it = std::find_if(p.begin(), p.end(), [](auto& x) { return x.code == "missing-revision"; });
    CHECK(it->revisions == std::vector<std::string>{"b", "zzz"});
}

TEST_CASE("cycles: a loop, a self-loop, and a dependency cycle; a diamond is no cycle") {
    auto loop = build_revision_graph({mig("base", {}), mig("a", {"b"}), mig("b", {"a"})}, false);
    REQUIRE(has(loop, "cycle"));
    CHECK(std::find_if(loop.problems.begin(), loop.problems.end(), [](auto& p) { return p.code == "cycle"; })->revisions ==
          std::vector<std::string>{"a", "b"});
    CHECK(has(build_revision_graph({mig("a", {"a"})}, false), "cycle"));
    CHECK(has(build_revision_graph({mig("a", {}, {"b"}), mig("b", {"a"})}, false), "cycle"));
    auto diamond = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("c", {"a"}), mig("d", {"b", "c"})}, false);
    CHECK_FALSE(has(diamond, "cycle"));
}

TEST_CASE("branch-label-conflict: a label used twice, or equal to a revision ID; distinct labels are fine") {
    auto twice = build_revision_graph({mig("a", {}, {}, {"x"}), mig("b", {}, {}, {"x"})}, false);
    REQUIRE(has(twice, "branch-label-conflict"));
    auto p = *std::find_if(twice.problems.begin(), twice.problems.end(), [](auto& q) { return q.code == "branch-label-conflict"; });
    CHECK(p.revisions == std::vector<std::string>{"x", "a", "b"});
    CHECK(has(build_revision_graph({mig("a", {}), mig("b", {"a"}, {}, {"a"})}, false), "branch-label-conflict"));
    CHECK_FALSE(has(build_revision_graph({mig("a", {}, {}, {"x"}), mig("b", {}, {}, {"y"})}, true), "branch-label-conflict"));
}

TEST_CASE("unparsable migrations are problems and take no part in the graph") {
    auto bad = mig("b", {"a"});
    bad.error = "has no module-level `down_revision`";
    auto g = build_revision_graph({mig("a", {}), bad}, false);
    CHECK(g.revision_count == 1);
    CHECK(g.heads == std::vector<std::string>{"a"});
    CHECK(codes(g) == std::vector<std::string>{"unparsable-migration"});
}

TEST_CASE("50,000 revisions in a chain build without deep recursion") {
    std::vector<Migration> ms;
    ms.push_back(mig("r0", {}));
    // fmt rather than "r" + std::to_string: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
    for (int i = 1; i < 50000; ++i) ms.push_back(mig(fmt::format("r{}", i), {fmt::format("r{}", i - 1)}));
    auto g = build_revision_graph(ms, false);
    CHECK(g.head_count == 1);
    CHECK(g.problems.empty());
}

TEST_CASE("a loop that leaves every revision reachable is no Alembic error, only a note") {
    // a base; x on (a, y); y on x; z on x: Alembic 1.8.1's cycle check passes, heads ['z'].
    auto g = build_revision_graph({mig("a", {}), mig("x", {"a", "y"}), mig("y", {"x"}), mig("z", {"x"})}, false);
    CHECK_FALSE(has(g, "cycle"));
    CHECK(g.heads == std::vector<std::string>{"z"});
    REQUIRE(g.notes.size() == 1);
    CHECK(g.notes.front().kind == ag::NoteKind::undetected_cycle);
    CHECK(g.notes.front().ids == std::vector<std::string>{"x", "y"});
    CHECK(note_message(g.notes.front()).find("revisions 'x', 'y' form a cycle through down_revision that Alembic 1.8.1 "
                                             "does not detect") != std::string::npos);
}

TEST_CASE("a branch label on the earlier copy of a duplicate makes Alembic walk that copy's parent") {
    auto x1 = mig("x", {"p"}, {}, {"lab"});
    x1.path = "v/x1.py";
    auto x2 = mig("x", {"b"});
    x2.path = "v/x2.py";
    auto labelled = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("p", {"a"}), x1, x2}, false);
    CHECK(labelled.heads == std::vector<std::string>{"x"});
    CHECK(labelled.head_count == 2);
    x1.branch_labels.clear();
    auto plain = build_revision_graph({mig("a", {}), mig("b", {"a"}), mig("p", {"a"}), x1, x2}, false);
    CHECK(plain.heads == std::vector<std::string>{"p", "x"});
    CHECK(plain.head_count == 3);
}

TEST_CASE("a missing parent stops Alembic before its cycle check: missing-revision, no cycle") {
    auto g = build_revision_graph({mig("a", {"zzz"})}, false);
    CHECK(has(g, "missing-revision"));
    CHECK_FALSE(has(g, "cycle"));
}

namespace {
// A generated history: each migration in one of two version locations under a random name
// (so load order is not creation order), IDs now and then repeated, parents mostly earlier
// migrations but now and then any (a loop) or none that exists, and now and then a branch
// label or a dependency.
struct GeneratedHistory {
    std::vector<Migration> old_part, added, all;  // each in Alembic's load order
    bool allow = false;
};

ag::LoadPosition position(const std::string& path) {
    const auto slash = path.find('/');
    return {path.substr(0, slash) == "a" ? 0u : 1u, path.substr(slash + 1)};
}

void sort_by_load_order(std::vector<Migration>& ms) {
    std::stable_sort(ms.begin(), ms.end(),
                     [](const Migration& x, const Migration& y) { return position(x.path) < position(y.path); });
}

GeneratedHistory generate_history(unsigned seed) {
    std::mt19937 r(seed);
    auto chance = [&](int percent) { return static_cast<int>(r() % 100) < percent; };
    GeneratedHistory h;
    h.allow = chance(40);
    const size_t n = 1 + r() % 14;
    std::vector<std::string> ids;
    for (size_t i = 0; i < n; ++i)
        ids.push_back(i > 0 && chance(8) ? ids[r() % ids.size()] : fmt::format("{:04x}", r() % 65536));
    std::set<std::string> paths;
    for (size_t i = 0; i < n; ++i) {
        Migration m;
        do {
            std::string name;
            for (int k = 0; k < 3; ++k) name += static_cast<char>('a' + r() % 6);
            m.path = fmt::format("{}/{}.py", chance(75) ? "a" : "b", name);
        } while (!paths.insert(m.path).second);
        m.revision = ids[i];
        m.revision_line = 1 + static_cast<int>(r() % 9);
        m.down_revision_line = m.revision_line + 1;
        const int parents = i == 0 ? 0 : chance(5) ? 0 : chance(85) ? 1 : 2;
        for (int k = 0; k < parents; ++k) {
            // Mostly the previous migration (a chain), else an earlier one (a fork), rarely
            // any (a loop) or none that exists.
            std::string p = chance(3)                 ? "missing"
                            : i == 0 || chance(5)     ? ids[r() % n]
                            : chance(70)              ? ids[i - 1]
                                                      : ids[r() % i];
            if (std::find(m.down_revisions.begin(), m.down_revisions.end(), p) == m.down_revisions.end())
                m.down_revisions.push_back(std::move(p));
        }
        const bool added = chance(35);
        if (chance(added ? 4 : 10)) m.branch_labels.push_back(fmt::format("lbl{}", r() % 3));
        if (chance(added ? 4 : 6)) m.depends_on.push_back(chance(50) ? ids[r() % n] : fmt::format("lbl{}", r() % 3));
        (added ? h.added : h.old_part).push_back(m);
        h.all.push_back(std::move(m));
    }
    sort_by_load_order(h.old_part);
    sort_by_load_order(h.added);
    sort_by_load_order(h.all);
    return h;
}

void check_same_graph(const ag::RevisionGraph& a, const ag::RevisionGraph& b) {
    CHECK(a.revision_count == b.revision_count);
    CHECK(a.heads == b.heads);
    CHECK(a.head_count == b.head_count);
    CHECK(a.bases == b.bases);
    CHECK(a.merge_points == b.merge_points);
    REQUIRE(a.head_locations.size() == b.head_locations.size());
    for (size_t i = 0; i < a.head_locations.size(); ++i) {
        CHECK(a.head_locations[i].file == b.head_locations[i].file);
        CHECK(a.head_locations[i].line == b.head_locations[i].line);
        CHECK(a.head_locations[i].revision == b.head_locations[i].revision);
        CHECK(a.head_locations[i].down_revision == b.head_locations[i].down_revision);
    }
    CHECK(a.problems.size() == b.problems.size());
    CHECK(a.notes.size() == b.notes.size());
}
}  // namespace

TEST_CASE("extending a graph with added migrations gives what rebuilding it gives, and declines only what it cannot") {
    size_t extended = 0, declined_clean = 0;
    for (unsigned seed = 1; seed <= 4000; ++seed) {
        const auto h = generate_history(seed);
        CAPTURE(seed);
        const auto before = build_revision_graph(h.old_part, h.allow);
        const auto full = build_revision_graph(h.all, h.allow);
        std::set<std::string> ids, labels;
        for (const auto& m : h.old_part) {
            ids.insert(m.revision);
            labels.insert(m.branch_labels.begin(), m.branch_labels.end());
        }
        const ag::KnownRevisions known{[&](std::string_view id) { return ids.count(std::string(id)) > 0; },
                                       [&](std::string_view l) { return labels.count(std::string(l)) > 0; }};
        const auto ext = ag::extend_revision_graph(
            before, known, h.added, [](const std::string& path) { return std::optional(position(path)); }, h.allow);
        if (ext) {
            ++extended;
            check_same_graph(*ext, full);
            CHECK(full.problems.empty());
            continue;
        }
        // Declining is right when the whole graph has a problem or a note, the old one did, or
        // an added migration carries what only the whole build handles (a label, a dependency).
        const bool plain = std::all_of(h.added.begin(), h.added.end(), [](const Migration& m) {
            return m.branch_labels.empty() && m.depends_on.empty();
        });
        const bool clean = full.problems.empty() && full.notes.empty() && before.problems.empty() && before.notes.empty();
        if (plain && clean) ++declined_clean;
    }
    CHECK(declined_clean == 0);
    // Enough histories take the short way for the comparison to mean something.
    CHECK(extended > 500);
    MESSAGE(fmt::format("{} of 4000 generated histories extended", extended));
}

TEST_CASE("where Alembic stops before it has heads, no multiple-heads is derived; the count stays") {
    // a1 <- a2, a1 <- a3 is two heads; a4 on a missing 'zz' stops Alembic with KeyError first.
    auto missing = build_revision_graph({mig("a1", {}), mig("a2", {"a1"}), mig("a3", {"a1"}), mig("a4", {"zz"})}, false);
    CHECK(codes(missing) == std::vector<std::string>{"missing-revision"});
    CHECK(missing.head_count == 3);
    auto label = build_revision_graph({mig("a1", {}, {}, {"x"}), mig("a2", {"a1"}, {}, {"x"}), mig("a3", {"a1"})}, false);
    CHECK_FALSE(has(label, "multiple-heads"));
    CHECK(has(label, "branch-label-conflict"));
    auto loop = build_revision_graph({mig("a1", {}), mig("a2", {"a1"}), mig("a3", {"a1"}), mig("a4", {"a4"})}, false);
    CHECK_FALSE(has(loop, "multiple-heads"));
    CHECK(has(loop, "cycle"));
    // Near miss: a duplicate or an unparsable file does not stop it, the heads are still counted.
    auto dup = build_revision_graph({mig("a1", {}), mig("a2", {"a1"}), mig("a2", {"a1"})}, false);
    CHECK(has(dup, "multiple-heads"));
}

TEST_CASE("a revision ID the Alembic version refuses is invalid-revision-id and takes no part in the graph") {
    auto bad = mig("a:2", {"a1"});
    ag::apply_version_rules(bad, ag::AlembicVersion{1, 18, 4, true});
    auto g = build_revision_graph({mig("a1", {}), bad}, false);
    CHECK(codes(g) == std::vector<std::string>{"invalid-revision-id"});
    CHECK(g.heads == std::vector<std::string>{"a1"});
    REQUIRE(g.problems.size() == 1);
    CHECK(g.problems.front().subject == ":");
    CHECK(ag::problem_message(g.problems.front()).find("Alembic 1.18.4 does not allow") != std::string::npos);
    CHECK(ag::problem_fix(g.problems.front()).find("without ':'") != std::string::npos);
}

TEST_CASE("what an unreadable file may declare is never called missing: its labels, or its ID when unknown") {
    Migration unread;
    unread.path = "v/e1.py";
    unread.revision = "e1";
    unread.error = "branch_labels cannot be known";
    auto dep = build_revision_graph({mig("c1", {}, {"expand"}), unread}, false);
    CHECK(codes(dep) == std::vector<std::string>{"unparsable-migration"});
    Migration anonymous = unread;
    anonymous.revision.clear();
    auto down = build_revision_graph({mig("c1", {"x9"}), anonymous}, false);
    CHECK(codes(down) == std::vector<std::string>{"unparsable-migration"});
    // Near miss: with every file read, the same names are missing.
    CHECK(has(build_revision_graph({mig("c1", {}, {"expand"})}, false), "missing-revision"));
    CHECK(has(build_revision_graph({mig("c1", {"x9"}), unread}, false), "missing-revision"));
}

TEST_CASE("each head keeps its branch labels, for heads to print as Alembic does") {
    auto g = build_revision_graph({mig("a1", {}), mig("e1", {"a1"}, {}, {"expand"}), mig("c1", {"a1"}, {}, {"contract", "c"}),
                                   mig("x1", {}, {}, {"old"}), mig("x2", {"x1"})},
                                  true);
    CHECK(g.head_labels == std::map<std::string, std::vector<std::string>>{{"c1", {"contract", "c"}}, {"e1", {"expand"}}});
}

TEST_CASE("heads that each carry their own branch label are advised to be declared, not merged") {
    auto g = build_revision_graph({mig("a1", {}), mig("e1", {"a1"}, {}, {"expand"}), mig("c1", {"a1"}, {}, {"contract"})},
                                  false);
    REQUIRE(has(g, "multiple-heads"));
    CHECK(g.problems.front().situation == ag::Situation::heads_labelled);
    CHECK(ag::problem_fix(g.problems.front()).find("allow_multiple_heads = true") != std::string::npos);
    // Near miss: one unlabelled head is an ordinary fork.
    auto fork = build_revision_graph({mig("a1", {}), mig("e1", {"a1"}, {}, {"expand"}), mig("c1", {"a1"})}, false);
    CHECK(fork.problems.front().situation == ag::Situation::heads);
}
