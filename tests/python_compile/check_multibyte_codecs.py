#!/usr/bin/python3
"""Differential test of the guard's whole-file decoders (lib/python/multibyte_codecs.cpp: the
CJK codecs and hz; iso2022_codecs.cpp; utf7_codec.cpp; escape_codecs.cpp) against CPython
3.11's own codecs and compile().

    check_multibyte_codecs.py --probe build/tests/python_compile/codec_probe \\
                              --pyscan build/tests/python_compile/pyscan [--files 3000] [--seed 1]

1. Sequences, through codec_probe, against bytes.decode(codec): for every codec, every one- and
   two-byte sequence; every euc_jp-family three-byte sequence led by 0x8f; gb18030's four-byte
   sequences (all of them around the BMP ranges, U+10000, U+10FFFF and the lead byte's ends,
   the others sampled) and euc_kr's eight-byte make-up sequences (every jamo byte triple
   0xa0..0xd5); for hz every pair after "~{"; for hz, utf-7 and the escape codecs every string
   of three to five bytes over the bytes they read specially (ALPHABETS), and random shift
   sequences, escapes and utf-7 text; random strings. For the ISO-2022 codecs: ESC followed by
   every byte, and by every pair of bytes after a byte that starts a designation or is the
   single shift N; every string of two to four bytes after ESC over the bytes designations
   use; every escape sequence of a designation's shape (ESC ( X, ESC ) X, ESC . X, ESC $ X,
   ESC $ ( X, ESC $ ) X, ESC & @ ESC $ X, ... for every final byte X) alone, cut at each length
   and followed by text; every one- and two-byte sequence after each escape sequence the codec
   accepts (and after SO for iso2022_kr; after ESC N for iso2022_jp_2's G2 sets); strings of
   SO, SI, ESC, newlines and printable bytes; random mixes of designations, shifts, newlines
   and text. The decoded text or the error (start, end and Python's message; Python's message
   for the RuntimeError iso2022_jp_2 raises on "ESC . J ESC N") must be the same.
2. Files, through pyscan, against compile(source_bytes, "m.py", "exec"): random migrations in
   each codec, with its text in comments and string literals, some mutated (a stray or cut
   sequence, a lead byte at the end, CRLF, no final newline). The verdict must be the same; a
   codec error must carry Python's message; every str assigned at module level must be the
   value Python's ast reads. A refusal counts as a mismatch unless CPython 3.11 decodes the
   file to a NUL or to text whose last line lost its newline (refused by design).

Prints the figures and "N passed, M failed"; exit 0 when nothing differs, 1 otherwise, 77 (skip)
when /usr/bin/python3 is missing -- except under CI=true, where that is a failure.
"""
import argparse
import ast
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore")  # unicode_escape's DeprecationWarning for "\8": not an error

