#include "cache/cache_pruning.hpp"

#include "fixtures.hpp"
#include "cache/result_cache.hpp"

#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using ag::CacheLimits;
using ag::prune_cache;
using ag::prune_cache_when_due;
using ag::ResultCache;
using ag::test::TempDir;

namespace {

constexpr std::time_t kDay = 24 * 3600;

// A file of `bytes` bytes whose modification time is `age` seconds before `now`.
void put(const fs::path& p, size_t bytes, std::time_t now, std::time_t age) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << std::string(bytes, 'x');
    const struct timespec t[2] = {{now - age, 0}, {now - age, 0}};
    REQUIRE(::utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW) == 0);
}

std::time_t mtime_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mtime;
}

// A format directory as a result cache leaves it: created and tagged.
fs::path format_dir(const fs::path& root, const std::string& name) {
    fs::create_directories(root / name);
    ag::tag_cache_directory(root / name);
    return root / name;
}

// Cache file names as the cache writes them.
const std::string kTree1 = std::string(40, 'a') + ".cache";
const std::string kTree2 = std::string(40, 'b') + ".cache";
const std::string kTree3 = std::string(64, 'c') + ".cache";
std::string result(char c) { return "env-" + std::string(16, c) + ".json"; }
std::string names(char c) { return "env-" + std::string(16, c) + ".names"; }

CacheLimits limits(uint64_t max_bytes) {
    CacheLimits l;
    l.max_bytes = max_bytes;
    return l;
}

}  // namespace

TEST_CASE("pruning removes cache files unused for longer than the age limit and keeps the rest") {
    TempDir root;
    const std::time_t now = std::time(nullptr);
    const auto dir = format_dir(root.path, "v2-1.0.0");
    put(dir / kTree1, 100, now, 31 * kDay);
    put(dir / result('0'), 100, now, 40 * kDay);
    put(dir / names('0'), 100, now, 29 * kDay);
    put(dir / kTree3, 100, now, 0);

    const auto out = prune_cache(root.path.string(), limits(1 << 20), now);
    CHECK(out.ran);
    CHECK(out.removed_files == 2);
    CHECK(out.removed_bytes == 200);
    CHECK(out.kept_files == 2);
    CHECK_FALSE(fs::exists(dir / kTree1));
    CHECK_FALSE(fs::exists(dir / result('0')));
    CHECK(fs::exists(dir / names('0')));
    CHECK(fs::exists(dir / kTree3));
}

TEST_CASE("pruning over the size limit removes the least recently used files until the rest fits") {
    TempDir root;
    const std::time_t now = std::time(nullptr);
    const auto dir = format_dir(root.path, "v2-1.0.0");
    put(dir / kTree1, 1000, now, 5 * kDay);
    put(dir / result('1'), 1000, now, 4 * kDay);
    put(format_dir(root.path, "v2-0.9.0") / kTree2, 1000, now, 3 * kDay);
    put(dir / names('2'), 1000, now, 2 * kDay);
    put(dir / kTree3, 1000, now, 1 * kDay);

    const auto out = prune_cache(root.path.string(), limits(2500), now);
    CHECK(out.removed_files == 3);
    CHECK(out.kept_bytes == 2000);
    CHECK_FALSE(fs::exists(dir / kTree1));
    CHECK_FALSE(fs::exists(dir / result('1')));
    CHECK_FALSE(fs::exists(root.path / "v2-0.9.0" / kTree2));
    CHECK(fs::exists(dir / names('2')));
    CHECK(fs::exists(dir / kTree3));
    // The older version's directory, emptied, is gone; the current one stays.
    CHECK_FALSE(fs::exists(root.path / "v2-0.9.0"));
    CHECK(fs::is_directory(dir));

    // Within the limit nothing more goes.
    CHECK(prune_cache(root.path.string(), limits(2500), now).removed_files == 0);
}

