// The words of `forecast`, from the facts hooks/forecast records: which candidate moves, the
// exact edit, design.md's JSON Lines, and a Mermaid picture that any revision ID can be drawn in.
#include "report/forecast_report.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ag::ForecastCandidate request(long n) {
    return {"refs/pull/" + std::to_string(n) + "/head", n, std::string(40, 'a')};
}

ag::Problem problem(const char* code, std::vector<std::string> revisions) {
    ag::Problem p;
    p.code = code;
    p.situation = std::string_view(code) == "duplicate-revision" ? ag::Situation::duplicate : ag::Situation::heads_added;
    p.revisions = std::move(revisions);
    return p;
}

ag::ForecastPair incident() {
    ag::ForecastPair p;
    p.stay = request(335);
    p.move = request(336);
    p.environment = "alembic.ini";
    p.stay_adds = {{"031", {"030"}, "v/031_stats.py", 10}};
    p.move_adds = {{"031", {"030"}, "v/031_injuries.py", 12}};
    p.shared = {"031"};
    auto dup = problem("duplicate-revision", {"031"});
    dup.new_id = "032";
    p.problems = {dup};
    return p;
}

}  // namespace

TEST_CASE("a duplicate ID: the request opened later renumbers its copy and chains it onto the other's") {
    const std::string fix = ag::forecast_fix(incident());
    CHECK(has(fix, "in v/031_injuries.py (#336) set revision = \"032\" and down_revision = \"031\""));
    CHECK_FALSE(has(fix, "point #336's migrations"));  // nothing of #336 builds on its 031
    auto chained = incident();
    chained.move_adds.push_back({"033", {"031"}, "v/033_more.py", 3});
    CHECK(has(ag::forecast_fix(chained), "and point #336's migrations on '031' at \"032\""));
}

TEST_CASE("two heads: the lowest of the mover's chain is pointed at the head the other leaves") {
    ag::ForecastPair p;
    p.stay = request(7);
    p.move = request(9);
    p.stay_adds = {{"031", {"030"}, "v/031.py", 1}, {"032", {"031"}, "v/032.py", 1}};
    p.move_adds = {{"a1", {"030"}, "v/a1.py", 1}, {"a2", {"a1"}, "v/a2.py", 1}, {"a3", {"a2"}, "v/a3.py", 1}};
    p.problems = {problem("multiple-heads", {"032", "a3"})};
    CHECK(ag::forecast_fix(p) == "in v/a1.py (#9) set down_revision = \"032\", so that its migrations follow #7's");
}

TEST_CASE("two merge migrations of the same heads: the second is dropped or chained onto the first") {
    ag::ForecastPair p;
    p.stay = request(7);
    p.move = request(8);
    p.stay_adds = {{"m1", {"a", "b"}, "v/m1.py", 1}};
    p.move_adds = {{"m2", {"a", "b"}, "v/m2.py", 1}};
    p.shared = {"a", "b"};
    p.problems = {problem("multiple-heads", {"m1", "m2"})};
    CHECK(has(ag::forecast_fix(p), "in #8 drop v/m2.py (#7's merge migration m1 already merges a, b)"));
    CHECK(has(ag::forecast_text({"main", std::string(40, 'b'), 2, 1, 1, {}, {p}}),
              "COLLIDE #7 and #8 in : both add a merge migration of 'a', 'b'"));
}

TEST_CASE("JSON Lines: refs sorted within the pair, numbers beside them, the mover and the fix") {
    auto p = incident();
    std::swap(p.stay, p.move);  // the later request stays (--prefer): the pair is still sorted
    p.preferred = true;
    ag::Forecast f{"main", std::string(40, 'b'), 2, 1, 1, {}, {p}};
    const auto j = nlohmann::json::parse(ag::forecast_json_lines(f));
    CHECK(j["pair"] == nlohmann::json({"refs/pull/335/head", "refs/pull/336/head"}));
    CHECK(j["prs"] == nlohmann::json({335, 336}));
    CHECK(j["move"] == "refs/pull/335/head");
    CHECK(j["problems"][0]["code"] == "duplicate-revision");
    CHECK(has(j["fix"].get<std::string>(), "(#335)"));
    CHECK(has(ag::forecast_text(f), "fix: move #335 (#336 is preferred)"));
}

TEST_CASE("a branch without a request number is named by its ref, with null in prs") {
    auto p = incident();
    p.move = {"feature/x", std::nullopt, std::string(40, 'c')};
    const auto j = nlohmann::json::parse(ag::forecast_json_lines({"main", std::string(40, 'b'), 2, 1, 1, {}, {p}}));
    CHECK(j["pair"] == nlohmann::json({"feature/x", "refs/pull/335/head"}));
    CHECK(j["prs"] == nlohmann::json({nullptr, 335}));
    CHECK(ag::candidate_label(p.move) == "feature/x");
}

TEST_CASE("Mermaid: node names are the guard's own, so quotes and odd IDs cannot break the picture") {
    auto p = incident();
    p.move_adds = {{"a\"b|c", {"030"}, "v/odd.py", 1}};
    p.problems = {problem("multiple-heads", {"031", "a\"b|c"})};
    const std::string md = ag::forecast_markdown({"main", std::string(40, 'b'), 2, 1, 1, {}, {p}});
    CHECK(has(md, "```mermaid\nflowchart BT\n"));
    CHECK(has(md, "n0[\"031 (#335)\"]:::stay"));
    CHECK(has(md, "[\"a#quot;b|c (#336)\"]:::move"));
    CHECK(has(md, "[\"030 (main)\"]"));
    CHECK(has(md, "| adds | 031 on 030 | a\"b\\|c on 030 |"));  // a pipe would end the table cell
}

TEST_CASE("GitHub annotations point at the first file of the chain to move") {
    auto p = incident();
    const std::string out = ag::forecast_github({"main", std::string(40, 'b'), 2, 1, 1, {}, {p}});
    CHECK(has(out, "::error file=v/031_injuries.py,line=12,title=alembic-guard forecast::#336 collides with #335"));
}

TEST_CASE("nothing to report says so in every format that speaks to a person") {
    const ag::Forecast f{"main", std::string(40, 'b'), 3, 0, 0, {}, {}};
    CHECK(has(ag::forecast_text(f), "no two candidates collide, and each lands alone"));
    CHECK(has(ag::forecast_markdown(f), "No two of the 3 open candidates collide"));
    CHECK(ag::forecast_json_lines(f).empty());
    CHECK(ag::forecast_github(f).empty());
}
