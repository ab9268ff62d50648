#!/usr/bin/python3
"""Checks lib/python/codecs against the interpreter it models. For every module of the encodings
package, every key and value of encodings.aliases.aliases, their spellings (case, '-', '_', '.',
runs, leading and trailing ones) and the tokenizer's utf-8 / latin-1 prefixes, asks
/usr/bin/python3's compile() what a migration with that coding cookie does; for single-byte
codecs, what every byte 0x80..0xFF in a string literal decodes to, and checks the byte tables
byte for byte; then runs the unit test that compares find_codec() and decode_single_byte()
with each answer. Cookies naming a codec lib/python decodes with code of its own
(gen_codec_tables.DECODERS) must select that decoder's kind
(tests/python_compile/check_multibyte_codecs.py checks the decoders).

    /usr/bin/python3 tools/check_codecs.py build/tests/unit/unit_tests
"""
import codecs
import collections
import encodings
import encodings.aliases
import os
import pkgutil
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_codec_tables  # noqa: E402

UNDEFINED = 0xFFFE


def compiled(cookie, body):
    """("ok", value of x or None) or ("error", message) for a file with this cookie and body."""
    source = b"# -*- coding: " + cookie.encode() + b" -*-\n" + body
    try:
        code = compile(source, "m.py", "exec")
    except SyntaxError as e:
        return "error", e.msg
    scope = {}
    exec(code, scope)
    return "ok", scope.get("x")


def table_by_codec(name):
    table = []
    for b in range(256):
        try:
            text = codecs.decode(bytes([b]), name)
            table.append(ord(text) if len(text) == 1 else None)
        except UnicodeDecodeError:
            table.append(UNDEFINED)
    return table


def table_by_compile(cookie):
    """The upper half as compile() decodes a string literal holding one byte, or None when some
    byte is neither one character nor a charmap/ascii refusal (not a single-byte codec)."""
    upper = []
    for b in range(0x80, 0x100):
        # Raw, triple-quoted and a space before the end: bytes that decode to a quote or a
        # backslash (mac_arabic, mac_farsi) stay inside the literal.
        status, value = compiled(cookie, b'x = r"""' + bytes([b]) + b' """\n')
        if status == "ok" and isinstance(value, str) and len(value) == 2:
            upper.append(ord(value[0]))
        elif status == "error" and re.match(r"'(charmap|ascii)' codec can't decode byte 0x%02x in position" % b, value):
            upper.append(UNDEFINED)
        else:
            return None
    return upper


def oracle(cookie):
    """(kind, codec name, table or None), from what compile() does."""
    status, message = compiled(cookie, b"x = 1\n")
    if status == "error" and message.startswith("unknown encoding: "):
        return "Unknown", "", None
    if status == "error" and ("is not a text encoding" in message or message.startswith("decoding with '")):
        return "NotText", codecs.lookup(cookie).name, None
    try:
        name = codecs.lookup(cookie).name
    except LookupError:
        name = None  # the tokenizer's own utf-8 or latin-1 ("utf-8-x", "latin-1-x")
    if name in gen_codec_tables.DECODERS:
        # Decoded by lib/python's own decoders, whose exactness
        # tests/python_compile/check_multibyte_codecs.py measures.
        assert status == "ok", (cookie, message)
        return gen_codec_tables.DECODERS[name], name, None
    if compiled(cookie, b"x = '\xc3\xa9'\n") == ("ok", "\xe9"):
        comment = compiled(cookie, b"# \xff\nx = 1\n")
        if comment[0] == "ok":
            return "Utf8", "utf-8", None
        assert comment[1].startswith("'utf-8' codec can't decode byte 0xff") and name, (cookie, comment)
        return "Utf8Codec", name, None
    if status == "ok":
        # Codecs that rewrite escapes (unicode_escape) or punycode labels (idna, otherwise
        # ascii) are not one byte, one character.
        if compiled(cookie, b"x = r'\\x41\\u0041'\n") != ("ok", "\\x41\\u0041"):
            return "Unsupported", name, None
        if compiled(cookie, b"x = '.xn--ls8h.'\n") != ("ok", ".xn--ls8h."):
            return "Unsupported", name, None
        upper = table_by_compile(cookie)
        if upper is None:
            return "Unsupported", name, None
        if name is None:
            assert upper == list(range(128, 256)), cookie
            name = "iso8859-1"
        table = table_by_codec(name)
        assert table[:128] == list(range(128)) or name == "cp864", (cookie, name)
        assert table[128:] == upper, (cookie, name)
        return "SingleByte", name, table
    # The ASCII file does not compile: EBCDIC and utf-16/32. Only the codec can say which.
    table = table_by_codec(name)
    module = sys.modules[codecs.lookup(cookie).incrementaldecoder.__module__]
    if hasattr(module, "decoding_table") or hasattr(module, "decoding_map"):
        assert None not in table
        return "SingleByte", name, table
    return "Unsupported", name, None