PYTHON = "/usr/bin/python3"
CJK = ["gbk", "gb2312", "gb18030", "big5", "cp950", "big5hkscs", "cp932", "shift_jis", "shift_jis_2004",
       "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "euc_kr", "cp949", "johab"]
STATEFUL = ["hz", "utf_7", "unicode_escape", "raw_unicode_escape"]
ISO2022 = ["iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext",
           "iso2022_kr"]
CODECS = CJK + STATEFUL + ISO2022
B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Bytes each stateful codec reads specially, with a few it does not, for exhaustive short strings.
ALPHABETS = {"hz": b"~{}\n!0a\x80\xa1x", "utf_7": b"+-AB/D9 \n\x80",
             "unicode_escape": b"\\xuUN{}0a7F8\n\x80", "raw_unicode_escape": b"\\uU0aF8g\n\x80",
             "iso2022_kr": b"\x1b$)(C\x0e\x0f\n0!a\x80"}
for _codec in ISO2022[:-1]:
    ALPHABETS[_codec] = b"\x1b$(.&@BJN\n0!\x80"
ESC = b"\x1b"
# What follows ESC in a designation, before its final byte.
DESIGNATION_MIDDLES = [b"(", b")", b".", b"$", b"$(", b"$)", b"&@\x1b$", b"&@\x1b$(", b"&@\x1b("]
FINALS = bytes(range(0x40, 0x5B))  # '@' and 'A'..'Z': the bytes that end an escape sequence
NAMES = [b"LATIN SMALL LETTER A", b"latin small letter a", b"SNOWMAN", b"CJK UNIFIED IDEOGRAPH-4E2D",
         b"cjk unified ideograph-4e2d", b"HANGUL SYLLABLE GA", b"NULL", b"LINE FEED", b"BOM", b"NO SUCH NAME", b"",
         b"GREEK SMALL LETTER ALPHA ", b"\xe9", b"LATIN CAPITAL LETTER A WITH MACRON AND GRAVE"]


def ensure_system_python():
    if not os.path.exists(PYTHON):
        if os.environ.get("CI") == "true":
            print("FAIL: /usr/bin/python3 (Debian's CPython 3.11) is missing -- a skip is a failure under CI=true")
            return 1
        print("SKIP: /usr/bin/python3 (Debian's CPython 3.11) is missing")
        return 77
    if os.path.realpath(sys.executable) != os.path.realpath(PYTHON):
        os.execv(PYTHON, [PYTHON] + sys.argv)
    return None


def python_answer(codec, data):
    try:
        return "ok " + data.decode(codec).encode("utf-8", "surrogatepass").hex()
    except UnicodeDecodeError as e:
        return "err %d %d %s" % (e.start, e.end, e)
    except RuntimeError as e:  # iso2022_jp_2's "internal codec error"
        return "runtime %s" % e


def sequences(codec, rng):
    for a in range(256):
        yield bytes([a])
        for b in range(256):
            yield bytes([a, b])
    if codec.startswith("euc_j"):
        for b in range(256):
            for c in range(256):
                yield bytes([0x8F, b, c])
    if codec == "gb18030":
        # Every four-byte sequence around the BMP ranges, U+10000 and U+10FFFF and the lead
        # byte's ends; elsewhere every seventh third byte and the fourth's ends and middle.
        dense = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x8F, 0x90, 0xE3, 0xE4, 0xFE, 0xFF}
        for a in range(0x80, 0x100):
            thirds = range(0x80, 0x100) if a in dense else sorted(set(range(0x80, 0x100, 7)) | {0x81, 0xFE, 0xFF})
            fourths = range(0x2F, 0x3B) if a in dense else (0x2F, 0x30, 0x35, 0x39, 0x3A)
            for b in range(0x30, 0x3A):
                yield bytes([a, b, 0x81])
                for c in thirds:
                    for d in fourths:
                        yield bytes([a, b, c, d])
    if codec == "euc_kr":
        for x in range(0xA0, 0xD6):
            for y in range(0xA0, 0xD6):
                for z in range(0xA0, 0xD6):
                    yield bytes([0xA4, 0xD4, 0xA4, x, 0xA4, y, 0xA4, z])
        for n in range(2, 8):
            yield bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, 0xD4][:n])
    if codec in ALPHABETS:
        alphabet = ALPHABETS[codec]
        for length in range(3, 6 if len(alphabet) <= 12 else 5):
            for combo in itertools.product(alphabet, repeat=length):
                yield bytes(combo)
    if codec == "hz":
        for a in range(256):
            yield b"~{" + bytes([a])
            for b in range(256):
                yield b"~{" + bytes([a, b]) + b"~}"
    if codec == "utf_7":
        for _ in range(20000):
            yield (b"+" + bytes(rng.choice(B64) for _ in range(rng.randrange(0, 14)))
                   + bytes([rng.choice(b"-\n x\x80+")]) + rng.choice([b"", b"a", b"-"]))
        for _ in range(3000):
            yield random_text(rng, 6).encode("utf-7")
    if codec.endswith("unicode_escape"):
        for _ in range(20000):
            yield b"".join(escape(rng) for _ in range(rng.randrange(1, 4)))
    if codec in ISO2022:
        yield from iso2022_sequences(codec, rng)
    for _ in range(2000):
        yield bytes(rng.choice((rng.randrange(0x80, 0x100), rng.randrange(0x20, 0x80), 0x0A))
                    for _ in range(rng.randrange(1, 16)))


