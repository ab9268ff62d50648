"""Sources cut from real Python files and mutated token by token, for compare.py and
compare_versions.py (--corpus).

The generators of compare.py write migrations and short snippets: they reach the reader's
tokenizer and its common grammar, not the rest of it (decorators, parameter lists,
comprehensions, match statements, async code, the compiler's checks). Real code has all of
it. A case is a run of consecutive statements of one file of the corpus (by default
Debian's CPython 3.11 standard library, the same files on every machine with that
package): a run of top-level statements, or, inside a long class or function, a run of its
body's statements taken out of it (so `return`, `yield`, `await` and `nonlocal` reach
module level, where the compiler must refuse them). Then 0 to 3 token-level mutations:
a token deleted, doubled, replaced with a keyword, soft keyword, operator or literal, two
neighbours swapped, a line's indentation changed. A fifth of the cases start instead from
SEEDS: what the standard library hardly uses (pattern matching, except*, type parameters,
parenthesized context managers...); a tenth from ERROR_SEEDS, one minimal source for each
refusal of CPython's grammar, symbol table and compiler, mutated at most once; a tenth from
hole_cases(), every form with a refused source in each of its holes in turn; and, where
Debian's libpython3.11-testsuite is installed, a fifth from the sources CPython's own tests
compile (cpython_snippets). What a case is comes from its seed and the corpus's
sorted file list alone.
"""
import ast
import io
import keyword
import os
import random
import tokenize

DEFAULT_ROOTS = ["/usr/lib/python3.11"]
MAX_LINES = 60

_files_cache = {}


def corpus_files(roots=None):
    roots = tuple(roots or DEFAULT_ROOTS)
    if roots not in _files_cache:
        files = []
        for root in roots:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "site-packages", "dist-packages"))
                for name in sorted(filenames):
                    if name.endswith(".py"):
                        files.append(os.path.join(dirpath, name))
        _files_cache[roots] = files
    return _files_cache[roots]


_tree_cache = {}


def _parsed(path):
    if path not in _tree_cache:
        try:
            with open(path, "rb") as f:
                data = f.read()
            text = data.decode("utf-8")
            tree = ast.parse(data)
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
            tree, text = None, None
        if len(_tree_cache) > 64:
            _tree_cache.clear()
        _tree_cache[path] = (tree, text)
    return _tree_cache[path]


def _first_line(st):
    decorators = getattr(st, "decorator_list", None) or []
    return min([st.lineno] + [d.lineno for d in decorators])


def _bodies(st):
    """The statement lists nested directly in st (a class's or function's body, an if's
    branches, ...)."""
    out = []
    for field in ("body", "orelse", "finalbody"):
        v = getattr(st, field, None)
        if isinstance(v, list) and v and isinstance(v[0], ast.stmt):
            out.append(v)
    for h in getattr(st, "handlers", []) or []:
        out.append(h.body)
    for c in getattr(st, "cases", []) or []:
        out.append(c.body)
    return out


def _window(r, lines, body, depth=0):
    """(first line, last line, indentation to strip) of a run of statements of body."""
    i = r.randrange(len(body))
    st = body[i]
    start, end = _first_line(st), st.end_lineno
    if end - start + 1 > MAX_LINES and depth < 6:
        inner = _bodies(st)
        if inner:
            return _window(r, lines, r.choice(inner), depth + 1)
    j = i
    while j + 1 < len(body) and body[j + 1].end_lineno - start + 1 <= MAX_LINES and r.random() < 0.7:
        j += 1
        end = body[j].end_lineno
    return start, end, body[i].col_offset


def _cut(r, path):
    tree, text = _parsed(path)
    if tree is None or not tree.body:
        return None
    lines = text.splitlines(keepends=True)
    start, end, indent = _window(r, lines, tree.body)
    out = []
    for line in lines[start - 1:end]:
        head = line[:indent]
        out.append(line[indent:] if head.strip() == "" else line)
    return "".join(out)



