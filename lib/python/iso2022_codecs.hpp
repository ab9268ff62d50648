#pragma once
// CPython 3.11's ISO-2022 codecs (Modules/cjkcodecs/_codecs_iso2022.c) as a coding cookie uses
// them: the whole file decoded with errors="strict". iso2022_jp, iso2022_jp_1, iso2022_jp_2,
// iso2022_jp_2004, iso2022_jp_3 and iso2022_jp_ext designate character sets with escape
// sequences ("ESC $ B", "ESC ( J", ...); iso2022_kr designates KS X 1001 into G1 and shifts to
// it with SO and back with SI; a newline shifts back too. The character sets are the EUC
// codecs' tables (multibyte_codecs.hpp) with a few cells read out of Python's codecs
// (tools/gen_iso2022_codec_tables.py). tests/python_compile/check_multibyte_codecs.py compares
// this decoder with bytes.decode() on every escape sequence and every one- and two-byte
// sequence after each designation, and on random files.
#include "python/codecs.hpp"

#include <string>
#include <string_view>

namespace ag::py {

// Whether `name` (codecs.lookup(...).name) is one of the seven ISO-2022 codecs.
bool is_iso2022_codec(std::string_view name);

// Appends `bytes` decoded as bytes.decode(name) decodes them to `out` as UTF-8 and returns
// true; or returns false with what Python reports first (`out` then holds what came before
// it): a UnicodeDecodeError ("illegal multibyte sequence", "incomplete multibyte sequence";
// `failure.encoding` is `name`), or, for iso2022_jp_2's single shift "ESC N" while G2 holds
// JIS X 0201 Roman, the RuntimeError "internal codec error" (`failure.runtime_error`, `start`
// at the ESC, `end` after the N). Decodes to no surrogate. `name` must be one
// is_iso2022_codec() knows.
bool decode_iso2022(std::string_view name, std::string_view bytes, std::string& out, CodecFailure& failure);

}  // namespace ag::py
