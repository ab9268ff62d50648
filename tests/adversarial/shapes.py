#!/usr/bin/python3
"""Adversarial migration files for alembic-guard (issue 24).

Every case is one migration, alembic/versions/004_x.py (revision "004"), added to a clean history
001 <- 002 <- 003 in the project that tests/integration/fixtures.py writes (its alembic.ini,
env.py, script.py.mako and app/ package, and its migration_text() for 001..003) -- sometimes with
a few more files: a module of the repository, a compiled .pyc, a second migration, a line in
alembic.ini.  Two kinds:

  * named shapes (`named_cases()`): every shape of issue 24 and more, grouped in families
    (walrus, global, del, target, star-import, namespace, string, encoding, values, annotation,
    decoy, loader, compile, raise, runtime, realworld).  A name is "family/shape:variant"; the id
    is 10,000,000 + crc32(name) % 90,000,000, so it never changes while the name does not.
  * mutations (`mutation_case(id)`): a realistic migration (three templates) with 1..3 seeded
    token-level mutations (delete, duplicate, swap, replace or insert a token, insert a statement
    from the named shapes, change the encoding or line endings).  Ids are SEED*100000 + i.

Each case says what its author expects Alembic to do ("one" head, "multi"ple heads, "fail",
"runtime": a failure only running the code shows, or None: whatever the oracle says) -- the
verdict of the suite comes from the real Alembic oracle, never from this expectation; the
expectation is checked by `run_adversarial.py --selfcheck`.

`provable(source)` is the suite's rule for "the guard can know this without running it": the four
names are bound only by plain module-level assignments of literals (names bound earlier to
literals resolve), and nothing in the file can touch the module namespace (global, walrus, star
import, globals()/vars()/exec/..., frames, gc, a module __getattr__, a call into the repository's
own modules).  A file Alembic loads with one head that is provable must be accepted; one that is
not provable may be refused ("refused as unprovable", by design).

    shapes.py --list                 id, name, expectation of every named shape
    shapes.py --show ID|NAME         the files of one case
    shapes.py --write ID|NAME DIR    the whole project of one case into DIR

Python 3 standard library only; run with /usr/bin/python3 (the .pyc shapes are compiled by the
running interpreter, and must match the oracle's).
"""
import argparse
import ast
import re
import codecs
import io
import keyword
import os
import importlib.util
import py_compile
import random
import sys
import tempfile
import tokenize
import warnings
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import fixtures  # noqa: E402  (the integration tests' project templates)

VERSIONS = fixtures.VERSIONS               # "alembic/versions"
MIGRATION = VERSIONS + "/004_x.py"
FOUR = ("revision", "down_revision", "branch_labels", "depends_on")
PYC_TAG = sys.implementation.cache_tag     # "cpython-311" under /usr/bin/python3
EXPECTS = ("one", "multi", "fail", "runtime", None)


# ------------------------------------------------------------------------------------------------
# the project


def base_files():
    """{path: bytes} of the clean project: fixtures' project files and 001 <- 002 <- 003."""
    files = {k: v.encode() for k, v in fixtures.project_files().items()}
    for rev, down, slug in fixtures.incident_chain()[:3]:
        files[fixtures.migration_filename(rev, slug)] = fixtures.migration_text(rev, down, slug).encode()
    return files


def named_id(name):
    return 10_000_000 + zlib.crc32(name.encode("utf-8")) % 90_000_000


class Case:
    def __init__(self, name, files, expect=None, snippet="", deniable=None, ini_extra="", cid=None):
        assert expect in EXPECTS, expect
        self.name = name
        self.family = name.split("/")[0]
        self.shape = name.split(":")[0]
        self.id = cid if cid is not None else named_id(name)
        self.files = {p: (t.encode("utf-8", "surrogateescape") if isinstance(t, str) else t)
                      for p, t in files.items()}
        self.expect = expect
        self.snippet = snippet
        self.deniable = deniable      # None: decided by provable() on the migrations
        self.ini_extra = ini_extra    # lines added to [alembic] after script_location

    def project(self):
        files = base_files()
        if self.ini_extra:
            ini = files["alembic.ini"].decode()
            ini = ini.replace("script_location = alembic\n", "script_location = alembic\n" + self.ini_extra, 1)
            files["alembic.ini"] = ini.encode()
        files.update(self.files)
        return files

    def migrations(self):
        """The case's own files in the version directory that are Python source."""
        return {p: t for p, t in self.files.items()
                if p.startswith(VERSIONS + "/") and "/" not in p[len(VERSIONS) + 1:] and ".py" in p
                and not p.endswith((".pyc", ".pyo"))}

    def repo_modules(self):
        tops = set()
        for p in self.project():
            top = p.split("/")[0]
            if top.endswith(".py"):
                tops.add(top[:-3])
            elif "/" in p and top != "alembic":
                tops.add(top)
        return tops

    def is_deniable(self):
        """True when the guard may refuse this case although Alembic loads it with one head."""
        if self.deniable is not None:
            return self.deniable, "declared by the shape"
        mods = self.repo_modules()
        for path, data in sorted(self.migrations().items()):
            ok, why = provable(data, mods)
            if not ok:
                return True, "%s: %s" % (os.path.basename(path), why)
        return False, "every binding is a literal"

    def main_text(self):
        data = self.files.get(MIGRATION)
        if data is None:
            data = next(iter(self.migrations().values()), b"")
        return data


def write_project(files, root):
    for path, data in sorted(files.items()):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data)


# ------------------------------------------------------------------------------------------------
# writing a migration

DOC = '"""add x\n\nRevision ID: 004\nRevises: 003\nCreate Date: 2024-01-02 10:00:00.000000\n\n"""\n'
IMPORTS = "from alembic import op\nimport sqlalchemy as sa\n"
IDS = 'revision = "004"\ndown_revision = "003"\nbranch_labels = None\ndepends_on = None\n'
BODY = ('\n\ndef upgrade():\n    op.add_column("teams", sa.Column("x", sa.String(length=32), nullable=True))\n'
        '\n\ndef downgrade():\n    op.drop_column("teams", "x")\n')


def mig(post="", pre="", ids=IDS, body=BODY, tail="", doc=DOC, imports=IMPORTS, head=""):
    """A migration: head, docstring, imports, pre, the four names, post, functions, tail."""
    return (head + doc + imports + pre + "\n\n# revision identifiers, used by Alembic.\n" + ids + post
            + body + tail)


def ids_without(*names):
    return "".join(l + "\n" for l in IDS.splitlines() if l.split(" ")[0] not in names)