# Constructs the standard library of 3.11 hardly uses (pattern matching, parenthesized
# context managers, except*, positional-only parameters, async comprehensions, decorators
# of any expression), as seeds that the same mutations then break.
SEEDS = [
    """match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0) | Point(x=1):
        print("origin")
    case {"x": 1, "y": y, **rest}:
        pass
    case [1, 2, *others] if others:
        pass
    case (1 | 2 | 3) as small:
        pass
    case -1 | 1.5 | 2 + 3j | -4 - 5j | "s" "t" | b"b" | None | True | False:
        pass
    case color.RED | Color.GREEN.value:
        pass
    case str() | bytes() | int(real=0, imag=0):
        pass
    case int(r, imag=i):
        pass
    case ():
        pass
    case []:
        pass
    case {}:
        pass
    case {**kw}:
        pass
    case (x, *_) if x > 0:
        pass
    case _:
        pass
""",
    """match x, y:
    case (a, b) if a == b:
        pass
    case [*_, last]:
        pass
match (yield_value := f()):
    case {1: _, "k": [x, y], None: z, Enum.V: w}:
        pass
match *a, b:
    case _: pass
""",
    """with (open(a) as f, open(b) as g,):
    pass
with (a, b):
    pass
with (a as b):
    pass
async def f():
    async with a as b, c as (d, e):
        pass
    async for x in y:
        pass
    r = [x async for x in aiter() if await x]
    s = {k: v async for k, v in a}
    await z
    return [await q for q in range(3)]
""",
    """try:
    pass
except* ValueError as e:
    pass
except* (TypeError, KeyError):
    pass
else:
    pass
finally:
    pass
""",
    """def f(a, b=1, /, c=2, *args, d, e=3, **kwargs) -> int:
    return a
def g(a, /):
    pass
def h(*, a):
    pass
def k(*args: *Ts):
    pass
lam = lambda a, b=1, /, c=2, *d, e, f=3, **g: (a, b, c, d, e, f, g)
lam2 = lambda *, x: x
lam3 = lambda: (yield)
""",
    """@a.b.c
@d(e)(f)
@g[0]
@(lambda f: f)
@x if y else z
@(yield_)
def decorated():
    pass
@dataclass(frozen=True)
class C(Base, metaclass=Meta, **kw):
    x: int = 0
    y: list[int]
    def m(self) -> None:
        nonlocal_ok = 1
        def inner():
            nonlocal nonlocal_ok
            nonlocal_ok = 2
        global G
        G = 1
""",
    """x = [y := f(x), y**2, y**3]
print((z := 1), [w for w in range(3) if (v := w)])
a, *b, c = range(5)
(a, b), [c, *d] = e
first, *_ = x
[*a] = b
*a, = b
del a, (b), [c], d.e, f[g]
x = y = z = 0
x += 1; y -= 2; z *= 3; w @= m; v //= 2; u **= 3; t >>= 1; s <<= 1; r &= 1; q |= 1; p ^= 1; o %= 2
print(*args, sep="", **kwargs)
f(x for x in y)
f(a, *b, c=d, **e, g=h)
x = a if b else c if d else e
x = not a and b or c is not d in e not in f < g <= h != i
x = ~a + -b * +c / d // e % f ** -g @ h << i >> j & k ^ l | m
x = a[1:2, ::3, ...][b][:]
x = {**a, "b": 1, **c}
x = {*a, *b}
x = (*a, *b)
x = f"{a!r:>{width}.{precision}}" f"{b=}" rf"\\{c}" fr'{d}'
assert x, "message"
raise E from None
""",
    """type Point = tuple[float, float]
type ListOrSet[T] = list[T] | set[T]
def first[T](xs: list[T]) -> T:
    return xs[0]
class Box[T: (int, str), *Ts, **P]:
    pass
def defaults[T = int, *Ts = *tuple[int], **P = [int]]():
    pass
x = f"{'nested' + f'{1}'}"
y = f"{x!r:{'>'}{10}}"
""",
    """from __future__ import annotations
for i in range(10):
    if i % 2:
        continue
    elif i > 8:
        break
else:
    pass
while True:
    break
else:
    pass
if a:
    pass
elif b:
    pass
else:
    pass
class Empty: ...
def gen():
    yield 1
    yield from range(2)
    x = yield
    return (yield)
import a.b.c as d, e
from . import f
from .. g import h as i, j
from ...k import (l, m as n,)
""",
]


