#pragma once
// Inflating one zlib stream of a known size with libdeflate: pack objects and loose objects
// alike declare their inflated size up front, so the output buffer is allocated once.
#include <cstddef>
#include <cstdint>
#include <string>

namespace ag {

// Inflates the zlib stream at `in` (at most `in_size` bytes; it may end sooner) into `out`,
// which becomes exactly `size` bytes long. False when the stream is damaged or inflates to
// any other size, or when `size` is more than deflate could expand `in_size` bytes to (a
// damaged header's size must not become an allocation). Safe from several threads: each
// has a decompressor of its own. `consumed`, when given, is set to the bytes the stream took.
bool inflate_exactly(const unsigned char* in, size_t in_size, uint64_t size, std::string& out,
                     size_t* consumed = nullptr);

}  // namespace ag