def spellings(key):
    yield key
    yield key.upper()
    yield key.title()
    for sep in ("-", ".", "", "--", "-_", "_."):
        yield key.replace("_", sep)
    yield re.sub(r"([a-z])([0-9])", r"\1-\2", key)
    yield re.sub(r"([a-z])([0-9])", r"\1.\2", key)
    for edge in ("-", "_", ".", "--"):
        yield edge + key
        yield key + edge


EXTRA = """utf-8 UTF-8 utf_8 Utf_8_Sig utf-8-sig utf-8-x utf-8-whatever-and-more utf-8- utf-8. utf-8x utf--8
-utf-8 utf8 UTF8 utf8-sig utf-8.sig u8 u.8 utf.8 utf8. utf cp65001 latin-1 latin-1- latin-1x latin_1_foo
LATIN-1-X latin-10 latin-1-0 latin1 latin iso-8859-1 iso-8859-1- iso_8859_1_x iso-8859-1x iso-8859-15
iso-8859-1-5 iso-latin-1 iso-latin-1- iso-latin-1x iso_latin_1_x ISO-LATIN-1-Z iso-latin-12 foo x cp
cp1252. cp.1252 cp_1252 windows-1252 WINDOWS_1252 ms-kanji . - _ ... aliases __init__ init mbcs oem
ansi dbcs tactis x-mac-japanese iso2022-jp csHPRoman8 cshproman8 rot13 ROT-13 undefined punycode idna
unicode_escape raw-unicode-escape base64 hex utf-16 utf-32 utf-7 1252 8859 iso8859 ascii US-ASCII 646
ansi_x3.4_1968 ansi_x3.4.1968 ansi-x3-4-1968 iso_646.irv_1991 iso_646.irv.1991 iso.646.irv.1991""".split()


def candidates():
    keys = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
    keys |= {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    seen = set()
    for key in sorted(keys) + EXTRA:
        for spelling in spellings(key):
            # The tokenizer reads the cookie as [A-Za-z0-9._-]+.
            if spelling and spelling not in seen and re.fullmatch(r"[A-Za-z0-9._-]+", spelling):
                seen.add(spelling)
                yield spelling


def check_whole_file_decoding(tables):
    """Single-byte codecs decode the whole file: an undefined byte fails the compile in a
    comment as in a string, at its position after newline translation."""
    for name, table in sorted(tables.items()):
        if table[:128] != list(range(128)):
            continue
        bad = next((b for b in range(128, 256) if table[b] == UNDEFINED), None)
        good = bytes(b for b in range(128, 256) if table[b] != UNDEFINED and chr(table[b]) not in "'\\")
        assert compiled(name, b"# " + good + b"\nx = '" + good + b"'\n") == ("ok", good.decode(name)), name
        if bad is None:
            continue
        header = b"# -*- coding: " + name.encode() + b" -*-\n"
        for body in (b"x = 1\r\n# " + bytes([bad]) + b"\r\n", b"x = '" + bytes([bad]) + b"'\n"):
            position = len(header) + len(body.replace(b"\r\n", b"\n").split(bytes([bad]))[0])
            status, message = compiled(name, body)
            assert status == "error" and ("byte 0x%02x in position %d:" % (bad, position)) in message, (name, message)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    classes = collections.defaultdict(list)
    tables = {}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
        for cookie in candidates():
            kind, name, table = oracle(cookie)
            classes[kind].append(cookie)
            if table is not None:
                tables[name] = table
            decoded, first_bad = "-", -1
            if table is not None:
                defined = bytes(b for b in range(256) if table[b] != UNDEFINED)
                decoded = "".join(chr(table[b]) for b in defined).encode("utf-8").hex() or "-"
                first_bad = next((b for b in range(256) if table[b] == UNDEFINED), -1)
            out.write("\t".join([cookie, kind, name or "-", ",".join("%X" % v for v in table) if table else "-",
                                 decoded, str(first_bad)]) + "\n")
    check_whole_file_decoding(tables)
    for kind, cookies in sorted(classes.items()):
        print("%-11s %4d cookies, e.g. %s" % (kind, len(cookies), " ".join(cookies[:6])))
    print("%d single-byte codecs checked byte for byte; %s" % (len(tables), out.name), flush=True)
    env = dict(os.environ, AG_CODECS_ORACLE=out.name)
    result = subprocess.run([sys.argv[1], "-tc=AG_CODECS_ORACLE*"], env=env)
    os.unlink(out.name)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