# Minimal sources for the refusals of CPython's grammar, symbol table and compiler one by
# one (and a few evaluations at import), so that each is met, then mutated, in both
# readers.
ERROR_SEEDS = [
    # The compiler's and symbol table's refusals.
    "[(j := i) for i in range(3) for j in range(3)]\n",
    "[i for i in range(3) if (i := 1)]\n",
    "def f():\n    x = 1\n    def g():\n        nonlocal x\n        global x\n",
    "def f():\n    global x\n    x = 1\n    nonlocal x\n",
    "[x async for x in y]\n",
    "def f():\n    return [x async for x in y]\n",
    "async def f():\n    def g():\n        return [x async for x in y]\n",
    "match x:\n    case _:\n        pass\n    case 1:\n        pass\n",
    "match x:\n    case y:\n        pass\n    case 1:\n        pass\n",
    "match x:\n    case {\"a\": 1, \"a\": 2}:\n        pass\n",
    "match x:\n    case {1: a, 1: b}:\n        pass\n",
    "match x:\n    case {f\"a\": 1}:\n        pass\n",
    "match x:\n    case C(a=1, a=2):\n        pass\n",
    "match x:\n    case [a, a]:\n        pass\n",
    "match x:\n    case a | b:\n        pass\n",
    "match x:\n    case 1 as _:\n        pass\n",
    "match x:\n    case 1 as 1:\n        pass\n",
    "match x:\n    case (1 as y) as y:\n        pass\n",
    "match x:\n    case {**_}:\n        pass\n",
    "match x:\n    case -x:\n        pass\n",
    "match x:\n    case 1 + 2:\n        pass\n",
    "match x:\n    case 1j + 2j:\n        pass\n",
    "match x:\n    case *a:\n        pass\n",
    "match x:\n    case [*a, *b]:\n        pass\n",
    "for x in y:\n    try:\n        pass\n    except* E:\n        break\n",
    "for x in y:\n    try:\n        pass\n    except* E:\n        continue\n",
    "def f():\n    try:\n        pass\n    except* E:\n        return\n",
    "try:\n    pass\nexcept* :\n    pass\n",
    "try:\n    pass\nexcept*:\n    pass\n",
    "try:\n    pass\nexcept E:\n    pass\nexcept* F:\n    pass\n",
    "def f():\n    async for x in y:\n        pass\n",
    "def f():\n    async with x:\n        pass\n",
    "def f():\n    await x\n",
    "x = 1\nfrom __future__ import annotations\n",
    "from __future__ import braces\n",
    "from __future__ import nope\n",
    "f(x for x in y, 1)\n",
    "f(1, x for x in y)\n",
    "class C(x for x in y):\n    pass\n",
    "from a import b,\n",
    "import a,\n",
    "x = 0b12\n", "x = 0o8\n", "x = 0xg\n", "x = 1_\n", "x = 0_7\n", "x = 07\n", "x = 1e+\n", "x = 1.e5j_\n",
    "x = f\"{x\"\n", "x = f\"{x!r\"\n", "x = f\"{x=\"\n", "x = f\"{x:\"\n", "x = f\"{x!\"\n", "x = f\"{x!r:\"\n",
    "x = f\"{x = \"\n", "x = f\"{x)}\"\n", "x = f\"{(x}\"\n", "x = f\"{x:{y:{z}}}\"\n",
    "x = f\"{" + "(" * 201 + "1" + ")" * 201 + "}\"\n",
    "x = b'\\\\'\n", "x = '\\\\\\N'\n", "x = b'\\x'\n",
    "(x := 1) = 2\n", "lambda: 1 = 2\n", "a if b else c = 1\n", "{} = 1\n", "{1} = 1\n",
    "(x for x in y) = 1\n", "{x for x in y} = 1\n", "{x: y for x in z} = 1\n", "[x for x in y] = 1\n",
    "f() = 1\n", "a + 1 = 2\n", "-a = 1\n", "not a = 1\n", "a < b = 1\n", "'s' = 1\n", "... = 1\n", "None = 1\n",
    "f'{x}' = 1\n", "await x = 1\n", "yield = 1\n", "*a = 1\n", "(*a) = 1\n", "del f()\n", "del (x := 1)\n",
    "del a + b\n", "del *a\n", "for f() in y:\n    pass\n", "with a as f():\n    pass\n", "with a as (b, c + 1):\n    pass\n",
    "(x := 1) += 2\n", "[a, b] += 1\n", "f() += 1\n", "a.b += 1\n", "a[0] += 1\n",
    "def f():\n    x: int = 1\n    global x\n", "def f(a):\n    global a\n", "def f(a):\n    nonlocal a\n",
    "nonlocal x\n", "def f():\n    nonlocal x\n", "class C:\n    nonlocal x\n",
    "def f(x, x):\n    pass\n", "lambda x, x: 1\n", "def f(*, **k):\n    pass\n", "def f(*):\n    pass\n",
    "def f(a=1, b):\n    pass\n", "def f(**k, a):\n    pass\n", "def f(a, /, /):\n    pass\n", "def f(*a, /):\n    pass\n",
    "def f(/):\n    pass\n", "lambda /: 1\n", "lambda *: 1\n", "lambda a=1, b: 1\n",
    "f(**k, *a)\n", "f(a=1, b)\n", "f(a=1, a=2)\n", "f(**k, a)\n", "f(x=1 for x in y)\n", "f(a for a in b for c)\n",
    "def f():\n    yield from\n", "class C:\n    yield\n", "class C:\n    return\n", "x = [(yield) for a in b]\n",
    "def f():\n    return {(yield) for x in y}\n", "def f():\n    return {x: (yield) for x in y}\n",
    "def f():\n    return ((yield) for x in y)\n", "async def f():\n    yield from x\n",
    "async def f():\n    return [x for x in y] + [await z async for z in w]\n",
    "def f():\n    class C:\n        nonlocal q\n",
    "break\n", "continue\n", "return\n", "while x:\n    def f():\n        break\n",
    "for x in y:\n    class C:\n        continue\n", "try:\n    pass\nfinally:\n    continue\n",
    "x = *a\n", "print(*a for a in b)\n", "x = (*a)\n", "x = [*a for a in b]\n", "x = {**a for a in b}\n",
    "assert (a, b)\n", "x = 1 is 1\n", "x = 'a' is 'b'\n", "x = () is not ()\n", "x = [1 2]\n", "x = (1)(2)\n",
    "def f[T](): pass\n", "type X = int\n", "class C[T]: pass\n",
    "import a.b as\n", "from . import *\n", "from .a import *, b\n", "from a import (b, c\n",
    "if x:\npass\n", "if x:\n    pass\n  else:\n    pass\n", "  x = 1\n", "x = 1\n    y = 2\n",
    "def f():\n\tif x:\n        pass\n", "with (a as b, c as d):\n    pass\n", "with (a, b as c):\n    pass\n",
    "with (a as b,):\n    pass\n", "with (a, *b):\n    pass\n", "with ():\n    pass\n",
    "x = 가 = 1\nprint(가)\n", "ﬁ = 1\nprint(fi)\n", "ℌ = 1\nprint(H)\n", "𝐱 = 1\nprint(x)\n",
    "def f(*, a=1, b):\n    pass\n", "def f(a, *, b=1, **c):\n    pass\n", "lambda *a, b=1, **c: 0\n",
    "x = {**a, 'b': 1, **c}\n", "x = a[b:c:d, e:f, ...]\n", "x = a[*b]\n", "a[*b] = 1\n", "x = f(*a, *b, **c, **d)\n",
    "@x\n@y.z()\nclass C:\n    @staticmethod\n    def f(): pass\n", "@x\nx = 1\n", "@\ndef f(): pass\n",
    "x = 'abc'[5]\n", "x = 'é'[1]\n", "x = 'é'[-2]\n", "x = ('a',)[-2]\n", "x = 'abc'[True]\n", "x = b'x'()\n",
    "x = ('a',)()\n", "import os\nos()\n", "if '':\n    x = 1\nelse:\n    x = 2\n", "if b'x':\n    y = 1\n",
    "a, *b, c = ('1', '2', '3', '4')\n", "a, *b, c = ('1',)\n", "(a, b), c = ('1', '2'), '3'\n",
    "x = []\nx[0] += 1\n", "x = {}\nx.y += 1\n", "x = 1\nx += 1\n", "del x\n", "x = 1\ndel x\nprint(x)\n",
    "def f():\n    match q:\n        case [a, *b]:\n            return a\n        case {'k': c, **d}:\n            return c\nf()\n",
    "def f():\n    class C(B):\n        pass\n    return C\nf()\n",
    "from ..x import y\n", "from ...x import y\n", "from . import x\nx.y = 1\n",
    # Codec names with dots, identifiers NFKC composes (Hangul jamo) and reorders (combining
    # marks), what 3.12 reads in f-strings (nested quotes, specs, comments, continuations,
    # nesting), type parameters met by nonlocal, and evaluations at import that raise.
    "# coding: iso8859.1\nx = 'caf\u00e9'\n", "# coding: iso.8859.15\nx = 1\n", "# coding: latin.1\nx = 1\n",
    "\u1100\u1161\u11a8 = 1\nprint(\uac01)\n", "\uac00\u11a8 = 2\nprint(\uac01)\n",
    "a\u0323\u0307 = 1\nprint(a\u0307\u0323)\n", "q\u0307\u0323\u0301 = 1\nprint(q\u0323\u0307\u0301)\n",
    "def f[T]():\n    def g():\n        nonlocal T\n",
    "x = f\"{a:{b:{c}}}\"\n", "x = f\"{a:{\"b\"}}\"\n", "x = f'{a:{b!r}}'\n", "x = f\"{a:{b # c\n}}\"\n",
    "x = f\"{a:{'}'}}\"\n", "x = f\"{a:{b}{c}}}\"\n", "x = f\"{a:{f'{b}'}}\"\n", "x = f\"{a!r x}\"\n",
    "x = f\"{a)}\"\n", "x = f\"{(a}\"\n", "x = f\"{a + \\\n b}\"\n", "x = f'{a:{{b}}}'\n",
    "x = " + "f'{" * 160 + "1" + "}'" * 160 + "\n",
    "x = 'abc'()\n", "import os\nos[0]\n", "import os\nx = os.path()\n",
    "def f():\n    try:\n        pass\n    except E as q:\n        pass\n    return q\nf()\n",
    "match x:\n    case 1 as (y):\n        pass\n", "match (x, *y):\n    case _:\n        pass\n",
    "x = (*a for a in b)\n", "x = (*a, b)\n", "x = (a, *b, c)\n", "x = [a for a in]\n", "x = [a for]\n",
    "x = [a b for a in c]\n", "x = {a: b for}\n",
    # __debug__ wherever a name is stored or deleted, and where it is not checked.
    "match c:\n    case i(__debug__=1):\n        pass\n", "match c:\n    case {**__debug__}:\n        pass\n",
    "x.__debug__ += 1\n", "del x.__debug__\n", "x.__debug__ = 1\n", "__debug__ += 1\n", "f(__debug__=1)\n",
    "import a as __debug__\n", "def f(*, __debug__): pass\n", "for x.__debug__ in y: pass\n",
    # Nested f-strings with specs and comments (3.12), a dotted pattern target, `async` astray.
    "x = f\"{f'{a:{b}}'}\"\n", "x = f\"\"\"{f'''{a # c\n}'''}\"\"\"\n", "x = f\"{f'{a:{b:{c}}}'}\"\n",
    "match x:\n    case 1 as y.z:\n        pass\n", "async x = 1\n", "[x async x in y]\n",
    # Forms the parser's arms are decided by, from the directions tools/reader_coverage.sh found
    # not taken: targets of augmented and annotated assignments, barry_as_FLUFL's <>, walrus
    # targets, generator arguments, unpacking in comprehensions, numbers, f-string fields,
    # blocks, patterns, subjects (some compile: CPython decides).
    'raise x from\n',
    'raise x from y\n',
    'def f():\n    x: int = yield\n    x += yield 1\n    y = yield from z\n',
    'x: int = yield\n',
    '(a) += 1\n',
    '[a] += 1\n',
    '(a): int = 1\n',
    '[a]: int\n',
    '(a, b): int\n',
    'from __future__ import barry_as_FLUFL\nx = 1 <> 2\n',
    'from __future__ import barry_as_FLUFL\nx = 1 != 2\n',
    'x = 1 <> 2\n',
    '(a.b := 1)\n',
    '(a[0] := 1)\n',
    'x[a := 1, b]\n',
    'x[a := 1]\n',
    '[*a for a in b]\n',
    '{**a for a in b}\n',
    'x = (yield\n',
    '[x for x y]\n',
    'f = lambda x\n',
    'import a.b as c,\n',
    'from a import (b, c,)\n',
    'from a import (b,)\n',
    'from a import (b, c\n',
    'f(a for a in b, c)\n',
    'f(c, a for a in b)\n',
    'f(a=1, x for x in y)\n',
    'f(x for x in y, )\n',
    'f(**k, *a)\n',
    'f(**k, a)\n',
    'f(a=1, b)\n',
    'x = [1, 2\ny = 3\n',
    'def f(a, a=1): pass\n',
    'def f(*, **k): pass\n',
    'def f(a=1, b): pass\n',
    'def f(**k, a): pass\n',
    'class C(x for x in y): pass\n',
    'x = {1: 2, **a, 3}\n',
    'x = {**a: 1}\n',
    'del (a, [b, c])\n',
    'del f()\n',
    'del (a + b)\n',
    'for (a, *b) in c: pass\n',
    'for f() in c: pass\n',
    'with a as (b, c): pass\n',
    'with a as f(): pass\n',
    'with (a as b, c as d,): pass\n',
    'async def f():\n    x = [y async for y in z]\n    await (yield)\n',
    'def f():\n    yield\n    return 1\n',
    'class C:\n    yield 1\n',
    "x = f'{a!z}'\n",
    "x = f'{a!r:{b!s}}'\n",
    "x = f'{a=!r:>10}'\n",
    "x = f'{}'\n",
    "x = f'{a:{{}}}'\n",
    'x = 0777\n',
    'x = 1__0\n',
    'x = 0b102\n',
    'x = 1e\n',
    'x = 1_\n',
    'x = 0x_\n',
    'if x:\npass\n',
    'if x:\n  a\n    b\n',
    'try:\n    pass\n',
    'try:\n    pass\nfinally:\n    pass\nexcept E:\n    pass\n',
    "match x:\n    case {**r, 'a': 1}:\n        pass\n",
    'match x:\n    case C(1, a=2, 3):\n        pass\n',
    'match x:\n    case a.b():\n        pass\n',
    'match x:\n    case 1 | 2 as y | 3:\n        pass\n',
    'match x, *y:\n    case _:\n        pass\n',
    'match *x:\n    case _:\n        pass\n',
    'match x,:\n    case _:\n        pass\n',
    'nonlocal x\n',
    'def f():\n    nonlocal x\n',
    'def f(a):\n    global a\n',
    'def f():\n    x = 1\n    global x\n',
    "print 'x'\n",
    "exec 'x'\n",
    'x = `1`\n',
]

