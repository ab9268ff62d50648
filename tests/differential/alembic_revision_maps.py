#!/usr/bin/python3
"""Differential test: the revision maps of Alembic's own unit tests, through real Alembic and
alembic-guard.

    alembic_revision_maps.py --binary build/alembic-guard --tests /tmp/alembic-tests/test_revision.py
    alembic_revision_maps.py --binary build/alembic-guard --tests .../test_revision.py \
        --alembic-path build/oracles/alembic-1.18.4/usr/lib/python3/dist-packages

--tests is Alembic's tests/test_revision.py (from a checkout of sqlalchemy/alembic; nothing of it
is kept in this repository). Its `from . import _large_map` is satisfied by the _large_map.py
beside it (a note is printed, and LargeMapTest covers nothing, when there is none).

Capture. The file is imported as a module of a synthetic package, with
alembic.script.revision.RevisionMap and .Revision replaced while it (and _large_map) import, so
the module's own names are the recorders:
  - RevisionMap(generator) calls the generator at once and keeps the list of Revision objects
    it returns, with the source line of the call;
  - Revision(...) builds the real Revision; when its constructor raises (a self-loop or a
    dependency self-loop raises LoopDetected / DependencyLoopDetected there, an illegal ID
    RevisionError) it returns a record of the constructor's arguments instead, so the map is
    still captured and written as files (where real Alembic raises the same, at file load).
alembic.testing and alembic.testing.fixtures are replaced by inert stand-ins (the real ones
need SQLAlchemy's pytest plugin, and no assertion is run here). Then every test class of the
module: setup_class, a fresh instance and its setUp / setup_method / setup_test, and every test
method whose code names RevisionMap. A construction inside a setup or a test method is
recorded and then stops that method (an exception the test code cannot catch), so no assertion
after it runs; one at import time (a class attribute, _large_map.map_) is recorded and answered
with a real, lazy RevisionMap. Every RevisionMap( call site in the source (found with ast) that
no capture reached is listed. Identical maps (same revisions, same order) are run once.

Each map becomes a directory: alembic.ini ([alembic] script_location = migrations) and
migrations/versions/NNN_<rev>.py, in the map's order, each holding

    revision = 'b'
    down_revision = 'a'            # Revision.down_revision: None, a str or a tuple
    branch_labels = ('x',)         # Revision._orig_branch_labels (None when empty)
    depends_on = None              # Revision.dependencies

(the constructor's own arguments for a record). The oracle is tests/differential/oracle.py
(one long-lived /usr/bin/python3 process, Alembic's CLI Config + ScriptDirectory.get_heads(),
its error classification), driven through run_differential.Oracle; the guard runs
`check --worktree DIR --alembic-version V --format json`; run_differential.compare_env judges
the pair, plus: where Alembic raises, the guard reports no multiple-heads.

One line per disagreeing map, then a summary. Exit 0 when all agree, 1 otherwise, 77 with a
"SKIP:" line when the tests file or the oracle's Alembic is missing.
"""
import argparse
import ast
import importlib.util
import os
import shutil
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import run_differential as rd  # noqa: E402

PKG = "_alembic_upstream_tests"


# ---------------------------------------------------------------------------------------------
# capture


class _StopCapture(BaseException):
    """Raised by the recorder once a map is captured inside a setup or test method, so the rest
    of the method (its assertions) never runs. BaseException: `except Exception` in the test
    code cannot swallow it."""


class _RawRevision:
    """What Revision(...) returns when the real constructor raises: its arguments."""

    def __init__(self, revision, down_revision, dependencies, branch_labels, exc):
        self.revision = revision
        self.down_revision = down_revision
        self.dependencies = dependencies
        self.branch_labels = branch_labels
        self.exc = exc


class _Anything:
    """Inert stand-in for every name of alembic.testing: callable, a context manager (that lets
    exceptions through), a decorator (returns what it decorates), and a base class."""

    def __init__(self, *a, **kw):
        pass

    def __call__(self, *a, **kw):
        if len(a) == 1 and not kw and callable(a[0]):
            return a[0]
        return _Anything()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _StubTestBase:
    """Stands for alembic.testing.fixtures.TestBase: no fixture of its own."""


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "TestBase":
            return _StubTestBase
        return _Anything()


