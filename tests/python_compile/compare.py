#!/usr/bin/python3
"""Differential test: ag::read_python_module (through pyscan) against CPython 3.11.

    compare.py --pyscan build/tests/python_compile/pyscan --count 3000 --seed 1
    compare.py --pyscan ... --only 1042          # one case again, with its source
    compare.py --pyscan ... --keep DIR           # keep the generated files
    compare.py --pyscan ... --fixed              # every hole case, seed and error seed once

For COUNT cases (case seeds SEED*1000000 + 0 .. COUNT-1) a seeded generator writes a
small Python source: a realistic Alembic migration (or a short snippet), valid or
mutated (a quote or bracket deleted, a conflict marker, NUL, bad UTF-8, coding cookies,
BOM, indentation changes, tabs, 199..201 nested brackets, CRLF / lone CR, backslashes,
Python 2 statements, ...).  Each source is judged by

  CPython:  compile(source_bytes, name, "exec") (what importlib does) raises
            SyntaxError (IndentationError, TabError) or ValueError -> an error;
  ours:     pyscan reports error_line != null.

Error-verdict disagreements: CPython fails and we do not, or CPython compiles the file and
we report an error, at any level (tokenizer, grammar, compiler): a FAILURE. Ours refusing a
file it cannot prove (an encoding it does not decode, dynamic code) is listed, not failed.

For sources CPython compiles, module-level names are checked against the module really
executed in a forked child (imports give inert stand-ins, an alarm and a memory limit
bound it): every definite value of ours must equal the executed one, a name the module
binds must not be missing, and ours saying the import fails must match the execution
raising. When the execution raises, the names are moot.

Every disagreement class is printed once with a minimised reproduction (repr of the
source, CPython's verdict, ours) and a count; the last line is "N passed, M failed".
Exit 0 when there is no failure, 1 otherwise, 77 (skip) when /usr/bin/python3 is
missing -- except under CI=true, where that is a failure.
"""
import argparse
import ast
import builtins
import collections
import json
import os
import random
import codecs
import re
import shutil
import subprocess
import sys
import tempfile
import types
import warnings

warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning from compile(): not verdicts

PYTHON = "/usr/bin/python3"
SKIP_LINE = "SKIP: /usr/bin/python3 (Debian's CPython 3.11) is missing"


def ensure_system_python():
    """Re-executes under /usr/bin/python3 (the oracle is the interpreter itself)."""
    if not os.path.exists(PYTHON):
        if os.environ.get("CI") == "true":
            print(SKIP_LINE.replace("SKIP:", "FAIL:") + " -- a skip is a failure under CI=true")
            return 1
        print(SKIP_LINE)
        return 77
    if os.path.realpath(sys.executable) != os.path.realpath(PYTHON):
        os.execv(PYTHON, [PYTHON] + sys.argv)
    return None


# --------------------------------------------------------------------------------------
# CPython's verdict


TOKENIZER_MESSAGES = [
    r"unterminated (triple-quoted )?string literal",
    r"was never closed",
    r"does not match opening parenthesis",
    r"^unmatched '",
    r"too many nested parentheses",
    r"unexpected EOF while parsing",
    r"unexpected character after line continuation character",
    r"^invalid character",
    r"^invalid non-printable character",
    r"^invalid (decimal|hexadecimal|octal|binary|imaginary) literal",
    r"^invalid digit",
    r"^leading zeros in decimal integer literals",
    r"null bytes",
    r"^encoding problem",
    r"^unknown encoding",
    r"codec can't decode",  # invalid UTF-8 / bytes outside the declared encoding
    r"Non-UTF-8 code",
    r"too many levels of indentation",
]


def message_class(msg):
    """A message with its specifics (numbers, quoted parts) blanked, to group by."""
    m = re.sub(r"U\+[0-9A-Fa-f]+", "U+…", msg)
    m = re.sub(r"0x[0-9A-Fa-f]+", "0x…", m)
    m = re.sub(r"'[^']*'", "'…'", m)
    m = re.sub(r"\d+", "N", m)
    return m


FAMILIES = [("indent", r"indent"), ("string", r"string literal"), ("bracket", r"never closed|unmatched|does not match"),
            ("nesting", r"nested"), ("encoding", r"UTF-8|utf-8|codec|encoding|ascii"), ("nul", r"NUL|null"),
            ("continuation", r"continuation|EOF"), ("character", r"character"), ("literal", r"literal")]


def family(msg):
    for name, pattern in FAMILIES:
        if re.search(pattern, msg or ""):
            return name
    return msg


def cpython_verdict(src):
    """None when CPython compiles src, else (level, type, message, line); level is
    'tokenizer' (tokenizer / indentation / encoding) or 'grammar' (anything later)."""
    try:
        compile(src, "migration.py", "exec", dont_inherit=True)
        return None
    except MemoryError:
        # 3.11's parser overflows its stack in the error pass (invalid_* rules) on deeply
        # nested brackets: a file with ~100+ mixed nested brackets plus any grammar error
        # raises MemoryError instead of SyntaxError.  Import fails either way.
        return ("grammar", "MemoryError", "parser stack overflow (deep nesting + a grammar error)", None)
    except (SyntaxError, ValueError) as e:
        msg = str(e.args[0]) if e.args else str(e)
        line = getattr(e, "lineno", None)
        if isinstance(e, IndentationError) or not isinstance(e, SyntaxError):  # incl. TabError
            level = "tokenizer"
        elif msg.startswith("(unicode error) 'unicodeescape'") or msg.startswith("f-string"):
            level = "grammar"  # inside a literal: a bad escape, or an f-string's expression part
        elif any(re.search(p, msg) for p in TOKENIZER_MESSAGES):
            level = "tokenizer"
        else:
            level = "grammar"
        return (level, type(e).__name__, msg, line)


# --------------------------------------------------------------------------------------
# What each module-level name must be (from the AST of a source CPython compiles)


class NotPlain(Exception):
    pass