def designations():
    """Every escape sequence of the designation shapes, for every final byte."""
    return [ESC + middle + bytes([final]) for middle in DESIGNATION_MIDDLES for final in FINALS]


def accepted_designations(codec):
    """The escape sequences `codec` reads as a designation (to nothing)."""
    out = []
    for e in designations():
        try:
            if e.decode(codec) == "":
                out.append(e)
        except (UnicodeDecodeError, RuntimeError):
            pass
    return out


def iso2022_sequences(codec, rng):
    starters = b"()$.&N"
    for b in range(256):
        yield ESC + bytes([b])
        yield b"ab" + ESC + bytes([b])
    for s in starters:
        for b in range(256):
            for c in range(256):
                yield ESC + bytes([s, b, c])
    # Two to four bytes after ESC from what designations are made of, and runs with no end.
    alphabet = b"()$.&@ABCDJOPQN\x1b\n0"
    for length in range(2, 5):
        for combo in itertools.product(alphabet, repeat=length):
            yield ESC + bytes(combo)
    for n in range(1, 18):
        yield ESC + b"(" * n + b"B"
        yield ESC + b"$" + b"&@" * n + b"B"
        yield ESC + b"&@" * n
    for e in designations():
        for k in range(1, len(e) + 1):
            yield e[:k]
            yield b"x" + e[:k] + b"\n"
        yield e + b"0!\x1b(B\n"
        yield e + b"0!"
        yield e + b"0"
    accepted = accepted_designations(codec)
    afters = accepted + ([ESC + b"$)C\x0e", ESC + b"$(C\x0e", ESC + b")B\x0e"] if codec == "iso2022_kr" else [])
    if codec == "iso2022_jp_2":
        afters += [e + ESC + b"N" for e in accepted if e[1:2] == b"."] + [ESC + b"N"]
    for e in afters:
        for a in range(256):
            yield e + bytes([a])
            for b in range(256):
                yield e + bytes([a, b])
    # Random mixes: designations (accepted or not), shifts, newlines, text, stray bytes.
    pieces = accepted + [ESC + b"(B", ESC + b"N", ESC, b"\x0e", b"\x0f", b"\n", b"\r", b" "]
    for _ in range(30000):
        out = []
        for _ in range(rng.randrange(1, 10)):
            roll = rng.random()
            if roll < 0.3:
                out.append(rng.choice(pieces))
            elif roll < 0.4:
                out.append(rng.choice(designations()))
            elif roll < 0.85:
                out.append(bytes(rng.randrange(0x21, 0x7F) for _ in range(rng.randrange(1, 6))))
            elif roll < 0.95:
                out.append(bytes([rng.randrange(256)]))
            else:
                out.append(ESC + bytes([rng.randrange(256) for _ in range(rng.randrange(0, 4))]))
        data = b"".join(out)
        yield data
        yield data[:rng.randrange(len(data) + 1)]


def random_text(rng, n):
    """Random characters: ASCII, Latin-1, CJK, astral, now and then a lone surrogate."""
    pools = [(0x20, 0x7F), (0xA0, 0x100), (0x4E00, 0x9FA6), (0x1F600, 0x1F650), (0x10000, 0x10100), (0xD800, 0xE000)]
    out = []
    for _ in range(n):
        lo, hi = pools[min(int(rng.expovariate(0.9)), len(pools) - 1)]
        out.append(chr(rng.randrange(lo, hi)))
    return "".join(out)


def escape(rng):
    """A backslash escape as unicode_escape might meet it, well-formed or not."""
    hexdigits = b"0123456789abcdefABCDEF"
    roll = rng.randrange(10)
    if roll == 0:
        return b"\\x" + bytes(rng.choice(hexdigits + b"g\n") for _ in range(rng.randrange(0, 3)))
    if roll == 1:
        return b"\\u" + bytes(rng.choice(hexdigits + b"g") for _ in range(rng.randrange(2, 5)))
    if roll == 2:
        return b"\\U" + rng.choice([b"0010", b"0001", b"0011", b"0000", b"FFFF"]) + \
            bytes(rng.choice(hexdigits) for _ in range(rng.randrange(3, 5)))
    if roll == 3:
        return b"\\N{" + rng.choice(NAMES) + rng.choice([b"}", b"}", b""])
    if roll == 4:
        return b"\\" + bytes(rng.choice(b"01234567") for _ in range(rng.randrange(1, 4)))
    if roll == 5:
        return b"\\" * rng.randrange(1, 5) + bytes([rng.choice(b"uUnx'\"\nq8\x80")])
    if roll == 6:
        return b"\\ud8" + bytes(rng.choice(hexdigits) for _ in range(2))
    return bytes(rng.choice(b"ab \x80\xe9{}") for _ in range(rng.randrange(1, 4)))


