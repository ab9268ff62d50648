#!/usr/bin/python3
"""Long-lived Alembic oracle for the differential tests.

Reads one JSON request per line on stdin, writes one JSON response per line on
stdout (flushed).  Run it with /usr/bin/python3: Debian's python3-alembic, or
another Alembic put first on PYTHONPATH (tests/differential/alembic_oracles.sh
unpacks 1.13.2 and 1.18.4).

Request forms (all paths may be relative to "dir"):

  {"dir": "/abs/repo", "ini": "alembic.ini", "section": "alembic"}
      The Config `alembic -c alembic.ini -n section heads` builds, run in the
      ini's directory (as deployments do), + ScriptDirectory.from_config.  From
      1.16 that Config also reads [tool.alembic] of ./pyproject.toml, which
      fills the keys the ini section lacks.

  {"dir": "/abs/repo", "pyproject": "pyproject.toml"}
      `alembic heads` run in the pyproject's directory where no ini is: the
      environment is [tool.alembic] alone (1.16+; older versions fail with "No
      config file 'alembic.ini' found", as their command line does).

  {"dir": "/abs/repo", "script_location": "migrations",
   "version_locations": ["migrations/versions", ...]}      (list optional)
      A plain script directory (no ini), e.g. found by the env.py convention.

  {"id": <anything>}  is echoed back.  {"op": "ping"} answers {"status": "ok",
  "alembic": version}.  {"op": "quit"} ends the process.

Response:
  {"id": ..., "status": "ok"|"error", "alembic": "1.18.4",
   "heads": [...],            # get_heads(), order and duplicates as Alembic gives
   "bases": [...],            # revision_map.bases, as Alembic gives
   "warnings": ["Revision X is present more than once", ...],
   "duplicates": ["X", ...],  # IDs named by "present more than once" warnings
   "version_locations": [...],          # repo-relative, sorted, as configured
   "existing_version_locations": [...], # those that exist (Alembic skips others)
   "error": null | {"type": "KeyError", "message": "...", "code": "missing-revision",
                    "frames": [{"file", "line", "func", "op"}, ...]}}

"frames" (added for tests/adversarial) is the traceback of the error, outermost
first: each frame's file (repo-relative when inside "dir"), line, function and
the name of the bytecode instruction that was running (CALL, LOAD_NAME, ...;
null when unknown), so that a caller can tell an error raised by a migration's
own code from one raised inside a function it called.  A SyntaxError adds
"syntax": {"file", "line"}.  A SystemExit raised by a migration is reported as
an error (type "SystemExit") instead of ending the oracle.  A head, base or
other value that is not JSON (bytes, a tuple as an ID) is given as its repr().

Files are listed in sorted name order per version location: 1.10+ sorts them
itself (and walks sub-directories with recursive_version_locations, its own
walk, untouched here); 1.8.1 lists them in os.listdir order, which the oracle
sorts (alembic-guard follows the sorted order).  No bytecode is written, and sys.path /
sys.modules are restored after every request so nothing leaks between
histories (modules of the Python installation a request imported stay loaded:
see _installed_module).
"""
import configparser
import importlib
import contextlib
import io
import json
import os
import re
import sys
import traceback
import warnings

sys.dont_write_bytecode = True

try:
    import alembic
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.script import base as script_base
    from alembic.script import revision as script_revision
    from alembic.util import CommandError
    # Imported once here so that every migration's `from alembic import op` /
    # `import sqlalchemy as sa` is cheap (modules imported by a request are
    # dropped afterwards, these stay).
    import alembic.op  # noqa: F401
    import sqlalchemy  # noqa: F401
    import typing  # noqa: F401
except ImportError as exc:  # pragma: no cover - reported to the caller
    sys.stdout.write(json.dumps({"status": "fatal", "error": "cannot import alembic: %s" % exc}) + "\n")
    sys.stdout.flush()
    sys.exit(3)


ALEMBIC_VERSION = tuple(int(x) for x in re.findall(r"\d+", alembic.__version__)[:3])
# 1.16: the command line reads [tool.alembic] of ./pyproject.toml (Config(toml_file=...)).
READS_PYPROJECT = ALEMBIC_VERSION >= (1, 16)

if ALEMBIC_VERSION < (1, 10):
    _original_list_py_dir = script_base.Script._list_py_dir   # bound to Script

    def _sorted_list_py_dir(cls, scriptdir, path):
        # Before 1.10 version files load in os.listdir order (file-system dependent); the
        # guard follows the sorted order of 1.10+.  What is listed is Alembic's own choice
        # (with `sourceless = true` it adds __pycache__/*.pyc).  1.10+ is left alone: it
        # sorts, and its walk of sub-directories (recursive_version_locations) is the thing
        # under test.
        return sorted(_original_list_py_dir(scriptdir, path))

    script_base.Script._list_py_dir = classmethod(_sorted_list_py_dir)