def plain_value(node, env):
    """The value of a literal made of the forms the reader knows (str, bytes, numbers,
    bool, None, tuples/lists of those, names bound to them); NotPlain otherwise."""
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            raise NotPlain()
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [plain_value(e, env) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Name):
        b = env.get(node.id)
        if b is not None and b[0] == "plain":
            return b[1]
        raise NotPlain()
    raise NotPlain()


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bound_in(node):
    """Names a statement (or expression) binds in the module scope when it runs."""
    out = set()

    def visit(n, in_comp=False):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
            for d in n.decorator_list:
                visit(d)
            return
        if isinstance(n, ast.Lambda):
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)) and not in_comp:
            out.add(n.id)
        if isinstance(n, ast.NamedExpr):
            out.add(n.target.id)  # binds in the enclosing (module) scope, even from a comprehension
        if isinstance(n, ast.alias):
            out.add((n.asname or n.name).split(".")[0])
        if isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        if isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            out.add(n.name)
        if isinstance(n, ast.MatchMapping) and n.rest:
            out.add(n.rest)
        comp = in_comp or isinstance(n, COMPREHENSIONS)
        for c in ast.iter_child_nodes(n):
            visit(c, comp)

    visit(node)
    return out


def expectations(tree):
    """name -> ('plain', value) | ('other', None) | ('computed', None); absent names are
    not in the map.  'other': a plain statement whose value is an expression outside the
    literal forms (ours may say Computed, or give the right value)."""
    env = {}

    def walrus(n):
        for sub in ast.walk(n):
            if isinstance(sub, ast.NamedExpr):
                env[sub.target.id] = ("computed", None)

    for st in tree.body:
        if isinstance(st, ast.Assign):
            try:
                v = plain_value(st.value, env)
                kind = "plain"
            except NotPlain:
                v, kind = None, "other"
            walrus(st.value)
            for t in st.targets:
                if isinstance(t, ast.Name):
                    env[t.id] = (kind, v)
                elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts):
                    if kind == "plain" and isinstance(v, (tuple, list)) and len(v) == len(t.elts) \
                            and all(isinstance(x, str) for x in v):
                        for e, x in zip(t.elts, v):
                            env[e.id] = ("plain", x)
                    else:
                        for e in t.elts:
                            env[e.id] = ("computed" if kind == "plain" else "other", None)
                else:
                    for name in bound_in(t):
                        env[name] = ("computed", None)
        elif isinstance(st, ast.AnnAssign):
            if st.value is not None and isinstance(st.target, ast.Name):
                try:
                    env[st.target.id] = ("plain", plain_value(st.value, env))
                except NotPlain:
                    env[st.target.id] = ("other", None)
                walrus(st.value)
        elif isinstance(st, ast.Delete):
            for t in st.targets:
                if isinstance(t, ast.Name):
                    env.pop(t.id, None)
        elif isinstance(st, ast.Expr):
            walrus(st)
        else:
            for name in bound_in(st):
                env[name] = ("computed", None)
    return env


def category(v):
    """A Python value as the reader's kinds see it."""
    if v is None:
        return ("none", [])
    if isinstance(v, str):
        return ("string", [v])
    if isinstance(v, (tuple, list)) and all(isinstance(x, str) for x in v):
        return ("sequence", list(v))
    return ("nonstring", [])


# --------------------------------------------------------------------------------------
# Executing a valid source (only when its module level evaluates literals and names)


class _Typing:
    def __getitem__(self, item):
        return self


SANDBOX_NAMES = {"Union": _Typing(), "Optional": _Typing(), "Sequence": _Typing(),
                 "Tuple": _Typing(), "List": _Typing()}
SAFE_BUILTINS = {n: getattr(builtins, n) for n in (
    "str", "tuple", "list", "Exception", "ValueError", "len", "object", "staticmethod", "classmethod",
    "property", "__build_class__")}


def executable(tree):
    """True when executing the module evaluates only literals, names, operators on them
    and calls of functions/classes the file itself defines (no imports, no attributes)."""
    defined = {st.name for st in tree.body if isinstance(st, (ast.FunctionDef, ast.ClassDef))}
    ok = True

    def visit(n):
        nonlocal ok
        if not ok:
            return
        if isinstance(n, (ast.Import, ast.ImportFrom, ast.Attribute, ast.Await, ast.Yield, ast.YieldFrom,
                          ast.While, ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith, ast.Global, ast.Starred)):
            ok = False
            return
        if isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name) and n.func.id in defined):
            ok = False
            return
        if isinstance(n, ast.Subscript) and not (isinstance(n.value, ast.Name) and n.value.id in SANDBOX_NAMES):
            ok = False
            return
        if isinstance(n, ast.BinOp) and not isinstance(n.op, (ast.Add, ast.BitOr)):
            ok = False
            return
        if isinstance(n, (ast.With, ast.For)):
            ok = False  # a context manager / iterable would need more than literals
            return
        if isinstance(n, (ast.FunctionDef, ast.Lambda)):
            # The body does not run; decorators, defaults and annotations do.
            parts = list(getattr(n, "decorator_list", [])) + list(n.args.defaults) + \
                [d for d in n.args.kw_defaults if d is not None]
            if isinstance(n, ast.FunctionDef):
                body_ok = all(isinstance(s, (ast.Return, ast.Pass, ast.Expr)) for s in n.body)
                if any(n.name == d.id for d in ast.walk(tree) if isinstance(d, ast.Name)
                       and isinstance(d.ctx, ast.Load)) and not body_ok:
                    ok = False  # a function the module calls must be trivial
                    return
                parts += [a.annotation for a in n.args.args if a.annotation] + ([n.returns] if n.returns else [])
            for p in parts:
                visit(p)
            return
        for c in ast.iter_child_nodes(n):
            visit(c)

    visit(tree)
    return ok