def show(text, limit=110):
    """One line for a report: newlines as a visible mark, non-printables escaped."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    out = []
    for ch in text:
        if ch == "\n":
            out.append(" \u23ce ")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif not ch.isprintable():
            out.append(ch.encode("unicode_escape").decode())
        else:
            out.append(ch)
    s = "".join(out).strip()
    return s if len(s) <= limit else s[:limit - 1] + "\u2026"


def pyc(source, mode):
    """Bytes of a .pyc of `source` compiled by this interpreter (mode: py_compile.PycInvalidationMode)."""
    with tempfile.TemporaryDirectory(prefix="ag-pyc-") as tmp:
        src = os.path.join(tmp, "004_x.py")
        with open(src, "w") as fh:
            fh.write(source)
        out = os.path.join(tmp, "out.pyc")
        py_compile.compile(src, cfile=out, doraise=True, invalidation_mode=mode)
        with open(out, "rb") as fh:
            return fh.read()


# ------------------------------------------------------------------------------------------------
# the named shapes

# A rebinding after the plain header: (variant, name, value, expectation when it takes effect)
VARIANTS = (
    ("2heads", "down_revision", '"002"', "multi"),
    ("missing-dep", "depends_on", '"nope"', "fail"),
)

# Walrus positions at module level: {W} is "(name := value)".  effective=False when the binding
# does not reach the module namespace (a class body, a lambda, code that never runs).
WALRUS = [
    ("statement", "{W}\n", True),
    ("assign-value", "_tmp = {W}\n", True),
    ("call-argument", "_tmp = str({W})\n", True),
    ("keyword-argument", "_tmp = dict(k={W})\n", True),
    ("if", "if {W}:\n    pass\n", True),
    ("elif", "if False:\n    pass\nelif {W}:\n    pass\n", True),
    ("if-body", "if True:\n    {W}\n", True),
    ("while", "while {W} == 'never':\n    pass\n", True),
    ("while-else", "while False:\n    pass\nelse:\n    {W}\n", True),
    ("for-iterable", "for _i in [{W}]:\n    pass\n", True),
    ("for-body", "for _i in (1,):\n    {W}\n", True),
    ("with-item", "import contextlib\nwith contextlib.nullcontext({W}):\n    pass\n", True),
    ("with-item-as", "import contextlib\nwith contextlib.nullcontext({W}) as _c:\n    pass\n", True),
    ("with-second-item", "import contextlib\nwith contextlib.nullcontext(), contextlib.nullcontext({W}):\n    pass\n", True),
    ("match-subject", "match {W}:\n    case _:\n        pass\n", True),
    ("match-guard", "match 1:\n    case 1 if {W}:\n        pass\n", True),
    ("match-case-body", "match 1:\n    case 1:\n        {W}\n", True),
    ("except-expression", "try:\n    raise ValueError\nexcept ({W} and ValueError):\n    pass\n", True),
    ("try-body", "try:\n    {W}\nexcept Exception:\n    pass\n", True),
    ("finally", "try:\n    pass\nfinally:\n    {W}\n", True),
    ("decorator", "@({W} and (lambda f: f))\ndef _helper():\n    pass\n", True),
    ("class-decorator", "@({W} and (lambda c: c))\nclass _Helper:\n    pass\n", True),
    ("default-argument", "def _helper(x={W}):\n    pass\n", True),
    ("kwonly-default", "def _helper(*, x={W}):\n    pass\n", True),
    ("lambda-default", "_f = lambda x={W}: x\n", True),
    ("argument-annotation", "def _helper(x: {W}):\n    pass\n", True),
    ("return-annotation", "def _helper() -> {W}:\n    pass\n", True),
    ("variable-annotation", "_tmp: {W} = 1\n", True),
    ("bare-annotation", "_tmp: {W}\n", True),
    ("class-base", "class _Helper({W} and object):\n    pass\n", True),
    ("class-keyword", "class _Helper(metaclass=({W} and type)):\n    pass\n", True),
    ("fstring", "_tmp = f'{{{W}}}'\n", True),
    ("fstring-format-spec", "_tmp = f'{{1:{{{W} and 3}}}}'\n", True),
    ("list-comprehension", "_tmp = [{W} for _i in (1,)]\n", True),
    ("set-comprehension", "_tmp = {{{W} for _i in (1,)}}\n", True),
    ("dict-comprehension", "_tmp = {{_i: {W} for _i in (1,)}}\n", True),
    ("comprehension-condition", "_tmp = [_i for _i in (1,) if {W}]\n", True),
    ("nested-comprehension", "_tmp = [[{W} for _j in (1,)] for _i in (1,)]\n", True),
    ("generator-consumed", "_tmp = list({W} for _i in (1,))\n", True),
    ("generator-unconsumed", "_tmp = ({W} for _i in (1,))\n", False),
    ("assert", "assert {W}\n", True),
    ("subscript", "_tmp = 'abc'[{W} and 0]\n", True),
    ("slice", "_tmp = [1, 2][{W} and 0:]\n", True),
    ("dict-value", "_tmp = {{'k': {W}}}\n", True),
    ("conditional-expression", "_tmp = 1 if {W} else 2\n", True),
    ("starred", "_tmp = [*[{W}]]\n", True),
    ("nested-walrus", "_tmp = (_a := {W})\n", True),
    ("tuple-element", "_tmp = 'a', {W}\n", True),
    ("return-in-called-lambda", "(lambda: {W})()\n", False),
    ("class-body", "class _Helper:\n    _x = {W}\n", False),
    ("short-circuit", "_tmp = False and {W}\n", False),
    ("if-false-body", "if False:\n    {W}\n", False),
    # A lambda's defaults run where the lambda is made, in a comprehension too.
    ("lambda-default-in-listcomp", "_fs = [lambda x={W}: x for _ in (1,)]\n", True),
    ("lambda-default-in-genexp", "_fs = list(lambda x={W}: x for _ in (1,))\n", True),
    ("lambda-default-in-setcomp", "_fs = {{lambda x={W}: x for _ in (1,)}}\n", True),
    ("lambda-default-in-dictcomp", "_fs = {{_: lambda x={W}: x for _ in (1,)}}\n", True),
    ("lambda-default-in-comp-condition", "_fs = [1 for _ in (1,) if (lambda x={W}: x)]\n", True),
    # An annotation without a value still evaluates the target's base and index.
    ("annotated-subscript-target", "_d = {{}}\n_d[{W}]: int\n", True),
]

GLOBAL_FORMS = [
    ("class-body", "class _Helper:\n    global {N}\n    {N} = {V}\n"),
    ("function-called", "def _set():\n    global {N}\n    {N} = {V}\n\n\n_set()\n"),
    ("decorator-function", "def _set(f):\n    global {N}\n    {N} = {V}\n    return f\n\n\n@_set\ndef _helper():\n    pass\n"),
    ("default-argument-call", "def _set():\n    global {N}\n    {N} = {V}\n\n\ndef _helper(x=_set()):\n    pass\n"),
    ("called-from-class-body", "def _set():\n    global {N}\n    {N} = {V}\n\n\nclass _Helper:\n    _set()\n"),
    ("nested-function", "def _outer():\n    def _inner():\n        global {N}\n        {N} = {V}\n    _inner()\n\n\n_outer()\n"),
    ("walrus-in-function", "def _set():\n    global {N}\n    ({N} := {V})\n\n\n_set()\n"),
    ("for-target-in-function", "def _set():\n    global {N}\n    for {N} in [{V}]:\n        pass\n\n\n_set()\n"),
    ("init-subclass", "class _Base:\n    def __init_subclass__(cls):\n        global {N}\n        {N} = {V}\n\n\nclass _Child(_Base):\n    pass\n"),
    ("called-through-map", "def _set():\n    global {N}\n    {N} = {V}\n\n\nlist(map(lambda f: f(), [_set]))\n"),
    ("tuple-target-in-function", "def _set():\n    global {N}\n    _a, {N} = 1, {V}\n\n\n_set()\n"),
    ("with-as-in-function", "import contextlib\n\n\ndef _set():\n    global {N}\n    with contextlib.nullcontext({V}) as {N}:\n        pass\n\n\n_set()\n"),
    ("class-body-walrus", "class _Helper:\n    global {N}\n    _x = [{N} := {V}]\n"),
]

DEL_FORMS = [
    ("plain", "del down_revision\n", "fail"),
    ("parenthesized", "del (down_revision)\n", "fail"),
    ("list", "del [down_revision]\n", "fail"),
    ("nested-list", "del [[down_revision]]\n", "fail"),
    ("tuple-second", "_a = 1\ndel _a, (down_revision)\n", "fail"),
    ("parenthesized-tuple", "_a = 1\ndel (_a, down_revision)\n", "fail"),
    ("no-space", "del(down_revision)\n", "fail"),
    ("after-semicolon", "_a = 1; del down_revision\n", "fail"),
    ("in-if", "if True:\n    del down_revision\n", "fail"),
    ("in-try", "try:\n    del down_revision\nexcept NameError:\n    pass\n", "fail"),
    ("then-rebind", "del down_revision\ndown_revision = \"002\"\n", "multi"),
    ("revision", "del revision\n", "fail"),
    ("depends-on", "del depends_on\n", "one"),
    ("branch-labels", "del branch_labels\n", "one"),
    ("in-if-false", "if False:\n    del down_revision\n", "one"),
]

TARGET_FORMS = [
    ("nested-tuple", '_x, (down_revision, _y) = 1, ("002", 2)\n', "multi"),
    ("nested-list", '[[down_revision]] = [["002"]]\n', "multi"),
    ("list", '[down_revision] = ["002"]\n', "multi"),
    ("list-of-string", '[down_revision] = "003"\n', "fail"),
    ("parenthesized-tuple", '(down_revision,) = ("002",)\n', "multi"),
    ("trailing-comma", 'down_revision, = "002",\n', "multi"),
    ("starred", '*down_revision, = "002",\n', "multi"),
    ("starred-last", '_a, *down_revision = "x", "002"\n', "multi"),
    ("tuple-first", 'down_revision, _b = "002", 1\n', "multi"),
    ("unpack-string", 'down_revision, _b = "03"\n', "fail"),
    ("chained-second", '_a = down_revision = "002"\n', "multi"),
    ("chained-first", 'down_revision = _a = "002"\n', "multi"),
    ("parenthesized-name", '(down_revision) = "002"\n', "multi"),
    ("for-target", 'for down_revision in ["002"]:\n    pass\n', "multi"),
    ("for-tuple-target", 'for down_revision, in [("002",)]:\n    pass\n', "multi"),
    ("augmented-noop", 'down_revision += ""\n', "one"),
    ("augmented", 'down_revision += "x"\n', "fail"),
    ("annotated-rebind", 'down_revision: str = "002"\n', "multi"),
    ("annotated-parenthesized", '(down_revision): str = "002"\n', "multi"),
    ("annotation-only-after-del", 'del down_revision\ndown_revision: str\n', "fail"),
    ("import-as", 'from string import digits as down_revision\n', "fail"),
    ("import-module-as", 'import string as down_revision\n', "fail"),
    ("def", 'def down_revision():\n    pass\n', "fail"),
    ("class", 'class down_revision:\n    pass\n', "fail"),
    ("with-as", 'import contextlib\nwith contextlib.nullcontext("002") as down_revision:\n    pass\n', "multi"),
    ("with-as-parenthesized", 'import contextlib\nwith contextlib.nullcontext("002") as (down_revision):\n    pass\n', "multi"),
    ("with-as-tuple", 'import contextlib\nwith contextlib.nullcontext(("002", 1)) as (down_revision, _x):\n    pass\n', "multi"),
    ("with-as-list", 'import contextlib\nwith contextlib.nullcontext(["002"]) as [down_revision]:\n    pass\n', "multi"),
    ("except-as-unbinds", 'try:\n    raise ValueError\nexcept ValueError as down_revision:\n    pass\n', "fail"),
    ("match-capture", 'match "002":\n    case down_revision:\n        pass\n', "multi"),
    ("match-as", 'match "002":\n    case str() as down_revision:\n        pass\n', "multi"),
    ("match-sequence", 'match ["002"]:\n    case [down_revision]:\n        pass\n', "multi"),
    ("match-mapping", 'match {"k": "002"}:\n    case {"k": down_revision}:\n        pass\n', "multi"),
    ("match-star", 'match ["002"]:\n    case [*down_revision]:\n        pass\n', "multi"),
    ("match-rest", 'match {"k": 1}:\n    case {**down_revision}:\n        pass\n', "fail"),
    ("nfkc-fullwidth-d", '\uff44own_revision = "002"\n', "multi"),
    ("nfkc-fullwidth-lowline", 'down\uff3frevision = "002"\n', "multi"),
    ("nfkc-script-e", 'd\u2134wn_revision = "002"\n', None),
    ("nfkc-revision-ligature", 'down_revision = "003"\nrevision = "004"\n\ufb01 = 1\n', "one"),
    ("nfkc-combining-rebind", 'caf\u00e9 = "003"\ncafe\u0301 = "002"\ndown_revision = caf\u00e9\n', "multi"),
    ("homoglyph-cyrillic-o", 'd\u043ewn_revision = "002"\n', "one"),
]


def walrus_cases():
    out = []
    for shape, tpl, effective in WALRUS:
        for variant, name, value, expect in VARIANTS:
            snippet = tpl.format(W="(%s := %s)" % (name, value))
            out.append(Case("walrus/%s:%s" % (shape, variant), {MIGRATION: mig(post=snippet)},
                            expect if effective else "one", snippet))
    return out


def global_cases():
    out = []
    for shape, tpl in GLOBAL_FORMS:
        for variant, name, value, expect in VARIANTS:
            snippet = tpl.format(N=name, V=value)
            out.append(Case("global/%s:%s" % (shape, variant), {MIGRATION: mig(post=snippet)}, expect, snippet))
    extra = [
        ("function-deletes", "def _unset():\n    global down_revision\n    del down_revision\n\n\n_unset()\n", "fail"),
        ("function-revision", "def _set():\n    global revision\n    revision = \"003\"\n\n\n_set()\n", "fail"),
        ("function-import", "def _set():\n    global down_revision\n    from string import digits as down_revision\n\n\n_set()\n", "fail"),
        ("function-not-called", "def _set():\n    global down_revision\n    down_revision = \"002\"\n", "one"),
        ("module-level-before-header", None, "one"),
        ("called-by-upgrade-only", "def _set():\n    global down_revision\n    down_revision = \"002\"\n", "one"),
    ]
    for shape, snippet, expect in extra:
        if snippet is None:
            snippet = "global down_revision\n"
            out.append(Case("global/%s" % shape, {MIGRATION: mig(pre=snippet)}, expect, snippet))
            continue
        out.append(Case("global/%s" % shape, {MIGRATION: mig(post=snippet)}, expect, snippet))
    return out


def del_cases():
    return [Case("del/%s" % shape, {MIGRATION: mig(post=s)}, expect, s) for shape, s, expect in DEL_FORMS]


def target_cases():
    return [Case("target/%s" % shape, {MIGRATION: mig(post=s)}, expect, s) for shape, s, expect in TARGET_FORMS]


IDS_MODULE = 'down_revision = "002"\n'


def star_import_cases():
    out = []
    add = lambda name, files, expect, snippet, **kw: out.append(Case("star-import/" + name, files, expect, snippet, **kw))
    s = 'digits = "003"\nfrom string import *\ndown_revision = digits\n'
    add("stdlib-shadows-literal", {MIGRATION: mig(post=s)}, "fail", s)
    s = 'sep = "003"\nfrom os import *\ndown_revision = sep\n'
    add("stdlib-os-shadows-literal", {MIGRATION: mig(post=s)}, "fail", s)
    s = 'from string import *\ndown_revision = ascii_lowercase\n'
    add("stdlib-name-from-it", {MIGRATION: mig(post=s)}, "fail", s)
    s = "from app.ids import *\n"
    add("repository-module-rebinds", {MIGRATION: mig(post=s), "app/ids.py": IDS_MODULE}, "multi", s)
    add("repository-module-all", {MIGRATION: mig(post=s),
                                  "app/ids.py": '__all__ = ["depends_on"]\ndepends_on = "nope"\n'}, "fail", s)
    add("repository-module-before-header", {MIGRATION: mig(pre=s), "app/ids.py": IDS_MODULE}, "one", s)
    add("repository-package-init", {MIGRATION: mig(post="from app import *\n"),
                                    "app/__init__.py": IDS_MODULE}, "multi", "from app import *")
    s = "from alembic.op import *\n"
    add("alembic-op", {MIGRATION: mig(post=s)}, "one", s)
    s = "from sqlalchemy import *\n"
    add("sqlalchemy", {MIGRATION: mig(post=s)}, "one", s)
    s = "from nosuch_adversarial_module import *\n"
    add("missing-module", {MIGRATION: mig(post=s)}, "runtime", s)
    return out


NAMESPACE_FORMS = [
    ("globals-subscript", 'globals()["down_revision"] = "002"\n', "multi"),
    ("globals-update-kwargs", 'globals().update(down_revision="002")\n', "multi"),
    ("globals-update-dict", 'globals().update({"down_revision": "002"})\n', "multi"),
    ("globals-pop", 'globals().pop("down_revision")\n', "fail"),
    ("globals-del", 'del globals()["down_revision"]\n', "fail"),
    ("globals-clear", 'globals().clear()\n', "fail"),
    ("globals-setdefault-after-del", 'del down_revision\nglobals().setdefault("down_revision", "002")\n', "multi"),
    ("vars-subscript", 'vars()["down_revision"] = "002"\n', "multi"),
    ("vars-update", 'vars().update(down_revision="002")\n', "multi"),
    ("locals-subscript", 'locals()["down_revision"] = "002"\n', "multi"),
    ("locals-update", 'locals().update(depends_on="nope")\n', "fail"),
    ("exec", "exec(\"down_revision = '002'\")\n", "multi"),
    ("exec-concatenated", "exec(\"down\" + \"_revision = '002'\")\n", "multi"),
    ("exec-compile", "exec(compile(\"down_revision = '002'\", \"<x>\", \"exec\"))\n", "multi"),
    ("eval-exec", "eval(\"exec(\\\"depends_on = 'nope'\\\")\")\n", "fail"),
    ("eval-walrus", "eval(\"(down_revision := '002')\")\n", "multi"),
    ("getframe-f-globals", 'import sys\nsys._getframe().f_globals["down_revision"] = "002"\n', "multi"),
    ("getframe-f-locals", 'import sys\nsys._getframe(0).f_locals["down_revision"] = "002"\n', "multi"),
    ("inspect-currentframe", 'import inspect\ninspect.currentframe().f_globals["down_revision"] = "002"\n', "multi"),
    ("alias-of-globals-function", '_g = globals\n_g()["down_revision"] = "002"\n', "multi"),
    ("alias-of-globals-dict", '_G = globals()\n_G["down_revision"] = "002"\n', "multi"),
    ("builtins-globals", 'import builtins\nbuiltins.globals()["down_revision"] = "002"\n', "multi"),
    ("dunder-builtins-dict", '__builtins__["globals"]()["down_revision"] = "002"\n', "multi"),
    ("getattr-import-builtins", 'getattr(__import__("builtins"), "globals")()["down_revision"] = "002"\n', "multi"),
    ("lambda-dunder-globals", '(lambda: 0).__globals__["down_revision"] = "002"\n', "multi"),
    ("gc-module-setattr", 'import gc, types\nfor _m in gc.get_referrers(globals()):\n    if isinstance(_m, types.ModuleType):\n        setattr(_m, "down_revision", "002")\n', "multi"),
    ("gc-module-attribute", 'import gc, types\n_m = [o for o in gc.get_referrers(globals()) if isinstance(o, types.ModuleType)][0]\n_m.depends_on = "nope"\n', "fail"),
    ("gc-module-class-swap", 'import gc, types\n\n\nclass _Mod(types.ModuleType):\n    @property\n    def down_revision(self):\n        return "002"\n\n\n_m = [o for o in gc.get_referrers(globals()) if isinstance(o, types.ModuleType)][0]\ndel down_revision\n_m.__class__ = _Mod\n', "multi"),
    ("sys-modules-name", 'import sys\nsys.modules[__name__].down_revision = "002"\n', "fail"),
    ("sys-modules-get", 'import sys\nsetattr(sys.modules.get(__name__), "down_revision", "002")\n', "runtime"),
    ("class-body", 'class _Helper:\n    globals()["down_revision"] = "002"\n', "multi"),
    ("decorator", '@lambda f: globals().update(down_revision="002") or f\ndef _helper():\n    pass\n', "multi"),
    ("default-argument", 'def _helper(x=globals().update(down_revision="002")):\n    pass\n', "multi"),
    ("fstring", "_tmp = f\"{globals().update(down_revision='002')}\"\n", "multi"),
    ("function-called", 'def _f():\n    globals()["down_revision"] = "002"\n\n\n_f()\n', "multi"),
    ("function-not-called", 'def _f():\n    globals()["down_revision"] = "002"\n', "one"),
    ("annotation", '_tmp: globals().update(depends_on="nope") = 1\n', "fail"),
]


def namespace_cases():
    out = [Case("namespace/%s" % shape, {MIGRATION: mig(post=s)}, expect, s) for shape, s, expect in NAMESPACE_FORMS]
    s = "upgrade.__globals__[\"down_revision\"] = \"002\"\n"
    out.append(Case("namespace/function-dunder-globals", {MIGRATION: mig(tail="\n\n" + s)}, "multi", s))
    # PEP 562 module __getattr__ supplying a name the file does not bind
    ga = ('def __getattr__(name):\n    if name == "%s":\n        return %s\n'
          '    raise AttributeError(name)\n')
    for shape, name, value, expect in (
            ("getattr-revision", "revision", '"004"', "one"),
            ("getattr-revision-duplicate", "revision", '"003"', "fail"),
            ("getattr-down-revision", "down_revision", '"002"', "multi"),
            ("getattr-depends-on", "depends_on", '"nope"', "fail"),
            ("getattr-branch-labels", "branch_labels", '"003"', "fail")):
        s = ga % (name, value)
        out.append(Case("namespace/%s" % shape, {MIGRATION: mig(ids=ids_without(name), post=s)}, expect, s))
    s = '__getattr__ = lambda name: "nope" if name == "depends_on" else {}[name]\n'
    out.append(Case("namespace/getattr-lambda", {MIGRATION: mig(ids=ids_without("depends_on"), post=s)}, "fail", s))
    s = "exec(\"def __getattr__(name):\\n    if name == 'depends_on':\\n        return 'nope'\\n    raise AttributeError(name)\")\n"
    out.append(Case("namespace/getattr-defined-by-exec", {MIGRATION: mig(ids=ids_without("depends_on"), post=s)}, "fail", s))
    # a function of the repository's own code writes the caller's namespace
    helper = 'import sys\n\n\ndef bind():\n    sys._getframe(1).f_globals["down_revision"] = "002"\n'
    s = "from app.ids import bind\nbind()\n"
    out.append(Case("namespace/repository-helper-writes-caller", {MIGRATION: mig(post=s), "app/ids.py": helper},
                    "multi", s))
    return out


def string_cases():
    out = []

    def add(name, text, expect, snippet, **kw):
        out.append(Case("string/" + name, {MIGRATION: text}, expect, snippet, **kw))

    def header(value, expect, name, rev="004"):
        ids = 'revision = "%s"\ndown_revision = %s\nbranch_labels = None\ndepends_on = None\n' % (rev, value)
        add(name, mig(ids=ids), expect, "down_revision = " + value)

    header(r'"\N{DIGIT ZERO}03"', "one", "named-escape")
    header(r'"\N{digit zero}03"', "one", "named-escape-lowercase")
    header(r'"\N{DIGIT ZERO}02"', "multi", "named-escape-second-head")
    header(r'"\x30\x30\x33"', "one", "hex-escapes")
    header(r'"\x30\x30\x32"', "multi", "hex-escapes-second-head")
    header(r'"\060\060\063"', "one", "octal-escapes")
    header(r'"\u0030\u0030\u0033"', "one", "unicode-escapes")
    header(r'"\U00000030\U00000030\U00000033"', "one", "long-unicode-escapes")
    header('"00" "3"', "one", "implicit-concatenation")
    header('"00" "2"', "multi", "implicit-concatenation-second-head")
    header('(\n    "00"\n    "3"\n)', "one", "implicit-concatenation-multiline")
    header('u"003"', "one", "u-prefix")
    header('r"003"', "one", "r-prefix")
    header('R"003"', "one", "uppercase-r-prefix")
    header('"""003"""', "one", "triple-quoted")
    header("'''003'''", "one", "triple-single-quoted")
    header('"00\\\n3"', "one", "backslash-newline-in-string")
    header('b"003"', "fail", "bytes-down-revision")
    header('rb"003"', "fail", "raw-bytes-down-revision")
    header('f"003"', "one", "fstring-constant")
    header("f\"{'003'}\"", "one", "fstring-expression")
    header('"\uff10\uff10\uff13"', "fail", "fullwidth-digits")
    header(r'"\x4"', "fail", "truncated-hex-in-header")
    header(r'"\N{BOGUS}"', "fail", "bogus-name-in-header")
    # escapes that make CPython refuse the whole file, away from the header
    for shape, lit, expect in (
            ("bogus-named-escape", r'"\N{BOGUS}"', "fail"),
            ("named-escape-unterminated", r'"\N{DIGIT ZERO"', "fail"),
            ("named-escape-no-brace", r'"\N"', "fail"),
            ("named-sequence", r'"\N{LATIN CAPITAL LETTER A WITH MACRON AND GRAVE}"', "fail"),
            ("truncated-hex", r'"\x4"', "fail"),
            ("truncated-u", r'"\u12"', "fail"),
            ("truncated-U", r'"\U0001F60"', "fail"),
            ("U-beyond-unicode", r'"\U00110000"', "fail"),
            ("non-ascii-in-bytes", 'b"caf\u00e9"', "fail"),
            ("truncated-hex-in-fstring", r'f"\x4"', "fail"),
            ("truncated-hex-in-bytes", r'b"\x4"', "fail"),
            ("raw-truncated-hex", r'r"\x4"', "one"),
            ("raw-bogus-name", r'R"\N{BOGUS}"', "one"),
            ("raw-bytes-truncated-hex", r'Rb"\x4"', "one"),
            ("bytes-named-escape-is-literal", r'b"\N{BOGUS}"', "one"),
            ("invalid-escape-warns", r'"\d+ LIKE \%"', "one"),
            ("max-code-point", r'"\U0010FFFF"', "one"),
            ("octal-above-255", r'"\777"', "one")):
        body = BODY.replace('op.drop_column("teams", "x")', 'op.drop_column("teams", "x")\n    _unused = %s' % lit)
        add("function-body/" + shape, mig(body=body), expect, lit)
    for shape, lit, expect in (
            ("bogus-named-escape", r"\N{BOGUS}", "fail"),
            ("windows-path", r"C:\users\new_migrations", "fail"),
            ("truncated-hex", r"fix \x4 handling", "fail"),
            ("valid-escape", r"tab\there", "one")):
        doc = '"""%s\n\nRevision ID: 004\nRevises: 003\n"""\n' % lit
        add("docstring/" + shape, mig(doc=doc), expect, '"""' + lit + '"""')
    for shape, lit in (("bogus-named-escape", r"\N{BOGUS}"), ("truncated-hex", r"\x4")):
        add("comment/" + shape, mig(post="# %s\n" % lit), "one", "# " + lit)
    return out


def _latin1_mig(ids, extra_line="", cookie="# -*- coding: latin-1 -*-\n"):
    return (cookie + mig(ids=ids, post=extra_line)).encode("latin-1")


def encoding_cases():
    out = []

    def add(name, files, expect, snippet, **kw):
        if isinstance(files, (bytes, str)):
            files = {MIGRATION: files}
        out.append(Case("encoding/" + name, files, expect, snippet, **kw))

    cafe = 'LABEL = "caf\u00e9"\n'

    def with_cookie(cookie, text=None, enc="latin-1"):
        return (cookie + (text or mig(post=cafe))).encode(enc)

    add("latin1-cookie", with_cookie("# -*- coding: latin-1 -*-\n"), "one", "# -*- coding: latin-1 -*- + b'\\xe9'")
    add("latin1-cookie-line2", with_cookie("#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n"), "one", "cookie on line 2")
    add("cookie-line3", with_cookie("#!/usr/bin/env python\n#\n# -*- coding: latin-1 -*-\n"), "fail", "cookie on line 3")
    add("cookie-line3-after-lone-crs", with_cookie("# a\r# b\r# -*- coding: latin-1 -*-\n"), "fail",
        "# a\\r# b\\r# -*- coding: latin-1 -*-")
    add("cookie-after-lone-cr", with_cookie("# a\r# -*- coding: latin-1 -*-\n"), None, "# a\\r# -*- coding: latin-1 -*-")
    add("cookie-line1-lone-cr", with_cookie("# -*- coding: latin-1 -*-\r"), "one", "# -*- coding: latin-1 -*-\\r")
    add("cookie-line2-after-code", with_cookie("import os\n# -*- coding: latin-1 -*-\n"), "fail", "import os, then the cookie")
    add("coding-coding", with_cookie("# coding coding: latin-1\n"), "one", "# coding coding: latin-1")
    add("empty-cookie", with_cookie("# coding:\n"), "fail", "# coding: (empty) + b'\\xe9'")
    add("empty-cookie-ascii", ("# coding:\n" + mig()).encode(), "one", "# coding: (empty), ASCII file")
    add("dash-cookie", ("# -*- coding: -*-\n" + mig()).encode(), "fail", "# -*- coding: -*-")
    add("unknown-codec", ("# coding: klingon\n" + mig()).encode(), "fail", "# coding: klingon")
    add("vim-fileencoding", with_cookie("# vim: set fileencoding=latin-1 :\n"), "one", "# vim: set fileencoding=latin-1 :")
    add("formfeed-before-cookie", with_cookie("\f# coding: latin-1\n"), "one", "\\f# coding: latin-1")
    add("alias-l1", with_cookie("# coding: l1\n"), "one", "# coding: l1")
    add("alias-iso-8859-1", with_cookie("# coding: ISO-8859-1\n"), "one", "# coding: ISO-8859-1")
    add("alias-latin_1", with_cookie("# coding=latin_1\n"), "one", "# coding=latin_1")
    add("ascii-cookie-non-ascii", with_cookie("# coding: ascii\n"), "fail", "# coding: ascii + b'\\xe9'")
    add("utf8-cookie-latin1-bytes", with_cookie("# coding: utf-8\n"), "fail", "# coding: utf-8 + b'\\xe9'")
    add("utf8-cookie-uppercase", ("# -*- coding: UTF8 -*-\n" + mig(post=cafe)).encode(), "one", "# -*- coding: UTF8 -*-")
    add("utf-8-sig-cookie", ("# coding: utf-8-sig\n" + mig(post=cafe)).encode(), "one", "# coding: utf-8-sig")
    add("bom", b"\xef\xbb\xbf" + mig(post=cafe).encode(), "one", "UTF-8 BOM")
    add("bom-utf8-cookie", b"\xef\xbb\xbf" + ("# coding: utf-8\n" + mig()).encode(), "one", "BOM + # coding: utf-8")
    add("bom-latin1-cookie", b"\xef\xbb\xbf" + with_cookie("# coding: latin-1\n"), "fail", "BOM + # coding: latin-1")
    add("no-cookie-latin1-string", mig(post=cafe).encode("latin-1"), "fail", "b'\\xe9' in a string, no cookie")
    add("no-cookie-latin1-comment", mig(post="# caf\u00e9\n").encode("latin-1"), "one", "b'\\xe9' in a comment, no cookie")
    euro = 'LABEL = "5 \u20ac"\n'
    add("cp1252-cookie", ("# -*- coding: cp1252 -*-\n" + mig(post=euro)).encode("cp1252"), "one", "# coding: cp1252 + '\u20ac'")
    add("cp1252-no-cookie-string", mig(post=euro).encode("cp1252"), "fail", "cp1252 '\u20ac' (0x80) in a string, no cookie")
    add("cp1252-no-cookie-comment", mig(post="# 5 \u20ac\n").encode("cp1252"), "one", "cp1252 0x80 in a comment, no cookie")
    add("cp1252-undefined-byte", ("# coding: cp1252\n" + mig()).encode() + b'X = "\x81"\n', "fail", "# coding: cp1252 + undefined 0x81")
    add("iso-8859-15-cookie", ("# coding: iso-8859-15\n" + mig(post=euro)).encode("iso-8859-15"), "one", "# coding: iso-8859-15 + '\u20ac'")
    add("iso-8859-15-no-cookie", mig(post=euro).encode("iso-8859-15"), "fail", "ISO-8859-15 '\u20ac' (0xA4) in a string, no cookie")
    add("euc-jp-cookie", ("# coding: euc-jp\n" + mig(post='LABEL = "\u65e5\u672c"\n')).encode("euc-jp"), "one", "# coding: euc-jp")
    # codecs that hide or reveal code
    add("utf-7-hidden-line", ("# coding: utf-7\n" + mig(post="#+AAo-down_revision = \"002\"\n")).encode(), "multi",
        '# coding: utf-7 then #+AAo-down_revision = "002"')
    ids7 = 'revision = "004"\ndown_revision = "+ADAAMAAy-"\nbranch_labels = None\ndepends_on = None\n'
    add("utf-7-encoded-value", ("# coding: utf-7\n" + mig(ids=ids7)).encode(), "multi", 'down_revision = "+ADAAMAAy-" (utf-7 "002")')
    add("unicode-escape-hidden-line", ("# coding: unicode_escape\n" + mig(post="# \\u000adown_revision = \"002\"\n")).encode(),
        "multi", '# coding: unicode_escape then # \\u000adown_revision = "002"')
    add("raw-unicode-escape-hidden-line", ("# coding: raw_unicode_escape\n" + mig(post="# \\u000adown_revision = \"002\"\n")).encode(),
        "multi", '# coding: raw_unicode_escape then # \\u000adown_revision = "002"')
    for codec, pair in (("big5", b"\xa4\x5c"), ("shift_jis", b"\x83\x5c"), ("gbk", b"\x81\x5c")):
        data = ("# coding: %s\n" % codec + mig()).encode() + b'X = "' + pair + b'" ; down_revision = "002" #"\n'
        add("%s-backslash-second-byte" % codec, data, "multi", '# coding: %s; X = "<%s>" ; down_revision = "002" #"' % (codec, pair.hex()))
    add("idna-cookie", ("# coding: idna\n" + mig()).encode(), "one", "# coding: idna")
    add("punycode-cookie", ("# coding: punycode\n" + mig()).encode(), "fail", "# coding: punycode")
    add("rot13-cookie", ("# coding: rot13\n" + mig()).encode(), "fail", "# coding: rot13")
    add("cp037-cookie", ("# coding: cp037\n" + mig()).encode(), "fail", "# coding: cp037 (EBCDIC)")
    add("utf-16-cookie", ("# coding: utf-16\n" + mig()).encode(), "fail", "# coding: utf-16")
    add("lone-cr-line-endings", mig().replace("\n", "\r").encode(), "one", "every line ends in a lone CR")
    add("crlf-line-endings", mig().replace("\n", "\r\n").encode(), "one", "CRLF line endings")
    add("mixed-line-endings", (mig(post="X = 1\r\nY = 2\r")).encode(), "one", "mixed LF, CRLF and CR")
    # IDs with non-ASCII characters, across two files
    rev_latin1 = 'revision = "004\u00e9"\ndown_revision = "003"\nbranch_labels = None\ndepends_on = None\n'
    second = lambda down: mig(ids='revision = "005"\ndown_revision = %s\nbranch_labels = None\ndepends_on = None\n' % down)
    add("latin1-revision-alone", _latin1_mig(rev_latin1), "one", 'latin-1 file: revision = "004<e9>"')
    add("latin1-revision-chained-utf8", {MIGRATION: _latin1_mig(rev_latin1),
                                         VERSIONS + "/005_y.py": second('"004\u00e9"')}, "one",
        'latin-1 "004<e9>" <- utf-8 "004\u00e9"')
    add("latin1-revision-chained-escape", {MIGRATION: _latin1_mig(rev_latin1),
                                           VERSIONS + "/005_y.py": second(r'"004\xe9"')}, "one",
        'latin-1 "004<e9>" <- "004\\xe9"')
    add("latin1-revision-double-encoded-parent", {MIGRATION: _latin1_mig(rev_latin1),
                                                  VERSIONS + "/005_y.py": second('"004\u00c3\u00a9"')}, "fail",
        'latin-1 "004<e9>" <- utf-8 "004\u00c3\u00a9" (double-encoded)')
    rev_escape = rev_latin1.replace("\u00e9", "\\xe9")
    add("latin1-cookie-escape-chained-utf8", {MIGRATION: _latin1_mig(rev_escape),
                                              VERSIONS + "/005_y.py": second('"004\u00e9"')}, "one",
        'latin-1 cookie, "004\\xe9" (escape) <- utf-8 "004\u00e9"')
    add("latin1-cookie-escape-double-encoded-parent", {MIGRATION: _latin1_mig(rev_escape),
                                                       VERSIONS + "/005_y.py": second('"004\u00c3\u00a9"')}, "fail",
        'latin-1 cookie, "004\\xe9" (escape) <- utf-8 "004\u00c3\u00a9"')
    add("escape-revision-chained-utf8", {MIGRATION: mig(ids=rev_latin1.replace("\u00e9", "\\xe9")),
                                         VERSIONS + "/005_y.py": second('"004\u00e9"')}, "one",
        '"004\\xe9" <- "004\u00e9"')
    add("utf8-revision-second-head", {MIGRATION: mig(ids=rev_latin1.replace('"003"', '"002"'))}, "multi",
        'revision = "004\u00e9" on 002')
    add("latin1-revision-second-head", _latin1_mig(rev_latin1.replace('"003"', '"002"')), "multi",
        'latin-1 file: revision = "004<e9>" on 002')
    return out


def values_cases():
    out = []

    def add(name, text, expect, snippet, **kw):
        out.append(Case("values/" + name, {MIGRATION: text}, expect, snippet, **kw))

    def post(name, s, expect, **kw):
        add(name, mig(post=s), expect, s, **kw)

    post("depends-on-call", 'depends_on = str("nope")\n', "fail")
    post("depends-on-conditional", 'if True:\n    depends_on = "nope"\n', "fail")
    post("depends-on-int", "depends_on = 1\n", "fail")
    post("depends-on-unbound-name", "depends_on = NOPE\n", "fail")
    post("depends-on-missing-in-tuple", 'depends_on = ("003", "nope")\n', "fail")
    post("depends-on-self", 'depends_on = ["004"]\n', "fail")
    post("depends-on-ancestor", 'depends_on = "002"\n', "one")
    post("depends-on-call-valid", 'depends_on = str("003")\n', "one")
    post("depends-on-dict", 'depends_on = {"003": 1}\n', "one")
    post("depends-on-set", 'depends_on = {"003"}\n', "one")
    post("depends-on-attribute", "import string\ndepends_on = string.digits\n", "fail")
    post("depends-on-try", 'try:\n    depends_on = "nope"\nexcept Exception:\n    pass\n', "fail")
    post("depends-on-for", 'for depends_on in ["nope"]:\n    pass\n', "fail")
    post("branch-labels-unbound-name", "branch_labels = NOPE\n", "fail")
    post("branch-labels-call", 'branch_labels = str("feature")\n', "one")
    post("branch-labels-conditional", 'if True:\n    branch_labels = "003"\n', "fail")
    post("branch-labels-equals-revision", 'branch_labels = "003"\n', "fail")
    post("branch-labels-int", "branch_labels = 1\n", "one")
    post("branch-labels-duplicate", 'branch_labels = ("a", "a")\n', "fail")
    post("branch-labels-format", 'branch_labels = "%03d" % 3\n', "fail")
    post("down-conditional-second-head", 'down_revision = "002" if True else "003"\n', "multi")
    post("down-conditional-same", 'down_revision = "003" if True else "002"\n', "one")
    post("down-concatenation", 'down_revision = "00" + "3"\n', "one")
    post("down-concatenation-second-head", 'down_revision = "00" + "2"\n', "multi")
    post("down-format", 'down_revision = "{:03d}".format(2)\n', "multi")
    post("down-percent", 'down_revision = "%03d" % 3\n', "one")
    post("down-join", 'down_revision = "".join(["0", "0", "2"])\n', "multi")
    post("down-set", 'down_revision = {"003"}\n', "fail")
    post("down-int", "down_revision = 3\n", "fail")
    post("down-empty-string", 'down_revision = ""\n', "multi")
    post("down-empty-tuple", "down_revision = ()\n", "multi")
    post("down-empty-list", "down_revision = []\n", "multi")
    post("down-none", "down_revision = None\n", "multi")
    post("down-bytes", 'down_revision = b"003"\n', "fail")
    post("down-nested-tuple", 'down_revision = (("003",),)\n', "one")
    post("down-nested-list", 'down_revision = [["003"]]\n', "one")
    post("down-duplicate-parent", 'down_revision = ("003", "003")\n', "one")
    post("down-merge-with-ancestor", 'down_revision = ("002", "003")\n', "one")
    post("down-trailing-space", 'down_revision = "003 "\n', "fail")
    post("down-comma-in-string", 'down_revision = "003,"\n', "fail")
    post("down-space-separated", 'down_revision = "002 003"\n', "fail")
    post("down-label-of-own", 'branch_labels = "mine"\ndown_revision = "mine"\n', "fail")
    post("down-nested-tuple-and-second", 'down_revision = (("003",), "002")\n', "fail")
    post("down-triple-nested", 'down_revision = ((("003",),),)\n', "fail")
    post("revision-bytes", 'revision = b"004"\n', "one")
    out.append(Case("values/revision-bytes-str-child",
                    {MIGRATION: mig(post='revision = b"004"\n'),
                     VERSIONS + "/005_y.py": mig(ids=IDS.replace('"004"', '"005"').replace('"003"', '"004"'))},
                    "fail", 'revision = b"004" <- 005 with down_revision = "004"'))
    post("revision-tuple", 'revision = ("004",)\n', "one")
    post("revision-empty", 'revision = ""\n', "one")
    post("revision-none", "revision = None\n", "fail")
    post("revision-int", "revision = 4\n", "fail")
    post("revision-head", 'revision = "head"\n', "one")
    post("revision-trailing-space", 'revision = "004 "\n', "one")
    post("revision-duplicate", 'revision = "003"\n', "fail")
    post("revision-at-sign", 'revision = "004@x"\n', "fail")
    post("name-rebound-after-use", 'REV = "003"\ndown_revision = REV\nREV = "002"\n', "one")
    post("name-rebound-before-use", 'REV = "003"\nREV = "002"\ndown_revision = REV\n', "multi")
    post("name-bound-by-for", 'for REV in ["002"]:\n    pass\ndown_revision = REV\n', "multi")
    post("name-bound-by-import", "from string import digits as REV\ndown_revision = REV\n", "fail")
    post("name-unbound", "down_revision = PARENT\n", "fail")
    labels = 'DEP = "nope"\nLABEL = "feature_x"\n'
    out.append(Case("values/repository-attribute-missing-dep", {MIGRATION: mig(post="from app import labels\ndepends_on = labels.DEP\n"),
                                                               "app/labels.py": labels}, "fail", "depends_on = labels.DEP (\"nope\")"))
    out.append(Case("values/repository-attribute-label", {MIGRATION: mig(post="from app import labels\nbranch_labels = (labels.LABEL,)\n"),
                                                         "app/labels.py": labels}, "one", "branch_labels = (labels.LABEL,)",
                    deniable=False))
    out.append(Case("values/repository-attribute-absent", {MIGRATION: mig(post="from app import labels\ndepends_on = labels.MISSING\n"),
                                                          "app/labels.py": labels}, "fail", "depends_on = labels.MISSING"))
    out.append(Case("values/repository-name-import", {MIGRATION: mig(post="from app.labels import DEP\ndepends_on = DEP\n"),
                                                     "app/labels.py": labels}, "fail", "from app.labels import DEP; depends_on = DEP"))
    return out


def annotation_cases():
    out = []

    def add(name, text, expect, snippet):
        out.append(Case("annotation/" + name, {MIGRATION: text}, expect, snippet))

    ann = ('revision: str = "004"\ndown_revision: Union[str, None] = "003"\n'
           'branch_labels: Union[str, Sequence[str], None] = None\ndepends_on: Union[str, Sequence[str], None] = None\n')
    add("union-not-imported", mig(ids=ann), "fail", "down_revision: Union[str, None] = \"003\" without typing import")
    add("union-imported", mig(ids=ann, imports="from typing import Sequence, Union\n\n" + IMPORTS), "one", "with the typing import")
    add("future-annotations-not-imported", mig(ids=ann, head="from __future__ import annotations\n\n"), "one",
        "from __future__ import annotations, Union never imported")
    add("string-annotation", mig(ids='revision: "str" = "004"\ndown_revision: "Union[str, None]" = "003"\n'), "one",
        'down_revision: "Union[str, None]" = "003"')
    body = BODY.replace("def upgrade():", "def upgrade() -> Nope:")
    add("return-annotation-unbound", mig(body=body), "fail", "def upgrade() -> Nope:")
    body = BODY.replace("def upgrade():", "def upgrade(bind: Nope = None):")
    add("argument-annotation-unbound", mig(body=body), "fail", "def upgrade(bind: Nope = None):")
    add("class-annotation-unbound", mig(post="class _Row:\n    name: Nope\n"), "fail", "class _Row: name: Nope")
    add("function-local-annotation-unbound", mig(body=BODY.replace('op.drop_column("teams", "x")', 'op.drop_column("teams", "x")\n    x: Nope = 1')),
        "one", "x: Nope = 1 inside downgrade() (never evaluated)")
    add("pep604", mig(ids='revision: str = "004"\ndown_revision: str | None = "003"\n'), "one", "down_revision: str | None")
    add("pep604-unbound", mig(ids='revision: str = "004"\ndown_revision: Str | None = "003"\n'), "fail", "down_revision: Str | None (typo)")
    return out


def decoy_cases():
    """The effective binding is the second head ("002"); a decoy a careless reader takes for code says "003"."""
    real = 'down_revision = "002"\n'
    forms = [
        ("if-false", real + 'if False:\n    down_revision = "003"\n', "multi"),
        ("if-false-one-line", real + 'if False: down_revision = "003"\n', "multi"),
        ("if-false-semicolon-suite", real + 'if False: pass; down_revision = "003"\n', "multi"),
        ("if-false-backslash-column-0", real + 'if False: \\\ndown_revision = "003"\n', "multi"),
        ("type-checking", real + 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    down_revision = "003"\n', "multi"),
        ("while-false", real + 'while False:\n    down_revision = "003"\n', "multi"),
        ("for-empty", real + 'for _i in ():\n    down_revision = "003"\n', "multi"),
        ("except-not-raised", real + 'try:\n    pass\nexcept Exception:\n    down_revision = "003"\n', "multi"),
        ("else-branch", real + 'if True:\n    pass\nelse:\n    down_revision = "003"\n', "multi"),
        ("match-no-case", real + 'match 1:\n    case 2:\n        down_revision = "003"\n', "multi"),
        ("tab-indented", real + 'if False:\n\tdown_revision = "003"\n', "multi"),
        ("function-local", real + 'def _f():\n    down_revision = "003"\n', "multi"),
        ("class-attribute", real + 'class _C:\n    down_revision = "003"\n', "multi"),
        ("triple-quoted-string", real + 'X = """\ndown_revision = "003"\n"""\n', "multi"),
        ("triple-quoted-fstring", real + 'X = f"""{1}\ndown_revision = "003"\n"""\n', "multi"),
        ("raw-bytes-triple-quoted", real + "X = rb'''\ndown_revision = \"003\"\n'''\n", "multi"),
        ("backslash-continued-string", real + "X = 'abc\\\ndown_revision = \"003\"'\n", "multi"),
        ("comment", real + '# down_revision = "003"\n', "multi"),
        ("string-statement", real + "'down_revision = \"003\"'\n", "multi"),
    ]
    hidden = [
        ("after-escaped-quote", 'down_revision = "003"\nX = "a\\"b"; down_revision = "002"\n', "multi"),
        ("after-hash-in-string", 'down_revision = "003"\nX = "#"; down_revision = "002"\n', "multi"),
        ("after-triple-quoted-on-same-line", 'down_revision = "003"\nX = """a\nb"""; down_revision = "002"\n', "multi"),
        ("after-closing-bracket", 'down_revision = "003"\nX = [\n    1,\n] ; down_revision = "002"\n', "multi"),
        ("semicolon-continuation-line", 'down_revision = "003"\nX = 0 \\\n;down_revision = "002"\n', "multi"),
        ("one-line-if-true", 'down_revision = "003"\nif True: down_revision = "002"\n', "multi"),
        ("after-raw-string-backslash", 'down_revision = "003"\nX = r"\\\\"; down_revision = "002"\n', "multi"),
        ("after-fstring-with-quote", "down_revision = \"003\"\nX = f\"{'\\\"' if 0 else 1}\"; down_revision = \"002\"\n", None),
        ("after-docstring-same-line", 'down_revision = "003"\n"""doc"""; down_revision = "002"\n', "multi"),
    ]
    ids = ids_without("down_revision")
    out = [Case("decoy/%s" % shape, {MIGRATION: mig(ids=ids, post=s)}, expect, s) for shape, s, expect in forms]
    out += [Case("decoy/%s" % shape, {MIGRATION: mig(ids=ids, post=s)}, expect, s) for shape, s, expect in hidden]
    return out


def loader_cases():
    out = []
    src_002 = mig(ids=IDS.replace('"003"', '"002"'))
    src_nope = mig(ids=IDS.replace("depends_on = None", 'depends_on = "nope"'))
    pycache = VERSIONS + "/__pycache__/004_x.%s.pyc" % PYC_TAG
    M = py_compile.PycInvalidationMode

    def add(name, files, expect, snippet, **kw):
        out.append(Case("loader/" + name, files, expect, snippet, **kw))

    # The project's Python, read as tomllib reads pyproject.toml: a line inside a string is no key.
    toml = '[project]\nname = "x"\ndescription = """\nrequires-python = ">=3.12"\n"""\nrequires-python = ">=3.11"\n'
    add("pyproject-key-inside-multiline-string", {"pyproject.toml": toml, MIGRATION: mig(post='X = f"{"a"}"\n')},
        "fail", 'requires-python = ">=3.12" inside a """ string; a PEP 701 f-string', deniable=True)
    add("pycache-unchecked-hash", {MIGRATION: mig(), pycache: pyc(src_002, M.UNCHECKED_HASH)}, "multi",
        "__pycache__/004_x.%s.pyc (unchecked hash) of down_revision = \"002\"" % PYC_TAG, deniable=True)
    add("pycache-unchecked-hash-missing-dep", {MIGRATION: mig(), pycache: pyc(src_nope, M.UNCHECKED_HASH)}, "fail",
        "__pycache__ .pyc (unchecked hash) of depends_on = \"nope\"", deniable=True)
    add("pycache-checked-hash", {MIGRATION: mig(), pycache: pyc(src_002, M.CHECKED_HASH)}, "one",
        "__pycache__ .pyc (checked hash, stale)", deniable=True)
    add("pycache-timestamp-stale", {MIGRATION: mig(), pycache: pyc(src_002 + "# longer\n", M.TIMESTAMP)}, "one",
        "__pycache__ .pyc (timestamp, other size)", deniable=True)
    add("pycache-orphan", {VERSIONS + "/__pycache__/005_y.%s.pyc" % PYC_TAG: pyc(src_002, M.UNCHECKED_HASH)}, "one",
        "__pycache__/005_y.pyc without a source", deniable=True)
    sl = "sourceless = true\n"
    add("sourceless-pyc", {VERSIONS + "/004_x.pyc": pyc(src_002, M.UNCHECKED_HASH)}, "multi",
        "sourceless = true + versions/004_x.pyc (down_revision \"002\")", ini_extra=sl, deniable=True)
    add("sourceless-pyc-one-head", {VERSIONS + "/004_x.pyc": pyc(mig(), M.UNCHECKED_HASH)}, "one",
        "sourceless = true + versions/004_x.pyc (down_revision \"003\")", ini_extra=sl, deniable=True)
    add("sourceless-pycache-only", {pycache: pyc(src_002, M.UNCHECKED_HASH)}, "multi",
        "sourceless = true + __pycache__/004_x.pyc only", ini_extra=sl, deniable=True)
    add("sourceless-pyc-beside-py", {MIGRATION: mig(), VERSIONS + "/004_x.pyc": pyc(src_002, M.UNCHECKED_HASH)}, "one",
        "sourceless = true + 004_x.py and 004_x.pyc", ini_extra=sl, deniable=True)
    add("sourceless-pyo", {VERSIONS + "/004_x.pyo": pyc(src_002, M.UNCHECKED_HASH)}, None,
        "sourceless = true + versions/004_x.pyo", ini_extra=sl, deniable=True)
    add("pyc-without-sourceless", {VERSIONS + "/004_x.pyc": pyc(src_002, M.UNCHECKED_HASH)}, "one",
        "versions/004_x.pyc, sourceless off", deniable=True)
    add("file-named-dot-py", {VERSIONS + "/.py": src_002}, "fail", "a file named .py")
    add("name-ending-in-newline", {VERSIONS + "/004_x.py\n": mig()}, "fail", "a file named '004_x.py\\n'")
    add("name-with-inner-newline", {VERSIONS + "/004\nx.py": src_002}, "one", "a file named '004\\nx.py' (ignored)")
    add("name-init-prefix", {VERSIONS + "/__init__x.py": src_002}, "one", "__init__x.py (ignored by the pattern)")
    add("name-editor-lock", {VERSIONS + "/.#004_x.py": "revision = (\n"}, "one", ".#004_x.py (ignored)")
    add("name-uppercase-extension", {VERSIONS + "/004_x.PY": "revision = (\n"}, "one", "004_x.PY (ignored)")
    add("name-py-py", {VERSIONS + "/004_x.py.py": mig()}, "one", "004_x.py.py")
    add("name-with-space", {VERSIONS + "/004 x.py": mig()}, "one", "'004 x.py'")
    add("name-non-ascii", {VERSIONS + "/004_caf\u00e9.py": mig()}, "one", "004_caf\u00e9.py")
    add("name-latin1-byte", {VERSIONS + "/004_caf\udce9.py": mig()}, "one", "004_caf<e9>.py (not UTF-8)")
    add("name-latin1-byte-second-head", {VERSIONS + "/004_caf\udce9.py": src_002}, "multi",
        "004_caf<e9>.py (not UTF-8), down_revision \"002\"")
    add("name-dot-prefix", {VERSIONS + "/.004_x.py": src_002}, "multi", ".004_x.py (a hidden file is loaded)")
    return out