class Recorder:
    def __init__(self, revision_mod):
        self.rm = revision_mod
        self.RealRevisionMap = revision_mod.RevisionMap
        self.RealRevision = revision_mod.Revision
        self.captures = []        # dicts: site (file, line), context, revisions, error
        self.context = "import"
        self.abort = False
        self.record = True
        self.by_map_id = {}       # id(real map handed out at import) -> capture index
        self.handed_out = []      # keeps those maps alive (ids stay unique)

    def revision(self, revision, down_revision, dependencies=None, branch_labels=None):
        try:
            return self.RealRevision(revision, down_revision, dependencies=dependencies,
                                     branch_labels=branch_labels)
        except Exception as exc:  # noqa: BLE001 - LoopDetected, RevisionError ...
            return _RawRevision(revision, down_revision, dependencies, branch_labels, exc)

    def revision_map(self, generator):
        caller = sys._getframe(1)
        site = (os.path.basename(caller.f_code.co_filename), caller.f_lineno)
        if not self.record:
            return self.RealRevisionMap(generator)
        cap = {"site": site, "context": self.context, "revisions": None, "error": None}
        try:
            cap["revisions"] = list(generator())
        except Exception as exc:  # noqa: BLE001
            cap["error"] = "%s: %s" % (type(exc).__name__, exc)
        self.captures.append(cap)
        if self.abort:
            raise _StopCapture()
        revs = cap["revisions"] or []
        m = self.RealRevisionMap(lambda: [r for r in revs if isinstance(r, self.RealRevision)])
        self.by_map_id[id(m)] = len(self.captures) - 1
        self.handed_out.append(m)
        return m


def _names_revisionmap(code):
    if "RevisionMap" in code.co_names:
        return True
    return any(isinstance(c, types.CodeType) and _names_revisionmap(c) for c in code.co_consts)


def _call_setup(fn, method=None):
    try:
        return fn()
    except TypeError:
        if method is None:
            raise
        return fn(method)