# An error in every position: each form of statement, expression and pattern with holes, one
# hole filled with a source CPython refuses (at the grammar, the symbol table or the compiler)
# and the others with a name. A refusal deep inside a form must come out of every arm that
# holds it; these reach the arms a refusal passes through on its way up, which whole files
# seldom do. Some fills are valid in some holes (a starred name in a call): CPython decides.
HOLE_FILLS = [
    "[(i := 0) for i in y]",  # symbol table: a comprehension variable rebound
    "(a b)",                  # grammar
    "(await z)",              # compiler outside an async function
    "(yield)",                # compiler outside a function (valid inside one)
    "*a",                     # compiler: a starred expression where none may stand
    "__debug__",              # compiler where it is stored
]
HOLE_TEMPLATES = [
    "x = {} + {}\n", "x = -{}\n", "x = {} < {} < {}\n", "x = {} and {}\n", "x = {} if {} else {}\n",
    "x = {{{}: {}}}\n", "x = {{{}, {}}}\n", "x = [{}, {}]\n", "x = ({}, {})\n", "x = {}({}, k={}, **{})\n",
    "x = {}.a\n", "x = {}[{}]\n", "x = {}[{}:{}:{}]\n", "x = lambda a={}, *, b={}: {}\n",
    "x = f'{{{}!r:>{{{}}}}}'\n", "x = f'{{{}=}}'\n", "x = [{} for a in {} if {}]\n", "x = {{{}: {} for a in {}}}\n",
    "x = ({} for a in {} for b in {})\n", "x = [a for a in {} for b in {}]\n", "x = (y := {})\n",
    "{} = 1\n", "{}.a = 1\n", "{}[{}] = 1\n", "{}, b = 1, 2\n", "x: {} = {}\n", "{} += {}\n", "del {}\n",
    "del {}.a, {}[0]\n", "assert {}, {}\n", "raise {} from {}\n", "import a as b\nx = {}\n",
    "if {}:\n    {}\nelif {}:\n    {}\nelse:\n    {}\n", "while {}:\n    {}\nelse:\n    {}\n",
    "for {} in {}:\n    {}\nelse:\n    {}\n", "with {} as {}, {}:\n    {}\n",
    "try:\n    {}\nexcept {} as e:\n    {}\nelse:\n    {}\nfinally:\n    {}\n",
    "try:\n    {}\nexcept* {}:\n    {}\n",
    "@{}\ndef f(a: {} = {}, *b: {}, c={}, **d: {}) -> {}:\n    {}\n",
    "@{}\nclass C({}, metaclass={}):\n    {}\n", "def f():\n    return {}\n", "def f():\n    x = yield {}\n",
    "async def f():\n    async for a in {}:\n        {}\n    async with {} as b:\n        {}\n    await {}\n",
    "async def f():\n    return [a async for a in {} if {}]\n", "def f():\n    global a\n    a = {}\n",
    "def f():\n    a = 1\n    def g():\n        nonlocal a\n        a = {}\n",
    "class C:\n    x = {}\n    def f(self):\n        return {}\n",
    "match {}:\n    case 1 if {}:\n        {}\n", "match x:\n    case C(a=1) if {}:\n        {}\n",
    "match x:\n    case {{'k': v, **r}}:\n        {}\n", "match x:\n    case [1, *r] | (2, *r):\n        {}\n",
    "match x:\n    case a.b.c | -1 | 1 + 2j as y:\n        {}\n",
    "def f[T: {}, *Ts, **P]() -> {}:\n    {}\n", "class C[T = {}]({}):\n    {}\n", "type A[T: {}] = {}\n",
]