try:
    import tomllib
    _TOML_ERRORS = (tomllib.TOMLDecodeError,)
except ImportError:  # pragma: no cover - Python < 3.11
    _TOML_ERRORS = ()

_DUP_RE = re.compile(r"^Revision (.+) is present more than once$")

CYCLE_TYPES = (
    script_revision.CycleDetected,  # base of DependencyCycleDetected, LoopDetected, DependencyLoopDetected
)


def classify(exc):
    """Map an exception raised while building the revision map to a problem code."""
    msg = str(exc)
    if isinstance(exc, CYCLE_TYPES):
        return "cycle"
    if isinstance(exc, KeyError):
        return "missing-revision"
    if isinstance(exc, script_revision.RevisionError):
        if "Branch name" in msg and "already used by" in msg:
            return "branch-label-conflict"
        if "not allowed in revision identifier" in msg:
            return "invalid-revision-id"
        return "other"
    if isinstance(exc, (configparser.Error,) + _TOML_ERRORS):
        # MissingSectionHeaderError, ParsingError, DuplicateSectionError,
        # DuplicateOptionError, InterpolationError subclasses ...; an invalid
        # pyproject.toml (1.16+ reads it beside the ini).
        return "unreadable-config"
    if isinstance(exc, UnicodeDecodeError) and getattr(exc, "_oracle_stage", "") == "config":
        return "unreadable-config"
    if isinstance(exc, ValueError) and ("version_path_separator" in msg or "is not a valid value for" in msg):
        # "'x' is not a valid value for version_path_separator" (path_separator from 1.16)
        return "unreadable-config"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)) and \
            getattr(exc, "filename", None) in getattr(exc, "_oracle_locations", ()):
        # Before 1.10 a version location is os.listdir-ed: a missing default versions/ or a
        # location that is a file fails every command (1.10+ skips both).
        return "unreadable-config"
    if isinstance(exc, ImportError) and getattr(exc, "_oracle_stage", "") == "config":
        # A location with a ':' is a package resource ("pkg:dir"): `va:vb` left unsplit (a
        # separator the version does not read) imports `va`.  The `alembic` script does not
        # have the working directory on sys.path (`python3 -m alembic` does).
        return "unreadable-config"
    if isinstance(exc, (SyntaxError, ImportError, AttributeError, IsADirectoryError)):
        # SyntaxError covers IndentationError/TabError; invalid UTF-8 is a
        # SyntaxError too.  AttributeError: no down_revision.
        return "unparsable-migration"
    if isinstance(exc, ValueError) and "null bytes" in msg:
        # Python 3.11 (bookworm) raises ValueError, not SyntaxError, for a NUL byte.
        return "unparsable-migration"
    if isinstance(exc, CommandError):
        if "Could not determine revision id" in msg:
            return "unparsable-migration"
        if "No config file" in msg or "No 'script_location' key" in msg:
            return "unreadable-config"
        if ("boolean value expected" in msg or "unsupported TOML value type" in msg
                or "Incorrect TOML format" in msg):
            # [tool.alembic] (1.16+): a non-boolean where a boolean is read (1.16.4+), any
            # boolean before 1.16.4, a tool.alembic that is not a table.
            return "unreadable-config"
        if "Path doesn't exist" in msg:
            # script_location names no directory ("Please use the 'init' command").
            return "unreadable-config"
        return "other"
    return "other"


_INSTALLED_PREFIXES = tuple(sorted({os.path.join(p, "lib") + os.sep for p in (sys.prefix, sys.base_prefix)}
                                    | {"/usr/lib/python3" + os.sep, "/usr/lib/python3.%d" % sys.version_info[1] + os.sep}))