def capture(tests_path, alembic_path=None):
    """Returns (captures, notes, Alembic version, alembic.script.revision)."""
    if alembic_path:
        sys.path.insert(0, alembic_path)
    import alembic
    from alembic.script import revision as revision_mod

    notes = []
    rec = Recorder(revision_mod)
    tests_dir = os.path.dirname(os.path.abspath(tests_path))
    pkg = types.ModuleType(PKG)
    pkg.__path__ = [tests_dir]
    sys.modules[PKG] = pkg
    for name in ("alembic.testing", "alembic.testing.fixtures"):
        sys.modules[name] = _StubModule(name)
    sys.modules["alembic.testing"].fixtures = sys.modules["alembic.testing.fixtures"]
    if not os.path.exists(os.path.join(tests_dir, "_large_map.py")):
        notes.append("no _large_map.py beside %s: LargeMapTest covers nothing" % tests_path)
        stub = types.ModuleType(PKG + "._large_map")
        stub.map_ = None
        sys.modules[PKG + "._large_map"] = stub
        pkg._large_map = stub

    revision_mod.RevisionMap = rec.revision_map
    revision_mod.Revision = rec.revision
    try:
        modname = PKG + "." + os.path.splitext(os.path.basename(tests_path))[0]
        spec = importlib.util.spec_from_file_location(modname, tests_path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
    finally:
        revision_mod.RevisionMap = rec.RealRevisionMap
        revision_mod.Revision = rec.RealRevision
    # The module's own names stay the recorders (they were bound at import).
    mod.RevisionMap = rec.revision_map
    mod.Revision = rec.revision

    # Import-time maps: name them by where they are bound.
    def label_bound(where, namespace):
        for k, v in list(namespace.items()):
            idx = rec.by_map_id.get(id(v))
            if idx is not None:
                rec.captures[idx].setdefault("bound", []).append("%s.%s" % (where, k))
    for mname, m in list(sys.modules.items()):
        if mname.startswith(PKG + ".") and m is not None:
            label_bound(mname[len(PKG) + 1:], vars(m))

    classes = [c for c in vars(mod).values()
               if isinstance(c, type) and c.__module__ == mod.__name__
               and (issubclass(c, _StubTestBase) or any(k.startswith("test") for k in dir(c)))]
    for cls in classes:
        label_bound(cls.__name__, {k: getattr(cls, k, None) for k in dir(cls) if not k.startswith("__")})
        if "setup_class" in dir(cls):
            rec.context, rec.abort, rec.record = "%s.setup_class" % cls.__name__, True, True
            try:
                cls.setup_class()
            except _StopCapture:
                pass
            except Exception as exc:  # noqa: BLE001
                notes.append("%s.setup_class raised %s: %s" % (cls.__name__, type(exc).__name__, exc))
        setups = [n for n in ("setUp", "setup_method", "setup_test") if callable(getattr(cls, n, None))]
        tests = sorted(n for n in dir(cls) if n.startswith("test") and callable(getattr(cls, n, None)))

        def instance():
            try:
                return cls()
            except TypeError:
                return cls.__new__(cls)
        inst = instance()
        for n in setups:
            rec.context, rec.abort, rec.record = "%s.%s" % (cls.__name__, n), True, True
            try:
                _call_setup(getattr(inst, n), getattr(inst, tests[0]) if tests else None)
            except _StopCapture:
                pass
            except Exception as exc:  # noqa: BLE001
                notes.append("%s.%s raised %s: %s" % (cls.__name__, n, type(exc).__name__, exc))
        label_bound("%s()" % cls.__name__, vars(inst))

        for t in tests:
            fn = getattr(cls, t)
            code = getattr(fn, "__code__", None)
            if code is None or not _names_revisionmap(code):
                continue   # no map of its own: nothing to capture, its assertions are not run
            inst = instance()
            rec.context, rec.abort, rec.record = "%s.%s" % (cls.__name__, t), False, False
            for n in setups:   # the method's state, without recording setUp's map again
                try:
                    _call_setup(getattr(inst, n), getattr(inst, t))
                except Exception:  # noqa: BLE001
                    pass
            rec.context, rec.abort, rec.record = "%s.%s" % (cls.__name__, t), True, True
            before = len(rec.captures)
            try:
                getattr(inst, t)()
            except _StopCapture:
                pass
            except Exception as exc:  # noqa: BLE001
                notes.append("%s.%s raised %s before any RevisionMap: %s" % (cls.__name__, t, type(exc).__name__, exc))
            if len(rec.captures) == before:
                notes.append("%s.%s names RevisionMap but built none" % (cls.__name__, t))
    rec.context, rec.abort, rec.record = "import", False, True

    # Every RevisionMap( call in the source, to list what no capture reached.
    sites = set()
    for path in (tests_path, os.path.join(tests_dir, "_large_map.py")):
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "RevisionMap":
                sites.add((os.path.basename(path), node.lineno))
    reached = {c["site"] for c in rec.captures}
    for s in sorted(sites - reached):
        notes.append("RevisionMap( at %s:%d was not reached" % s)
    return rec.captures, notes, alembic.__version__, revision_mod


# ---------------------------------------------------------------------------------------------
# maps as files


def rev_fields(r):
    """(revision, down_revision, branch_labels, depends_on) as the migration file declares them."""
    if isinstance(r, _RawRevision):
        return r.revision, r.down_revision, r.branch_labels, r.dependencies
    labels = tuple(getattr(r, "_orig_branch_labels", None) or sorted(r.branch_labels or ()))
    return r.revision, r.down_revision, (labels or None), r.dependencies


def _freeze(v):
    if isinstance(v, (list, tuple)):
        return ("T",) + tuple(_freeze(x) for x in v)
    if isinstance(v, (set, frozenset)):
        return ("S",) + tuple(sorted(_freeze(x) for x in v))
    return ("V", repr(v))


def map_key(revisions):
    return tuple(_freeze(rev_fields(r)) for r in revisions)


def compact(revisions):
    """b<a  c<b1,b2  y2<y1~x1  y1[y]  a!LoopDetected (the constructor raised)."""
    out = []
    for r in revisions:
        rev, down, labels, deps = rev_fields(r)
        s = str(rev)
        if down:
            s += "<" + ",".join(map(str, down if isinstance(down, (tuple, list)) else (down,)))
        if deps:
            s += "~" + ",".join(map(str, deps if isinstance(deps, (tuple, list)) else (deps,)))
        if labels:
            s += "[" + ",".join(map(str, labels if isinstance(labels, (tuple, list)) else (labels,))) + "]"
        if isinstance(r, _RawRevision):
            s += "!" + type(r.exc).__name__
        out.append(s)
    if len(out) > 12:
        out = out[:10] + ["... (%d revisions)" % len(out)]
    return " ".join(out) if out else "(empty)"


def memory_verdict(revisions, revision_mod):
    """What Alembic's RevisionMap says of the map in memory (fresh Revision objects built from
    the fields the files get): ("ok", sorted heads) or ("error", exception class). The files must
    give Alembic the same answer, or they misrepresent the map (a harness fault, not the guard's)."""
    try:
        fresh = [revision_mod.Revision(rev, down, dependencies=deps, branch_labels=labels)
                 for rev, down, labels, deps in map(rev_fields, revisions)]
        return "ok", sorted(revision_mod.RevisionMap(lambda: fresh).heads)
    except Exception as exc:  # noqa: BLE001
        return "error", type(exc).__name__


def _literal(v):
    if isinstance(v, list):
        v = tuple(v)
    return repr(v)


def write_map(root, revisions):
    versions = os.path.join(root, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "alembic.ini"), "w") as fh:
        fh.write("[alembic]\nscript_location = migrations\n")
    width = max(3, len(str(len(revisions))))
    for i, r in enumerate(revisions):
        rev, down, labels, deps = rev_fields(r)
        safe = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in str(rev))[:40]
        name = "%0*d_%s.py" % (width, i, safe)
        with open(os.path.join(versions, name), "w") as fh:
            fh.write("revision = %s\ndown_revision = %s\nbranch_labels = %s\ndepends_on = %s\n" % (
                _literal(rev), _literal(down), _literal(labels), _literal(deps)))