TEST_CASE("pruning never touches what the cache did not write, nor follows symbolic links") {
    TempDir root;
    TempDir elsewhere;
    const std::time_t now = std::time(nullptr);
    const auto dir = format_dir(root.path, "v2-1.0.0");
    put(root.path / "notes.txt", 10, now, 400 * kDay);                 // beside the format directories
    put(root.path / "data" / kTree1, 10, now, 400 * kDay);             // not a format directory's name
    put(root.path / "v-x" / kTree1, 10, now, 400 * kDay);              // nor this
    put(root.path / "v3-untagged" / kTree1, 10, now, 400 * kDay);      // a format name, but no tag
    put(dir / "README", 10, now, 400 * kDay);                          // not a cache file's name
    put(dir / "backup.json", 10, now, 400 * kDay);                     // nor these
    put(dir / "env-xyz.names", 10, now, 400 * kDay);
    put(dir / "0123.cache", 10, now, 400 * kDay);
    put(dir / ".notes.tmp", 10, now, 400 * kDay);
    put(elsewhere.path / kTree2, 10, now, 400 * kDay);
    fs::create_symlink(elsewhere.path / kTree2, dir / kTree2);
    ag::tag_cache_directory(elsewhere.path);
    fs::create_directory_symlink(elsewhere.path, root.path / "v3-linked");

    const auto out = prune_cache(root.path.string(), limits(1), now);
    CHECK(out.removed_files == 0);
    for (const auto& p : {root.path / "notes.txt", root.path / "data" / kTree1, root.path / "v-x" / kTree1,
                          root.path / "v3-untagged" / kTree1, dir / "README", dir / "backup.json",
                          dir / "env-xyz.names", dir / "0123.cache", dir / ".notes.tmp", elsewhere.path / kTree2})
        CHECK_MESSAGE(fs::exists(p), p.string());
    CHECK(fs::is_symlink(dir / kTree2));
    // A format directory still holding a file that is not the cache's stays, tag and all.
    CHECK(fs::exists(dir / "CACHEDIR.TAG"));
}

TEST_CASE("a format directory is tagged as a cache once, with the standard signature") {
    TempDir root;
    ag::ResultCache(root.path.string()).store_result("the key", ag::EnvironmentResult{});
    const auto tag = root.path / ResultCache::format_tag() / "CACHEDIR.TAG";
    REQUIRE(fs::exists(tag));
    std::ifstream in(tag);
    std::string first;
    std::getline(in, first);
    CHECK(first == "Signature: 8a477f597d28d172789f06886806bc55");
    const auto before = mtime_of(tag);
    ag::tag_cache_directory(tag.parent_path());
    CHECK(mtime_of(tag) == before);
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tag.parent_path())) ++entries;
    CHECK(entries == 2);  // the tag and the result: no temporary left behind
}

TEST_CASE("pruning leaves a temporary file a writer may still be filling, and removes an abandoned one") {
    TempDir root;
    const std::time_t now = std::time(nullptr);
    const auto dir = format_dir(root.path, "v2-1.0.0");
    const auto writing = "." + result('1') + ".4242.tmp";
    const auto abandoned = "." + kTree1 + ".4243.tmp";
    put(dir / writing, 5000, now, 60);
    put(dir / abandoned, 5000, now, 2 * 3600);
    put(dir / kTree2, 10, now, 0);

    const auto out = prune_cache(root.path.string(), limits(1 << 20), now);
    CHECK(out.removed_files == 1);
    CHECK(fs::exists(dir / writing));
    CHECK_FALSE(fs::exists(dir / abandoned));
    CHECK(fs::exists(dir / kTree2));
}

TEST_CASE("pruning a directory that does not exist does nothing") {
    CHECK_FALSE(prune_cache("/proc/no-such-place/alembic-guard", limits(1), std::time(nullptr)).ran);
    CHECK_FALSE(prune_cache("", limits(1), std::time(nullptr)).ran);
    CHECK_FALSE(prune_cache_when_due("", limits(1), std::time(nullptr)).ran);
}

