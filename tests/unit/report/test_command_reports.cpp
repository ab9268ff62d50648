// The words of `audit`, `check-merge` and `install-hook`, from the facts their layers record.
#include "report/audit_report.hpp"
#include "report/install_report.hpp"
#include "report/merge_report.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ag::Problem two_heads() {
    ag::Problem p;
    p.code = "multiple-heads";
    p.situation = ag::Situation::heads;
    p.revisions = {"003", "004"};
    p.head_count = 2;
    p.locations = {{"v/003.py", 1, "003", {"002"}}, {"v/004.py", 1, "004", {"002"}}};
    return p;
}

}  // namespace

TEST_CASE("audit says since when a problem stands, counted from now, and which merge and PR brought it") {
    ag::AuditResult r;
    r.tip = std::string(40, 'c');
    r.commits_walked = 7;
    r.graphs_built = 2;
    ag::AuditFinding f;
    f.environment = "alembic.ini";
    f.problem = two_heads();
    f.mainline = f.merge = std::string(40, 'm');
    f.introduced_by = std::string(40, 'i');
    f.pr = 12;
    f.subject = "Merge pull request #12";
    f.since = 1'700'000'000;
    r.findings = {f};
    const std::string text = ag::audit_text(r, "main", "", f.since + 3 * 86400 + 5);
    CHECK(has(text, "audit of main (cccccccccccc): 1 problem standing, 7 commits walked, 2 graphs built"));
    CHECK(has(text, "alembic.ini [multiple-heads] 2 heads: '003' (v/003.py, down_revision '002')"));
    CHECK(has(text, "since 2023-11-14T22:13:20Z (3 days ago): merge mmmmmmmmmmmm \"Merge pull request #12\" (PR #12)"));
    CHECK(has(text, "the offending file came in with commit iiiiiiiiiiii"));
    CHECK(has(ag::audit_text(r, "main", "", f.since + 90 * 60), "(1 hours ago)"));
    const std::string json = ag::audit_json_lines(r);
    CHECK(has(json, "\"since\":\"2023-11-14T22:13:20Z\""));
    CHECK(has(json, "\"pr\":12"));
    r.findings.front().before_since = true;
    CHECK(has(ag::audit_text(r, "main", "v1.0", 0), "already stood at --since v1.0 (mmmmmmmmmmmm)"));
}

TEST_CASE("check-merge says which candidates land, which conflict and which would break the history") {
    ag::CandidateOutcome ok{{"pr-1", std::string(40, 'a'), std::string(40, 'b'), {}}, {}, true};
    ag::EnvironmentDelta d;
    d.name = "alembic.ini";
    d.heads_after = {"004"};
    ok.judgement.verdict.environments = {d};
    ag::CandidateOutcome conflict{{"pr-2", std::string(40, 'b'), "", {}}, {"v/005.py"}, false};
    conflict.judgement.verdict.ok = false;
    ag::CandidateOutcome fork{{"pr-3", std::string(40, 'b'), std::string(40, 'd'), {}}, {}, false};
    fork.judgement.verdict.ok = false;
    fork.judgement.verdict.introduced.push_back({"alembic.ini", two_heads()});
    const std::string text = ag::check_merge_text("main", std::string(40, 'e'), {ok, conflict, fork});
    CHECK(has(text, "check-merge onto main (eeeeeeeeeeee)"));
    CHECK(has(text, "pr-1: OK, lands cleanly on aaaaaaaaaaaa (heads after: alembic.ini: 004)"));
    CHECK(has(text, "pr-2: REFUSED [merge-conflict] conflicts with the result so far in v/005.py; left out"));
    CHECK(has(text, "pr-3: REFUSED — landing it after the candidates before it would break"));
    CHECK(has(text, "2 of 3 candidates refused"));
    const std::string json = ag::check_merge_json_lines({ok, conflict});
    const auto first = json.substr(0, json.find('\n'));
    const auto second = json.substr(json.find('\n') + 1);
    CHECK(has(first, "\"included\":true"));
    CHECK(has(second, "\"included\":false"));
    CHECK(has(second, "\"new\":null"));
}

TEST_CASE("install-hook words each event, and the summary of an --all run counts what changed") {
    for (int k = 0; k <= static_cast<int>(ag::InstallEvent::Kind::summary); ++k) {
        ag::InstallEvent e;
        e.kind = static_cast<ag::InstallEvent::Kind>(k);
        e.path = "/srv/a.git/hooks/pre-receive";
        e.detail = "why";
        CAPTURE(k);
        CHECK_FALSE(ag::install_line(e).empty());
    }
    ag::InstallEvent e{ag::InstallEvent::Kind::updated, "/h/alembic-guard", "GitLab per-repository custom hook", "/usr/bin/ag"};
    CHECK(ag::install_line(e) == "updated /h/alembic-guard (GitLab per-repository custom hook), calling /usr/bin/ag");
    e = {ag::InstallEvent::Kind::summary, "/srv/repos"};
    e.count = 3;
    e.done = 2;
    e.kept = 1;
    CHECK(ag::install_line(e) == "3 repositories under /srv/repos: 2 installed or updated, 1 unchanged, 0 failed");
}
