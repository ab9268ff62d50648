#!/usr/bin/python3
"""Generates lib/python/iso2022_codec_tables.inc: what the character sets of CPython's ISO-2022
codecs (Modules/cjkcodecs/_codecs_iso2022.c: iso2022_jp, _jp_1, _jp_2, _jp_2004, _jp_3, _jp_ext,
iso2022_kr) decode a byte or a pair of bytes to, read out of the codecs of the interpreter that
runs this script (Debian 12's /usr/bin/python3, CPython 3.11), for lib/python/iso2022_codecs.cpp.

    /usr/bin/python3 tools/gen_iso2022_codec_tables.py > lib/python/iso2022_codec_tables.inc

Nothing here is written by hand from a standard: every entry is what bytes.decode() answers.

  * A double-byte set (JIS X 0208, JIS X 0212, KS X 1001, GB 2312, the JIS X 0213 planes) is
    not written out again: each is the cell (c1, c2) of an EUC codec lib/python already
    decodes (tools/gen_cjk_codec_tables.py), the bytes c1|0x80 c2|0x80 after an optional
    prefix (0x8f for a second plane), for 0x21 <= c1, c2 <= 0x7e. EUC-JIS-2004 and
    EUC-JISX0213 fall back to JIS X 0212 after 0x8f where the ISO-2022 plane 2 does not, so
    plane 2 leaves out what euc_jp decodes after 0x8f. Every cell where that rule and the
    ISO-2022 codec disagree is an override below (c1 may be 0x20..0x7f and c2 any byte there:
    the codec hands both bytes to the set as they are).
  * The one-byte sets (JIS X 0201 Roman and Katakana: bytes 0x20..0x7f) and the three sets
    iso2022_jp_2 reads after a single shift "ESC N" (ISO 8859-1, ISO 8859-7, ASCII: any third
    byte) are small tables.

main() checks every cell of every set against the codec before writing anything;
tests/python_compile/check_multibyte_codecs.py checks the C++ decoder itself.
"""
import sys

ESC = b"\x1b"
UNMAPPABLE = 0xFFFF

# (enum name in iso2022_codecs.cpp, a codec that designates the set, the escape sequence that
#  designates it and shifts to it, the EUC codec holding it, the prefix of its cells there,
#  the EUC codec and prefix whose cells the set leaves out)
DOUBLE_BYTE = [
    ("JisX0208", "iso2022_jp", ESC + b"$B", "euc_jp", b"", None, b""),
    ("JisX0212", "iso2022_jp_1", ESC + b"$(D", "euc_jp", b"\x8f", None, b""),
    ("KsX1001", "iso2022_kr", ESC + b"$)C\x0e", "cp949", b"", None, b""),
    ("Gb2312", "iso2022_jp_2", ESC + b"$A", "gb2312", b"", None, b""),
    ("JisX0213_2000_1", "iso2022_jp_3", ESC + b"$(O", "euc_jisx0213", b"", None, b""),
    ("JisX0213_2000_2", "iso2022_jp_3", ESC + b"$(P", "euc_jisx0213", b"\x8f", "euc_jp", b"\x8f"),
    ("JisX0213_2004_1", "iso2022_jp_2004", ESC + b"$(Q", "euc_jis_2004", b"", None, b""),
    ("JisX0213_2004_2", "iso2022_jp_2004", ESC + b"$(P", "euc_jis_2004", b"\x8f", "euc_jp", b"\x8f"),
]
# (table name, codec, escape sequence) for the one-byte sets, bytes 0x20..0x7f.
SINGLE_BYTE = [
    ("kJisX0201Roman", "iso2022_jp", ESC + b"(J"),
    ("kJisX0201Katakana", "iso2022_jp_ext", ESC + b"(I"),
]
# (table name, escape sequence designating G2 or none) for "ESC N x", any byte x.
SINGLE_SHIFT = [
    ("kG2Latin1", ESC + b".A"),
    ("kG2Greek", ESC + b".F"),
    ("kG2Ascii", b""),
]