# ---------------------------------------------------------------------------------------------


def judge(resp, data):
    """Disagreements between the oracle's answer and the guard's JSON for one map."""
    envs = data.get("environments") or []
    if len(envs) != 1:
        return ["the guard found %d environments (one expected): %s" % (
            len(envs), [e.get("name") for e in envs])]
    ours = envs[0]
    bad = rd.compare_env(resp, ours)
    if resp["status"] == "error" and "multiple-heads" in rd.problems_by_code(ours):
        bad.append("Alembic raises (%s), the guard still reports multiple-heads" % resp["error"]["code"])
    any_problem = bool(ours.get("problems"))
    if data.get("ok") is not (not any_problem):
        bad.append("\"ok\": %s while problems are %s" % (data.get("ok"), "present" if any_problem else "absent"))
    if data["_exit"] != (1 if any_problem else 0):
        bad.append("exit code %d while problems are %s" % (data["_exit"], "present" if any_problem else "absent"))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="path of the alembic-guard binary")
    ap.add_argument("--tests", required=True, help="Alembic's tests/test_revision.py")
    ap.add_argument("--alembic-path", metavar="DIR",
                    help="Alembic to use (first on sys.path for the capture and the oracle; default: the system's)")
    ap.add_argument("--alembic-version", metavar="V",
                    help="the guard judges as this Alembic (default: the version the oracle runs)")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per alembic-guard run")
    ap.add_argument("--workdir", help="where to write the maps (default: a new temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep every map's directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every map and its verdict")
    args = ap.parse_args()

    if not os.path.isfile(args.tests):
        print("SKIP: no Alembic tests file at %s (git show HEAD:tests/test_revision.py of sqlalchemy/alembic)" % args.tests)
        return 77
    if args.alembic_path:
        args.alembic_path = os.path.abspath(args.alembic_path)
        if not os.path.isdir(os.path.join(args.alembic_path, "alembic")):
            print(rd.SKIP_PATH_LINE % args.alembic_path)
            return 77
        if not rd.alembic_available(args.alembic_path):
            print("FAIL: %s holds an Alembic that %s cannot import" % (args.alembic_path, rd.PYTHON))
            return 1
    elif not rd.alembic_available():
        print(rd.SKIP_LINE)
        return 77
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        print("FAIL: %s is not an executable file" % args.binary)
        return 1

    captures, notes, captured_with, revision_mod = capture(os.path.abspath(args.tests), args.alembic_path)
    maps = {}      # key -> {"revisions", "sources"}
    for c in captures:
        src = c["context"] if c["context"] != "import" else "import:%s:%d" % c["site"]
        if c.get("bound"):
            src += " (" + ", ".join(c["bound"]) + ")"
        if c["revisions"] is None:
            notes.append("%s: the generator raised %s; not run" % (src, c["error"]))
            continue
        key = map_key(c["revisions"])
        maps.setdefault(key, {"revisions": c["revisions"], "sources": []})["sources"].append(src)

    workdir = args.workdir or tempfile.mkdtemp(prefix="alembic-guard-revision-maps-")
    os.makedirs(workdir, exist_ok=True)
    env = rd.isolated_env(workdir)
    oracle = rd.Oracle(args.alembic_path)
    ping = oracle.ask({"op": "ping"})
    if ping.get("status") != "ok":
        print("FAIL: the oracle did not start: %s" % ping)
        return 1
    av = args.alembic_version or ping["alembic"]
    print("Alembic %s (%s; maps captured with %s); the guard judges as %s; %d RevisionMap constructions, %d distinct maps" % (
        ping["alembic"], args.alembic_path or "the system's", captured_with, av, len(captures), len(maps)))
    for n in notes:
        print("note: " + n)

    agree = disagree = 0
    alembic_errors = 0
    try:
        for i, (key, m) in enumerate(maps.items()):
            root = os.path.join(workdir, "m%03d" % i)
            write_map(root, m["revisions"])
            resp = oracle.ask({"dir": root, "ini": "alembic.ini", "section": "alembic"})
            label = "%s: %s" % (m["sources"][0] + (" (+%d more)" % (len(m["sources"]) - 1) if len(m["sources"]) > 1 else ""),
                                compact(m["revisions"]))
            data = err = None
            if resp.get("status") == "fatal":
                bad = ["oracle failed: %s" % resp.get("error")]
            else:
                if resp["status"] == "error":
                    alembic_errors += 1
                data, err, _ = rd.run_guard(args.binary, ["check", "--worktree", root, "--alembic-version", av,
                                                          "--format", "json"], env, workdir, args.timeout)
                bad = [err] if err else judge(resp, data)
                mem = memory_verdict(m["revisions"], revision_mod)
                got = ("ok", sorted(resp["heads"])) if resp["status"] == "ok" else ("error", resp["error"]["type"])
                if mem != got:
                    bad.append("HARNESS: the files misrepresent the map: Alembic in memory %s, from the files %s" % (mem, got))
            if bad:
                disagree += 1
                print("DISAGREE %s  [%s]" % (label, root))
                print("    Alembic: %s" % (rd.describe_alembic(resp) if resp.get("status") != "fatal" else resp))
                if data is not None:
                    print("    guard:   %s" % rd.describe_ours((data.get("environments") or [{}])[0]))
                for b in bad:
                    print("    " + b)
            else:
                agree += 1
                if args.verbose:
                    print("agree    %s -> %s" % (label, rd.describe_alembic(resp)))
                if not args.keep:
                    shutil.rmtree(root, ignore_errors=True)
    finally:
        oracle.close()
    if not disagree and not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    print("Alembic %s: %d maps (%d where Alembic raises), %d agree, %d disagree%s" % (
        ping["alembic"], len(maps), alembic_errors, agree, disagree,
        "; kept under %s" % workdir if disagree or args.keep or args.workdir else ""))
    return 0 if disagree == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