def _nested(kind, n):
    if kind == "for":
        return "".join("    " * (i + 1) + "for _a%d in ():\n" % i for i in range(n)) + "    " * (n + 1) + "pass\n"
    if kind == "try":
        return "".join("    " * (i + 1) + "try:\n" for i in range(n)) + "    " * (n + 1) + "pass\n" + "".join(
            "    " * (n - i) + "finally:\n" + "    " * (n - i + 1) + "pass\n" for i in range(n))
    if kind == "while":
        return "".join("    " * (i + 1) + "while False:\n" for i in range(n)) + "    " * (n + 1) + "pass\n"
    raise AssertionError(kind)


def compile_cases():
    out = []

    def body_with(code):
        lines = "".join("    " + l + "\n" for l in code.splitlines())
        return BODY.replace('    op.drop_column("teams", "x")\n', '    op.drop_column("teams", "x")\n' + lines)

    def fn(name, code, expect="fail"):
        out.append(Case("compile/" + name, {MIGRATION: mig(body=body_with(code))}, expect, code))

    def mod(name, code, expect="fail", where="post"):
        text = mig(post=code) if where == "post" else mig(tail=code)
        out.append(Case("compile/" + name, {MIGRATION: text}, expect, code))

    fn("print-statement", 'print "x"')
    fn("exec-statement", 'exec "x = 1"')
    fn("print-chevron-is-an-expression", 'print >> sys.stderr, "x"', "one")
    fn("backtick-repr", "x = `1`")
    fn("old-raise", 'raise ValueError, "x"')
    fn("old-except", "try:\n    pass\nexcept ValueError, e:\n    pass")
    fn("old-octal", "x = 0777")
    fn("long-suffix", "x = 10L")
    fn("ne-diamond", "x = 1 <> 2")
    mod("lone-semicolon", ";\n")
    mod("double-semicolon", "_x = 1;;\n")
    mod("return-at-module-level", "return\n")
    mod("break-at-module-level", "break\n")
    mod("continue-at-module-level", "continue\n")
    mod("await-at-module-level", "await _x\n")
    mod("yield-at-module-level", "yield 1\n")
    mod("yield-from-at-module-level", "yield from ()\n")
    mod("nonlocal-at-module-level", "nonlocal _x\n")
    mod("nonlocal-in-class-body", "class _C:\n    nonlocal _x\n")
    mod("async-comprehension-at-module-level", "_x = [i async for i in _y]\n")
    fn("async-with-in-plain-def", "async with _x:\n    pass")
    fn("await-in-plain-def", "await _x")
    fn("yield-in-comprehension", "x = [(yield i) for i in ()]")
    fn("yield-from-in-async-def", "async def _g():\n    yield from ()")
    fn("return-value-in-async-generator", "async def _g():\n    yield 1\n    return 2")
    fn("await-in-lambda", "f = lambda: await x")
    out.append(Case("compile/late-future-import", {MIGRATION: mig(post="from __future__ import annotations\n")}, "fail",
                    "from __future__ import annotations (after the header)"))
    out.append(Case("compile/future-braces", {MIGRATION: mig(head="from __future__ import braces\n")}, "fail",
                    "from __future__ import braces"))
    out.append(Case("compile/future-unknown", {MIGRATION: mig(head="from __future__ import nosuch\n")}, "fail",
                    "from __future__ import nosuch"))
    out.append(Case("compile/future-after-docstring", {MIGRATION: mig(imports="from __future__ import annotations\n" + IMPORTS)}, "one",
                    "from __future__ import after the docstring"))
    fn("duplicate-argument", "def f(a, a):\n    pass")
    fn("duplicate-lambda-argument", "f = lambda a, a: 0")
    fn("duplicate-keyword-argument", "f(a=1, a=2)")
    fn("default-before-non-default", "def f(x=1, y):\n    pass")
    fn("generator-not-sole-argument", "f(x for x in y, 1)")
    fn("unpacking-after-keyword-unpacking", "f(**x, *y)")
    fn("bare-star-without-names", "def f(*):\n    pass")
    fn("assign-to-none", "None = 1")
    fn("assign-to-true", "True = 1")
    fn("assign-to-debug", "__debug__ = 1")
    fn("assign-to-call", "f() = 1")
    fn("assign-to-literal", '"x" = 1')
    fn("assign-to-operator", "a + b = 1")
    fn("delete-call", "del f()")
    fn("augmented-tuple", "(a, b) += 1")
    fn("assign-to-comprehension", "[x for x in y] = 1")
    fn("starred-alone", "*a = 1")
    fn("two-starred", "a, *b, *c = x")
    fn("unparenthesized-walrus-statement", "x := 1")
    fn("walrus-in-comprehension-iterable", "x = [i for i in (y := [1])]")
    fn("walrus-rebinds-iteration-variable", "x = [i := 0 for i in range(3)]")
    mod("walrus-in-class-comprehension", "class _C:\n    _x = [(_y := i) for i in (1,)]\n")
    fn("import-star-in-function", "from os import *")
    fn("trailing-comma-import", "from os import path,")
    fn("dotted-import-as-target", "import a.b as c.d")
    fn("class-return", "class C:\n    return 1")
    fn("global-after-assignment", "x = 1\nglobal x")
    fn("nonlocal-without-binding", "def g():\n    nonlocal zz")
    fn("annotated-global", "global x\nx: int = 1")
    fn("parameter-and-global", "def g(x):\n    global x")
    fn("try-without-handler", "try:\n    pass\nx = 1")
    fn("except-star-mixed", "try:\n    pass\nexcept* ValueError:\n    pass\nexcept TypeError:\n    pass")
    fn("match-alternatives-bind-differently", "match x:\n    case [a] | [b]:\n        pass")
    fn("match-duplicate-capture", "match x:\n    case a, a:\n        pass")
    fn("match-irrefutable-not-last", "match x:\n    case a:\n        pass\n    case 1:\n        pass")
    fn("conditional-without-else", "x = 1 if 2")
    fn("yield-assignment-target", "x = yield = 1")
    fn("keyword-as-name", "class = 1")
    fn("missing-indented-block", "if x:\npass")
    fn("else-without-if", "else:\n    pass")
    fn("unexpected-indent", "x = 1\n        y = 2")
    fn("tab-space-inconsistency", "if x:\n        a = 1\n\tb = 2")
    out.append(Case("compile/def-at-end-of-file", {MIGRATION: mig(tail="\n\ndef _later():\n")}, "fail", "def _later(): at EOF"))
    fn("leading-zero-literal", "x = 09")
    fn("double-underscore-literal", "x = 1__0")
    fn("binary-digit-2", "x = 0b2")
    fn("invalid-character-identifier", "x\u20ac = 1")
    fn("fstring-nested-too-deeply", "x = f'{1:{2:{3}}}'")
    fn("fstring-backslash-in-expression", r"x = f'{chr(10)!r:{'\n'}}'")
    fn("fstring-comment-in-expression", "x = f'{1 # comment}'")
    fn("fstring-empty-expression", "x = f'{}'")
    fn("fstring-bad-conversion", "x = f'{1!z}'")
    fn("fstring-reused-quotes", "x = f\"{\"a\"}\"")
    fn("fstring-single-closing-brace", "x = f'a}b'")
    fn("type-alias-statement", "type X = int")
    fn("generic-function", "def f[T](x: T):\n    pass")
    mod("null-byte-in-comment", "# \x00\n")
    mod("null-byte-in-string", "_x = '\x00'\n")
    mod("backslash-joins-statements", "_x = 1 \\\n_y = 2\n")
    out.append(Case("compile/backslash-at-end-of-file", {MIGRATION: mig() + "\\"}, "fail", "a backslash as the last byte"))
    mod("backslash-before-comment", "_x = 1 \\ # comment\n")
    fn("nested-for-21", "def _deep():\n" + _nested("for", 21))
    fn("nested-for-20", "def _deep():\n" + _nested("for", 20), "one")
    fn("nested-try-21", "def _deep():\n" + _nested("try", 21))
    fn("nested-while-21", "def _deep():\n" + _nested("while", 21))
    deep_if = lambda n: "".join(" " * i + "if 1:\n" for i in range(n)) + " " * n + "pass\n"
    out.append(Case("compile/indentation-100", {MIGRATION: mig(post=deep_if(100))}, "fail", "100 nested if blocks"))
    out.append(Case("compile/indentation-99", {MIGRATION: mig(post=deep_if(99))}, "one", "99 nested if blocks"))
    fn("integer-4301-digits", "x = 1" + "0" * 4300)
    fn("integer-4300-digits", "x = 1" + "0" * 4299, "one")
    fn("hex-integer-5000-digits", "x = 0x" + "f" * 5000, "one")
    fn("parentheses-201", "x = " + "(" * 201 + "1" + ")" * 201)
    fn("parentheses-200", "x = " + "(" * 200 + "1" + ")" * 200, "one")
    for kind, mk in (("not", lambda n: "x = " + "not " * n + "1"),
                     ("unary-minus", lambda n: "x = " + "-" * n + "1"),
                     ("binary-plus", lambda n: "x = " + "1+" * n + "1"),
                     ("attribute", lambda n: "x = a" + ".b" * n),
                     ("call", lambda n: "x = f" + "()" * n),
                     ("subscript", lambda n: "x = a" + "[0]" * n),
                     ("conditional", lambda n: "x = " + "1 if 1 else " * n + "1"),
                     ("lambda", lambda n: "x = " + "lambda: " * n + "1"),
                     ("power", lambda n: "x = " + "2**" * n + "1")):
        fn("recursion-%s-3000" % kind, mk(3000))
        fn("recursion-%s-2000" % kind, mk(2000), "one")
    fn("flat-and-chain-20000", "x = " + "1 and " * 20000 + "1", "one")
    fn("flat-comparison-chain-20000", "x = " + "1 < " * 20000 + "1", "one")
    return out