def decode(codec, data):
    """The decoded text, or None when the codec fails."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def probe_cell(codec, escape, cell, width):
    """What the set designated by `escape` decodes `cell` to: text, or None when it is
    unmappable (Python names exactly the cell's bytes)."""
    data = escape + cell
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        assert (e.start, e.end, e.reason) == (len(escape), len(escape) + width, "illegal multibyte sequence"), \
            (codec, data, e)
        return None


def by_rule(euc, prefix, exclude, exclude_prefix, c1, c2):
    if not (0x21 <= c1 <= 0x7E and 0x21 <= c2 <= 0x7E):
        return None
    cell = bytes([c1 | 0x80, c2 | 0x80])
    if exclude is not None and decode(exclude, exclude_prefix + cell) is not None:
        return None
    return decode(euc, prefix + cell)


def code_points(text):
    """(first, second) for an override; (0, 0) when unmappable."""
    if text is None:
        return 0, 0
    assert len(text) in (1, 2) and all(not 0xD800 <= ord(c) <= 0xDFFF for c in text), text
    return ord(text[0]), ord(text[1]) if len(text) == 2 else 0


def hex_lines(values, per_line, fmt):
    for i in range(0, len(values), per_line):
        yield "    " + " ".join(fmt % v for v in values[i:i + per_line])


def one_char(text):
    if text is None:
        return UNMAPPABLE
    assert len(text) == 1 and ord(text) < UNMAPPABLE, text
    return ord(text)


def main():
    overrides = []
    mapped = {}
    for name, codec, escape, euc, prefix, exclude, exclude_prefix in DOUBLE_BYTE:
        count = 0
        for c1 in range(0x20, 0x80):
            for c2 in range(256):
                want = probe_cell(codec, escape, bytes([c1, c2]), 2)
                count += want is not None
                if by_rule(euc, prefix, exclude, exclude_prefix, c1, c2) != want:
                    overrides.append((name, c1 << 8 | c2) + code_points(want))
        mapped[name] = count
    singles = {}
    for name, codec, escape in SINGLE_BYTE:
        singles[name] = [one_char(probe_cell(codec, escape, bytes([c]), 1)) for c in range(0x20, 0x80)]
    shifts = {}
    for name, escape in SINGLE_SHIFT:
        table = []
        for c in range(256):
            # Python names the three bytes of "ESC N x" when x is illegal.
            data = escape + ESC + b"N" + bytes([c])
            try:
                table.append(one_char(data.decode("iso2022_jp_2")))
            except UnicodeDecodeError as e:
                assert (e.start, e.end) == (len(escape), len(escape) + 3), (data, e)
                table.append(UNMAPPABLE)
        shifts[name] = table

    out = ["// Generated by tools/gen_iso2022_codec_tables.py from CPython %s; do not edit." % sys.version.split()[0],
           "// NOLINTBEGIN",
           "// The double-byte sets as cells of EUC codecs (the set's cell c1 c2 is the EUC sequence",
           "// prefix, c1|0x80, c2|0x80, for 0x21 <= c1, c2 <= 0x7e), less the cells the third codec",
           "// decodes after the same prefix. Mapped cells: %s." % ", ".join("%s %d" % kv for kv in mapped.items()),
           "constexpr EucSource kEucSources[] = {"]
    for name, _, _, euc, prefix, exclude, exclude_prefix in DOUBLE_BYTE:
        out.append('    {Set::%s, "%s", "%s", "%s", "%s"},' % (
            name, euc, "".join("\\x%02X" % b for b in prefix), exclude or "",
            "".join("\\x%02X" % b for b in exclude_prefix)))
    out.append("};")
    out.append("// Where the set and that rule differ, by set and cell (c1 << 8 | c2); first == 0: unmappable.")
    out.append("constexpr Override kOverrides[] = {")
    out += ["    {Set::%s, 0x%04X, 0x%X, 0x%X}," % o for o in sorted(
        overrides, key=lambda o: ([d[0] for d in DOUBLE_BYTE].index(o[0]), o[1]))]
    out.append("};")
    out.append("// One-byte sets: bytes 0x20..0x7f; 0xFFFF: unmappable.")
    for name, table in singles.items():
        out.append("constexpr uint16_t %s[] = {" % name)
        out += hex_lines(table, 12, "0x%04X,")
        out.append("};")
    out.append("// What iso2022_jp_2 reads for \"ESC N x\" with G2 holding each set, by x; 0xFFFF: illegal.")
    for name, table in shifts.items():
        out.append("constexpr uint16_t %s[] = {" % name)
        out += hex_lines(table, 12, "0x%04X,")
        out.append("};")
    out.append("// NOLINTEND")
    sys.stdout.write("\n".join(out) + "\n")
    print("%d overrides; %s" % (len(overrides), mapped), file=sys.stderr)


if __name__ == "__main__":
    main()