def hole_cases():
    """Every template with each hole in turn filled with each fill (the other holes `x`)."""
    out = []
    for t in HOLE_TEMPLATES:
        holes = t.count("{}")
        for h in range(holes):
            for fill in HOLE_FILLS:
                out.append(t.format(*[fill if i == h else "x" for i in range(holes)]))
    return out


def fixed_cases():
    """[(source, name)]: every hole case, every seed and every error seed, once each (what
    --fixed runs, in this order)."""
    return ([(src, "hole%d" % k) for k, src in enumerate(hole_cases())] +
            [(src, "seed%d" % k) for k, src in enumerate(SEEDS)] +
            [(src, "error-seed%d" % k) for k, src in enumerate(ERROR_SEEDS)])


# CPython's own tests of its grammar, compiler and tokenizer (Debian's libpython3.11-testsuite,
# which ./install.sh --dev installs): every string constant in them that may be code, and every
# doctest example, is a case of what CPython accepts or refuses.
CPYTHON_TESTS = ["test_grammar.py", "test_syntax.py", "test_fstring.py", "test_patma.py", "test_exceptions.py",
                 "test_positional_only_arg.py", "test_named_expressions.py", "test_compile.py",
                 "test_string_literals.py", "test_unicode_identifiers.py", "test_genexps.py", "test_coroutines.py",
                 "test_global.py", "test_keywordonlyarg.py", "test_unpack_ex.py", "test_eof.py", "test_listcomps.py",
                 "test_setcomps.py", "test_dictcomps.py", "test_decorators.py", "test_with.py", "test_except_star.py",
                 "test_tokenize.py", "test_type_comments.py", "test_unparse.py", "test_ast.py", "test_symtable.py",
                 "test_scope.py", "test_generators.py", "test_future.py", "test_lambda.py", "test_pep646_syntax.py"]