def raise_cases():
    """Module-level code that fails by itself (knowable without a library: not runtime-only)."""
    forms = [
        ("raise", "raise ValueError(\"stop\")\n"),
        ("raise-system-exit", "raise SystemExit(0)\n"),
        ("assert-false", "assert False, \"stop\"\n"),
        ("zero-division", "_x = 1 / 0\n"),
        ("index-error", "_x = [][0]\n"),
        ("key-error", "_x = {}[\"k\"]\n"),
        ("attribute-of-none", "_x = None.x\n"),
        ("type-error-operator", "_x = \"a\" + 1\n"),
        ("unbound-name", "_x = undefined_helper\n"),
        ("unbound-call", "undefined_helper()\n"),
        ("own-function-raises", "def _check():\n    raise RuntimeError(\"stop\")\n\n\n_check()\n"),
        ("own-function-unbound-name", "def _check():\n    return undefined_helper\n\n\n_check()\n"),
        ("unpack-mismatch", "_a, _b = 1, 2, 3\n"),
        ("unbound-local-in-called-function", "def _f():\n    print(_v)\n    _v = 1\n\n\n_f()\n"),
        ("decorator-raises", "def _deco(f):\n    raise RuntimeError(\"stop\")\n\n\n@_deco\ndef _helper():\n    pass\n"),
        ("decorated-function-raises", "def _d(f):\n    return f\n\n\n@_d\ndef _check():\n    raise RuntimeError(\"stop\")\n\n\n_check()\n"),
        ("lambda-called", "_f = lambda: 1 / 0\n_f()\n"),
        ("lambda-unbound-name", "(lambda: undefined_helper)()\n"),
        ("class-init-raises", "class _C:\n    def __init__(self):\n        raise RuntimeError(\"stop\")\n\n\n_C()\n"),
        ("if-true-raise", "if True:\n    raise RuntimeError(\"stop\")\n"),
        ("if-zero-else-raise", "if 0:\n    pass\nelse:\n    raise RuntimeError(\"stop\")\n"),
        ("try-body-raises-finally", "try:\n    raise RuntimeError(\"stop\")\nfinally:\n    pass\n"),
        ("finally-raises", "try:\n    pass\nfinally:\n    raise RuntimeError(\"stop\")\n"),
        ("call-chain-five-deep", "def _a():\n    raise RuntimeError(\"stop\")\n\n\ndef _b():\n    _a()\n\n\ndef _c():\n    _b()\n\n\n"
                                 "def _d():\n    _c()\n\n\ndef _e():\n    _d()\n\n\n_e()\n"),
        ("recursion", "def _f():\n    _f()\n\n\n_f()\n"),
        ("bool-subscripted-in-annotation", "_x: True[str] = 1\n"),
        ("builtin-function-subscripted", "_x: print[str] = 1\n"),
    ]
    # The same statements where Python does not fail: the guard must not say it does.
    fine = [
        ("if-false-raise", "if False:\n    raise RuntimeError(\"stop\")\n"),
        ("raise-caught", "try:\n    raise KeyError(\"k\")\nexcept KeyError:\n    pass\n"),
        ("finally-return-drops-raise", "def _f():\n    try:\n        raise RuntimeError(\"stop\")\n    finally:\n        return 1\n\n\n_f()\n"),
        ("class-new-skips-init", "class _C:\n    def __new__(cls):\n        return 1\n\n    def __init__(self):\n"
                                 "        raise RuntimeError(\"stop\")\n\n\n_C()\n"),
        ("decorator-returns-other", "def _d(f):\n    return print\n\n\n@_d\ndef _check():\n    pass\n\n\n_check()\n"),
        ("closure-called", "def _outer():\n    _v = 1\n    return (lambda: _v)()\n\n\n_outer()\n"),
        ("generic-builtins-subscripted", "_x: list[str] = []\n_y: dict[str, int] = {}\n_z: type[int] = int\n"),
    ]
    return ([Case("raise/%s" % shape, {MIGRATION: mig(post=s)}, "fail", s) for shape, s in forms] +
            [Case("raise/%s" % shape, {MIGRATION: mig(post=s)}, "one", s) for shape, s in fine])


