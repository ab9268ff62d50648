#include "alembic/migration_reader.hpp"

#include "fixtures.hpp"
#include "support/guard_error.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <thread>

using namespace ag;
using ag::test::MemoryTree;

namespace {

// 300 chained migrations under versions/.
MemoryTree history(size_t n) {
    MemoryTree t;
    for (size_t i = 0; i < n; ++i)
        t.migration(fmt::format("versions/{:04}.py", i), fmt::format("r{}", i),
                    i == 0 ? "None" : fmt::format("'r{}'", i - 1));
    return t;
}

// The listing of versions/ and sources pointing into it (kept together: they must not part).
struct Listed {
    Listing entries;
    std::vector<MigrationSource> sources;
};

Listed sources_of(const SourceTree& t) {
    Listed l{t.list("versions"), {}};
    for (const auto& e : l.entries) l.sources.push_back({"versions", &e});
    return l;
}

// Counts how many reads are in progress at once.
class WatchedTree final : public SourceTree {
public:
    explicit WatchedTree(const SourceTree& inner) : inner_(inner) {}
    Listing list(std::string_view dir) const override { return inner_.list(dir); }
    std::optional<EntryKind> kind(std::string_view path) const override { return inner_.kind(path); }
    std::string read(std::string_view path) const override {
        const int now = ++inside_;
        int seen = most_;
        while (now > seen && !most_.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        auto bytes = inner_.read(path);
        --inside_;
        return bytes;
    }
    void walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const override {
        inner_.walk_files(visit);
    }
    std::string describe() const override { return "watched"; }
    int most_at_once() const { return most_; }

private:
    const SourceTree& inner_;
    mutable std::atomic<int> inside_{0};
    mutable std::atomic<int> most_{0};
};

}  // namespace

TEST_CASE("reading on several threads gives what reading one file after another gives") {
    const auto tree = history(300);
    const auto listed = sources_of(tree);
    const auto& sources = listed.sources;
    const auto one = read_migrations(tree, sources, 1);
    const auto four = read_migrations(tree, sources, 4);
    REQUIRE(one.size() == 300);
    REQUIRE(four.size() == 300);
    for (size_t i = 0; i < one.size(); ++i) {
        const std::string path = join_path("versions", sources[i].entry->name);
        const Migration single = read_migration(path, tree.read(path));
        CHECK(one[i].path == single.path);
        CHECK(one[i].revision == single.revision);
        CHECK(four[i].path == single.path);
        CHECK(four[i].revision == single.revision);
        CHECK(four[i].down_revisions == single.down_revisions);
        CHECK(four[i].revision_line == single.revision_line);
    }
    CHECK(four[299].revision == "r299");
    CHECK(four[299].down_revisions == std::vector<std::string>{"r298"});
}

TEST_CASE("the tree is never read by two threads at once") {
    const auto inner = history(400);
    WatchedTree tree(inner);
    const auto listed = sources_of(inner);
    const auto out = read_migrations(tree, listed.sources, 4);
    CHECK(out.size() == 400);
    CHECK(tree.most_at_once() == 1);
}

TEST_CASE("when files cannot be read, the error is the first one's in load order, on any number of threads") {
    const auto tree = history(300);
    auto listed = sources_of(tree);
    auto& sources = listed.sources;
    DirEntry gone_100{"gone_100.py", EntryKind::File}, gone_250{"gone_250.py", EntryKind::File};
    sources[100].entry = &gone_100;
    sources[250].entry = &gone_250;
    for (unsigned threads : {1u, 2u, 4u}) {
        CAPTURE(threads);
        try {
            (void)read_migrations(tree, sources, threads);
            FAIL("no error");
        } catch (const GuardError& e) {
            CHECK(std::string(e.what()).find("gone_100.py") != std::string::npos);
        }
    }
}

TEST_CASE("a few files are read without starting threads, with the same result") {
    const auto tree = history(5);
    const auto listed = sources_of(tree);
    const auto out = read_migrations(tree, listed.sources, 4);
    REQUIRE(out.size() == 5);
    CHECK(out[4].revision == "r4");
}