_snippets_cache = {}


def cpython_snippets(root="/usr/lib/python3.11/test"):
    if root in _snippets_cache:
        return _snippets_cache[root]
    import doctest
    parser = doctest.DocTestParser()
    found = set()
    for name in CPYTHON_TESTS:
        path = os.path.join(root, name)
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if 2 <= len(text) <= 3000 and any(c in text for c in "=():[]{}'\"\n@*"):
                found.add(text if text.endswith("\n") else text + "\n")
            if ">>>" in text:
                try:
                    for ex in parser.get_examples(text):
                        found.add(ex.source)
                except ValueError:
                    pass
    _snippets_cache[root] = sorted(found)
    return _snippets_cache[root]


KEYWORDS = keyword.kwlist + ["match", "case", "type", "_", "print", "exec"]
OPERATORS = ["(", ")", "[", "]", "{", "}", ":", ",", ";", "+", "-", "*", "/", "|", "&", "<", ">", "=", ".",
             "%", "==", "!=", "<=", ">=", "~", "^", "<<", ">>", "**", "+=", "-=", "*=", "/=", "%=", "&=",
             "|=", "^=", "<<=", ">>=", "**=", "//", "//=", "@", "@=", "->", "...", ":=", "!", "\\"]
LITERALS = ["0", "1", "0x1f", "1.5", "1j", "1_000", "'s'", '"s"', "b'b'", "f'{x}'", "f'{x!r:>3}'", "r'\\d'",
            "'''t'''", "None", "x", "self", "__debug__", "*x", "**k", "lambda: 0", "yield", "await x"]


