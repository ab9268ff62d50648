#pragma once
// What the codec tests compare with CPython 3.11's bytes.decode(): a whole file decoded the way a
// coding cookie has it decoded (find_codec, then decode_whole).
#include "python/codecs.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace ag::py::test {

// `bytes` decoded as UTF-8; the test fails where the codec fails.
inline std::string decoded(std::string_view codec, std::string_view bytes) {
    std::string out;
    CodecFailure failure;
    CAPTURE(codec);
    REQUIRE(decode_whole(find_codec(codec), bytes, out, failure));
    return out;
}

// Python's str() of the UnicodeDecodeError; the test fails where the codec decodes.
inline std::string failure_of(std::string_view codec, std::string_view bytes) {
    std::string out;
    CodecFailure failure;
    CAPTURE(codec);
    REQUIRE_FALSE(decode_whole(find_codec(codec), bytes, out, failure));
    CHECK_FALSE(failure.runtime_error);
    return codec_failure_message(bytes, failure);
}

}  // namespace ag::py::test
