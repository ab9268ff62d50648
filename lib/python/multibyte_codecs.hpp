#pragma once
// CPython 3.11's CJK codecs (Modules/cjkcodecs) as a coding cookie uses them: the whole file
// decoded with errors="strict". The stateless ones by tables read out of Python's own codecs
// (tools/gen_cjk_codec_tables.py); hz, GB2312 between "~{" and "~}", with gb2312's table; the
// ISO-2022 codecs (iso2022_codecs.hpp), with the EUC codecs' tables.
// tests/python_compile/check_multibyte_codecs.py compares this decoder with bytes.decode() on
// every one- and two-byte sequence and on random files.
#include "python/codecs.hpp"

#include <string>
#include <string_view>

namespace ag::py {

// Whether decode_multibyte knows the codec `name` (codecs.lookup(...).name).
bool has_multibyte_decoder(std::string_view name);

// Appends `bytes` decoded as Python's codec `name` decodes them (bytes.decode(name)) to `out`
// as UTF-8, and returns true; or returns false with what Python's decoder reports first
// (`out` then holds what came before it); `failure.encoding` is `name`. Sequences may decode
// to two code points or to one outside the BMP; none decodes to a surrogate. iso2022_jp_2 can
// fail with a RuntimeError instead (iso2022_codecs.hpp). `name` must be one
// has_multibyte_decoder() knows.
bool decode_multibyte(std::string_view name, std::string_view bytes, std::string& out, CodecFailure& failure);

}  // namespace ag::py
