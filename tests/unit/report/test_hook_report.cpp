// What the hooks print, from the facts they record: headers by how a push arrived, bypass
// lines, the whole-push refusal, "could not check", and GitLab's prefix.
#include "report/hook_report.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using ag::Arrival;
using ag::BypassFacts;
using ag::RefJudgement;

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

RefJudgement judged(const std::string& ref, bool ok) {
    RefJudgement j{ref, std::string(40, '0'), "0123456789abcdef0123456789abcdef01234567", {}};
    j.verdict.ok = ok;
    if (!ok) {
        ag::Problem p;
        p.code = "multiple-heads";
        p.situation = ag::Situation::heads_added;
        p.revisions = {"003", "004"};
        p.head_count = 2;
        p.heads_before = {"003"};
        p.head_count_before = 1;
        j.verdict.introduced.push_back({"alembic.ini", p});
    }
    return j;
}

}  // namespace

TEST_CASE("a refused ref's header names how it arrived: a push, a Forgejo, GitHub or GitLab merge") {
    const std::vector<RefJudgement> one{judged("refs/heads/main", false)};
    const BypassFacts none;
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{}, none, false),
                   "alembic-guard refused refs/heads/main ((new)..0123456789): it would break `alembic upgrade head`"));
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{Arrival::Kind::forgejo_pull_request_merge, "12"}, none, false),
                   "refused pull request #12's merge into main"));
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{Arrival::Kind::forgejo_pull_request_merge, ""}, none, false),
                   "refused this pull request's merge into main"));
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{Arrival::Kind::gitlab_web_merge, ""}, none, false),
                   "refused this merge into main"));
    const auto lines = ag::pre_receive_lines(one, Arrival{}, none, false);
    CHECK(has_line(lines, "[multiple-heads] this push adds a head"));
    CHECK(lines.back() == "alembic-guard: nothing was changed on the server; fix the history and push again");
}

TEST_CASE("a bypass is granted only to a listed pusher who is not a deploy key, and says so") {
    const std::vector<RefJudgement> one{judged("refs/heads/main", false)};
    BypassFacts b{true, false, true, "ana", "GITEA_PUSHER_NAME"};
    auto lines = ag::pre_receive_lines(one, Arrival{}, b, false);
    CHECK(has_line(lines, "alembic-guard would refuse refs/heads/main"));
    CHECK(has_line(lines, "BYPASS by 'ana' (GITEA_PUSHER_NAME; alembicGuard.bypassUsers)"));
    b.listed = false;
    CHECK_FALSE(b.granted());
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{}, b, false), "bypass refused: 'ana' is not in alembicGuard.bypassUsers"));
    b.listed = true;
    b.deploy_key = true;
    CHECK_FALSE(b.granted());
    CHECK(has_line(ag::pre_receive_lines(one, Arrival{}, b, false), "this is a deploy-key push"));
}

TEST_CASE("a push of several refs is refused whole, and an accepted one says what was checked") {
    const std::vector<RefJudgement> two{judged("refs/heads/main", false), judged("refs/heads/dev", true)};
    CHECK(ag::pre_receive_lines(two, Arrival{}, BypassFacts{}, false).back() ==
          "alembic-guard: the whole push was refused (1 of 2 checked refs failed); nothing was changed on the server");
    const std::vector<RefJudgement> ok{judged("refs/heads/dev", true)};
    CHECK(ag::pre_receive_lines(ok, Arrival{}, BypassFacts{}, false) ==
          std::vector<std::string>{"alembic-guard: OK, refs/heads/dev checked: no new heads or migration problems"});
    CHECK(ag::pre_receive_lines(ok, Arrival{}, BypassFacts{}, true).empty());  // JSON says it
    CHECK(ag::pre_push_lines(ok, "origin").empty());
    CHECK(has_line(ag::pre_push_lines(two, "origin"), "pushing main to origin would break `alembic upgrade head`"));
}

TEST_CASE("a hook that cannot check says why and whether the push goes through unchecked") {
    const auto reject = ag::could_not_check_lines(ag::HookSide::server, ag::timeout_reason(5), false);
    CHECK(reject.front() == "alembic-guard could not check this push: it did not finish within 5 s "
                            "(alembicGuard.timeout; a damaged object can make libgit2 loop)");
    CHECK(has_line(reject, "the push is refused so that nothing unchecked lands"));
    CHECK(has_line(ag::could_not_check_lines(ag::HookSide::client, "x", true), "goes ahead UNCHECKED"));
    CHECK(ag::hook_text({"a", "b"}, true) == "GL-HOOK-ERR: a\nGL-HOOK-ERR: b\n");
    CHECK(ag::hook_text({"a"}, false) == "a\n");
}
