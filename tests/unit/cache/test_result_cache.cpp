#include "cache/result_cache.hpp"
#include "support/utf8.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using ag::ResultCache;
using ag::test::TempDir;

namespace {
ag::Migration sample() {
    auto m = ag::read_migration("v/031_a.py", ag::test::migration_source("'03\\n1'", "('029', '030')",
                                                                        "import cli\nbranch_labels = (cli.X,)"));
    m.branch_labels = {"lab\x1f" "el", "x"};
    return m;
}
}  // namespace

TEST_CASE("cache entries round-trip every field, including separators and newlines") {
    const auto m = sample();
    const auto text = ag::encode_cache_entries({{"abc123", m}});
    auto back = ag::decode_cache_entries(text);
    REQUIRE(back);
    REQUIRE(back->size() == 1);
    const auto& [blob, r] = back->front();
    CHECK(blob == "abc123");
    CHECK(r.revision == m.revision);
    CHECK(r.down_revisions == m.down_revisions);
    CHECK(r.branch_labels == m.branch_labels);
    CHECK(r.revision_line == m.revision_line);
    CHECK(r.error == m.error);
}

TEST_CASE("a truncated, garbled or foreign cache file decodes to nothing") {
    const auto text = ag::encode_cache_entries({{"abc123", sample()}, {"def456", sample()}});
    CHECK_FALSE(ag::decode_cache_entries(text.substr(0, text.size() - 5)));
    CHECK_FALSE(ag::decode_cache_entries("garbage"));
    std::string flipped = text;
    flipped[flipped.find('\x1f')] = 'X';
    CHECK_FALSE(ag::decode_cache_entries(flipped));
    CHECK(ag::decode_cache_entries(text));
}

TEST_CASE("a stored tree is found again by a new cache, and a corrupt file is a miss") {
    TempDir dir;
    {
        ResultCache c(dir.path.string());
        c.store("tree1", {{"blob1", sample()}});
    }
    ResultCache warm(dir.path.string());
    CHECK(warm.load("tree1"));
    auto hit = warm.find("blob1", "other/dir/031_a.py");
    REQUIRE(hit);
    CHECK(hit->path == "other/dir/031_a.py");
    CHECK_FALSE(warm.find("blob1", "other/dir/renamed.py"));  // the name is part of the key
    std::ofstream(dir.path / ResultCache::format_tag() / "tree1.cache", std::ios::trunc) << "alembic-guard result cache\nbroken";
    ResultCache corrupt(dir.path.string());
    CHECK_FALSE(corrupt.load("tree1"));
    CHECK_FALSE(corrupt.find("blob1", "v/031_a.py"));
}

TEST_CASE("an unwritable cache directory is silently no cache") {
    ResultCache c("/proc/no-such-place/alembic-guard");
    c.store("tree1", {{"blob1", sample()}});
    CHECK_FALSE(ResultCache("/proc/no-such-place/alembic-guard").load("tree1"));
}

TEST_CASE("a list holding one empty string is not an empty list after a round trip") {
    // Alembic fails on down_revision = ('',) (KeyError ''), but treats '' and () as a base.
    auto m = ag::read_migration("v/a.py", "revision = 'a'\ndown_revision = '',\n");
    REQUIRE(m.down_revisions == std::vector<std::string>{""});
    auto back = ag::decode_cache_entries(ag::encode_cache_entries({{"b", m}}));
    REQUIRE(back);
    CHECK(back->front().second.down_revisions == std::vector<std::string>{""});
    auto empty = ag::read_migration("v/a.py", "revision = 'a'\ndown_revision = ()\n");
    auto back2 = ag::decode_cache_entries(ag::encode_cache_entries({{"b", empty}}));
    REQUIRE(back2);
    CHECK(back2->front().second.down_revisions.empty());
}

namespace {
ag::EnvironmentResult sample_result() {
    std::vector<ag::Migration> ms;
    ms.push_back(ag::read_migration("v/a.py", ag::test::migration_source("'a'", "None")));
    ms.push_back(ag::read_migration("v/b.py", ag::test::migration_source("'b'", "'a'")));
    ms.push_back(ag::read_migration("v/c.py", ag::test::migration_source("'c'", "'a'")));
    ag::EnvironmentResult r;
    r.graph = ag::build_revision_graph(ms, false);
    r.notes.push_back(ag::Note{"alembic.ini", 3, ag::NoteKind::location_missing, "v2"});
    return r;
}
}  // namespace