def _tokens(src):
    try:
        return [t for t in tokenize.generate_tokens(io.StringIO(src).readline)
                if t.type not in (tokenize.ENDMARKER, tokenize.DEDENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _offsets(src):
    starts = [0]
    for line in src.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def mutate_tokens(r, src):
    """One token-level mutation; (new source, name)."""
    toks = _tokens(src)
    if not toks:
        return src, "none"
    starts = _offsets(src)

    def span(t):
        return starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1]

    kind = r.choice(["delete", "double", "keyword", "operator", "literal", "swap", "indent"])
    meaningful = [t for t in toks if t.type not in (tokenize.NL, tokenize.COMMENT)] or toks
    t = r.choice(meaningful)
    a, b = span(t)
    if kind == "delete":
        return src[:a] + src[b:], kind
    if kind == "double":
        return src[:b] + " " + src[a:b] + src[b:], kind
    if kind in ("keyword", "operator", "literal"):
        pool = {"keyword": KEYWORDS, "operator": OPERATORS, "literal": LITERALS}[kind]
        new = r.choice(pool)
        if r.random() < 0.5:
            return src[:a] + new + src[b:], kind + "-replace"
        return src[:a] + new + " " + src[a:], kind + "-insert"
    if kind == "swap":
        k = meaningful.index(t)
        if k + 1 >= len(meaningful):
            return src, "none"
        a2, b2 = span(meaningful[k + 1])
        if a2 < b:
            return src, "none"
        return src[:a] + src[a2:b2] + src[b:a2] + src[a:b] + src[b2:], kind
    lines = src.splitlines(keepends=True)
    k = r.randrange(len(lines))
    if r.random() < 0.5:
        lines[k] = r.choice(["    ", "  ", "\t", " "]) + lines[k]
    else:
        lines[k] = lines[k].lstrip(" \t")
    return "".join(lines), kind


def generate(seed, roots=None):
    """(source bytes, description) for one case seed."""
    r = random.Random(seed)
    files = corpus_files(roots)
    if not files:
        raise RuntimeError("no .py files under %s" % (roots or DEFAULT_ROOTS))
    c = r.random()
    snippets = cpython_snippets()
    if snippets and c >= 0.8:
        k = r.randrange(len(snippets))
        path, src = "cpython-test%d" % k, snippets[k]
    elif c < 0.1:
        k = r.randrange(len(ERROR_SEEDS))
        path, src = "error-seed%d" % k, ERROR_SEEDS[k]
    elif c < 0.2:
        holes = hole_cases()
        k = r.randrange(len(holes))
        path, src = "hole%d" % k, holes[k]
    elif c < 0.35:
        k = r.randrange(len(SEEDS))
        path, src = "seed%d" % k, SEEDS[k]
    else:
        for _ in range(20):
            path = r.choice(files)
            src = _cut(r, path)
            if src:
                break
        else:
            return b"pass\n", "empty"
    muts = []
    for _ in range(0 if path.startswith("hole") else r.choice([0, 0, 1]) if path.startswith(("error-seed", "cpython-test"))
                   else r.choice([0, 1, 1, 1, 2, 2, 3])):
        src, name = mutate_tokens(r, src)
        muts.append(name)
    rel = path if path.startswith(("seed", "error-seed", "cpython-test", "hole")) else os.path.relpath(path, os.path.dirname((roots or DEFAULT_ROOTS)[0]))
    return src.encode("utf-8", "surrogatepass"), "%s:%s" % (rel, "+".join(muts) or "valid")
