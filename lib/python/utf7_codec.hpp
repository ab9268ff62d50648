#pragma once
// CPython 3.11's utf-7 decoder (RFC 2152, as Objects/unicodeobject.c reads it), for a coding
// cookie: the whole file with errors="strict". tests/python_compile/check_multibyte_codecs.py
// compares it with bytes.decode("utf-7").
#include "python/codecs.hpp"

#include <string>
#include <string_view>

namespace ag::py {

// Appends `bytes` decoded as bytes.decode("utf-7") decodes them to `out` as UTF-8 and returns
// true, or returns false with Python's first failure ('utf7' codec: "unexpected special
// character", "ill-formed sequence", "partial character in shift sequence", "non-zero padding
// bits in shift sequence", "unterminated shift sequence"). A UTF-16 surrogate that is not half
// of a pair is kept, as Python's str keeps it: as its three WTF-8 bytes.
bool decode_utf7(std::string_view bytes, std::string& out, CodecFailure& failure);

}  // namespace ag::py
