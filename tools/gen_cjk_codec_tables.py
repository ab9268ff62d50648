#!/usr/bin/python3
"""Generates lib/python/cjk_codec_tables.inc: the decoding tables of CPython's stateless CJK
codecs (Modules/cjkcodecs), read out of the codecs of the interpreter that runs this script
(Debian 12's /usr/bin/python3, CPython 3.11), for lib/python/multibyte_codecs.cpp.

    /usr/bin/python3 tools/gen_cjk_codec_tables.py > lib/python/cjk_codec_tables.inc

Nothing here is written by hand from a standard: every table is what bytes.decode() answers.
The codecs read a sequence byte by byte, and what a byte means depends only on the bytes of the
sequence before it, so each codec is a trie probed from Python:

  * a row holds what each byte means after a prefix: a code point (a sequence complete), an
    illegal sequence of one byte, a child row (a longer prefix), or "special" (two code points,
    a code point outside the BMP, an illegal sequence of more than one byte; looked up by the
    whole sequence in a sorted list). Bytes outside [lo, hi] are illegal sequences of one byte.
  * `need` is how many bytes, counted from the sequence's first, the codec requires before it
    reads the byte a row indexes (CPython's REQUIRE_INBUF): fewer left is "incomplete multibyte
    sequence" over the rest of the input, whatever those bytes are (euc_jp's 0x8f asks for 3
    before it looks at the second).
  * two families are algorithms, not tries, in CPython too: gb18030's four-byte sequences
    (a second byte '0'..'9'; BMP ranges below, U+10000.. linear) and euc_kr's eight-byte
    KS X 1001:1998 Annex 3 make-up sequences (0xA4 0xD4 ...). Their data is probed here too.

Rows are uint16 arrays in one pool; a row equal to a run of the pool already written is not
written again (gbk's rows are runs of gb18030's, gb2312's of gbk's). main() checks the tables
with a Python model of lib/python/multibyte_codecs.cpp against bytes.decode() on every one- and
two-byte sequence and on random strings before writing anything;
tests/python_compile/check_multibyte_codecs.py checks the C++ itself.
"""
import array
import random
import sys

# codecs.lookup(name).name of each codec decoded with these tables, largest of each family
# first so the smaller ones find their rows in the pool.
CODECS = ["gb18030", "gbk", "gb2312", "big5hkscs", "cp950", "big5", "cp932", "shift_jis",
          "shift_jis_2004", "shift_jisx0213", "euc_jis_2004", "euc_jisx0213", "euc_jp", "cp949",
          "euc_kr", "johab"]

ILLEGAL = 0xFFFE  # an illegal sequence of one byte
SPECIAL = 0xFFFF  # look the sequence up in the codec's specials
CHILD = 0xD800    # + row index (from the codec's first row): a longer prefix
MAX_ROWS = 0x800  # CHILD .. 0xDFFF: surrogates, which no codec here decodes to
FILLER = 0x0A     # '\n': no sequence of these codecs goes on with it
ILLEGAL_REASON = "illegal multibyte sequence"
INCOMPLETE_REASON = "incomplete multibyte sequence"

GB18030_DIGITS = range(0x30, 0x3A)
GB18030_BMP_SEQUENCES = 39420  # four-byte sequences 0x81308130.. that stand for BMP code points
EUC_KR_MAKEUP = (0xA4, 0xD4)


def probe(name, data):
    try:
        return ("ok", data.decode(name))
    except UnicodeDecodeError as e:
        assert e.reason in (ILLEGAL_REASON, INCOMPLETE_REASON), (name, data, e)
        return ("incomplete" if e.reason == INCOMPLETE_REASON else "illegal", e.start, e.end)


def handled_by_algorithm(name, seq):
    if name == "gb18030" and len(seq) == 2 and seq[1] in GB18030_DIGITS:
        return True
    return name == "euc_kr" and tuple(seq) == EUC_KR_MAKEUP


def need_of(name, prefix):
    """How many bytes from the sequence start the codec wants before reading past `prefix`."""
    for extra in range(1, 9):
        result = probe(name, prefix + bytes([FILLER]) * extra)
        if result[0] != "incomplete":
            assert result[1] == 0, (name, prefix, result)
            return len(prefix) + extra
    raise AssertionError("no end to %r in %s" % (prefix, name))