TEST_CASE("a due prune runs once per interval, and not while another process prunes") {
    TempDir root;
    const std::time_t now = std::time(nullptr);
    const auto old_file = root.path / "v2-1.0.0" / kTree1;
    // (A prune that empties the directory removes it: each refill makes it as the cache would.)
    const auto refill = [&] { put(format_dir(root.path, "v2-1.0.0") / kTree1, 10, now, 90 * kDay); };
    refill();
    const std::string r = root.path.string();

    // No prune yet: due.
    CHECK(prune_cache_when_due(r, limits(1 << 20), now).ran);
    CHECK_FALSE(fs::exists(old_file));
    CHECK(fs::exists(root.path / ".last-prune"));

    // Just pruned: not due, even with something to remove.
    refill();
    CHECK_FALSE(prune_cache_when_due(r, limits(1 << 20), now).ran);
    CHECK(fs::exists(old_file));

    // An interval later: due again.
    put(root.path / ".last-prune", 0, now, 2 * 3600);
    {
        // ... but another process holds the lock: it prunes, this one does not wait for it.
        const int held = ::open((root.path / ".last-prune").c_str(), O_RDWR);
        REQUIRE(held >= 0);
        REQUIRE(::flock(held, LOCK_EX) == 0);
        CHECK_FALSE(prune_cache_when_due(r, limits(1 << 20), now).ran);
        CHECK(fs::exists(old_file));
        ::close(held);
    }
    CHECK(prune_cache_when_due(r, limits(1 << 20), now).ran);
    CHECK_FALSE(fs::exists(old_file));

    // A stamp from the future (the clock was set back) does not hold pruning off.
    refill();
    put(root.path / ".last-prune", 0, now, -30 * kDay);
    CHECK(prune_cache_when_due(r, limits(1 << 20), now).ran);
    CHECK_FALSE(fs::exists(old_file));
}

TEST_CASE("a result cache that stored files prunes its directory; one that only read does not") {
    TempDir root;
    const std::time_t now = std::time(nullptr);
    const auto stale = format_dir(root.path, "v2-0.0.1-older") / kTree1;
    put(stale, 10, now, 60 * kDay);
    const std::string dir = root.path.string();
    {
        ag::ResultCache reader(dir);
        CHECK_FALSE(reader.load_result("no such key"));
    }
    CHECK(fs::exists(stale));
    CHECK_FALSE(fs::exists(root.path / ".last-prune"));
    {
        ag::ResultCache writer(dir);
        writer.store_result("the key", ag::EnvironmentResult{});
    }
    CHECK_FALSE(fs::exists(stale));
    CHECK_FALSE(fs::exists(stale.parent_path()));
    CHECK(ag::ResultCache(dir).load_result("the key"));
}

TEST_CASE("a cache file read back counts as used: its time moves to now, at most once a day") {
    TempDir root;
    const std::string dir = root.path.string();
    ag::ResultCache(dir).store_result("the key", ag::EnvironmentResult{});
    fs::path file;
    for (const auto& e : fs::recursive_directory_iterator(root.path))
        if (e.path().extension() == ".json") file = e.path();
    REQUIRE_FALSE(file.empty());
    const std::time_t now = std::time(nullptr);

    const struct timespec hours_ago[2] = {{now - 3600, 0}, {now - 3600, 0}};
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), hours_ago, 0) == 0);
    REQUIRE(ag::ResultCache(dir).load_result("the key"));
    CHECK(mtime_of(file) == now - 3600);  // read within the day: left alone

    const struct timespec days_ago[2] = {{now - 3 * kDay, 0}, {now - 3 * kDay, 0}};
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), days_ago, 0) == 0);
    REQUIRE(ag::ResultCache(dir).load_result("the key"));
    CHECK(mtime_of(file) >= now);
}

TEST_CASE("cache sizes read as git writes them") {
    using ag::result_cache_size;
    CHECK(result_cache_size("1024") == 1024u);
    CHECK(result_cache_size("512m") == uint64_t{512} << 20);
    CHECK(result_cache_size("2G") == uint64_t{2} << 30);
    CHECK(result_cache_size("64k") == uint64_t{64} << 10);
    CHECK_FALSE(result_cache_size("0"));
    CHECK_FALSE(result_cache_size(""));
    CHECK_FALSE(result_cache_size("m"));
    CHECK_FALSE(result_cache_size("-5"));
    CHECK_FALSE(result_cache_size(" 5"));
    CHECK_FALSE(result_cache_size("12x"));
    CHECK_FALSE(result_cache_size("1.5g"));
    CHECK_FALSE(result_cache_size("99999999999999g"));
}