TEST_CASE("an environment result round-trips: graph, problems with their locations, notes") {
    const auto r = sample_result();
    REQUIRE(r.graph.problems.size() == 1);  // two heads
    REQUIRE(!r.notes.empty());
    const auto back = ag::decode_result("key\n1", ag::encode_result("key\n1", r));
    REQUIRE(back);
    CHECK(back->graph.revision_count == r.graph.revision_count);
    CHECK(back->graph.heads == r.graph.heads);
    CHECK(back->graph.head_count == r.graph.head_count);
    CHECK(back->graph.bases == r.graph.bases);
    CHECK(back->graph.merge_points == r.graph.merge_points);
    REQUIRE(back->graph.head_locations.size() == r.graph.head_locations.size());
    CHECK(back->graph.head_locations[1].file == r.graph.head_locations[1].file);
    CHECK(back->graph.head_locations[1].down_revision == r.graph.head_locations[1].down_revision);
    REQUIRE(back->graph.problems.size() == 1);
    CHECK(back->graph.problems[0].key() == r.graph.problems[0].key());
    CHECK(back->graph.problems[0].situation == r.graph.problems[0].situation);
    CHECK(back->graph.problems[0].head_count == r.graph.problems[0].head_count);
    CHECK(back->graph.problems[0].locations.size() == r.graph.problems[0].locations.size());
    REQUIRE(back->notes.size() == r.notes.size());
    CHECK(back->notes[0].kind == r.notes[0].kind);
    CHECK(back->notes[0].subject == r.notes[0].subject);
    CHECK(back->notes[0].line == r.notes[0].line);
}

TEST_CASE("a result stored under another key, truncated or garbled is a miss") {
    const auto text = ag::encode_result("key one", sample_result());
    CHECK_FALSE(ag::decode_result("key two", text));
    CHECK_FALSE(ag::decode_result("key one", text.substr(0, text.size() / 2)));
    std::string garbled = text;
    garbled.replace(garbled.find("\"head_count\":2"), 14, "\"head_count\":\"2\"");
    CHECK_FALSE(ag::decode_result("key one", garbled));
    CHECK_FALSE(ag::decode_result("key one", ""));
}

TEST_CASE("a stored result is found by a new cache under the same key only; a damaged file is a miss") {
    TempDir dir;
    const auto r = sample_result();
    ResultCache(dir.path.string()).store_result("the key", r);
    CHECK(ResultCache(dir.path.string()).load_result("the key"));
    CHECK_FALSE(ResultCache(dir.path.string()).load_result("another key"));
    for (const auto& f : fs::recursive_directory_iterator(dir.path))
        if (f.path().extension() == ".json") std::ofstream(f.path(), std::ios::trunc) << "{\"format\":";
    CHECK_FALSE(ResultCache(dir.path.string()).load_result("the key"));
    CHECK_FALSE(ResultCache("").load_result("the key"));
}

TEST_CASE("a cache directory that others may write to is no cache: its results would be believed") {
    TempDir dir;
    ResultCache(dir.path.string()).store_result("the key", sample_result());
    REQUIRE(ResultCache(dir.path.string()).load_result("the key"));
    fs::permissions(dir.path, fs::perms::others_write, fs::perm_options::add);
    CHECK(ResultCache(dir.path.string()).dir().empty());
    CHECK_FALSE(ResultCache(dir.path.string()).load_result("the key"));
    fs::permissions(dir.path, fs::perms::others_write, fs::perm_options::remove);
    fs::permissions(dir.path, fs::perms::group_write, fs::perm_options::add);
    CHECK_FALSE(ResultCache(dir.path.string()).load_result("the key"));
    fs::permissions(dir.path, fs::perms::group_write, fs::perm_options::remove);
    CHECK(ResultCache(dir.path.string()).load_result("the key"));
}