def runtime_cases():
    """Failures only running the code can show (an import that fails, an exception inside a call)."""
    forms = [
        ("import-missing-module", "import nosuch_adversarial_module\n", {}),
        ("from-import-missing-name", "from app import nosuch_name\n", {}),
        ("relative-import", "from . import sibling\n", {}),
        ("op-call-at-module-level", "op.create_table(\"x\")\n", {}),
        ("builtin-call-fails", "_x = int(\"x\")\n", {}),
        ("open-missing-file", "_x = open(\"/nonexistent/adversarial\").read()\n", {}),
        ("sys-exit-call", "import sys\nsys.exit(0)\n", {}),
        ("repository-helper-raises", "from app.checks import check\ncheck()\n",
         {"app/checks.py": "def check():\n    raise RuntimeError(\"not on this database\")\n"}),
        ("repository-module-fails-on-import", "import app.broken\n", {"app/broken.py": "raise ImportError(\"broken\")\n"}),
    ]
    return [Case("runtime/%s" % shape, dict({MIGRATION: mig(post=s)}, **extra), "runtime", s) for shape, s, extra in forms]


RICH = '''"""add player metrics

Revision ID: 004
Revises: 003
Create Date: 2024-01-02 10:00:00.000000

"""
from typing import Sequence, Union
import logging

from alembic import op
import sqlalchemy as sa

log = logging.getLogger(__name__)

# revision identifiers, used by Alembic.
revision: str = "004"
down_revision: Union[str, Sequence[str], None] = (
    "003",  # create_games
)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATUS = sa.Enum("active", "injured", "retired", name="player_status")
TABLE = "players"


def _column(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=True, comment=f"{TABLE}.{name}")


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(_column("minutes"))
        batch.add_column(sa.Column("status", STATUS, nullable=True))
    op.execute(f"UPDATE {TABLE} SET minutes = 0 WHERE minutes IS NULL")
    op.execute(r"UPDATE players SET name = regexp_replace(name, '\\s+', ' ')")
    op.create_index(op.f("ix_players_minutes"), TABLE, ["minutes"], unique=False)
    log.info("added %s", "minutes")


def downgrade() -> None:
    op.drop_index(op.f("ix_players_minutes"), table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("status")
        batch.drop_column("minutes")
'''