class Trie:
    def __init__(self, name):
        self.name = name
        self.rows = []      # [lo, hi, need, values]
        self.specials = {}  # sequence -> (first, second); first == 0: illegal of `second` bytes
        self.build(b"", 1)

    def value(self, seq, chars):
        """The pool entry for a sequence that decodes to `chars`."""
        if len(chars) == 1 and ord(chars) < 0x10000:
            cp = ord(chars)
            assert not (0xD800 <= cp <= 0xDFFF) and cp not in (ILLEGAL, SPECIAL), (self.name, seq, cp)
            return cp
        assert len(chars) in (1, 2) and all(not (0xD800 <= ord(c) <= 0xDFFF) for c in chars), (self.name, seq)
        self.specials[seq] = (ord(chars[0]), ord(chars[1]) if len(chars) == 2 else 0)
        return SPECIAL

    def illegal(self, seq, size):
        if size == 1:
            return ILLEGAL
        self.specials[seq] = (0, size)
        return SPECIAL

    def build(self, prefix, need):
        index = len(self.rows)
        assert index < MAX_ROWS
        self.rows.append(None)
        values = {}
        for b in range(256):
            seq = prefix + bytes([b])
            if handled_by_algorithm(self.name, seq):
                continue  # the row keeps ILLEGAL; the decoder never reads it
            pad = max(0, need - len(seq))
            result = probe(self.name, seq + bytes([FILLER]) * pad)
            if result[0] == "ok":
                text = result[1]
                assert text.endswith("\n" * pad), (self.name, seq)
                values[b] = self.value(seq, text[:len(text) - pad])
            elif result[0] == "illegal" and pad == 0:
                assert result[1] == 0, (self.name, seq, result)
                values[b] = self.illegal(seq, result[2])
            elif result[0] == "illegal":
                # The filler may be what is illegal: a longer prefix when some byte goes on.
                assert result[1] == 0, (self.name, seq, result)
                goes_on = [u for u in range(256) if probe(self.name, seq + bytes([u]) + bytes([FILLER]) * (pad - 1))
                           not in (("illegal", 0, 1), ("illegal", 0, result[2]))]
                if goes_on:
                    values[b] = CHILD + self.build(seq, need)
                else:
                    values[b] = self.illegal(seq, result[2])
            else:
                assert result[1] == 0 and pad == 0, (self.name, seq, result)
                values[b] = CHILD + self.build(seq, need_of(self.name, seq))
        kept = [b for b, v in values.items() if v != ILLEGAL]
        lo, hi = (min(kept), max(kept)) if kept else (1, 0)
        self.rows[index] = [lo, hi, need, [values.get(b, ILLEGAL) for b in range(lo, hi + 1)]]
        return index


