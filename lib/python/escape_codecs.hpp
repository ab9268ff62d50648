#pragma once
// CPython 3.11's unicode_escape and raw_unicode_escape decoders, for a coding cookie: the
// whole file with errors="strict", backslash escapes read before the tokenizer sees the text
// (so "\u000a" in a comment is a newline). tests/python_compile/check_multibyte_codecs.py
// compares them with bytes.decode().
#include "python/codecs.hpp"

#include <string>
#include <string_view>

namespace ag::py {

// Appends `bytes` decoded as bytes.decode("unicode_escape") decodes them to `out` as UTF-8 and
// returns true, or returns false with Python's first failure ('unicodeescape' codec). Bytes
// other than escapes are Latin-1; "\uD800" gives a lone surrogate, kept as its three WTF-8
// bytes; an escape Python does not know ("\q", "\8") is kept, backslash and all, as Python
// keeps it (with a DeprecationWarning, which does not stop the import).
bool decode_unicode_escape(std::string_view bytes, std::string& out, CodecFailure& failure);

// The same for bytes.decode("raw_unicode_escape") ('rawunicodeescape' codec): only \uXXXX and
// \UXXXXXXXX are escapes, and only after an odd run of backslashes.
bool decode_raw_unicode_escape(std::string_view bytes, std::string& out, CodecFailure& failure);

}  // namespace ag::py