def reach_cases():
    """Code run at import that changes, in place or in another module, what a migration's names hold."""
    out = []
    labels = 'PARENT = "003"\n'
    other = VERSIONS + "/000_w.py"  # loaded before 004_x.py (Alembic reads the directory in sorted order)

    def other_mig(post):
        return mig(post=post, ids='revision = "005"\ndown_revision = "004"\nbranch_labels = None\ndepends_on = None\n')

    s = 'import app.labels\napp.labels.PARENT = "002"\n'
    out.append(Case("reach/module-attribute-written", {MIGRATION: mig(pre=s, ids=IDS.replace('down_revision = "003"',
                    'down_revision = app.labels.PARENT')), "app/labels.py": labels}, "multi", s))
    s = 'import app.labels\napp.labels.PARENT = "002"\n'
    out.append(Case("reach/module-attribute-written-by-another-migration",
                    {MIGRATION: mig(pre="from app.labels import PARENT\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = PARENT")),
                     other: other_mig(s), "app/labels.py": labels}, "multi", s))
    s = 'from app.labels import PARENTS\nPARENTS.clear()\nPARENTS.append("002")\n'
    out.append(Case("reach/module-list-appended-by-another-migration",
                    {MIGRATION: mig(pre="from app.labels import PARENTS\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = PARENTS")),
                     other: other_mig(s), "app/labels.py": 'PARENTS = ["003"]\n'}, "multi", s))
    s = 'from app.labels import PARENTS\nPARENTS[0] = "002"\n'
    out.append(Case("reach/module-list-item-set-by-another-migration",
                    {MIGRATION: mig(pre="from app.labels import PARENTS\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = PARENTS")),
                     other: other_mig(s), "app/labels.py": 'PARENTS = ["003"]\n'}, "multi", s))
    for name, post, expect in (
            ("own-list-appended", 'down_revision.append("002")\n', "one"),
            ("own-list-item-set", 'down_revision[0] = "zzz"\n', "fail"),
            ("own-list-cleared-through-alias", '_p = down_revision\n_p.clear()\n', "multi"),
            ("own-list-changed-by-function", 'def _f(x):\n    x[0] = "002"\n\n\n_f(down_revision)\n', "multi")):
        ids = IDS.replace('down_revision = "003"', 'down_revision = ["003"]')
        out.append(Case("reach/" + name, {MIGRATION: mig(ids=ids, post=post)}, expect, post))
    s = ('PARENT = "003"\n\n\nclass _Base:\n    def __init_subclass__(cls):\n        global PARENT\n'
         '        PARENT = "002"\n\n\nclass X(_Base):\n    pass\n')
    out.append(Case("reach/init-subclass-rebinds", {MIGRATION: mig(pre=s, ids=IDS.replace('down_revision = "003"',
                    "down_revision = PARENT"))}, "multi", s))
    # The repository's code a migration imports runs first, and can reach back into it.
    from_labels = mig(pre="from app.labels import PARENT\n", ids=IDS.replace('down_revision = "003"',
                                                                              "down_revision = PARENT"))
    s = ('import sys\nf = sys._getframe(1)\nwhile f is not None and "down_revision" not in f.f_globals:\n'
         '    f = f.f_back\nf.f_globals["down_revision"] = "002"\n')
    out.append(Case("reach/imported-module-walks-frames", {MIGRATION: mig(post="import app.evil\n"),
                    "app/evil.py": s}, "multi", s))
    s = 'from . import labels\nlabels.PARENT = "002"\n'
    out.append(Case("reach/package-init-writes-submodule", {MIGRATION: from_labels, "app/__init__.py": s,
                    "app/labels.py": labels}, "multi", s))
    s = 'import sys\n\n\ndef f():\n    sys._getframe(1).f_globals["PARENT"] = "002"\n'
    out.append(Case("reach/imported-module-calls-frame-writer", {MIGRATION: from_labels, "app/helper.py": s,
                    "app/labels.py": labels + "from app.helper import f\nf()\n"}, "multi", s))
    # A directory put on sys.path at import, and a module of the repository imported from it.
    s = ('import os\nimport sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "helpers"))\n'
         'import evil_helper\n')
    frames = ('import sys\nf = sys._getframe(1)\nwhile f is not None and "down_revision" not in f.f_globals:\n'
              '    f = f.f_back\nf.f_globals["down_revision"] = "002"\n')
    out.append(Case("reach/sys-path-then-repository-module", {MIGRATION: mig(post=s),
                    "alembic/helpers/evil_helper.py": frames}, "multi", s))
    s = 'import os\nimport sys\nsys.path.append(os.path.dirname(__file__))\nimport json\n'
    out.append(Case("reach/sys-path-then-standard-library", {MIGRATION: mig(post=s)}, "one", s))
    # A package's __init__.py that binds the name of one of its submodules: Python uses that.
    ids_ids = IDS.replace('down_revision = "003"', "down_revision = ids.PARENT")
    out.append(Case("reach/package-attribute-shadows-submodule-class",
                    {MIGRATION: mig(pre="from app import ids\n", ids=ids_ids),
                     "app/__init__.py": 'class ids:\n    PARENT = "002"\n', "app/ids.py": labels}, "multi",
                    "from app import ids (app/__init__.py: class ids)"))
    out.append(Case("reach/package-attribute-shadows-submodule-alias",
                    {MIGRATION: mig(pre="from app import ids\n", ids=ids_ids),
                     "app/__init__.py": "from . import other as ids\n", "app/ids.py": labels,
                     "app/other.py": 'PARENT = "002"\n'}, "multi",
                    "from app import ids (app/__init__.py: from . import other as ids)"))
    out.append(Case("reach/package-rebinds-imported-submodule",
                    {MIGRATION: mig(pre="import app.ids\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = app.ids.PARENT")),
                     "app/__init__.py": "from . import ids\nfrom . import other as ids\n", "app/ids.py": labels,
                     "app/other.py": 'PARENT = "002"\n'}, "multi", "import app.ids (app/__init__.py rebinds ids)"))
    # Modules Python already holds are not the repository's files of that name.
    out.append(Case("reach/repository-module-named-like-preloaded-stdlib",
                    {MIGRATION: mig(pre="from tempfile import tempdir\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = tempdir")),
                     "tempfile.py": 'tempdir = "003"\n'}, "multi", 'tempfile.py of the repository: tempdir = "003"'))
    out.append(Case("reach/repository-module-named-like-preloaded-stdlib-attribute",
                    {MIGRATION: mig(pre="import token\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = token.PARENT")),
                     "token.py": 'PARENT = "003"\n'}, "runtime", 'token.py of the repository: PARENT = "003"'))
    # A function of the repository that rebinds its own module's names with `global`.
    s = 'PARENT = "003"\n\n\ndef bump():\n    global PARENT\n    PARENT = "002"\n'
    out.append(Case("reach/repository-function-rebinds-global-read-by-migration",
                    {MIGRATION: mig(pre="from app import labels\n\nlabels.bump()\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = labels.PARENT")),
                     "app/labels.py": s}, "multi", s))
    # A module object handed on as a value: whatever receives it can write its names.
    reads_labels = IDS.replace('down_revision = "003"', "down_revision = labels.PARENT")
    for name, post in (
            ("module-passed-to-function", 'def _f(m):\n    m.PARENT = "002"\n\n\n_f(labels)\n'),
            ("module-as-for-variable", 'for _m in (labels,):\n    _m.PARENT = "002"\n'),
            ("module-item-of-list", '[labels][0].PARENT = "002"\n'),
            ("module-in-conditional-expression", '(labels if True else None).PARENT = "002"\n'),
            ("module-given-to-setter-lambda", '(lambda m: setattr(m, "PARENT", "002"))(labels)\n'),
            ("module-in-dict-value", '_d = {"m": labels}\n_d["m"].PARENT = "002"\n'),
            ("module-returned-by-function", 'def _get():\n    return labels\n\n\n_get().PARENT = "002"\n')):
        out.append(Case("reach/" + name, {MIGRATION: mig(pre="from app import labels\n\n" + post, ids=reads_labels),
                                          "app/labels.py": labels}, "multi", post))
    s = 'from app import labels\n_m = labels\n_m.PARENT = "002"\n'
    out.append(Case("reach/repository-module-writes-through-alias",
                    {MIGRATION: mig(pre="import app.evil\nfrom app.labels import PARENT\n",
                                    ids=IDS.replace('down_revision = "003"', "down_revision = PARENT")),
                     "app/evil.py": s, "app/labels.py": labels}, "multi", s))
    # ... and a module reached through a name another module binds by importing it.
    writer = 'def _f(m):\n    m.PARENT = "002"\n\n\n_f(sub)\n'
    for name, reexport in (("from-import", "from app import ids as sub\n"), ("import-as", "import app.ids as sub\n"),
                           ("relative", "from . import ids as sub\n"),
                           ("conditional", "try:\n    from app import ids as sub\nexcept ImportError:\n    sub = None\n")):
        out.append(Case("reach/reexported-module-passed-to-function:" + name,
                        {MIGRATION: mig(pre="from app.labels import sub\n\n" + writer + "from app.ids import PARENT\n",
                                        ids=IDS.replace('down_revision = "003"', "down_revision = PARENT")),
                         "app/labels.py": reexport, "app/ids.py": labels}, "multi", reexport + writer))
    s = 'import app.labels\n\n\ndef _f(m):\n    m.labels.PARENT = "002"\n\n\n_f(app)\n'
    out.append(Case("reach/package-passed-to-function", {MIGRATION: mig(pre=s, ids=IDS.replace(
                    'down_revision = "003"', "down_revision = app.labels.PARENT")), "app/labels.py": labels}, "multi", s))
    s = 'import ns.labels\n\n\ndef _f(m):\n    m.labels.PARENT = "002"\n\n\n_f(ns)\n'
    out.append(Case("reach/namespace-package-passed-to-function", {MIGRATION: mig(pre=s, ids=IDS.replace(
                    'down_revision = "003"', "down_revision = ns.labels.PARENT")), "ns/labels.py": labels}, "multi", s))
    # What Python runs instead of a module's source.
    M = py_compile.PycInvalidationMode
    cached = "app/__pycache__/labels.%s.pyc" % PYC_TAG
    out.append(Case("reach/imported-module-unchecked-hash-pyc", {MIGRATION: from_labels, "app/labels.py": labels,
                    cached: pyc('PARENT = "002"\n', M.UNCHECKED_HASH)}, "multi",
                    "__pycache__/labels.pyc (unchecked hash) of PARENT = \"002\""))
    forged = bytearray(pyc('PARENT = "002"\n', M.CHECKED_HASH))
    forged[8:16] = importlib.util.source_hash(labels.encode())
    out.append(Case("reach/imported-module-forged-checked-hash-pyc", {MIGRATION: from_labels, "app/labels.py": labels,
                    cached: bytes(forged)}, "multi",
                    "__pycache__/labels.pyc (checked hash of the source, other code)"))
    out.append(Case("reach/imported-module-stale-timestamp-pyc", {MIGRATION: from_labels, "app/labels.py": labels,
                    cached: pyc('PARENT = "002"\n# longer\n', M.TIMESTAMP)}, "one",
                    "__pycache__/labels.pyc (timestamp, other size): Python recompiles the source"))
    out.append(Case("reach/imported-module-sourceless-pyc", {MIGRATION: from_labels,
                    "app/labels.pyc": pyc('PARENT = "002"\n', M.TIMESTAMP)}, "multi",
                    "app/labels.pyc with no app/labels.py"))
    return out