TEST_CASE("revision-name lists keep any byte of an ID or label through encoding, and refuse another key") {
    std::vector<std::string> ids = {"", "0a1", "a\\b", "c\nd", std::string("e\x1f" "f"), std::string("g\x1e" "h"), "plain\\"};
    const std::vector<std::string> labels = {"\\n", "lab"};
    const ag::RevisionNames names(ids, labels);
    std::sort(ids.begin(), ids.end());
    const std::string key = "env\nkey\\";
    const std::string text = ag::encode_names(key, names);
    CHECK(std::count(text.begin(), text.end(), '\n') == 3 + 9);  // one line per name: none leaks a newline
    const auto back = ag::decode_names(key, text);
    REQUIRE(back);
    CHECK(back->ids() == ids);
    CHECK(back->labels() == labels);
    for (const auto& id : ids) CHECK(back->has_id(id));
    for (const auto& l : labels) CHECK(back->has_label(l));
    CHECK_FALSE(back->has_id("lab"));
    CHECK_FALSE(back->has_label("0a1"));
    CHECK_FALSE(back->has_id("a\\"));
    CHECK_FALSE(ag::decode_names("another key", text));
    CHECK_FALSE(ag::decode_names(key, text.substr(0, text.size() - 1)));  // torn write
}

TEST_CASE("IDs added to names read back are written where a fresh list would put them") {
    const std::vector<std::string> labels = {"lab", "z\\"};
    std::vector<std::string> ids;
    for (int i = 0; i < 50; ++i) ids.push_back(fmt::format("{:03}", i * 2));
    ids.push_back("x\\y");
    const std::string key = "k";
    auto names = ag::decode_names(key, ag::encode_names(key, ag::RevisionNames(ids, labels)));
    REQUIRE(names);
    // Before the first, between two, after the last stored ID, beside an escaped one, and
    // two added next to each other.
    for (const std::string add : {"", "001", "051", "053", "zzz", "x\\x", "x\n", "099"}) {
        CHECK_FALSE(names->has_id(add));
        names->add_id(add);
        CHECK(names->has_id(add));
        ids.push_back(add);
    }
    const std::string written = ag::encode_names(key, *names);
    CHECK(written == ag::encode_names(key, ag::RevisionNames(ids, labels)));
    const auto again = ag::decode_names(key, written);
    REQUIRE(again);
    std::sort(ids.begin(), ids.end());
    CHECK(again->ids() == ids);
    CHECK(again->labels() == labels);
}

TEST_CASE("a names file out of order, with a repeated name or a bad escape, is refused") {
    const std::string head = "alembic-guard revision names 1\nk\n";
    CHECK(ag::decode_names("k", head + "2\na\nb\nlab\n"));
    CHECK_FALSE(ag::decode_names("k", head + "2\nb\na\nlab\n"));
    CHECK_FALSE(ag::decode_names("k", head + "2\na\na\nlab\n"));
    CHECK_FALSE(ag::decode_names("k", head + "2\na\nb\nm\nl\n"));
    CHECK_FALSE(ag::decode_names("k", head + "2\na\\q\nb\n"));
    CHECK_FALSE(ag::decode_names("k", head + "3\na\nb\n"));
    CHECK(ag::decode_names("k", head + "0\n"));
}

