#!/usr/bin/python3
"""Generates lib/python/codec_tables.inc: what a PEP 263 coding cookie can name in CPython 3.11
(Debian 12's /usr/bin/python3) and, for single-byte codecs, the byte -> code point tables, for
lib/python/codecs.cpp.

    /usr/bin/python3 tools/gen_codec_tables.py > lib/python/codec_tables.inc

A cookie that is not utf-8 or latin-1 to the tokenizer reaches codecs.lookup(), whose search
function imports encodings.<module> by alias or by the normalized name. So this writes the two
tables that search consults (encodings.aliases.aliases; the importable codec modules) and what
each module does to a source file. tools/check_codecs.py checks the result against compile().
"""
import codecs
import encodings
import encodings.aliases
import importlib
import os
import pkgutil
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cjk_codec_tables  # noqa: E402  (the multi-byte codecs lib/python/multibyte_codecs.cpp decodes)

UNDEFINED = 0xFFFE  # what charmap decoding tables use for "no character"

# The ISO-2022 codecs lib/python/iso2022_codecs.cpp decodes (their character sets:
# tools/gen_iso2022_codec_tables.py).
ISO2022_CODECS = ["iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext",
                  "iso2022_kr"]

# Codecs (by codecs.lookup(...).name) lib/python decodes whole with code of its own, and the kind
# that says which.
DECODERS = dict({name: "MultiByte" for name in gen_cjk_codec_tables.CODECS + ISO2022_CODECS},
                hz="MultiByte", **{"utf-7": "Utf7", "unicode-escape": "UnicodeEscape",
                                   "raw-unicode-escape": "UnicodeEscape"})

# Text codecs whose decoding of a source file fails whatever the file holds, so compile() with
# them always raises.
ALWAYS_FAILS = {
    # "decoding with 'undefined' codec failed (UnicodeError: undefined encoding)"
    "undefined": "raises for any input",
    # The tokenizer hands the decoder the source with a final newline; punycode reads
    # everything after the last '-' (or all of it) as base-36 digits, and '\n' is none.
    "punycode": "the final newline is never a base-36 digit",
}


def single_byte_table(module_name, mod):
    """The 256-entry table, or None when the module is not a one-byte-one-character codec."""
    if not (hasattr(mod, "decoding_table") or hasattr(mod, "decoding_map")
            or module_name in ("ascii", "latin_1", "charmap")):
        return None
    name = mod.getregentry().name
    table = []
    for b in range(256):
        try:
            text = codecs.decode(bytes([b]), name)
        except UnicodeDecodeError:
            table.append(UNDEFINED)
            continue
        # One BMP character: codecs.cpp writes at most three UTF-8 bytes per byte.
        assert len(text) == 1 and ord(text) != UNDEFINED and ord(text) < 0x10000, (module_name, b)
        table.append(ord(text))
    # Stateless, byte by byte: any string decodes to its bytes' characters, or fails at the
    # first undefined one.
    rng = random.Random(263)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        bad = next((i for i, b in enumerate(data) if table[b] == UNDEFINED), None)
        try:
            text = codecs.decode(data, name)
            assert bad is None and text == "".join(chr(table[b]) for b in data), module_name
        except UnicodeDecodeError as e:
            assert e.start == bad, module_name
    return table


def module_kind(module_name, mod):
    info = mod.getregentry()
    if not info._is_text_encoding:
        return "NotText", None
    if module_name in ALWAYS_FAILS:
        for sample in (b"x = 1\n", b"# -*- coding: %s -*-\nx = 1\n" % module_name.encode(), b"-\n", b"a-b\n"):
            try:
                codecs.decode(sample, info.name)
            except UnicodeError:
                continue
            raise AssertionError("%s decoded %r" % (module_name, sample))
        return "NotText", None
    if info.name in ("utf-8", "utf-8-sig"):
        return "Utf8Codec", None
    if info.name in DECODERS:
        return DECODERS[info.name], None
    table = single_byte_table(module_name, mod)
    if table is not None:
        return "SingleByte", table
    return "Unsupported", None


def modules():
    """module name -> (kind, codec name, table) for every encodings.<module> search can use."""
    out = {}
    for info in pkgutil.iter_modules(encodings.__path__):
        try:
            mod = importlib.import_module("encodings." + info.name)
        except ImportError:
            continue  # mbcs and oem are Windows-only: "unknown encoding"
        if not hasattr(mod, "getregentry"):
            continue  # encodings.aliases: imported, then "not a codec module"
        kind, table = module_kind(info.name, mod)
        out[info.name] = (kind, mod.getregentry().name, table)
    return out


def hex_list(values, per_line, indent):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(indent + " ".join("0x%04X," % v for v in values[i : i + per_line]))
    return lines


def main():
    mods = modules()
    table_names = {}  # table contents -> C++ name; identical tables are written once
    out = ["// Generated by tools/gen_codec_tables.py from CPython %s; do not edit." % sys.version.split()[0]]
    out.append("// NOLINTBEGIN")
    # latin_1 first, so the table charmap and iso8859_1 share is named after it.
    for module_name, (kind, name, table) in sorted(mods.items(), key=lambda m: (m[0] != "latin_1", m[0])):
        if table is None or tuple(table) in table_names:
            continue
        var = "kTable_" + module_name
        table_names[tuple(table)] = var
        if table[:128] == list(range(128)):
            out.append("constexpr std::array<char32_t, 256> %s = ascii_then({" % var)
            out += hex_list(table[128:], 8, "    ")
            out.append("});")
        else:
            out.append("// Not ASCII below 0x80.")
            out.append("constexpr std::array<char32_t, 256> %s = {" % var)
            out += hex_list(table, 8, "    ")
            out.append("};")
    out.append("// The importable codec modules of the encodings package, by module name.")
    out.append("constexpr CodecModule kModules[] = {")
    for module_name, (kind, name, table) in sorted(mods.items()):
        pointer = table_names[tuple(table)] + ".data()" if table is not None else "nullptr"
        out.append('    {"%s", {CodecKind::%s, "%s", %s}},' % (module_name, kind, name, pointer))
    out.append("};")
    out.append("// encodings.aliases.aliases (keys with upper-case letters included: lookups lower-case")
    out.append("// the name first, so those never match).")
    out.append("constexpr CodecAlias kAliases[] = {")
    for alias, module_name in sorted(encodings.aliases.aliases.items()):
        out.append('    {"%s", "%s"},' % (alias, module_name))
    out.append("};")
    out.append("// NOLINTEND")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
