#include "support/json_text.hpp"
#include "report/report.hpp"
#include "support/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {
// One environment whose two heads live in files named in Latin-1, one of them with a Latin-1 ID.
ag::TreeCheck latin1_heads() {
    ag::EnvironmentCheck e;
    e.environment.name = "alembic.ini";
    e.environment.config = "alembic.ini";
    e.environment.version_locations = {"alembic/versions"};
    e.graph.revision_count = 3;
    e.graph.heads = {"003", "004\xe0%"};
    e.graph.head_count = 2;
    e.graph.bases = {"001"};
    ag::Problem p;
    p.code = "multiple-heads";
    p.situation = ag::Situation::heads;
    p.head_count = 2;
    p.revisions = e.graph.heads;
    p.files = {"alembic/versions/003_caf\xe9.py", "alembic/versions/004_d\xe9j\xe0.py"};
    p.locations = {{p.files[0], 2, "003", {"002"}}, {p.files[1], 2, "004\xe0%", {"002"}}};
    e.problems = {p};
    ag::TreeCheck check;
    check.commit = std::string(40, 'a');
    check.environments = {e};
    return check;
}
}  // namespace

TEST_CASE("GitHub annotations percent-encode each byte that is not UTF-8, as they encode %") {
    const std::string out = ag::check_github(latin1_heads());
    CHECK(ag::is_utf8(out));
    CHECK(out.find("::error file=alembic/versions/003_caf%E9.py,line=2,") != std::string::npos);
    CHECK(out.find("::error file=alembic/versions/004_d%E9j%E0.py,line=2,") != std::string::npos);
    CHECK(out.find("2 heads: '003' (alembic/versions/003_caf%E9.py, down_revision '002'), '004%E0%25' "
                   "(alembic/versions/004_d%E9j%E0.py, down_revision '002')") != std::string::npos);
}

TEST_CASE("GitHub annotations keep UTF-8 characters as they are") {
    auto check = latin1_heads();
    check.environments[0].problems[0].locations[0].file = "alembic/versions/003_caf\xc3\xa9.py";
    CHECK(ag::check_github(check).find("file=alembic/versions/003_caf\xc3\xa9.py,") != std::string::npos);
}

TEST_CASE("text output carries the bytes of names and IDs as they are") {
    const std::string out = ag::check_text(latin1_heads(), "HEAD");
    CHECK(out.find("004\xe0") != std::string::npos);
    CHECK(out.find("d\xe9j\xe0") != std::string::npos);
}

TEST_CASE("the JSON of a check with bytes that are not UTF-8 is written, and valid UTF-8") {
    std::string text;
    REQUIRE_NOTHROW(text = ag::json_text(ag::check_json(latin1_heads()), 2));
    CHECK(ag::is_utf8(text));
    CHECK(text.find(R"("004\udce0%")") != std::string::npos);
    CHECK(text.find(R"("file": "alembic/versions/004_d\udce9j\udce0.py")") != std::string::npos);
}
