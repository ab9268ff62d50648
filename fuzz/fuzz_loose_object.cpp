// libFuzzer target: the loose object reader (lib/git/loose_object) over the file a push's
// quarantine could hold: the input is the whole file objects/<2 hex>/<38 hex>. Invariant:
// never crashes, never throws, never reads outside the mapping (ASan); and whatever it
// accepts, libgit2 reads from the same file as the same type and the same bytes (hash
// verification off, as the reader does not hash: the caller trusts the object's name).
#include "fuzz_common.hpp"
#include "git/loose_object.hpp"

#include <git2.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

namespace {

// A directory of this process's own, removed at exit (kept in a plain array: the exit
// handler runs after static strings are destroyed).
char g_dir[64];
const char* objects_dir() {
    if (!g_dir[0]) {
        std::snprintf(g_dir, sizeof g_dir, "/tmp/ag-fuzz-loose-XXXXXX");
        if (!::mkdtemp(g_dir)) ag::fuzz::fail("mkdtemp failed");
        if (std::system(("mkdir -p '" + std::string(g_dir) + "/ab'").c_str()) != 0) ag::fuzz::fail("mkdir failed");
        std::atexit([] { (void)std::system(("rm -rf '" + std::string(g_dir) + "'").c_str()); });
        git_libgit2_init();
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
        git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    }
    return g_dir;
}

constexpr const char* kId = "ab0123456789abcdef0123456789abcdef012345";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string dir = objects_dir();
    const std::string path = dir + "/ab/" + (kId + 2);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) ag::fuzz::fail("cannot write", path);
    if (size && std::fwrite(data, 1, size, f) != size) ag::fuzz::fail("short write", path);
    std::fclose(f);
    git_oid id;
    if (git_oid_fromstr(&id, kId) != 0) ag::fuzz::fail("bad test id");
    for (const git_object_t want : {GIT_OBJECT_BLOB, GIT_OBJECT_TREE, GIT_OBJECT_COMMIT, GIT_OBJECT_TAG}) {
        std::string out;
        bool ok = false;
        ag::fuzz::never_throws("read_loose_object", [&] { ok = ag::read_loose_object(dir, id, want, out); });
        if (!ok) continue;
        // What the reader accepted, libgit2 reads the same (a fresh object database: no cache).
        git_odb* odb = nullptr;
        if (git_odb_open(&odb, dir.c_str()) != 0) ag::fuzz::fail("git_odb_open", dir);
        git_odb_object* obj = nullptr;
        const int rc = git_odb_read(&obj, odb, &id);
        const git_error* e = git_error_last();
        AG_FUZZ_CHECK(rc == 0, e && e->message ? e->message : "libgit2 refuses what the reader accepted");
        AG_FUZZ_CHECK(git_odb_object_type(obj) == want, "the same type");
        AG_FUZZ_CHECK(git_odb_object_size(obj) == out.size(), "the same size");
        AG_FUZZ_CHECK(std::memcmp(git_odb_object_data(obj), out.data(), out.size()) == 0, "the same bytes");
        git_odb_object_free(obj);
        git_odb_free(odb);
    }
    return 0;
}
