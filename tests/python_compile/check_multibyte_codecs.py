#!/usr/bin/python3
"""Differential test of the guard's multi-byte decoders (lib/python/multibyte_codecs.cpp) against
CPython 3.11's own codecs and compile().

    check_multibyte_codecs.py --probe build/tests/python_compile/codec_probe \\
                              --pyscan build/tests/python_compile/pyscan [--files 3000] [--seed 1]

1. Sequences, through codec_probe, against bytes.decode(codec): for every codec the guard
   decodes, every one- and two-byte sequence; every euc_jp-family three-byte sequence led by
   0x8f; gb18030's four-byte sequences (all with lead bytes 0x80..0x85, 0x8e..0x91 and
   0xe2..0xff, the others with a third byte sampled) and euc_kr's eight-byte make-up sequences
   (every jamo byte triple 0xa0..0xd5); random strings. The decoded text or the error (start,
   end and Python's message) must be the same.
2. Files, through pyscan, against compile(source_bytes, "m.py", "exec"): random migrations in
   each codec, with CJK text in comments and string literals, some mutated (a stray or cut
   sequence, a lead byte at the end, CRLF, no final newline). The verdict must be the same; a
   codec error must carry Python's message; every str assigned at module level must be the
   value Python's ast reads. A refusal of a file counts as a mismatch: these codecs are decoded.

Prints the figures and "N passed, M failed"; exit 0 when nothing differs, 1 otherwise, 77 (skip)
when /usr/bin/python3 is missing -- except under CI=true, where that is a failure.
"""
import argparse
import ast
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings

PYTHON = "/usr/bin/python3"
CJK = ["gbk", "gb2312", "gb18030", "big5", "cp950", "big5hkscs", "cp932", "shift_jis", "shift_jis_2004",
       "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "euc_kr", "cp949", "johab"]


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
        dense = set(range(0x80, 0x86)) | set(range(0x8E, 0x92)) | set(range(0xE2, 0x100))
        for a in range(0x80, 0x100):
            thirds = range(0x80, 0x100) if a in dense else sorted(set(range(0x80, 0x100, 7)) | {0x81, 0xFE, 0xFF})
            for b in range(0x30, 0x3A):
                yield bytes([a, b, 0x81])
                for c in thirds:
                    for d in range(0x2F, 0x3B):
                        yield bytes([a, b, c, d])
    if codec == "euc_kr":
        for x in range(0xA0, 0xD6):
            for y in range(0xA0, 0xD6):
                for z in range(0xA0, 0xD6):
                    yield bytes([0xA4, 0xD4, 0xA4, x, 0xA4, y, 0xA4, z])
        for n in range(2, 8):
            yield bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, 0xD4][:n])
    for _ in range(2000):
        yield bytes(rng.choice((rng.randrange(0x80, 0x100), rng.randrange(0x20, 0x80), 0x0A))
                    for _ in range(rng.randrange(1, 16)))


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
    for codec in CJK:
        requests = [(codec, s) for s in sequences(codec, rng)]
        answers = run_probe(probe, requests)
        bad = [(d, want, got) for (_, d), got in zip(requests, answers) if got != (want := python_answer(codec, d))]
        total += len(requests)
        differ += len(bad)
        print("sequences %-15s %8d compared, %d differ" % (codec, len(requests), len(bad)), flush=True)
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


def random_file(codec, chars, rng):
    def text(n):
        return b"".join(rng.choice(chars) if rng.random() < 0.7 else bytes([rng.choice(b"abc XYZ09_-")])
                        for _ in range(n))

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
        data = data.rstrip(b"\n") + rng.choice(chars)[:1] + rng.choice([b"", b"\n", b"\r\n"])
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
    except (SyntaxError, ValueError) as e:
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


def check_files(probe, pyscan, count, rng, failures):
    """(files compared, how many differ)."""
    pools = {codec: characters(codec) for codec in CJK}
    cases = []
    for k in range(count):
        codec = CJK[k % len(CJK)]
        cases.append((codec, random_file(codec, pools[codec], rng)))
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
    verdicts = {"compiles": 0, "fails": 0}
    verdict_bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, (_, data) in enumerate(cases):
            path = os.path.join(tmp, "m%05d.py" % k)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        out = subprocess.run([pyscan], input="\n".join(paths).encode(), stdout=subprocess.PIPE, check=True).stdout
        ours = [json.loads(line) for line in out.decode().splitlines()]
    assert len(ours) == len(cases)
    for k, ((codec, data), o) in enumerate(zip(cases, ours)):
        message, values = python_verdict(data)
        verdicts["fails" if message else "compiles"] += 1
        problem = None
        if o.get("unprovable"):
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
    print("files: %d random files (%d compile, %d fail in CPython); %d decodes differ, %d verdicts or values differ"
          % (len(cases), verdicts["compiles"], verdicts["fails"], decode_bad, verdict_bad), flush=True)
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
