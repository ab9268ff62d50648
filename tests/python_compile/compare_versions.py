#!/usr/bin/python3
"""Differential test of the reader's compile verdict against CPython 3.12 and 3.13 (and 3.11).

    compare_versions.py --pyscan build/tests/python_compile/pyscan --python 3.13 --count 1500 --seed 1

The sources are compare.py's (realistic migrations and dense snippets, mutated), plus
snippets of what the versions read differently: PEP 701 f-strings (quotes reused inside
fields, backslashes, comments, nesting), `type` statements and type parameters (3.12), type
parameter defaults (3.13), each valid or broken. Each source is judged by that version's
real compile() (tests/python_compile/oracles: Debian trixie's CPython 3.13, pyodide's 3.12,
the system's 3.11) and by pyscan --python-version; a disagreement on whether it compiles is
a failure. Names are compare.py's business (3.11, executed). Exit 77 (skip) when the
oracle is not prepared -- a failure under CI=true.
"""
import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "oracles"))
sys.dont_write_bytecode = True

import compare  # noqa: E402
import pycompile  # noqa: E402

VERSION_SNIPPETS = [
    # PEP 701 f-strings (3.12+): valid forms.
    "x = f\"{'a' if y else \"b\"}\"\n",
    "x = f\"{\"nested\"}\"\n",
    "x = f\"{f\"{f\"{1}\"}\"}\"\n",
    "x = f\"{'\\n'.join(['a'])}\"\n",
    "x = f'''{\n  1 + 2  # a comment\n}'''\n",
    "x = f\"{1:{2}}\"\n",
    "x = f\"{x!r:>{w}}\"\n",
    "x = f\"{'}'}\"\n",
    "x = f\"{x=}\"\n",
    "x = f\"{x = !r}\"\n",
    "x = f\"{ {'a': 1}['a'] }\"\n",
    "x = f\"{lambda: 1}\"\n",
    "x = f\"{(lambda: 1)()}\"\n",
    "x = f\"{yield}\"\n",
    "x = f\"{*a,}\"\n",
    "x = f\"{*a}\"\n",
    "x = f\"{}\"\n",
    "x = f\"{ }\"\n",
    "x = f\"{x!z}\"\n",
    "x = f\"{x!}\"\n",
    "x = f\"}\"\n",
    "x = f\"{\"\n",
    "x = f\"{1:{2:{3}}}\"\n",
    "x = f\"{1:{2:{3:{4}}}}\"\n",
    "x = f\"a\\{b}\"\n",
    "x = f\"{a\n}\"\n",
    "x = rf\"\\{a}\"\n",
    "x = f\"{a:\n}\"\n",
    "x = f'{a[\"b\"]}'\n",
    "x = f\"{a['b']}\"\n",
    "x = f\"\"\"{\"\"\"a\"\"\"}\"\"\"\n",
    "x = f\"{'''a'''}\"\n",
    "x = f\"{a # c\n}\"\n",
    "x = f\"{'#'}\"\n",
    "x = f\"{1:#x}\"\n",
    "x = f\"{1!r:#x}\"\n",
    "x = f\"{a!r}\" f'{b!s}' 'c'\n",
    "x = b'a' f'b'\n",
    "x = f'{b\"x\"}'\n",
    "x = f'{x:{y!r}}'\n",
    "x = f'{x:{{y}}}'\n",
    "x = f'{{}}'\n",
    "x = f'{{{x}}}'\n",
    "x = f'{x:}}'\n",
    "x = f'{x::}'\n",
    "x = f'{x:=1}'\n",
    "x = f'{(x:=1)}'\n",
    "x = f'{x!=1}'\n",
    "x = f'{x<=1}'\n",
    "x = f'{x==1}'\n",
    "x = f'{x!r=}'\n",
    "x = f'{\\\"a\\\"}'\n",
    "x = f'\\N{DIGIT ZERO}{x}'\n",
    "x = f'{\"\\N{DIGIT ZERO}\"}'\n",
    # PEP 695 and 696: type statements and type parameters.
    "type X = int\n",
    "type X[T] = list[T]\n",
    "type X[T: int, *Ts, **P] = tuple[T, *Ts]\n",
    "type X[T = int] = list[T]\n",
    "type X\n",
    "type = 1\n",
    "type(x)\n",
    "def f[T](x: T) -> T:\n    return x\n",
    "def f[T: (int, str), U](x: T) -> U:\n    pass\n",
    "def f[T = int]():\n    pass\n",
    "def f[*Ts = *tuple[int]]():\n    pass\n",
    "def f[]():\n    pass\n",
    "def f[T, T]():\n    pass\n",
    "class C[T]:\n    pass\n",
    "class C[T](Base[T]):\n    x: T\n",
    "class C[T: (yield)]:\n    pass\n",
    "def f[T: (x := 1)]():\n    pass\n",
    "async def f[T]():\n    await g()\n",
    "match x:\n    case type():\n        pass\n",
    # What 3.12 and 3.13 read differently elsewhere.
    "x = '\\d'\n",
    "x = 0o8\n",
    "def f():\n    return 1\n    yield\n",
    "print(*a for a in b)\n",
    "except* = 1\n",
    "x = 1_000_\n",
]


