// libFuzzer target: the pack reader (pack object headers, offset and reference deltas, the
// delta format, inflating) over a pack built from the input. Invariant: never crashes, never
// throws, never reads outside its mappings (ASan), and a blob it returns has the size its
// header declares.
//
// Input: byte 0 gives the object count n (1-16), the next 2n bytes each object's offset in
// the pack body (big-endian, taken modulo the body's length), the rest is the pack body. The
// harness writes "PACK" v2 + n + body + a zero trailer, and an index v2 naming the objects
// 00..01, 00..02, ... at those offsets, then reads every one.
#include "fuzz_common.hpp"
#include "git/pack_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

void put32(std::string& s, uint32_t v) {
    for (int k = 3; k >= 0; --k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
}

// A directory of this process's own, removed at exit (kept in a plain array: the exit
// handler runs after static strings are destroyed).
char g_dir[64];
const char* work_dir() {
    if (!g_dir[0]) {
        std::snprintf(g_dir, sizeof g_dir, "/tmp/ag-fuzz-pack-XXXXXX");
        if (!::mkdtemp(g_dir)) ag::fuzz::fail("mkdtemp failed");
        if (std::system(("mkdir -p '" + std::string(g_dir) + "/pack'").c_str()) != 0) ag::fuzz::fail("mkdir failed");
        std::atexit([] { (void)std::system(("rm -rf '" + std::string(g_dir) + "'").c_str()); });
    }
    return g_dir;
}

void write_file(const std::string& path, const std::string& bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) ag::fuzz::fail("cannot write", path);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const size_t n = data[0] % 16 + 1;
    if (size < 1 + 2 * n + 1) return 0;
    const std::string body(reinterpret_cast<const char*>(data + 1 + 2 * n), size - 1 - 2 * n);

    std::string pack = "PACK";
    put32(pack, 2);
    put32(pack, static_cast<uint32_t>(n));
    pack += body;
    pack += std::string(20, '\0');

    std::string idx = "\377tOc";
    put32(idx, 2);
    for (int k = 0; k < 256; ++k) put32(idx, static_cast<uint32_t>(n));  // every name starts with 00
    for (size_t i = 0; i < n; ++i) idx += std::string(19, '\0') + static_cast<char>(i + 1);
    for (size_t i = 0; i < n; ++i) put32(idx, 0);  // CRCs (not checked)
    for (size_t i = 0; i < n; ++i) {
        const uint32_t rel = (uint32_t{data[1 + 2 * i]} << 8 | data[2 + 2 * i]) % static_cast<uint32_t>(body.size());
        put32(idx, 12 + rel);
    }
    idx += std::string(40, '\0');

    const std::string dir = work_dir();
    write_file(dir + "/pack/p.pack", pack);
    write_file(dir + "/pack/p.idx", idx);
    ag::fuzz::never_throws("PackReader threw", [&] {
        const ag::PackReader reader(dir);
        AG_FUZZ_CHECK(reader.pack_count() == 1, "the harness's pack was refused");
        for (size_t i = 0; i < n; ++i) {
            git_oid id{};
            id.id[19] = static_cast<unsigned char>(i + 1);
            std::string out;
            (void)reader.read_blob(id, out);
        }
    });
    return 0;
}
