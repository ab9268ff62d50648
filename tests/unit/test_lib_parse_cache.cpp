#include "parse_cache.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using ag::ParseCache;

namespace {
struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "ag-cache-test-XXXXXX").string();
        path = mkdtemp(t.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

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
    CHECK(r.notes.size() == m.notes.size());
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
        ParseCache c(dir.path.string());
        c.store("tree1", {{"blob1", sample()}});
    }
    ParseCache warm(dir.path.string());
    CHECK(warm.load("tree1"));
    auto hit = warm.find("blob1", "other/dir/031_a.py");
    REQUIRE(hit);
    CHECK(hit->path == "other/dir/031_a.py");
    CHECK_FALSE(warm.find("blob1", "other/dir/renamed.py"));  // the name is part of the key
    std::ofstream(dir.path / ParseCache::format_tag() / "tree1.cache", std::ios::trunc) << "alembic-guard parse cache\nbroken";
    ParseCache corrupt(dir.path.string());
    CHECK_FALSE(corrupt.load("tree1"));
    CHECK_FALSE(corrupt.find("blob1", "v/031_a.py"));
}

TEST_CASE("an unwritable cache directory is silently no cache") {
    ParseCache c("/proc/no-such-place/alembic-guard");
    c.store("tree1", {{"blob1", sample()}});
    CHECK_FALSE(ParseCache("/proc/no-such-place/alembic-guard").load("tree1"));
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