def run_probe(probe, requests):
    """codec_probe's answer to each (codec, bytes)."""
    with tempfile.TemporaryFile() as f:
        f.write(b"".join(b"%s %s\n" % (c.encode(), d.hex().encode()) for c, d in requests))
        f.seek(0)
        out = subprocess.run([probe], stdin=f, stdout=subprocess.PIPE, check=True).stdout
    answers = out.decode().split("\n")[:-1]
    assert len(answers) == len(requests), (len(answers), len(requests))
    return answers


def check_sequences(probe, rng, failures):
    """(sequences compared, how many differ)."""
    total = differ = 0
    start = time.time()
    for codec in CODECS:
        requests = [(codec, s) for s in sequences(codec, rng)]
        answers = run_probe(probe, requests)
        bad = [(d, want, got) for (_, d), got in zip(requests, answers) if got != (want := python_answer(codec, d))]
        total += len(requests)
        differ += len(bad)
        print("sequences %-18s %8d compared, %d differ (%.1f s)" % (codec, len(requests), len(bad), time.time() - start),
              flush=True)
        for d, want, got in bad[:5]:
            failures.append("%s %s: Python %s; guard %s" % (codec, d.hex(), want, got))
        if len(bad) > 5:
            failures.append("%s: %d more sequences differ" % (codec, len(bad) - 5))
    return total, differ


def characters(codec):
    """The two-byte sequences of `codec` that decode to one or two characters."""
    out = []
    for a in range(0x80, 0x100):
        for b in range(0x40, 0x100):
            try:
                bytes([a, b]).decode(codec)
            except UnicodeDecodeError:
                continue
            out.append(bytes([a, b]))
    return out


def snippet_maker(codec, rng):
    """A function n -> bytes of about n characters of text in `codec`."""
    if codec in CJK:
        chars = characters(codec)
        return lambda n: b"".join(rng.choice(chars) if rng.random() < 0.7 else bytes([rng.choice(b"abc XYZ09_-")])
                                  for _ in range(n))
    if codec == "hz":
        gb = [bytes(c).decode("gb2312") for c in characters("gb2312")]
        return lambda n: "".join(rng.choice(gb) if rng.random() < 0.6 else rng.choice("ab ~{}-")
                                 for _ in range(n)).encode("hz")
    if codec == "utf_7":
        return lambda n: random_text(rng, n).encode("utf-7") + (b"+" if rng.random() < 0.05 else b"")
    if codec in ISO2022:
        return iso2022_snippet_maker(codec, rng)
    return lambda n: b"".join(escape(rng) if rng.random() < 0.4 else bytes([rng.choice(b"ab X_\xe9")])
                              for _ in range(n))