def known_codec(message):
    import codecs
    try:
        codecs.lookup(message.split(":", 1)[1].strip())
        return True
    except (LookupError, IndexError):
        return False


def generate(seed):
    r = random.Random(seed)
    if r.random() < 0.35:
        src = "".join(r.choice(VERSION_SNIPPETS) for _ in range(r.randint(1, 3)))
        base = src.encode("utf-8")
        if r.random() < 0.5:
            base, name = compare.mutate(r, base)
            return base, "versions+" + name
        return base, "versions"
    return compare.generate(seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pyscan", required=True)
    ap.add_argument("--python", required=True, choices=["3.11", "3.12", "3.13"])
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int)
    ap.add_argument("--oracles", default=None)
    ap.add_argument("--corpus", nargs="*", metavar="DIR",
                    help="cut the sources from real .py files and mutate them token by token (corpus.py)")
    ap.add_argument("--fixed", action="store_true",
                    help="every fixed case of corpus.py once: each form with a refused source in each hole, "
                         "every seed and every error seed")
    args = ap.parse_args()
    try:
        oracle = pycompile.Oracle(args.python, oracles=args.oracles)
    except pycompile.OracleUnavailable as e:
        print("SKIP: %s (run tests/python_compile/oracles/setup.sh)" % e)
        return 1 if os.environ.get("CI") == "true" else 77
    pyscan = compare.Pyscan.__new__(compare.Pyscan)
    import subprocess
    import tempfile
    import json
    workdir = tempfile.mkdtemp(prefix="pyversions-")
    proc = subprocess.Popen([args.pyscan, "--python-version", args.python], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    seeds = [args.only] if args.only is not None else [args.seed * 1000000 + k for k in range(args.count)]
    if args.fixed:
        import corpus
        fixed = corpus.fixed_cases()
        seeds = [args.only] if args.only is not None else list(range(len(fixed)))
    classes = {}
    passed = failed = 0
    for n, s in enumerate(seeds):
        if args.fixed:
            src, desc = fixed[s][0].encode("utf-8", "surrogatepass"), fixed[s][1]
        elif args.corpus is not None:
            import corpus
            src, desc = corpus.generate(s, args.corpus or None)
        else:
            src, desc = generate(s)
        verdict = oracle.compile(src)
        path = os.path.join(workdir, "case_%d.py" % (n % 4))
        with open(path, "wb") as f:
            f.write(src)
        proc.stdin.write(path + "\n")
        proc.stdin.flush()
        ours = json.loads(proc.stdout.readline())
        if verdict.get("ok") is None:
            continue  # the oracle timed out or crashed (deep nesting in wasm): no answer
        if not verdict["ok"] and (verdict.get("msg") or "").startswith("unknown encoding") and known_codec(verdict["msg"]):
            continue  # Debian's python3.13-minimal carries no CJK codecs: its answer is not CPython's
        cpython_ok = bool(verdict["ok"])
        # Whether it compiles is the question here: a file ours refuses for what its code can
        # do at import (compare.py's business) agrees with a compile() that succeeds, and
        # with one that fails as long as ours accepts nothing.
        ours_compiles = ours.get("error_line") is None
        refused_by_design = ours_compiles and ours.get("unprovable")
        if cpython_ok == ours_compiles or (not cpython_ok and refused_by_design):
            passed += 1
            continue
        failed += 1
        key = "CPython %s compiles; ours refuses" % args.python if cpython_ok else \
              "CPython %s: %s; ours: no error" % (args.python, compare.message_class(verdict.get("msg") or ""))
        classes.setdefault(key, []).append((s, desc, src, verdict, ours))
        if args.only is not None:
            print(repr(src))
    for key, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        print("-- [%d] %s" % (len(items), key))
        for s, desc, src, verdict, ours in items[:3]:
            print("   case %d (%s): CPython: %s %s (line %s); ours: %s" % (
                s, desc, verdict.get("type"), verdict.get("msg"), verdict.get("lineno"),
                ours.get("message") or ours.get("unprovable")))
            print("     source: %r" % src[:300])
    proc.stdin.close()
    proc.wait()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