class _Anything:
    """What every import gives in the sandbox: imports run no real code (a real import
    interrupted by the alarm could leave the import lock held), and whatever is built from
    them is computed in the reader's eyes anyway."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, item):
        return self

    def __iter__(self):
        return iter(())

    def __mro_entries__(self, bases):
        return (object,)


class _Module(types.ModuleType):
    """What an import binds in the sandbox: a module (not callable, not subscriptable, as a
    real one), whose every name is an inert stand-in."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Anything()


def _sandbox_import(name, globals=None, locals=None, fromlist=(), level=0):
    return _Module(name or "package")


SANDBOX_BUILTINS = dict(vars(builtins), __import__=_sandbox_import, input=lambda *a: "", open=_Anything(),
                        exit=_Anything(), quit=_Anything(), breakpoint=_Anything(), help=_Anything())


def _run_isolated(src):
    """Executes src in a child of this worker (a crash or a hang there costs only the case):
    the category of every name it binds, or {"__raised__": type} when it raises."""
    import json as _json
    import signal
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        result = None
        try:
            import io
            import contextlib
            signal.alarm(2)
            ns = {"__name__": "migration", "__doc__": None, "__builtins__": SANDBOX_BUILTINS}
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(src, "migration.py", "exec", dont_inherit=True), ns)
            signal.alarm(0)
            # __name__ is the sandbox's own unless the module rebinds it; __warningregistry__
            # is the warnings machinery's (a warning raised while it ran), not the module's.
            result = {k: category(v) for k, v in ns.items()
                      if k not in ("__builtins__", "__warningregistry__") and not (k == "__name__" and v == "migration")}
        except BaseException as e:  # noqa: B902 - whatever it raises, the import fails
            result = {"__raised__": type(e).__name__}
        try:
            os.write(write_fd, _json.dumps(result).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    try:
        values = json.loads(b"".join(chunks))
    except ValueError:
        return {"__raised__": "crash"}
    return {k: tuple(v) if isinstance(v, list) and k != "__raised__" else v for k, v in values.items()}


def judge(item):
    """Runs in a worker: CPython's verdict, and for valid sources the name expectations
    and the values the module's names hold when it really runs (executed in this forked
    worker, under an alarm and a memory limit, with its real imports; None when it
    raises)."""
    seed, src = item
    verdict = cpython_verdict(src)
    if verdict is not None:
        return seed, verdict, None, None
    tree = ast.parse(src)
    exp = expectations(tree)
    values = None
    values = _run_isolated(src)
    return seed, None, exp, values


def _worker_init():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


# --------------------------------------------------------------------------------------
# The generator


HEX = "0123456789abcdef"


def rev_id(r):
    return "".join(r.choice(HEX) for _ in range(12))


def str_lit(r, value, allow_fancy=True):
    """A str literal whose value is `value` (plain id characters), in a random form."""
    forms = ["dq", "sq", "dq", "sq"]
    if allow_fancy:
        forms += ["tdq", "tsq", "u", "r", "R", "concat", "paren_concat", "esc"]
    f = r.choice(forms)
    if f == "dq":
        return '"%s"' % value
    if f == "sq":
        return "'%s'" % value
    if f == "tdq":
        return '"""%s"""' % value
    if f == "tsq":
        return "'''%s'''" % value
    if f == "u":
        return 'u"%s"' % value
    if f in ("r", "R"):
        return '%s"%s"' % (f, value)
    if f == "concat" and len(value) > 2:
        k = r.randrange(1, len(value))
        return '"%s" \'%s\'' % (value[:k], value[k:])
    if f == "paren_concat" and len(value) > 2:
        k = r.randrange(1, len(value))
        return '(\n    "%s"  # part one\n    "%s"\n)' % (value[:k], value[k:])
    if f == "esc" and value:
        return '"\\x%02x%s"' % (ord(value[0]), value[1:])
    return '"%s"' % value


def seq_lit(r, ids):
    kind = r.choice(["tuple", "tuple", "list", "multiline", "multiline_comment"])
    parts = [str_lit(r, i, allow_fancy=r.random() < 0.3) for i in ids]
    if kind == "tuple":
        if len(parts) == 1:
            return "(%s,)" % parts[0]
        return "(%s)" % ", ".join(parts)
    if kind == "list":
        return "[%s]" % ", ".join(parts)
    body = "".join("    %s,%s\n" % (p, "  # a comment with a quote: don't" if kind == "multiline_comment" else "")
                   for p in parts)
    return "(\n%s)" % body


def field_value(r, name, ids):
    if name == "revision":
        return str_lit(r, ids[0])
    if name == "down_revision":
        c = r.random()
        if c < 0.25:
            return "None"
        if c < 0.65:
            return str_lit(r, ids[1])
        return seq_lit(r, ids[1:3])
    c = r.random()
    if c < 0.5:
        return "None"
    if c < 0.7:
        return str_lit(r, "label_" + ids[0][:4])
    return seq_lit(r, ["label_a", "label_" + ids[1][:3]])


ANNOTATIONS = {
    "revision": ["str"],
    "down_revision": ["Union[str, None]", "Optional[str]", "Union[str, Sequence[str], None]"],
    "branch_labels": ["Union[str, Sequence[str], None]"],
    "depends_on": ["Union[str, Sequence[str], None]"],
}

DOCSTRINGS = [
    '"""{msg}\n\nRevision ID: {rev}\nRevises: {down}\nCreate Date: 2024-02-03 10:11:12.000000\n\n"""\n',
    "'''{msg} -- it's \"quoted\"\n\nRevision ID: {rev}\n'''\n",
    '"""{msg} with a backslash \\\\ and a "quote" inside"""\n',
    'r"""{msg}: C:\\path\\to\\file"""\n',
    '"""{msg}\n\n    ```\n    <<<<<<< not a marker inside a string\n    ```\n"""\n',
    "",
]

BODY_SNIPPETS = [
    # (text, needs_imports)
    ('def upgrade() -> None:\n    revision = "decoy_in_function"\n    down_revision = None\n'
     '    op.create_table(\n        "account",\n        sa.Column("id", sa.Integer(), nullable=False),\n'
     '        sa.Column("name", sa.String(50), server_default="it\'s"),\n    )\n', True),
    ('def downgrade() -> None:\n    """Drop it."""\n    op.drop_table("account")  # don\'t forget\n', True),
    ('def upgrade():\n    pass\n', False),
    ('def downgrade():\n    # nothing to do, "really"\n    pass\n', False),
    ('def helper(x, revision="lambda_default", *args, **kwargs):\n    return x\n', False),
    ('key = lambda revision="in_lambda": revision\n', False),
    ('def deco(f):\n    return f\n\n\n@deco\ndef decorated():\n    depends_on = "decoy"\n    return depends_on\n', False),
    ('class Decoy:\n    revision = "in_class"\n    down_revision = ("a", "b")\n\n    def method(self):\n'
     '        branch_labels = "m"\n        return branch_labels\n', False),
    ('if True:\n    depends_on = None\n', False),
    ('if False:\n    revision = "never"\nelse:\n    pass\n', False),
    ('try:\n    branch_labels = None\nexcept ValueError:\n    branch_labels = ("x",)\n', False),
    ('for _ in ():\n    down_revision = "loop"\n', False),
    ('with open("x") as depends_on:\n    pass\n', True),
    ('MESSAGE = f"{1 + 1!r:>4} {{literal}} \'nested\' \\"quotes\\""\n', False),
    ('PATH = "C:\\\\temp\\\\" + r"raw\\n"\n', False),
    ('TEXT = """multi\nline \' " \\"""\n', False),
    ("NOTE = '''it''s \"fine\"'''\n", False),
    ('LONG = 1 + \\\n    2\n', False),
    ('x = [\n    1,\n    2,  # trailing\n]\n', False),
    ('def f(a,\n      b=(1, 2),\n      c={"k": [3]}):\n    return a\n', False),
    ('async def run():\n    await something()\n', True),
    ('match (1, 2):\n    case (1, y):\n        pass\n    case _:\n        pass\n', False),
    ('print("done")  # print x\n', False),
    ('value = {"a": 1, "b": [2, 3], "c": (4,)}\n', False),
    ('# a comment with """ triple quotes and \' a single one\n', False),
    ('sql = (\n    "SELECT * "\n    "FROM t "\n    f"WHERE id = {1}"\n)\n', False),
    ('def walrus():\n    if (n := 3) > 2:\n        return n\n', False),
    ('data = [x for x in range(0)] if False else []\n', False),
    ('del key\n', False),
]


def migration_source(r):
    """A realistic migration file (text)."""
    ids = [rev_id(r) for _ in range(3)]
    imports = r.random() < 0.5
    out = []
    if r.random() < 0.1:
        out.append("#!/usr/bin/env python3\n")
    if r.random() < 0.1:
        out.append(r.choice(["# -*- coding: utf-8 -*-\n", "# coding=utf-8\n", "# vim: set fileencoding=utf-8 :\n"]))
    doc = r.choice(DOCSTRINGS)
    out.append(doc.format(msg=r.choice(["Add users", "add column", "merge heads"]), rev=ids[0], down=ids[1]))
    if imports:
        out.append("from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n")
    out.append("\n# revision identifiers, used by Alembic.\n")
    style = r.choice(["plain", "plain", "annotated", "ref", "unpack", "semicolon", "chain", "backslash"])
    fields = ["revision", "down_revision", "branch_labels", "depends_on"]
    if r.random() < 0.1:
        fields.remove(r.choice(fields))
    vals = {f: field_value(r, f, ids) for f in fields}
    if style == "plain":
        for f in fields:
            out.append("%s = %s\n" % (f, vals[f]))
    elif style == "annotated":
        for f in fields:
            out.append("%s: %s = %s\n" % (f, r.choice(ANNOTATIONS[f]), vals[f]))
    elif style == "ref":
        out.append("R = %s\nD = %s\n" % (str_lit(r, ids[0]), vals.get("down_revision", "None")))
        for f in fields:
            out.append("%s = %s\n" % (f, {"revision": "R", "down_revision": "D"}.get(f, vals[f])))
    elif style == "unpack" and "revision" in vals and "down_revision" in vals:
        out.append('%srevision, down_revision%s = "%s", "%s"\n' % (
            *r.choice([("", ""), ("(", ")"), ("[", "]")]), ids[0], ids[1]))
        for f in fields[2:]:
            out.append("%s = %s\n" % (f, vals[f]))
    elif style == "semicolon":
        out.append("; ".join("%s = %s" % (f, vals[f]) for f in fields) + "\n")
    elif style == "chain":
        out.append("branch_labels = depends_on = None\n")
        for f in fields[:2]:
            out.append("%s = %s\n" % (f, vals[f]))
    else:
        for f in fields:
            out.append("%s = \\\n    %s\n" % (f, vals[f]))
    snippets = [s for s, needs in BODY_SNIPPETS if imports or not needs]
    for _ in range(r.randint(1, 5)):
        out.append("\n\n" + r.choice(snippets))
    if r.random() < 0.2:  # a late rebinding: the last binding wins
        f = r.choice(["revision", "down_revision", "branch_labels", "depends_on"])
        out.append("\n%s = %s\n" % (f, field_value(r, f, [rev_id(r) for _ in range(3)])))
    return "".join(out)


def snippet_source(r):
    """A short, dense source aimed at the tokenizer: brackets over lines, strings with
    every prefix, indentation, comments and continuations."""
    lines = []
    depth = 0
    for _ in range(r.randint(1, 8)):
        c = r.random()
        ind = "    " * depth
        if c < 0.25:
            prefix = r.choice(["", "", "r", "b", "f", "u", "rb", "Rb", "bR", "fr", "Rf", "F", "BR", "br"])
            q = r.choice(["'", '"', "'''", '"""'])
            body = r.choice(["x", "it's", 'say "hi"', "a\\nb", "\\\\", "{1}", "{{}}", "\\'", "", "é"])
            if q in ("'", '"') and q in body.replace("\\" + q, ""):
                body = "x"
            lit = prefix + q + body + q
            if "b" in prefix.lower() and "é" in body:
                lit = prefix + q + "x" + q
            if "f" in prefix.lower() and ("\\" in body or "'" in body or '"' in body):
                lit = prefix + q + "{1}" + q
            lines.append(ind + "v = %s\n" % lit)
        elif c < 0.45:
            n = r.randint(1, 4)
            opens = [r.choice("([{") for _ in range(n)]
            close = {"(": ")", "[": "]", "{": "}"}
            inner = "1"
            text = "".join(opens) + inner + "".join(close[o] for o in reversed(opens))
            if r.random() < 0.5:
                text = text.replace(opens[-1], opens[-1] + "\n" + ind + "    ", 1)
            lines.append(ind + "w = %s\n" % text)
        elif c < 0.6 and depth < 3:
            lines.append(ind + r.choice(["if x:", "for i in y:", "def g():", "class K:", "while z:", "try:",
                                          "with a as b:"]) + "\n")
            depth += 1
            lines.append("    " * depth + "pass\n")
        elif c < 0.7 and depth > 0:
            depth -= 1
            lines.append("    " * depth + "z = 2\n")
        elif c < 0.8:
            lines.append(r.choice(["# comment\n", "   # indented comment\n", "\n", "    \n", "\t\n", "\x0c\n"]))
        elif c < 0.9:
            lines.append(ind + "s = 1 + \\\n" + ind + "    2\n")
        else:
            lines.append(ind + "t = (1,  # ( [ {\n" + ind + "     2)\n")
    return "".join(lines)


def choose_line_start(r, src):
    starts = [0] + [m.end() for m in re.finditer(rb"\n", src) if m.end() < len(src)]
    return r.choice(starts)


def mutate(r, src):
    """One targeted mutation of bytes; returns (new source, mutation name)."""
    kind = r.choice(MUTATIONS)
    return MUTATION_FUNCS[kind](r, src), kind


def _delete_one(r, src, chars):
    pos = [i for i, b in enumerate(src) if b in chars]
    if not pos:
        return src
    i = r.choice(pos)
    return src[:i] + src[i + 1:]


def _insert_at(r, src, text, line_start=False):
    i = choose_line_start(r, src) if line_start else r.randrange(len(src) + 1)
    return src[:i] + text + src[i:]


def m_conflict(r, src):
    c = r.random()
    if c < 0.5:
        block = b"<<<<<<< HEAD\nrevision = 'ours'\n=======\nrevision = 'theirs'\n>>>>>>> feature\n"
        return _insert_at(r, src, block, line_start=True)
    marker = r.choice([b"<<<<<<< HEAD\n", b"=======\n", b">>>>>>> abc123 (msg)\n", b"||||||| base\n",
                       b"    =======\n", b"=======", b"<<<<<<<\n", b"=== not a marker\n"])
    return _insert_at(r, src, marker, line_start=r.random() < 0.85)


def m_nul(r, src):
    return _insert_at(r, src, b"\x00")


def m_bad_utf8(r, src):
    bad = r.choice([b"\xff", b"\xc3", b"\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82",
                    b"\xc3\xa9", b"\xe2\x80\xa6"])
    out = _insert_at(r, src, bad)
    c = r.random()
    if c < 0.25:
        out = b"# -*- coding: latin-1 -*-\n" + out
    elif c < 0.35:
        out = b"# coding: ascii\n" + out
    elif c < 0.4:
        out = b"#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\n" + out
    return out


def m_cookie(r, src):
    cookie = r.choice([b"# coding: latin-1\n", b"# -*- coding: utf-8 -*-\n", b"# coding=ascii\n",
                       b"# coding: foobar\n", b"# coding: utf8\n", b"# coding: UTF_8\n", b"# coding: latin_1\n",
                       b"# coding: cp1252\n", b"#coding:utf-8\n", b"  # coding: latin-1\n",
                       b"# This file has coding: latin-1 in it\n", b"# coding: utf-8-sig\n",
                       b"# coding: euc-jp\n", b"# coding: iso-8859-1\n"])
    c = r.random()
    if c < 0.3:
        out = cookie + src
    elif c < 0.5:
        out = b"#!/usr/bin/env python\n" + cookie + src
    elif c < 0.6:
        out = b"x = 1\n" + cookie + src
    elif c < 0.7:
        out = b"\n" + cookie + src
    else:
        out = cookie + _insert_at(r, src, r.choice([b"\xe9", b"\xc3\xa9", b"\xff"]))
    if r.random() < 0.2:
        out = b"\xef\xbb\xbf" + out
    return out


def m_bom(r, src):
    if r.random() < 0.3:
        return _insert_at(r, src, b"\xef\xbb\xbf")
    return b"\xef\xbb\xbf" + src


def m_indent(r, src):
    i = choose_line_start(r, src)
    return src[:i] + r.choice([b" ", b"    ", b"  ", b"\t", b"        "]) + src[i:]


def m_dedent(r, src):
    starts = [m.start() for m in re.finditer(rb"(?m)^[ \t]+", src)]
    if not starts:
        return src
    i = r.choice(starts)
    j = i
    while j < len(src) and src[j:j + 1] in (b" ", b"\t"):
        j += 1
    keep = r.randrange(0, j - i)
    return src[:i] + src[i:i + keep] + src[j:]


def m_tabs(r, src):
    lines = src.split(b"\n")
    idx = [k for k, l in enumerate(lines) if l.startswith(b"    ")]
    if not idx:
        return src
    for k in r.sample(idx, min(len(idx), r.randint(1, 3))):
        lines[k] = r.choice([b"\t", b" \t", b"\t ", b"\t    "[:r.randint(1, 5)]]) + lines[k][4:]
    return b"\n".join(lines)


def m_nesting(r, src):
    n = r.choice([199, 200, 200, 201, 202, 100])
    opens = "".join(r.choice("([{") if r.random() < 0.3 else "(" for _ in range(n))
    close = {"(": ")", "[": "]", "{": "}"}
    inner = "1"
    text = opens + inner + "".join(close[o] for o in reversed(opens))
    if r.random() < 0.3:
        text = text.replace("(", "(\n", 3)
    stmt = ("deep = %s\n" % text).encode()
    return _insert_at(r, src, stmt, line_start=True) if r.random() < 0.5 else src + b"\n" + stmt


def m_newlines(r, src):
    c = r.random()
    if c < 0.4:
        return src.replace(b"\n", b"\r\n")
    if c < 0.6:
        return src.replace(b"\n", b"\r")
    if c < 0.8:  # one lone CR somewhere
        return _insert_at(r, src, b"\r")
    nl = [m.start() for m in re.finditer(rb"\n", src)]
    if not nl:
        return src
    i = r.choice(nl)
    return src[:i] + r.choice([b"\r\n", b"\r", b"\r\r\n", b"\n\r"]) + src[i + 1:]


def m_backslash(r, src):
    nl = [m.start() for m in re.finditer(rb"\n", src)]
    c = r.random()
    if c < 0.2 or not nl:
        return src.rstrip(b"\n") + r.choice([b"\\", b"\\\n", b" \\\n", b"\\ \n"])
    i = r.choice(nl)
    return src[:i] + r.choice([b"\\", b" \\", b"\\ ", b"\\\t", b"\\\n"]) + src[i:]


def m_colon(r, src):
    if r.random() < 0.5:
        return _delete_one(r, src, b":")
    nl = [m.start() for m in re.finditer(rb"\n", src)]
    if not nl:
        return src + b":"
    i = r.choice(nl)
    return src[:i] + b":" + src[i:]


def m_eof(r, src):
    c = r.random()
    if c < 0.4:
        return src.rstrip(b"\n")
    if c < 0.6:
        return src + b"    "
    if c < 0.8:
        return src + r.choice([b"# trailing comment", b"if x:\n", b"if x:", b"def f():\n    # only a comment\n",
                               b"class C:\n\n", b"x = 1 \\"])
    return src.rstrip(b"\n") + b"\n    \n\t\n"


def m_py2(r, src):
    stmt = r.choice([b"print x", b"print 'hello'", b"exec 'code'", b"raise E, 'msg'", b"x = 0777",
                     b"x = `y`", b"x = 1 <> 2", b"except Exception, e:", b"return", b"ur'x'", b"x = 10L"])
    c = r.random()
    if c < 0.6:
        return src + b"\n\ndef legacy():\n    " + stmt + b"\n"
    return src + b"\n" + stmt + b"\n"


def m_grammar(r, src):
    stmt = r.choice([b"x = f'{'", b"x = f'{}'", b"x = f'}'", b"x = '\\N{nope}'", b"x = '\\x1'", b"x = b'\xc3\xa9'",
                     b"break", b"return 1", b"1 = x", b"x = (1 2)", b"def f(a, a): pass", b"x = yield",
                     b"f(**k, *a)", b"x = 1 if 2", b"nonlocal q", b"x = f'{a!z}'", b"x = u'' b''",
                     b"async = 1", b"x = 1_", b"x = 0b2", b"x = 1__0", b"x = 0x", b"x = 1e", b"x = 09",
                     b"x = 1.2.3", b"x = 5j7", b"import", b"x =", b"x = )", b"x = ur'a'", b"x = bf'a'"])
    return _insert_at(r, src, stmt + b"\n", line_start=True)


def m_string_edge(r, src):
    stmt = r.choice([b'x = r"abc\\"', b'x = r"\\\\"', b"x = '\\\\'", b"x = 'abc\\'", b'x = """a""""',
                     b"x = ''''''", b'x = """"""""', b"x = ''''", b'x = "a\\\nb"', b"x = '''a\n\n",
                     b"x = rb'\\''", b"x = f'''{1}\n'''", b"x = '\\", b'x = """\\"""', b"x = 'a''b'",
                     b"x = 'don't'", b'x = "say "hi""', b"x = '#'  # '", b"# ' unbalanced quote in comment",
                     b'x = """\n<<<<<<< HEAD\n"""', b"x = '''\n=======\n'''", b"x = 'a' 'b", b'x = F"{x!r}"',
                     b"x = Rb'\\d'", b"x = bR\"\\d\"", b"x = U'x'", b"x = uR'x'", b"x = rf'{1}\\d'"])
    return _insert_at(r, src, stmt + b"\n", line_start=True)


def m_chars(r, src):
    ch = r.choice([b"$", b"?", b"!", b"`", b"\x0c", b"\x0b", b"\xc2\xa0", b"\xe2\x80\x8b", b"\xe2\x80\xa6",
                   b"\xc3\xa9", b"\x7f", b"\x01", b"\x1b", b";", b"\\", b"@", b"~", b"\t"])
    return _insert_at(r, src, ch)


def m_delete_quote(r, src):
    return _delete_one(r, src, b"'\"")


def m_delete_bracket(r, src):
    return _delete_one(r, src, b"()[]{}")


def m_insert_bracket(r, src):
    return _insert_at(r, src, r.choice([b"(", b")", b"[", b"]", b"{", b"}"]))


def m_swap_bracket(r, src):
    pos = [i for i, b in enumerate(src) if b in b")]}"]
    if not pos:
        return src
    i = r.choice(pos)
    return src[:i] + r.choice([b")", b"]", b"}"]) + src[i + 1:]


def m_random_byte(r, src):
    c = r.random()
    if not src:
        return b"x"
    i = r.randrange(len(src))
    if c < 0.4:
        return src[:i] + src[i + 1:]
    if c < 0.7:
        return src[:i] + src[i:i + 1] + src[i:]
    return src[:i] + bytes([r.choice(b"'\"()[]{}:\\#\n \t=,.")]) + src[i + 1:]


def m_lines(r, src):
    lines = src.split(b"\n")
    if len(lines) < 2:
        return src
    k = r.randrange(len(lines))
    c = r.random()
    if c < 0.4:
        del lines[k]
    elif c < 0.7:
        lines.insert(k, lines[k])
    elif k + 1 < len(lines):
        lines[k], lines[k + 1] = lines[k + 1], lines[k]
    return b"\n".join(lines)


def m_nfkc(r, src):
    """A field name spelt with a fullwidth letter: Python binds its NFKC form (`revision`)."""
    name = r.choice([b"revision", b"down_revision", b"branch_labels", b"depends_on"])
    k = r.choice([i for i in range(len(name)) if name[i] != ord("_")])
    new = name[:k] + chr(0xFF41 + name[k] - ord("a")).encode() + name[k + 1:]
    return src.replace(name + b" =", new + b" =", 1).replace(name + b":", new + b":", 1)


MUTATION_FUNCS = {name[2:]: f for name, f in list(globals().items()) if name.startswith("m_") and callable(f)}
MUTATIONS = sorted(MUTATION_FUNCS)


def generate(seed):
    """(source bytes, description) for one case seed."""
    r = random.Random(seed)
    src = (migration_source(r) if r.random() < 0.75 else snippet_source(r)).encode("utf-8")
    muts = []
    n = r.choice([0, 0, 1, 1, 1, 1, 2, 2, 3])
    for _ in range(n):
        src, name = mutate(r, src)
        muts.append(name)
    return src, "+".join(muts) or "valid"


# --------------------------------------------------------------------------------------
# Ours


class Pyscan:
    def __init__(self, binary, workdir):
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.dir = workdir
        self.n = 0

    def scan(self, src, name=None):
        self.n += 1
        path = os.path.join(self.dir, name or "probe_%d.py" % (self.n % 8))
        with open(path, "wb") as f:
            f.write(src)
        self.proc.stdin.write(path + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("pyscan died on %r" % src)
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# --------------------------------------------------------------------------------------
# Comparison


def name_issues(ours_names, exp, values):
    """Disagreements on module-level names. When the module ran, its real namespace is the
    truth: every definite value of ours must equal it, and a name it bound must not be
    missing. Otherwise (it raised) the names are moot."""
    issues = []
    if values is None or "__raised__" in values:
        return issues
    for name, truth in values.items():
        o = ours_names.get(name)
        if o is None:
            if name not in ("__annotations__",):
                issues.append(("ours misses a name the module binds", "%s: executed: %r; ours: unbound" % (name, truth)))
            continue
        okind = o["kind"]
        if okind == "computed":
            continue
        if (okind, o["items"]) != truth and not (okind == "nonstring" and truth[0] == "nonstring"):
            issues.append(("ours resolves a name to a wrong value",
                           "%s: executed: %r; ours: %s %r" % (name, truth, okind, o["items"])))
    for name, o in ours_names.items():
        if name not in values and o["kind"] != "computed":
            issues.append(("ours binds a name the module does not", "%s: ours: %s %r" % (name, o["kind"], o["items"])))
    return issues


LEGACY_CODEC = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def legacy_codec(src):
    """The codec a coding cookie names when it is neither UTF-8, Latin-1 nor ASCII: the
    guard does not carry other codecs' tables (a documented limitation)."""
    for line in src.split(b"\n")[:2]:
        m = LEGACY_CODEC.match(line)
        if m:
            try:
                name = codecs.lookup(m.group(1).decode("ascii", "replace")).name
            except LookupError:
                return None
            return None if name in ("utf-8", "iso8859-1", "ascii") else name
        if line.strip() and not line.lstrip().startswith(b"#"):
            return None
    return None


def classify(src, verdict, ours, exp, values):
    """(bucket, class key, detail) list; bucket is 'fail', 'limitation' or 'lineinfo'."""
    return classify_plain(src, verdict, ours, exp, values)


def classify_plain(src, verdict, ours, exp, values):
    out = []
    oerr = ours.get("error_line")
    refused = ours.get("unprovable")
    raised = values is not None and "__raised__" in values
    if verdict is not None:
        level, etype, msg, line = verdict
        if oerr is None and refused:
            out.append(("lineinfo", "CPython fails, ours refuses by design: %s" % message_class(refused),
                        "CPython: %s: %s (line %s); ours refuses: %s" % (etype, msg, line, refused)))
        elif oerr is None:
            out.append(("fail", "CPython %s: %s; ours: no error" % (etype, message_class(msg)),
                        "CPython: %s: %s (line %s); ours: no error" % (etype, msg, line)))
        elif level == "tokenizer" and line not in (None, 0) and line != oerr \
                and family(msg) == family(ours.get("message")):
            out.append(("lineinfo", "line differs: CPython %s: %s" % (etype, message_class(msg)),
                        "CPython: %s: %s (line %s); ours: line %s: %s" % (etype, msg, line, oerr, ours.get("message"))))
    else:
        if oerr is not None:
            out.append(("fail", "CPython compiles; ours: %s" % message_class(ours.get("message") or ""),
                        "CPython: compiles; ours: line %s: %s" % (oerr, ours.get("message"))))
        elif refused:
            out.append(("lineinfo", "CPython compiles, ours refuses by design: %s" % message_class(refused),
                        "ours refuses: %s" % refused))
        elif ours.get("import_error") and not raised:
            out.append(("fail", "the module imports; ours says it fails: %s" % message_class(ours["import_error"]),
                        "ours: %s" % ours["import_error"]))
        else:
            for key, detail in name_issues(ours.get("names", {}), exp, values):
                out.append(("fail", "names: " + key, detail))
    return out


def judge_here(src):
    """CPython verdict and expectations in this process (for the minimiser; no exec)."""
    v = cpython_verdict(src)
    if v is not None:
        return v, None
    return None, expectations(ast.parse(src))


def minimize(src, key, pyscan, budget=600):
    """Shrinks src (lines, then bytes) while the same disagreement class persists."""
    def same(candidate):
        nonlocal budget
        budget -= 1
        v, exp = judge_here(candidate)
        o = pyscan.scan(candidate)
        return any(k == key for _, k, _ in classify(candidate, v, o, exp, None))

    for unit in ("lines", "bytes"):
        parts = re.split(rb"(?<=\n)", src) if unit == "lines" else [src[i:i + 1] for i in range(len(src))]
        parts = [p for p in parts if p]
        n = 2
        while len(parts) >= 2 and budget > 0:
            chunk = max(1, (len(parts) + n - 1) // n)
            reduced = False
            for i in range(0, len(parts), chunk):
                cand = parts[:i] + parts[i + chunk:]
                if budget <= 0:
                    break
                if same(b"".join(cand)):
                    parts = cand
                    n = max(n - 1, 2)
                    reduced = True
                    break
            if not reduced:
                if chunk == 1:
                    break
                n = min(len(parts), n * 2)
        src = b"".join(parts)
    return src


def main():
    rc = ensure_system_python()
    if rc is not None:
        return rc
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyscan", required=True, help="path of the pyscan binary")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int, help="run one case seed (as printed) and show its source")
    ap.add_argument("--keep", help="write every generated source into this directory")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--no-minimize", action="store_true")
    ap.add_argument("--examples", type=int, default=3, help="examples shown per disagreement class")
    ap.add_argument("--corpus", nargs="*", metavar="DIR",
                    help="cut the sources from the .py files under DIR (default: Debian's CPython 3.11 "
                         "standard library) and mutate them token by token (corpus.py), instead of writing them")
    ap.add_argument("--fixed", action="store_true",
                    help="every fixed case of corpus.py once: each form with a refused source in each hole, "
                         "every seed and every error seed")
    args = ap.parse_args()
    if not os.access(args.pyscan, os.X_OK):
        print("FAIL: pyscan not found at %s" % args.pyscan)
        return 1

    seeds = [args.only] if args.only is not None else [args.seed * 1000000 + k for k in range(args.count)]
    if args.fixed:
        import corpus
        fixed = corpus.fixed_cases()
        seeds = [args.only] if args.only is not None else list(range(len(fixed)))
        cases = {s: (fixed[s][0].encode("utf-8", "surrogatepass"), fixed[s][1]) for s in seeds}
    elif args.corpus is not None:
        import corpus
        cases = {s: corpus.generate(s, args.corpus or None) for s in seeds}
    else:
        cases = {s: generate(s) for s in seeds}
    workdir = tempfile.mkdtemp(prefix="pycompile-")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    try:
        import multiprocessing
        items = [(s, cases[s][0]) for s in seeds]
        if args.jobs > 1 and len(items) > 50:
            with multiprocessing.get_context("fork").Pool(args.jobs, initializer=_worker_init) as pool:
                judged = {s: (v, e, x) for s, v, e, x in pool.imap_unordered(judge, items, chunksize=20)}
        else:
            judged = {s: (v, e, x) for s, v, e, x in map(judge, items)}

        pyscan = Pyscan(args.pyscan, workdir)
        buckets = {"fail": collections.OrderedDict(), "limitation": collections.OrderedDict(),
                   "lineinfo": collections.OrderedDict()}
        stats = collections.Counter()
        passed = failed = 0
        for s in seeds:
            src, desc = cases[s]
            if args.keep:
                with open(os.path.join(args.keep, "case_%d.py" % s), "wb") as f:
                    f.write(src)
            verdict, exp, values = judged[s]
            ours = pyscan.scan(src, "case.py")
            stats["cpython error (%s)" % verdict[0] if verdict else "cpython compiles"] += 1
            if verdict is None:
                stats["names checked by execution" if values is not None else "names checked statically only"] += 1
            found = classify(src, verdict, ours, exp, values)
            if args.only is not None:
                print("case %d (%s): %r" % (s, desc, src))
                print("  CPython:", verdict or "compiles")
                print("  ours:   ", json.dumps(ours))
            if any(b == "fail" for b, _, _ in found):
                failed += 1
            else:
                passed += 1
            for bucket, key, detail in found:
                entry = buckets[bucket].setdefault(key, {"count": 0, "examples": []})
                entry["count"] += 1
                if len(entry["examples"]) < args.examples:
                    entry["examples"].append((s, desc, src, detail))

        print("cases: %d  (%s)" % (len(seeds), ", ".join("%s: %d" % kv for kv in sorted(stats.items()))))
        titles = {"fail": "DISAGREEMENTS (failures)",
                  "limitation": "KNOWN LIMITATIONS: CPython fails after the tokenizer (grammar / compiler), ours "
                                "reports nothing -- not failures",
                  "lineinfo": "LINE NUMBERS that differ where both report a tokenizer-level error -- "
                              "information, not failures"}
        for bucket in ("fail", "limitation", "lineinfo"):
            entries = buckets[bucket]
            if not entries:
                continue
            print()
            print("== %s: %d classes, %d cases" % (titles[bucket], len(entries),
                                                     sum(e["count"] for e in entries.values())))
            for key, entry in sorted(entries.items(), key=lambda kv: -kv[1]["count"]):
                print()
                print("-- [%d] %s" % (entry["count"], key))
                for k, (s, desc, src, detail) in enumerate(entry["examples"]):
                    print("   case %d (%s): %s" % (s, desc, detail))
                    if k == 0 and not args.no_minimize:
                        small = minimize(src, key, pyscan)
                        v, exp = judge_here(small)
                        o = pyscan.scan(small)
                        print("     minimal: %r" % small)
                        print("       CPython: %s" % ("compiles" if v is None else "%s: %s (line %s)" % (v[1], v[2], v[3])))
                        print("       ours:    %s" % ("no error" if o.get("error_line") is None
                                                      else "line %s: %s" % (o["error_line"], o["message"])))
                        if v is None:
                            for _, kk, d in classify(small, v, o, exp, None):
                                if kk == key:
                                    print("       names:   %s" % d)
                                    break
        pyscan.close()
        print()
        print("%d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