def iso2022_snippet_maker(codec, rng):
    """Text in an ISO-2022 codec: half of it Python's encoding of random characters of the
    codec's sets, half built from the codec's designations (every one it accepts, with its
    characters), shifts, single shifts and ASCII; now and then the set stays designated past
    the end of the snippet, or an ASCII byte is read in a two-byte set."""
    units = []  # (designation, [what it decodes]) ; for iso2022_kr SO follows the designation
    for e in accepted_designations(codec) + ([ESC + b"$)C\x0e"] if codec == "iso2022_kr" else []):
        cells = []
        for a in range(0x21, 0x7F):
            for b in [None] + list(range(0x21, 0x7F)):
                cell = bytes([a]) if b is None else bytes([a, b])
                try:
                    text = (e + cell).decode(codec)
                    if len(text) in (1, 2) and cell.decode(codec, "replace") != text:  # not ASCII
                        cells.append(cell)
                except UnicodeDecodeError:
                    pass
        if cells:
            units.append((e, cells))
    chars = sorted({ch for e, cells in units for cell in cells for ch in (e + cell).decode(codec)})
    encodable = []
    for ch in chars:
        try:
            ch.encode(codec)
            encodable.append(ch)
        except UnicodeEncodeError:
            pass
    reset = ESC + b"(B" + (b"\x0f" if codec == "iso2022_kr" else b"")

    def built(n):
        out = []
        cells = None
        for _ in range(n):
            roll = rng.random()
            if roll < 0.15 or (cells is None and roll < 0.4):
                e, cells = rng.choice(units)
                out.append(e)
            elif roll < 0.75 and cells is not None:
                out.append(rng.choice(cells))
            elif roll < 0.8:
                out.append(reset)
                cells = None
            elif codec == "iso2022_jp_2" and roll < 0.85:
                x = rng.choice((rng.randrange(0x20, 0x80), rng.randrange(0xA0, 0x100)))
                out.append(ESC + rng.choice([b".A", b".F", b".B"]) + ESC + b"N" + bytes([x]))
            elif cells is None or roll < 0.82:
                out.append(bytes([rng.choice(b"abc XYZ09_-")]))
        if rng.random() < 0.85:
            out.append(reset)
        return b"".join(out)

    def encoded(n):
        data = "".join(rng.choice(encodable) if rng.random() < 0.7 else rng.choice("ab XY09_-") for _ in range(n))
        data = data.encode(codec)
        return data[:-3] if rng.random() < 0.1 and data.endswith(ESC + b"(B") else data

    return lambda n: built(n) if rng.random() < 0.5 else encoded(n)


def random_file(codec, text, rng):
    lines = [b"# -*- coding: %s -*-" % rng.choice([codec, codec.upper(), codec.replace("_", "-")]).encode()]
    if rng.random() < 0.1:
        lines.insert(0, b"#!/usr/bin/env python")
    for i in range(rng.randrange(1, 10)):
        kind = rng.randrange(6)
        if kind == 0:
            lines.append(b"# " + text(rng.randrange(0, 20)))
        elif kind == 1:
            lines.append(b's%d = "%s"' % (i, text(rng.randrange(0, 12))))
        elif kind == 2:
            lines.append(b"s%d = '''%s\n%s'''" % (i, text(rng.randrange(0, 8)), text(rng.randrange(0, 8))))
        elif kind == 3:
            lines.append(b's%d = r"%s"  # %s' % (i, text(rng.randrange(0, 8)), text(rng.randrange(0, 8))))
        elif kind == 4:
            lines.append(b's%d = "%s\\x41\\u00e9"' % (i, text(rng.randrange(0, 6))))
        else:
            lines.append(b"s%d = '%s' + '%s'" % (i, text(rng.randrange(0, 6)), text(rng.randrange(0, 6))))
    data = b"\n".join(lines) + b"\n"
    roll = rng.random()
    if roll < 0.15:  # a stray byte
        at = rng.randrange(len(lines[0]) + 1, len(data))
        data = data[:at] + bytes([rng.randrange(0x80, 0x100)]) + data[at:]
    elif roll < 0.25:  # a cut sequence or a lead byte at the very end, with or without a newline
        data = data.rstrip(b"\n") + text(1)[:1] + rng.choice([b"", b"\n", b"\r\n"])
    elif roll < 0.30:  # a random byte anywhere after the cookie
        at = rng.randrange(len(lines[0]) + 1, len(data))
        data = data[:at] + bytes([rng.randrange(1, 0x100)]) + data[at + 1:]
    if rng.random() < 0.15:
        data = data.replace(b"\n", b"\r\n")
    if rng.random() < 0.1:
        data = data.rstrip(b"\r\n")
    return data