def gb18030_ranges():
    """[(first sequence index, first code point)] for the BMP four-byte sequences: index i
    decodes to first + (i - base) of the last range whose base <= i."""
    ranges = []
    for i in range(GB18030_BMP_SEQUENCES):
        seq = bytes([0x81 + i // 12600, 0x30 + i // 1260 % 10, 0x81 + i // 10 % 126, 0x30 + i % 10])
        text = seq.decode("gb18030")
        assert len(text) == 1 and ord(text) < 0x10000 and not 0xD800 <= ord(text) <= 0xDFFF, (seq, text)
        if not ranges or ranges[-1][1] + (i - ranges[-1][0]) != ord(text):
            ranges.append((i, ord(text)))
    return ranges


def euc_kr_makeup():
    """The jamo index of each byte 0xA1..0xD4 as the initial, medial and final of a make-up
    sequence, 0xFF where it cannot be one (probed with the other two fixed to valid bytes)."""
    def syllable(x, y, z):
        r = probe("euc_kr", bytes([0xA4, 0xD4, 0xA4, x, 0xA4, y, 0xA4, z]))
        return ord(r[1]) - 0xAC00 if r[0] == "ok" else None

    initial = [(s // 588 if s is not None else 0xFF) for s in (syllable(b, 0xBF, 0xD4) for b in range(0xA1, 0xD5))]
    medial = [(s // 28 % 21 if s is not None else 0xFF) for s in (syllable(0xA1, b, 0xD4) for b in range(0xA1, 0xD5))]
    final = [(s % 28 if s is not None else 0xFF) for s in (syllable(0xA1, 0xBF, b) for b in range(0xA1, 0xD5))]
    return initial, medial, final


class Model:
    """lib/python/multibyte_codecs.cpp in Python: ("ok", text) or (reason, start, end)."""

    def __init__(self, name, trie, ranges, makeup):
        self.name, self.trie, self.ranges, self.makeup = name, trie, ranges, makeup

    def decode(self, data):
        out = []
        p = 0
        n = len(data)
        rows = self.trie.rows
        while p < n:
            row = rows[0]
            d = 0
            while True:
                lo, hi, need, values = row
                if n - p < need:
                    return ("incomplete", p, n)
                b = data[p + d]
                if self.name == "gb18030" and d == 1 and b in GB18030_DIGITS:
                    r = self.four_byte(data, p)
                    if r[0] != "ok":
                        return r
                    out.append(r[1])
                    p += 4
                    break
                if self.name == "euc_kr" and d == 1 and (data[p], b) == EUC_KR_MAKEUP:
                    if n - p < 8:
                        return ("incomplete", p, n)
                    r = self.syllable(data[p:p + 8])
                    if r is None:
                        return ("illegal", p, p + 1)
                    out.append(r)
                    p += 8
                    break
                v = values[b - lo] if lo <= b <= hi else ILLEGAL
                if v == ILLEGAL:
                    return ("illegal", p, p + 1)
                if CHILD <= v < CHILD + MAX_ROWS:
                    row = rows[v - CHILD]
                    d += 1
                    continue
                if v == SPECIAL:
                    first, second = self.trie.specials[bytes(data[p:p + d + 1])]
                    if first == 0:
                        return ("illegal", p, p + second)
                    out.append(chr(first) + (chr(second) if second else ""))
                else:
                    out.append(chr(v))
                p += d + 1
                break
        return ("ok", "".join(out))

    def four_byte(self, data, p):
        if len(data) - p < 4:
            return ("incomplete", p, len(data))
        c1, c2, c3, c4 = data[p:p + 4]
        if not (0x81 <= c1 <= 0xFE and 0x81 <= c3 <= 0xFE and c4 in GB18030_DIGITS):
            return ("illegal", p, p + 1)
        i = (((c1 - 0x81) * 10 + c2 - 0x30) * 126 + c3 - 0x81) * 10 + c4 - 0x30
        if i < GB18030_BMP_SEQUENCES:
            base, first = [r for r in self.ranges if r[0] <= i][-1]
            return ("ok", chr(first + i - base))
        if c1 >= 0x90 and 0x10000 + i - 15 * 12600 <= 0x10FFFF:
            return ("ok", chr(0x10000 + i - 15 * 12600))
        return ("illegal", p, p + 1)

    def syllable(self, seq):
        initial, medial, final = self.makeup
        if seq[2] != 0xA4 or seq[4] != 0xA4 or seq[6] != 0xA4:
            return None
        jamo = [table[b - 0xA1] if 0xA1 <= b <= 0xD4 else 0xFF for table, b in zip(self.makeup, seq[3::2])]
        if 0xFF in jamo:
            return None
        return chr(0xAC00 + jamo[0] * 588 + jamo[1] * 28 + jamo[2])


def verify(name, model, rng):
    def same(data):
        want = probe(name, data)
        got = model.decode(data)
        assert got == want, (name, data.hex(), want, got)

    for a in range(256):
        same(bytes([a]))
        for b in range(256):
            same(bytes([a, b]))
    prefixes = [bytes([a]) for a in range(0x80, 0x100)]
    for _ in range(20000):
        # Random strings of lead-ish and trail-ish bytes, and the three-byte sequences.
        length = rng.randrange(1, 12)
        data = bytes(rng.choice((rng.randrange(0x80, 0x100), rng.randrange(0x20, 0x80), 0x0A)) for _ in range(length))
        same(data)
        same(rng.choice(prefixes) + bytes([rng.randrange(256), rng.randrange(256)]))
    if name.startswith("euc_j"):
        for b in range(256):
            for c in range(256):
                same(bytes([0x8F, b, c]))
    if name == "euc_kr":
        for x in range(0xA0, 0xD6):
            for y in range(0xA0, 0xD6):
                for z in range(0xA0, 0xD6):
                    same(bytes([0xA4, 0xD4, 0xA4, x, 0xA4, y, 0xA4, z]))
        for _ in range(5000):
            seq = bytearray([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, 0xD4])
            seq[rng.randrange(2, 8)] = rng.randrange(256)
            same(bytes(seq[:rng.randrange(2, 9)]))
    if name == "gb18030":
        for a in list(range(0x80, 0x86)) + list(range(0x8E, 0x92)) + list(range(0xE2, 0x100)) + [0xA0, 0xC0]:
            for b in GB18030_DIGITS:
                for c in range(0x80, 0x100):
                    for d in list(GB18030_DIGITS) + [0x2F, 0x3A, 0x80]:
                        same(bytes([a, b, c, d]))
                same(bytes([a, b]))
                same(bytes([a, b, 0x81]))


def hex_lines(values, per_line, fmt):
    for i in range(0, len(values), per_line):
        yield "    " + " ".join(fmt % v for v in values[i:i + per_line])


def main():
    rng = random.Random(263)
    tries = {name: Trie(name) for name in CODECS}
    ranges = gb18030_ranges()
    makeup = euc_kr_makeup()
    for name in CODECS:
        verify(name, Model(name, tries[name], ranges, makeup), rng)

    pool = array.array("H")
    pool_bytes = bytearray()
    rows_out = []     # (offset, lo, hi, need)
    specials_out = []
    codecs_out = []
    for name in CODECS:
        trie = tries[name]
        first_row = len(rows_out)
        for lo, hi, need, values in trie.rows:
            run = array.array("H", values).tobytes()
            at = pool_bytes.find(run) if run else 0
            while at > 0 and at % 2:
                at = pool_bytes.find(run, at + 1)
            if at < 0:
                at = len(pool_bytes)
                pool_bytes += run
                pool.extend(values)
            rows_out.append((at // 2, lo, hi, need))
        first_special = len(specials_out)
        for seq, (first, second) in sorted(trie.specials.items(), key=lambda s: int.from_bytes(s[0], "big")):
            assert len(seq) <= 4
            specials_out.append((int.from_bytes(seq, "big"), first, second))
        algorithm = {"gb18030": "Gb18030FourByte", "euc_kr": "EucKrMakeUp"}.get(name, "None")
        codecs_out.append((name, first_row, first_special, len(specials_out), algorithm))

    out = ["// Generated by tools/gen_cjk_codec_tables.py from CPython %s; do not edit." % sys.version.split()[0],
           "// NOLINTBEGIN",
           "// %d rows of %d codecs; a row's entries are a run of the pool." % (len(rows_out), len(CODECS)),
           "constexpr uint16_t kPool[] = {"]
    out += hex_lines(list(pool), 12, "0x%04X,")
    out.append("};")
    out.append("constexpr Row kRows[] = {")
    out += ["    {%d, 0x%02X, 0x%02X, %d}," % r for r in rows_out]
    out.append("};")
    out.append("// Sorted by sequence within each codec; first == 0: an illegal sequence of `second` bytes.")
    out.append("constexpr Special kSpecials[] = {")
    out += ["    {0x%X, 0x%X, 0x%X}," % s for s in specials_out]
    out.append("};")
    out.append("// gb18030's four-byte sequences below %d (BMP): index i decodes to" % GB18030_BMP_SEQUENCES)
    out.append("// first + (i - base) of the last range whose base <= i.")
    out.append("constexpr Gb18030Range kGb18030Ranges[] = {")
    out += hex_lines(ranges, 6, "{%d, 0x%04X},")
    out.append("};")
    out.append("// euc_kr make-up sequences: the jamo index of bytes 0xA1..0xD4 as initial, medial, final;")
    out.append("// 0xFF: not one.")
    for label, table in zip(("Initial", "Medial", "Final"), makeup):
        out.append("constexpr uint8_t kMakeUp%s[] = {" % label)
        out += hex_lines(table, 13, "0x%02X,")
        out.append("};")
    out.append("// By name.")
    out.append("constexpr CjkCodec kCjkCodecs[] = {")
    for name, first_row, first_special, end_special, algorithm in sorted(codecs_out):
        out.append('    {"%s", %d, %d, %d, Algorithm::%s},' % (name, first_row, first_special, end_special, algorithm))
    out.append("};")
    out.append("// NOLINTEND")
    sys.stdout.write("\n".join(out) + "\n")
    print("%d pool entries, %d rows, %d specials, %d gb18030 ranges" % (len(pool), len(rows_out), len(specials_out),
                                                                         len(ranges)), file=sys.stderr)


if __name__ == "__main__":
    main()