def _installed_module(mod):
    """True for a module of the Python installation (stdlib, dist-packages, built-in): it stays
    loaded after a request.  Dropping one breaks CPython itself: the \\N{...} escape decoder keeps
    unicodedata's C API once it has imported it, and a later \\N{...} then crashes the oracle."""
    spec = getattr(mod, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(mod, "__file__", None) or ""
    if origin in ("built-in", "frozen"):
        return True
    return os.path.isabs(origin) and os.path.abspath(origin).startswith(_INSTALLED_PREFIXES)


def _rel(base, path):
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _frames(exc, repo):
    """The traceback of exc, outermost first, with the instruction each frame was running."""
    import dis
    out = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        fname = code.co_filename
        if os.path.isabs(fname) and (fname + os.sep).startswith(repo + os.sep):
            fname = _rel(repo, fname)
        opname = None
        try:
            for ins in dis.get_instructions(code):
                if ins.offset == tb.tb_lasti:
                    opname = ins.opname
                    break
        except Exception:  # noqa: BLE001 - best effort
            pass
        out.append({"file": fname, "line": tb.tb_lineno, "func": code.co_name, "op": opname})
        tb = tb.tb_next
    return out


def run_request(req):
    repo = os.path.abspath(req["dir"])
    resp = {
        "status": "ok",
        "alembic": alembic.__version__,
        "heads": None,
        "bases": None,
        "warnings": [],
        "duplicates": [],
        "version_locations": None,
        "existing_version_locations": None,
        "error": None,
    }
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    saved_finders = set(sys.path_importer_cache)
    stage = "config"
    locs = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if "ini" in req or "pyproject" in req:
                    # What CommandLine.main builds for `alembic [-c INI] [-n SECTION] heads`
                    # in the config's directory: file names relative to it, and from 1.16
                    # the ./pyproject.toml beside (read only for keys the ini lacks; an ini
                    # that does not exist reads as empty, so [tool.alembic] is then all).
                    path = os.path.join(repo, req.get("ini") or req["pyproject"])
                    os.chdir(os.path.dirname(path))
                    kw = {"ini_section": req.get("section") or "alembic"}
                    if READS_PYPROJECT:
                        kw["toml_file"] = "pyproject.toml"
                    if "ini" in req:
                        cfg = Config(os.path.basename(path), **kw)
                    else:
                        # The command line's default ini, whether or not it exists.
                        if READS_PYPROJECT:
                            kw["toml_file"] = os.path.basename(path)
                        cfg = Config("alembic.ini", **kw)
                    cfg.file_config  # parse now: errors here are config errors
                    script = ScriptDirectory.from_config(cfg)
                else:
                    loc = os.path.join(repo, req["script_location"])
                    os.chdir(repo)
                    vls = req.get("version_locations")
                    if vls:
                        vls = [os.path.join(repo, v) for v in vls]
                    script = ScriptDirectory(loc, version_locations=vls)
                locs = [str(x) for x in script._version_locations]
                resp["version_locations"] = sorted(set(_rel(repo, x) for x in locs))
                resp["existing_version_locations"] = sorted(
                    set(_rel(repo, x) for x in locs if os.path.exists(x))
                )
                stage = "revisions"
                heads = script.get_heads()
                bases = list(script.revision_map.bases)
                resp["heads"] = list(heads)
                resp["bases"] = bases
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - we report everything
                try:
                    if stage == "config":
                        exc._oracle_stage = "config"  # type: ignore[attr-defined]
                    exc._oracle_locations = set(locs)  # type: ignore[attr-defined]
                except AttributeError:
                    pass  # an exception type without a __dict__
                code = classify(exc)
                resp["status"] = "error"
                resp["error"] = {
                    "type": type(exc).__name__,
                    "message": str(exc),
                    "stage": stage,
                    "code": code,
                    "frames": _frames(exc, repo),
                }
                if isinstance(exc, SyntaxError):
                    sfile = exc.filename or ""
                    if os.path.isabs(sfile):
                        sfile = _rel(repo, sfile)
                    resp["error"]["syntax"] = {"file": sfile, "line": exc.lineno}
                if code == "other":
                    resp["error"]["traceback"] = traceback.format_exc()
            for w in caught:
                text = str(w.message)
                resp["warnings"].append(text)
                m = _DUP_RE.match(text)
                if m and m.group(1) not in resp["duplicates"]:
                    resp["duplicates"].append(m.group(1))
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if not _installed_module(sys.modules[name]):
                del sys.modules[name]
        # prepend_sys_path = . is relative to the cwd: forget the finders made
        # for this request, or the next project's "." would hit a stale one.
        for key in set(sys.path_importer_cache) - saved_finders:
            del sys.path_importer_cache[key]
        importlib.invalidate_caches()
    return resp


def main():
    out = sys.stdout
    # Migration files may print; keep the protocol channel clean.
    sys.stdout = sys.stderr
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as exc:
            resp = {"status": "fatal", "error": "bad request: %s" % exc}
        else:
            op = req.get("op")
            if op == "quit":
                break
            if op == "ping":
                resp = {"status": "ok", "alembic": alembic.__version__}
            else:
                try:
                    resp = run_request(req)
                except BaseException as exc:  # noqa: BLE001 - keep serving
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    resp = {"status": "fatal", "error": traceback.format_exc()}
            if "id" in req:
                resp["id"] = req["id"]
        # default=repr: a migration can make Alembic hold IDs that are not
        # strings (revision = b"004" loads); they are reported as their repr.
        out.write(json.dumps(resp, default=repr) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