def realworld_cases():
    """Forms real histories use: Alembic loads each with one head, and the guard must accept it."""
    out = []

    def add(name, text, snippet, expect="one"):
        out.append(Case("realworld/" + name, {MIGRATION: text}, expect, snippet))

    def ids(rev='"004"', down='"003"', labels="None", deps="None", ann=("", "", "", "")):
        return ("revision%s = %s\ndown_revision%s = %s\nbranch_labels%s = %s\ndepends_on%s = %s\n"
                % (ann[0], rev, ann[1], down, ann[2], labels, ann[3], deps))

    typing_imports = "from typing import Sequence, Union\n\n" + IMPORTS
    add("fixtures-classic", fixtures.migration_text("004", "003", "add_team_x"), "alembic revision (classic template)")
    add("fixtures-annotated", fixtures.migration_text("004", "003", "add_team_x", annotated=True), "alembic revision (annotated template)")
    add("fixtures-create-table", fixtures.migration_text("004", "003", "create_leagues"), "op.create_table with sa.Column")
    add("rich", RICH, "typing, logging, sa.Enum, batch_alter_table, f-strings, multi-line tuple")
    add("trailing-comma-target", mig(ids=ids(down='"003",').replace("down_revision =", "down_revision, =")),
        'down_revision, = "003",')
    add("starred-target", mig(ids=ids(down='"003",').replace("down_revision =", "*down_revision, =")),
        '*down_revision, = "003",')
    add("nfkc-micro-sign", mig(pre='\u00b5 = "003"\n', ids=ids(down="\u03bc")), "\u00b5 = \"003\"; down_revision = \u03bc")
    add("nfkc-name-of-header", mig(ids=ids().replace("depends_on", "\uff44epends_on")), "\uff44epends_on = None (NFKC: depends_on)")
    # revision = b"004" loads in Alembic (a bytes ID) but is no real-world form: values/revision-bytes
    # covers it, refused by design (the guard's revision IDs are str).
    add("one-tuple", mig(ids=ids(down='("003",)')), 'down_revision = ("003",)')
    add("nested-tuple", mig(ids=ids(down='(("003",),)')), 'down_revision = (("003",),)')
    add("list", mig(ids=ids(down='["003"]')), 'down_revision = ["003"]')
    add("annotated-union", mig(ids=ids(ann=(": str", ": Union[str, None]", ": Union[str, Sequence[str], None]",
                                             ": Union[str, Sequence[str], None]")), imports=typing_imports),
        'down_revision: Union[str, None] = "003"')
    add("annotated-sequence", mig(ids=ids(ann=(": str", ": Union[str, Sequence[str], None]", ": Union[str, Sequence[str], None]",
                                                ": Union[str, Sequence[str], None]")), imports=typing_imports),
        'branch_labels: Union[str, Sequence[str], None] = None')
    add("annotated-pep604", mig(ids=ids(ann=(": str", ": str | None", ": str | tuple[str, ...] | None",
                                              ": str | tuple[str, ...] | None"))), "down_revision: str | None")
    add("annotated-tuple-str", mig(ids=ids(ann=(": str", ": tuple[str] | str | None", ": tuple[str] | None",
                                                 ": tuple[str] | None"))), "down_revision: tuple[str] | str | None")
    add("multiline-tuple", mig(ids=ids(down='(\n    "003",\n)')), 'down_revision = (\\n "003",\\n)')
    add("multiline-list-comments", mig(ids=ids(down='[\n    "003",  # create games\n    # nothing else\n]')),
        "multi-line list with comments")
    add("comments-after-values", mig(ids=ids(rev='"004"  # the id', down='"003"  # noqa: E501', labels="None  # type: ignore")),
        'revision = "004"  # the id')
    add("single-quotes", mig(ids=ids(rev="'004'", down="'003'")), "revision = '004'")
    add("u-prefix-py2-era", mig(ids=ids(rev="u'004'", down="u'003'")), "revision = u'004'")
    add("docstring-disagrees", mig(doc='"""add x\n\nRevision ID: 999\nRevises: 001\nCreate Date: 2020-01-01\n\n"""\n'),
        "docstring Revision ID: 999 / Revises: 001")
    add("docstring-with-assignments", mig(doc='"""add x\n\nrevision = "999"\ndown_revision = "001"\n"""\n'),
        'docstring holding down_revision = "001"')
    add("alias-name", mig(pre='REV = "004"\nPARENT = "003"\n', ids=ids(rev="REV", down="PARENT")), 'REV = "004"; revision = REV')
    add("depends-on-empty-tuple", mig(ids=ids(deps="()")), "depends_on = ()")
    add("depends-on-ancestor", mig(ids=ids(deps='("002",)')), 'depends_on = ("002",)')
    add("branch-label-new", mig(ids=ids(labels='("feature_x",)')), 'branch_labels = ("feature_x",)')
    add("branch-label-string", mig(ids=ids(labels='"feature_x"')), 'branch_labels = "feature_x"')
    add("semicolon-header", mig(ids='revision = "004"; down_revision = "003"\nbranch_labels = None; depends_on = None\n'),
        'revision = "004"; down_revision = "003"')
    add("trailing-semicolon", mig(ids=ids(down='"003";')), 'down_revision = "003";')
    add("backslash-continuation", mig(ids=ids(down='\\\n    "003"')), 'down_revision = \\\\n "003"')
    add("parenthesized-string", mig(ids=ids(down='("003")')), 'down_revision = ("003")')
    add("reassigned-same", mig(post='revision = "004"\n'), 'revision = "004" twice')
    add("type-comment", mig(ids=ids(down='"003"  # type: str')), 'down_revision = "003"  # type: str')
    add("future-annotations", mig(head="from __future__ import annotations\n\n"), "from __future__ import annotations")
    add("future-absolute-import", mig(head="# -*- coding: utf-8 -*-\nfrom __future__ import absolute_import, print_function\n"),
        "from __future__ import absolute_import, print_function")
    add("utf8-cookie-non-ascii-docstring", ("# -*- coding: utf-8 -*-\n" + mig(doc='"""caf\u00e9 \u2013 add x\n"""\n')),
        "# -*- coding: utf-8 -*- and a non-ASCII docstring")
    add("type-checking-imports", mig(pre="from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from sqlalchemy.engine import Connection\n"),
        "if TYPE_CHECKING: imports")
    add("module-level-calls", mig(pre='import logging\n\nlog = logging.getLogger(__name__)\nSTATUS = sa.Enum("a", "b", name="status")\n'),
        "log = logging.getLogger(__name__); sa.Enum(...)")
    add("module-fstring-constant", mig(pre='PREFIX = "app"\nTABLE = f"{PREFIX}_users"\n'), 'TABLE = f"{PREFIX}_users"')
    add("class-decoy", mig(post='\n\nclass Helper:\n    revision = "999"\n    down_revision = None\n'), "class Helper: revision = ...")
    add("function-local-decoy", mig(body=BODY.replace("def upgrade():\n", 'def upgrade():\n    revision = "999"\n')),
        "revision = ... inside upgrade()")
    add("soft-keywords-as-names", mig(post="match = 1\ncase = 2\ntype = 3\n_ = 4\n"), "match = 1; case = 2; type = 3")
    add("fstring-in-body", mig(body=BODY.replace('op.drop_column("teams", "x")',
                                                 'table = "teams"\n    op.execute(f"UPDATE {table} SET x = \'{table!r:>10}\'")\n'
                                                 '    op.drop_column(table, "x")')), 'op.execute(f"UPDATE {table} ...")')
    add("regex-invalid-escape", mig(body=BODY.replace('op.drop_column("teams", "x")',
                                                      'op.execute("UPDATE teams SET x = \'\\d\' WHERE x ~ \'\\s+\'")\n    op.drop_column("teams", "x")')),
        r"op.execute(\"... '\d' ... '\s+'\") (invalid escapes only warn)")
    add("syntax-warnings", mig(post="_x = 1\n_ok = _x is 1\n"), "_x is 1 (a SyntaxWarning)")
    add("tabs-in-functions", mig(body=BODY.replace("\n    ", "\n\t")), "tab-indented function bodies")
    add("form-feeds", mig(post="\f\n\f\n"), "form feed lines")
    add("crlf", mig().replace("\n", "\r\n"), "CRLF line endings")
    add("bom", "\ufeff" + mig(), "UTF-8 BOM")
    add("non-ascii-identifier", mig(pre='caf\u00e9 = "004"\n', ids=ids(rev="caf\u00e9")), "caf\u00e9 = \"004\"; revision = caf\u00e9")
    add("latin1-cookie-comment", ("# -*- coding: latin-1 -*-\n" + mig(post="# caf\u00e9\nLABEL = 'caf\u00e9'\n")).encode("latin-1"),
        "# -*- coding: latin-1 -*- with b'\\xe9'")
    add("batch-and-sql", mig(body='\n\ndef upgrade():\n    with op.batch_alter_table("teams", schema=None) as batch_op:\n'
                                  '        batch_op.add_column(sa.Column("x", sa.String(32)))\n'
                                  '    op.execute("""\n        UPDATE teams\n        SET x = \'y\'\n    """)\n\n\n'
                                  'def downgrade():\n    with op.batch_alter_table("teams") as batch_op:\n'
                                  '        batch_op.drop_column("x")\n'), "batch_alter_table + triple-quoted SQL")
    add("merge-revision-style", mig(ids=ids(down='("002", "003")')), 'down_revision = ("002", "003")')
    # The repository's classes and values handed to SQLAlchemy at import (not a module: no way
    # to another file's names).
    models = 'import enum\n\n\nclass Status(enum.Enum):\n    A = "a"\n    B = "b"\n\n\nTABLE = "teams"\n'
    for name, pre in (
            ("repository-enum-given-to-sqlalchemy", "from app import models\n\nSTATUS = sa.Enum(models.Status, name=\"status\")\n"),
            ("repository-constant-in-call", "import app.models\n\nCOLUMN = sa.Column(app.models.TABLE, sa.String(8))\n"),
            ("repository-class-imported-by-name", "from app.models import Status\n\nVALUES = [s.value for s in Status]\n")):
        out.append(Case("realworld/" + name, {MIGRATION: mig(pre=pre), "app/models.py": models}, "one", pre,
                        deniable=False))
    # A package whose __init__.py imports its own submodules (relative or absolute): the
    # names are the submodules' files.
    ids_module = 'PARENT = "003"\n'
    for name, init in (("relative", "from . import ids\n"), ("absolute", "from app import ids\n"),
                       ("relative-name", "from .ids import PARENT\n")):
        pre = "import app.ids\n"
        out.append(Case("realworld/package-init-imports-submodule:" + name,
                        {MIGRATION: mig(pre=pre, ids=IDS.replace('down_revision = "003"', "down_revision = app.ids.PARENT")),
                         "app/__init__.py": init, "app/ids.py": ids_module}, "one", init + pre, deniable=False))
    return out


def named_cases():
    cases = (walrus_cases() + global_cases() + del_cases() + target_cases() + star_import_cases() + namespace_cases()
             + string_cases() + encoding_cases() + values_cases() + annotation_cases() + decoy_cases() + loader_cases()
             + compile_cases() + raise_cases() + runtime_cases() + reach_cases() + realworld_cases())
    seen = {}
    for c in cases:
        assert c.name not in seen, "duplicate shape name %s" % c.name
        assert c.id not in seen.values(), "id collision for %s" % c.name
        seen[c.name] = c.id
    return cases


# ------------------------------------------------------------------------------------------------
# mutations

TEMPLATES = (
    ("classic", fixtures.migration_text("004", "003", "add_team_x")),
    ("annotated", fixtures.migration_text("004", "003", "add_team_x", annotated=True)),
    ("rich", RICH),
)

VOCAB_NAMES = ["revision", "down_revision", "branch_labels", "depends_on", "op", "sa", "_x", "globals", "vars",
               "exec", "print", "match", "case", "type", "_", "\u00b5", "\u03bc", "\uff44own_revision", "None", "True",
               "__getattr__", "upgrade", "Union", "str"]
VOCAB_OPS = ["=", ":=", "==", ",", ";", ":", "(", ")", "[", "]", "{", "}", "*", "**", ".", "+", "-", "@", "->", "+=",
             "|", "<>", "`", "\\", "!"]
VOCAB_STRINGS = ['"002"', '"003"', '"004"', '"nope"', "'003'", r'"\N{DIGIT ZERO}03"', r'"\x4"', r'"\u12"', 'b"003"',
                 'f"{_x}"', "f\"{(down_revision := '002')}\"", r'r"\x4"', '"""003"""', 'u"003"', r'"\N{BOGUS}"',
                 r"'\xe9'", '"caf\u00e9"', 'rb"003"', "f'{'", '""', "'''\n'''", '"00" "3"']
VOCAB_NUMBERS = ["0", "1", "003", "0x", "1_000", "1e5", "1j", "0o7", "09", "1__0", "0b2", "1.", ".5"]


def _statement_pool():
    pool = []
    for _, tpl, _ in WALRUS:
        pool.append(tpl.format(W="(down_revision := \"002\")" if "f'" not in tpl else "(down_revision := '002')"))
    for _, tpl in GLOBAL_FORMS:
        pool.append(tpl.format(N="down_revision", V='"002"'))
    pool += [s for _, s, _ in DEL_FORMS + TARGET_FORMS + NAMESPACE_FORMS]
    pool += ['down_revision = "002"\n', 'depends_on = "nope"\n', 'branch_labels = "003"\n', 'revision = "003"\n',
             "from string import *\n", "return\n", "global down_revision\n", "nonlocal x\n", "print 'x'\n",
             "if False:\n    down_revision = \"003\"\n", "import nosuch_adversarial_module\n"]
    return pool


