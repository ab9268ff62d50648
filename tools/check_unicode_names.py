#!/usr/bin/python3
"""Checks lib/python/unicode_names against the interpreter it models: asks /usr/bin/python3 what
"\\N{name}" gives for every character name (listed and computed), every alias candidate, in
several letter cases, every CJK UNIFIED IDEOGRAPH-<4 or 5 hex digits>, jamo strings, every
short string, and random near misses of each listed name; then runs the unit test that compares
code_point_by_name() with each answer.

    /usr/bin/python3 tools/check_unicode_names.py build/tests/unit/unit_tests
"""
import itertools
import os
import random
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_unicode_names import hangul_jamo, perl_names  # noqa: E402

NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -"


def escape(name):
    """What CPython 3.11 makes of "\\N{name}" in a str literal: a code point, or None."""
    try:
        value = eval(compile('"\\N{%s}"' % name, "m.py", "eval"))
    except SyntaxError:
        return None
    return ord(value) if len(value) == 1 else None


def mutations(name, rng):
    i = rng.randrange(len(name))
    c = rng.choice(NAME_CHARS + "abcxyz_.'\x7f\xe9")
    yield name[:i] + name[i + 1 :]
    yield name[:i] + c + name[i:]
    yield name[:i] + c + name[i + 1 :]
    yield name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :]
    yield " " + name
    yield name + " "
    yield name.replace(" ", "  ", 1)
    yield name.replace(" ", "-", 1)
    yield name.replace("-", " ", 1)
    yield name[: rng.randrange(len(name))]
    yield name + rng.choice(NAME_CHARS)


def candidates():
    rng = random.Random(14)
    listed = set()
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), None)
        if name is not None:
            listed.add(name)
    for _, name in perl_names():  # aliases, named sequences, Unicode 1.0 names
        listed.add(name)
    for name in sorted(listed):
        yield name
        yield name.lower()
        yield name.title()
        yield "".join(c.lower() if rng.random() < 0.5 else c for c in name)
        if not name.startswith(("CJK UNIFIED IDEOGRAPH-", "HANGUL SYLLABLE ")) or rng.random() < 0.05:
            yield from mutations(name, rng)
    for code in range(0x10000):
        yield "CJK UNIFIED IDEOGRAPH-%04X" % code
        if code % 7 == 0:
            yield "CJK UNIFIED IDEOGRAPH-%04x" % code
    for code in range(0x100000):
        yield "CJK UNIFIED IDEOGRAPH-%05X" % code
    for code in (0x4E00, 0x20000, 0x3134A):
        for text in ("%X" % code, "%06X" % code, "%03X" % code, " %X" % code, "%X " % code, "+%X" % code):
            yield "CJK UNIFIED IDEOGRAPH-" + text
    leads, vowels, trails = hangul_jamo()
    pieces = sorted(set(leads + vowels + trails)) + ["X", "a", " "]
    for _ in range(100000):
        yield "HANGUL SYLLABLE " + "".join(rng.choice(pieces) for _ in range(rng.randrange(5)))
    for n in range(1, 4):
        for t in itertools.product(NAME_CHARS, repeat=n):
            yield "".join(t)
    yield from ("", " ", "LATIN SMALL LETTER \xc9", "DIGIT\tZERO", "\u0130NFINITY")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    seen = set()
    accepted = refused = 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as out:
        for name in candidates():
            if name in seen or any(c in name for c in '"\\}\n\r\t'):
                continue
            seen.add(name)
            code = escape(name)
            if code is None:
                refused += 1
            else:
                accepted += 1
            out.write("%s\t%s\n" % (name, "-" if code is None else "%X" % code))
    print("%d names CPython accepts, %d it refuses; %s" % (accepted, refused, out.name), flush=True)
    env = dict(os.environ, AG_UNICODE_NAMES_ORACLE=out.name)
    result = subprocess.run([sys.argv[1], "-tc=AG_UNICODE_NAMES_ORACLE*"], env=env)
    os.unlink(out.name)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