def python_verdict(data):
    """(None, {name: str}) when compile() accepts `data`, else (message, None)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "m.py", "exec", dont_inherit=True)
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RuntimeError) as e:  # RuntimeError: iso2022_jp_2's internal codec error
        return (e.msg if isinstance(e, SyntaxError) else str(e)), None
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.BinOp) and isinstance(value.left, ast.Constant):
                value = ast.Constant(value.left.value + value.right.value)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                values[node.targets[0].id] = value.value
    return None, values


def by_design(codec, text):
    """Whether the guard may refuse the file: CPython 3.11 decodes it to a NUL, where its
    tokenizer stops, or to text whose last line lost its newline to the codec."""
    try:
        decoded = text.decode(codec)
        decoded.encode("utf-8")
    except (UnicodeError, RuntimeError):
        return False
    return "\0" in decoded or not decoded.endswith("\n")


def check_files(probe, pyscan, count, rng, failures):
    """(files compared, how many differ)."""
    makers = {codec: snippet_maker(codec, rng) for codec in CODECS}
    cases = []
    for k in range(count):
        codec = CODECS[k % len(CODECS)]
        cases.append((codec, random_file(codec, makers[codec], rng)))
    # The decoders on what CPython's tokenizer hands them: newlines translated, a final one added.
    handed = []
    for codec, data in cases:
        text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        handed.append((codec, text if text.endswith(b"\n") else text + b"\n"))
    answers = run_probe(probe, handed)
    decode_bad = 0
    differing = set()
    for k, ((codec, text), got) in enumerate(zip(handed, answers)):
        want = python_answer(codec, text)
        if got != want:
            differing.add(k)
            decode_bad += 1
            if decode_bad <= 5:
                failures.append("file decode %s %r: Python %s; guard %s" % (codec, text, want, got))
    verdicts = {"compiles": 0, "fails": 0, "refused by design": 0}
    verdict_bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, (_, data) in enumerate(cases):
            path = os.path.join(tmp, "m%05d.py" % k)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        out = subprocess.run([pyscan], input="\n".join(paths).encode(), stdout=subprocess.PIPE, check=True).stdout
        # One answer a line, split at "\n" only: str.splitlines() would also split at the
        # U+0085 or U+2028 a decoded string holds.
        ours = [json.loads(line) for line in out.decode().split("\n") if line]
    assert len(ours) == len(cases)
    for k, ((codec, data), o) in enumerate(zip(cases, ours)):
        message, values = python_verdict(data)
        verdicts["fails" if message else "compiles"] += 1
        problem = None
        if o.get("unprovable") and by_design(codec, handed[k][1]):
            verdicts["refused by design"] += 1
        elif o.get("unprovable"):
            problem = "guard refuses: %s" % o["unprovable"]
        elif message is not None and o["error_line"] is None:
            problem = "Python: %s; guard: no error" % message
        elif message is None and o["error_line"] is not None:
            problem = "Python compiles; guard: %s" % o["message"]
        elif message is not None and message.startswith("'%s' codec" % codec) and message not in o["message"]:
            problem = "Python: %s; guard: %s" % (message, o["message"])
        elif message is None:
            for name, value in values.items():
                got = o["names"].get(name)
                if got is None or got["kind"] != "string" or got["items"] != [value]:
                    problem = "%s: Python %r; guard %r" % (name, value, got)
                    break
        if problem:
            differing.add(k)
            verdict_bad += 1
            if verdict_bad <= 10:
                failures.append("file %s %r: %s" % (codec, data, problem))
    print("files: %d random files (%d compile, %d fail in CPython, %d refused by design); %d decodes differ, "
          "%d verdicts or values differ" % (len(cases), verdicts["compiles"], verdicts["fails"],
                                           verdicts["refused by design"], decode_bad, verdict_bad), flush=True)
    return len(cases), len(differing)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--probe", required=True, help="path of tests/python_compile/codec_probe")
    ap.add_argument("--pyscan", required=True, help="path of tests/python_compile/pyscan")
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    skip = ensure_system_python()
    if skip is not None:
        return skip
    start = time.time()
    rng = random.Random(args.seed)
    failures = []
    compared, sequences_differ = check_sequences(args.probe, rng, failures)
    files, files_differ = check_files(args.probe, args.pyscan, args.files, rng, failures)
    for f in failures:
        print("MISMATCH " + f)
    print("%d sequences and %d files compared in %.1f s" % (compared, files, time.time() - start))
    failed = sequences_differ + files_differ
    print("%d passed, %d failed" % (compared + files - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
