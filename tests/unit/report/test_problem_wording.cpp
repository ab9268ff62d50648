#include "report/problem_wording.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using ag::Problem;
using ag::ProblemLocation;
using ag::Situation;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Problem heads_added(bool by_duplicate) {
    Problem p;
    p.code = "multiple-heads";
    p.situation = by_duplicate ? Situation::heads_added_by_duplicate : Situation::heads_added;
    p.revisions = {"003", "004"};
    p.head_count = 2;
    p.heads_before = {"003"};
    p.head_count_before = 1;
    p.locations = {ProblemLocation{"v/003_a.py", 5, "003", {"002"}, false},
                   ProblemLocation{"v/004_b.py", 5, "004", {"002"}, true}};
    return p;
}

}  // namespace

TEST_CASE("a head a push adds is worded with the heads before and after, the new file and the parent it shares") {
    const Problem p = heads_added(false);
    const std::string m = problem_message(p);
    CHECK(has(m, "this push adds a head: heads before 003 (1), after 003, 004 (2)"));
    CHECK(has(m, "new: '004' (v/004_b.py, down_revision '002')"));
    CHECK(has(m, "'003' (v/003_a.py) and '004' (v/004_b.py) share the parent '002'"));
    CHECK(has(problem_fix(p), "in v/004_b.py set down_revision = \"003\""));
    CHECK(has(problem_fix(p), "alembic merge -m \"merge heads\" 003 004"));
    CHECK(has(problem_fix(heads_added(true)), "renumber it (see duplicate-revision)"));
}

TEST_CASE("the fix of a duplicate a push adds names the added copy and the next free ID") {
    Problem p;
    p.code = "duplicate-revision";
    p.situation = Situation::duplicate;
    p.revisions = {"031"};
    p.locations = {ProblemLocation{"v/031_a.py", 3, "031", {"030"}, false},
                   ProblemLocation{"v/031_b.py", 4, "031", {"030"}, false}};
    CHECK(problem_message(p) ==
          "revision '031' is declared by 2 files: v/031_a.py (line 3, down_revision '030'); v/031_b.py (line 4, "
          "down_revision '030') — all on the same parent '030'");
    CHECK(has(problem_fix(p), "in v/031_b.py set revision = \"<new id>\" and down_revision = \"031\""));
    p.locations[1].added = true;
    p.new_id = "032";
    CHECK(has(problem_fix(p), "in v/031_b.py set revision = \"032\" and down_revision = \"031\""));
}

TEST_CASE("a missing down_revision and a missing dependency are worded apart, with the file to edit") {
    Problem p;
    p.code = "missing-revision";
    p.situation = Situation::missing_down_is_label;
    p.revisions = {"005", "feature"};
    p.files = {"v/005.py"};
    CHECK(has(problem_message(p), "names 'feature', which is a branch label, not a revision ID"));
    CHECK(problem_fix(p) == "in v/005.py point down_revision at an existing revision, or restore the migration that "
                            "declares 'feature'");
    p.situation = Situation::missing_dependency;
    CHECK(has(problem_message(p), "depends_on of revision '005' (v/005.py) names 'feature'"));
    CHECK(has(problem_fix(p), "point depends_on at"));
}

TEST_CASE("a reader's reason is carried with the file and line it concerns") {
    Problem p;
    p.code = "unreadable-config";
    p.situation = Situation::ini_section;
    p.subject = "db2";
    p.files = {"alembic.ini"};
    p.locations = {ProblemLocation{"alembic.ini", 7, "", {}}};
    p.reason = "script_location is empty";
    CHECK(problem_message(p) == "alembic.ini:7: script_location is empty");
    CHECK(problem_fix(p) == "fix section [db2] of alembic.ini");
    p.situation = Situation::unparsable;
    p.locations.front().line = 0;
    CHECK(problem_message(p) == "alembic.ini script_location is empty");
}

TEST_CASE("every situation has words and a fix, even with no facts at all") {
    for (int s = 0; s <= static_cast<int>(Situation::merge_conflict); ++s) {
        Problem p;
        p.situation = static_cast<Situation>(s);
        CAPTURE(s);
        CHECK_FALSE(problem_message(p).empty());
        CHECK_FALSE(problem_fix(p).empty());
    }
}

TEST_CASE("every note kind has words, and a missing location names the directory Alembic skips") {
    for (int k = 0; k <= static_cast<int>(ag::NoteKind::undetected_cycle); ++k) {
        ag::Note n;
        n.kind = static_cast<ag::NoteKind>(k);
        CAPTURE(k);
        CHECK_FALSE(ag::note_message(n).empty());
    }
    ag::Note n{"alembic.ini", 4, ag::NoteKind::location_missing, ""};
    CHECK(ag::note_message(n) == "version location '.' does not exist here; Alembic skips it without a word");
    n = {"alembic.ini", 4, ag::NoteKind::undetected_cycle, "", "", {"x", "y"}, true};
    CHECK(has(ag::note_message(n), "revisions 'x', 'y' form a cycle through down_revision and depends_on"));
}