namespace {
// Bytes that are not UTF-8 where a result holds strings: a Latin-1 file name and ID, a
// truncated character, a surrogate in UTF-8 form, and backslashes that look like escapes.
ag::EnvironmentResult result_of_bytes() {
    const std::string file = "v/004_d\xe9j\xe0.py", id = "004\xe9", other = "003\xe2\x82", wtf = "x\xed\xb3\xa9";
    ag::EnvironmentResult r;
    ag::RevisionGraph& g = r.graph;
    g.revision_count = 4;
    g.heads = {other, id};
    g.head_count = 2;
    g.bases = {"a\\x41"};
    g.merge_points = {"\\\\", "\\"};
    g.head_locations = {{file, 3, id, {wtf}, true}, {"v/\xff.py", 0, other, {}}};
    ag::Problem p;
    p.code = "multiple-heads";
    p.situation = ag::Situation::heads_added;
    p.reason = "heads " + other + ", " + id + " in " + file + " (\\xe9 is not \xe9)";
    p.subject = "\\x" + id;
    p.new_id = wtf;
    p.heads_before = {id, "\xff"};
    p.head_count_before = 3;
    p.head_count = 2;
    p.revisions = {other, id};
    p.files = {file, "v/\xff.py"};
    p.locations = g.head_locations;
    g.problems = {p};
    g.notes = {{file, 1, ag::NoteKind::undetected_cycle, "", "", {id, "note \xc0\xaf"}, true}};
    r.notes = {{"v/\xff.py", 2, ag::NoteKind::script_location_unjudged, wtf, "\xfe"}};
    return r;
}

void check_same(const ag::EnvironmentResult& a, const ag::EnvironmentResult& b) {
    const auto same_location = [](const ag::ProblemLocation& x, const ag::ProblemLocation& y) {
        return x.file == y.file && x.line == y.line && x.revision == y.revision && x.down_revision == y.down_revision &&
               x.added == y.added;
    };
    const auto same_locations = [&](const auto& x, const auto& y) {
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), same_location);
    };
    const auto same_notes = [](const std::vector<ag::Note>& x, const std::vector<ag::Note>& y) {
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](const ag::Note& m, const ag::Note& n) {
                   return m.file == n.file && m.line == n.line && m.kind == n.kind && m.subject == n.subject &&
                          m.detail == n.detail && m.ids == n.ids && m.through_dependencies == n.through_dependencies;
               });
    };
    CHECK(a.graph.revision_count == b.graph.revision_count);
    CHECK(a.graph.heads == b.graph.heads);
    CHECK(a.graph.head_count == b.graph.head_count);
    CHECK(a.graph.bases == b.graph.bases);
    CHECK(a.graph.merge_points == b.graph.merge_points);
    CHECK(same_locations(a.graph.head_locations, b.graph.head_locations));
    REQUIRE(a.graph.problems.size() == b.graph.problems.size());
    for (size_t i = 0; i < a.graph.problems.size(); ++i) {
        const auto &p = a.graph.problems[i], &q = b.graph.problems[i];
        CHECK(p.code == q.code);
        CHECK(p.situation == q.situation);
        CHECK(p.subject == q.subject);
        CHECK(p.reason == q.reason);
        CHECK(p.new_id == q.new_id);
        CHECK(p.heads_before == q.heads_before);
        CHECK(p.head_count_before == q.head_count_before);
        CHECK(p.head_count == q.head_count);
        CHECK(p.revisions == q.revisions);
        CHECK(p.files == q.files);
        CHECK(same_locations(p.locations, q.locations));
    }
    CHECK(same_notes(a.graph.notes, b.graph.notes));
    CHECK(same_notes(a.notes, b.notes));
}
}  // namespace

TEST_CASE("a result holding bytes that are not UTF-8 is stored and read back byte for byte") {
    const auto r = result_of_bytes();
    const std::string key = "env \xe9\\x41";
    std::string text;
    REQUIRE_NOTHROW(text = ag::encode_result(key, r));
    CHECK(ag::is_utf8(text));
    const auto back = ag::decode_result(key, text);
    REQUIRE(back);
    check_same(*back, r);
    CHECK_FALSE(ag::decode_result("env \xe9\\x42", text));  // the key's bytes are compared too

    TempDir dir;
    ResultCache(dir.path.string()).store_result(key, r);
    const auto loaded = ResultCache(dir.path.string()).load_result(key);
    REQUIRE(loaded);
    check_same(*loaded, r);
}

TEST_CASE("a result file with an escape the cache does not write is a miss") {
    const std::string text = ag::encode_result("k", result_of_bytes());
    const auto at = text.find("\\\\xe9");  // JSON's "\\xe9": the cache's escape of byte E9
    REQUIRE(at != std::string::npos);
    for (const std::string bad : {"\\\\xE9", "\\\\xg9", "\\\\q", "\\\\x9"}) {
        std::string damaged = text;
        damaged.replace(at, 5, bad);
        CHECK_FALSE(ag::decode_result("k", damaged));
    }
}

TEST_CASE("parses and revision names keep bytes that are not UTF-8 through the cache") {
    ag::Migration m;
    m.path = "004_d\xe9j\xe0.py";  // the cache stores the file name; find() re-points it
    m.revision = "004\xe9";
    m.down_revisions = {"003\xe2\x82"};
    m.branch_labels = {"l\xff"};
    const auto back = ag::decode_cache_entries(ag::encode_cache_entries({{"blob", m}}));
    REQUIRE(back);
    const auto& r = back->front().second;
    CHECK(r.path == m.path);
    CHECK(r.revision == m.revision);
    CHECK(r.down_revisions == m.down_revisions);
    CHECK(r.branch_labels == m.branch_labels);

    const std::vector<std::string> ids = {"003\xe2\x82", "004\xe9"}, labels = {"l\xff"};
    const auto names = ag::decode_names("k\xe9", ag::encode_names("k\xe9", ag::RevisionNames(ids, labels)));
    REQUIRE(names);
    CHECK(names->ids() == ids);
    CHECK(names->labels() == labels);
}
