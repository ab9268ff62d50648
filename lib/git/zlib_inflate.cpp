#include "git/zlib_inflate.hpp"

#include <libdeflate.h>

namespace ag {

namespace {

// One decompressor per thread: allocating one costs more than inflating a small delta.
libdeflate_decompressor* thread_decompressor() {
    struct Owner {
        libdeflate_decompressor* d = libdeflate_alloc_decompressor();
        ~Owner() {
            if (d) libdeflate_free_decompressor(d);
        }
    };
    thread_local Owner owner;
    return owner.d;
}

}  // namespace

bool inflate_exactly(const unsigned char* in, size_t in_size, uint64_t size, std::string& out, size_t* consumed) {
    // Deflate expands at most 1032 to 1.
    if (size > uint64_t{in_size} * 1032 + 64) return false;
    libdeflate_decompressor* d = thread_decompressor();
    if (!d) return false;
    out.resize(static_cast<size_t>(size));
    size_t in_used = 0, out_used = 0;
    const auto r = libdeflate_zlib_decompress_ex(d, in, in_size, out.data(), out.size(), &in_used, &out_used);
    if (consumed) *consumed = in_used;
    return r == LIBDEFLATE_SUCCESS && out_used == out.size();
}

}  // namespace ag