STATEMENTS = _statement_pool()
MUTATION_OPS = ("delete", "duplicate", "swap", "replace", "insert", "string", "name", "statement", "encoding")
MUTATION_WEIGHTS = (12, 6, 6, 16, 12, 10, 10, 14, 4)


def _rand_token(rng):
    kind = rng.choice(("name", "keyword", "op", "string", "number"))
    if kind == "name":
        return tokenize.NAME, rng.choice(VOCAB_NAMES)
    if kind == "keyword":
        return tokenize.NAME, rng.choice(keyword.kwlist + keyword.softkwlist)
    if kind == "op":
        return tokenize.OP, rng.choice(VOCAB_OPS)
    if kind == "string":
        return tokenize.STRING, rng.choice(VOCAB_STRINGS)
    return tokenize.NUMBER, rng.choice(VOCAB_NUMBERS)


def _header_span(toks):
    """Token index range of the header (the four assignments)."""
    start = next((i for i, t in enumerate(toks) if t[1] in ("revision",)), 0)
    end = next((i for i, t in enumerate(toks) if i > start and t[1] == "def"), len(toks))
    return start, end


def _mutate_tokens(rng, text, op):
    toks = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)]
    toks = [t for t in toks if t[0] != tokenize.ENDMARKER]
    lo, hi = _header_span(toks)
    if rng.random() < 0.55 and hi > lo:
        i = rng.randrange(lo, hi)
    else:
        i = rng.randrange(len(toks))
    if op == "delete":
        desc = "delete %r" % toks[i][1]
        del toks[i]
    elif op == "duplicate":
        desc = "duplicate %r" % toks[i][1]
        toks.insert(i, toks[i])
    elif op == "swap":
        j = min(i + 1, len(toks) - 1)
        desc = "swap %r %r" % (toks[i][1], toks[j][1])
        toks[i], toks[j] = toks[j], toks[i]
    elif op == "replace":
        new = _rand_token(rng)
        desc = "%r -> %r" % (toks[i][1], new[1])
        toks[i] = new
    elif op == "insert":
        new = _rand_token(rng)
        desc = "insert %r" % new[1]
        toks.insert(i, new)
    elif op == "string":
        idx = [k for k, t in enumerate(toks) if t[0] == tokenize.STRING]
        k = rng.choice([k for k in idx if lo <= k < hi] or idx) if rng.random() < 0.7 else rng.choice(idx)
        new = rng.choice(VOCAB_STRINGS)
        desc = "%s -> %s" % (toks[k][1][:20], new)
        toks[k] = (tokenize.STRING, new)
    elif op == "name":
        idx = [k for k, t in enumerate(toks) if t[0] == tokenize.NAME and not keyword.iskeyword(t[1])]
        k = rng.choice([k for k in idx if lo <= k < hi] or idx) if rng.random() < 0.7 else rng.choice(idx)
        new = rng.choice(VOCAB_NAMES)
        desc = "%s -> %s" % (toks[k][1], new)
        toks[k] = (tokenize.NAME, new)
    else:
        raise AssertionError(op)
    return tokenize.untokenize(toks), desc


def _mutate_statement(rng, text):
    lines = text.split("\n")
    header = next((i for i, l in enumerate(lines) if l.startswith("revision")), 0)
    if rng.random() < 0.6:
        at = rng.randrange(header, min(len(lines), header + 8))
    else:
        at = rng.randrange(len(lines))
    nxt = next((l for l in lines[at:] if l.strip()), "")
    indent = nxt[:len(nxt) - len(nxt.lstrip())] if rng.random() < 0.8 else ""
    stmt = rng.choice(STATEMENTS)
    new = [indent + l if l else l for l in stmt.rstrip("\n").split("\n")]
    lines[at:at] = new
    return "\n".join(lines), "statement %s" % show(stmt, 50)


def _mutate_encoding(rng, data):
    kind = rng.choice(("latin1-cookie", "cookie-line3", "bom", "crlf", "lone-cr", "utf7-cookie", "latin1-no-cookie", "tabs"))
    text = data
    if kind == "latin1-cookie":
        return ("# -*- coding: latin-1 -*-\n" + text + "LABEL = 'caf\u00e9'\n"), kind
    if kind == "cookie-line3":
        return ("#\n#\n# -*- coding: latin-1 -*-\n" + text + "LABEL = 'caf\u00e9'\n"), kind
    if kind == "bom":
        return "\ufeff" + text, kind
    if kind == "crlf":
        return text.replace("\n", "\r\n"), kind
    if kind == "lone-cr":
        return text.replace("\n", "\r"), kind
    if kind == "utf7-cookie":
        return "# coding: utf-7\n" + text, kind
    if kind == "latin1-no-cookie":
        return text + "LABEL = 'caf\u00e9'\n", kind
    return text.replace("    ", "\t"), kind


def mutation_case(cid):
    """The mutation case with this id (any int): a template and 1..3 seeded mutations."""
    rng = random.Random(cid)
    tname, text = TEMPLATES[rng.randrange(len(TEMPLATES))]
    n = rng.choices((1, 2, 3), (6, 3, 1))[0]
    ops = []
    descs = []
    encode_latin1 = False
    for _ in range(n):
        for _attempt in range(20):
            op = rng.choices(MUTATION_OPS, MUTATION_WEIGHTS)[0]
            try:
                if op == "statement":
                    new, desc = _mutate_statement(rng, text)
                elif op == "encoding":
                    new, desc = _mutate_encoding(rng, text)
                    encode_latin1 = encode_latin1 or desc in ("latin1-cookie", "cookie-line3", "latin1-no-cookie")
                else:
                    new, desc = _mutate_tokens(rng, text, op)
            except (tokenize.TokenError, IndentationError, SyntaxError, IndexError, ValueError):
                continue
            if new != text:
                text = new
                ops.append(op)
                descs.append(desc)
                break
    if encode_latin1:
        data = text.encode("latin-1", "replace")
    else:
        data = text.encode("utf-8", "surrogateescape")
    name = "mutation/%s:%s" % ("+".join(sorted(set(ops))) or "none", tname)
    return Case(name, {MIGRATION: data}, None, "; ".join(descs), cid=cid)


def mutation_cases(count, seed):
    return [mutation_case(seed * 100000 + i) for i in range(count)]


# ------------------------------------------------------------------------------------------------
# provable: what the guard can know without running the file

DYNAMIC_NAMES = {"globals", "vars", "locals", "exec", "eval", "compile", "__import__", "setattr", "delattr", "getattr",
                 "__builtins__", "__getattr__", "__dict__", "sys", "gc", "inspect", "builtins", "importlib", "ctypes",
                 "types", "__loader__", "__spec__"}
DYNAMIC_ATTRS = {"f_globals", "f_locals", "f_back", "_getframe", "__globals__", "__dict__", "get_referrers",
                 "get_objects", "modules", "__setattr__", "__class__", "currentframe", "__builtins__", "stack"}


class _NotLiteral(Exception):
    pass


def _literal(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        vals = [_literal(e, env) for e in node.elts]
        return tuple(vals) if isinstance(node, ast.Tuple) else vals
    if isinstance(node, ast.Name) and node.id in env and env[node.id] is not _UNKNOWN:
        return env[node.id]
    raise _NotLiteral()


_UNKNOWN = object()


def _target_names(t):
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _target_names(e)]
    if isinstance(t, ast.Starred):
        return _target_names(t.value)
    return []


def _assign(target, value, env):
    """Python's assignment of a literal value to a target (raises ValueError/TypeError as Python would)."""
    if isinstance(target, ast.Name):
        env[target.id] = value
        return
    if isinstance(target, ast.Starred):
        raise ValueError("starred assignment target must be in a list or tuple")
    if isinstance(target, (ast.Tuple, ast.List)):
        items = list(value)
        stars = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
        if not stars:
            if len(items) != len(target.elts):
                raise ValueError("unpack mismatch")
            for e, v in zip(target.elts, items):
                _assign(e, v, env)
            return
        s = stars[0]
        after = len(target.elts) - s - 1
        if len(items) < s + after:
            raise ValueError("not enough values")
        for e, v in zip(target.elts[:s], items[:s]):
            _assign(e, v, env)
        _assign(target.elts[s].value, items[s:len(items) - after], env)
        for e, v in zip(target.elts[s + 1:], items[len(items) - after:]):
            _assign(e, v, env)
        return
    # attribute / subscript targets bind no name


def _bound_anywhere(stmt):
    """Names a module-level statement binds anywhere in it (not inside nested scopes) -- and del."""
    names = []

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            for d in node.decorator_list:
                visit(d)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.append(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.append((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.append(node.rest)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(stmt)
    return names


# Legacy multi-byte codecs: the guard decodes them only for ASCII content (it carries no CJK
# tables); a file in one of them with non-ASCII bytes is refused with that reason, by design.
CJK_CODECS = ("euc_jp", "shift_jis", "cp932", "gbk", "gb2312", "gb18030", "big5", "big5hkscs", "cp949", "cp950",
              "euc_kr", "johab", "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213", "hz",
              "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext",
              "iso2022_kr", "utf_7", "idna", "unicode_escape", "raw_unicode_escape")


def _cookie_codec(data):
    for line in data.split(b"\n")[:2]:
        m = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", line)
        if m:
            try:
                return codecs.lookup(m.group(1).decode("ascii")).name.replace("-", "_")
            except LookupError:
                return None
    return None


def _str_values_only(env):
    """Why the four names' final values are outside what the guard judges (revision IDs and
    labels are str in its graph and its JSON), or None."""
    def strs(v):
        return isinstance(v, (tuple, list)) and all(isinstance(x, str) for x in v)
    for name in FOUR:
        v = env.get(name, None)
        if v is _UNKNOWN or v is None:
            continue
        if name == "revision":
            if not isinstance(v, str):
                return "revision is a %s, not a str (the guard's revision IDs are str)" % type(v).__name__
        elif not (isinstance(v, str) or strs(v) or
                  (name != "branch_labels" and isinstance(v, (tuple, list)) and len(v) == 1 and strs(v[0]))):
            return "%s holds a %s where the guard judges str only" % (name, type(v).__name__)
    return None


def provable(source, repo_modules=()):
    """(True, why) when what CPython binds to the four names can be known without running the file."""
    if isinstance(source, bytes) and any(b >= 0x80 for b in source) and _cookie_codec(source) in CJK_CODECS:
        return False, "non-ASCII file in the legacy codec %s (the guard decodes it for ASCII content only)" % \
            _cookie_codec(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<migration>", "exec", dont_inherit=True)
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeError):
        return False, "does not compile"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return False, "global/nonlocal statement"
        if isinstance(node, ast.NamedExpr):
            return False, "assignment expression"
        if isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
            return False, "uses %s" % node.id
        if isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRS:
            return False, "uses .%s" % node.attr
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in DYNAMIC_NAMES:
            return False, "defines %s" % node.name
        if isinstance(node, ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return False, "star import"
            top = (node.module or "").split(".")[0]
            if node.level or top in repo_modules:
                return False, "imports the repository's own module %s" % (node.module or ".")
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in repo_modules:
                    return False, "imports the repository's own module %s" % a.name
        if isinstance(node, ast.alias) and (node.asname or node.name) in DYNAMIC_NAMES:
            return False, "imports %s" % (node.asname or node.name)
    env = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                continue
            names = [n for t in targets for n in _target_names(t)]
            try:
                value = _literal(stmt.value, env)
            except _NotLiteral:
                hit = [n for n in names if n in FOUR]
                if hit:
                    return False, "%s is not a literal" % hit[0]
                for n in names:
                    env[n] = _UNKNOWN
                continue
            try:
                for t in targets:
                    _assign(t, value, env)
            except (ValueError, TypeError):
                return False, "unpacking fails"
            continue
        names = _bound_anywhere(stmt)
        hit = [n for n in names if n in FOUR]
        if hit:
            return False, "%s bound by a %s statement" % (hit[0], type(stmt).__name__)
        for n in names:
            env[n] = _UNKNOWN
    odd = _str_values_only(env)
    if odd:
        return False, odd
    listy = {n for n in _list_bound_names(tree)}
    binding = {id(n) for n in _binding_loads(tree)}
    loaded = {n.id for n in ast.walk(tree)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in binding}
    if any(isinstance(env.get(n), list) for n in FOUR) and listy & loaded:
        return False, "a list among the four names, and a list is used where code can change it"
    return True, "literal bindings only"


def _binding_loads(tree):
    """Names loaded only to be bound to names by a top-level assignment (`x = D`, `x = (D, E)`)."""
    def walk(value):
        if isinstance(value, ast.Name):
            yield value
        elif isinstance(value, (ast.Tuple, ast.List)):
            for e in value.elts:
                yield from walk(e)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            yield from walk(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            yield from walk(stmt.value)


def _list_bound_names(tree):
    """Names a module-level statement binds to a list display."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, (ast.List, ast.ListComp)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                yield from _target_names(t)


# ------------------------------------------------------------------------------------------------


def find(key):
    """A case by id (named or mutation) or by name."""
    cases = named_cases()
    for c in cases:
        if str(c.id) == str(key) or c.name == key:
            return c
    if str(key).isdigit():
        return mutation_case(int(key))
    raise SystemExit("no case %r" % key)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--show")
    ap.add_argument("--write", nargs=2, metavar=("ID", "DIR"))
    args = ap.parse_args()
    if args.list:
        cases = named_cases()
        for c in cases:
            print("%d  %-60s %-8s %s" % (c.id, c.name, c.expect, show(c.snippet, 70)))
        fams = {}
        for c in cases:
            fams[c.family] = fams.get(c.family, 0) + 1
        print("%d named shapes: %s" % (len(cases), ", ".join("%s %d" % kv for kv in sorted(fams.items()))))
    elif args.show:
        c = find(args.show)
        print("# %d %s (expect %s; ini %r)" % (c.id, c.name, c.expect, c.ini_extra))
        for p, d in sorted(c.files.items()):
            print("## %r (%d bytes)" % (p, len(d)))
            if p.endswith((".pyc", ".pyo")):
                print("<compiled>")
            else:
                print(d.decode("utf-8", "backslashreplace"))
        print("# deniable: %s (%s)" % c.is_deniable())
    elif args.write:
        c = find(args.write[0])
        write_project(c.project(), args.write[1])
        print("wrote %s (%s) into %s" % (c.id, c.name, args.write[1]))
    else:
        ap.print_help()


if __name__ == "__main__":
    main()
