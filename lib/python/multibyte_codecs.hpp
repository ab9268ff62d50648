#pragma once
// CPython 3.11's CJK codecs (Modules/cjkcodecs) as a coding cookie uses them: the whole file
// decoded with errors="strict". The tables are read out of Python's own codecs by
// tools/gen_cjk_codec_tables.py; tests/python_compile/check_multibyte_codecs.py compares this
// decoder with bytes.decode() on every one- and two-byte sequence and on random files.
#include <cstddef>
#include <string>
#include <string_view>

namespace ag::py {

// Where a codec stopped, in the terms of Python's UnicodeDecodeError.
struct CodecFailure {
    size_t start = 0;         // the first byte of the sequence Python names
    size_t end = 0;           // one past its last
    std::string_view reason;  // Python's, e.g. "illegal multibyte sequence"
};

// Whether decode_multibyte knows the codec `name` (codecs.lookup(...).name).
bool has_multibyte_decoder(std::string_view name);

// Appends `bytes` decoded as Python's codec `name` decodes them (bytes.decode(name)) to `out`
// as UTF-8, and returns true; or returns false with what Python's decoder reports first
// (`out` then holds what came before it). Sequences may decode to two code points or to one
// outside the BMP; none decodes to a surrogate. `name` must be one has_multibyte_decoder()
// knows.
bool decode_multibyte(std::string_view name, std::string_view bytes, std::string& out, CodecFailure& failure);

// Python's message for a failure of the codec whose exceptions say `encoding`: "'gbk' codec
// can't decode byte 0x81 in position 19: illegal multibyte sequence" (or "bytes in position
// 19-20" for more than one byte).
std::string codec_failure_message(std::string_view encoding, std::string_view bytes, const CodecFailure& failure);

}  // namespace ag::py
