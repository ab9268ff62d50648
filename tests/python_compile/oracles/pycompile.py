#!/usr/bin/env python3
"""Real CPython compile() as a test oracle, one long-lived process per Python version.

    from pycompile import Oracle
    with Oracle("3.12") as o:
        o.compile(b"type X = int\n")
        # {"ok": True, "type": None, "msg": None, "lineno": None}

compile(source_bytes, "<m>", "exec") is run exactly as given, in a worker that stays up between
calls (a start costs 0.03-0.05 s for a native interpreter, 2-6 s for the WebAssembly one):

  3.11  /usr/bin/python3 (Debian 12's CPython 3.11.2)
  3.12  CPython 3.12.7 as Pyodide 0.27.7 (WebAssembly under Node.js)      } prepared by setup.sh
  3.13  Debian 13's CPython 3.13.5 (native, through trixie's own ld.so)   } in build/oracles

Result: {"ok": bool|None, "type": exception class name or None, "msg": str|None,
"lineno": int|None}. "msg" is SyntaxError.msg (the text without the location) for a SyntaxError
and its subclasses, str(exception) otherwise; "lineno" is set only for SyntaxError and its
subclasses. Warnings are ignored (a warning filter set to "error" would turn SyntaxWarning into
SyntaxError; the default filter only prints). compile() is called from a fixed, shallow Python
stack depth with the default recursion limit (in 3.11 the depth at which "maximum recursion
depth exceeded during compilation" strikes depends on the caller's depth).

ok is None when the oracle gave no verdict: type "OracleTimeout" (the call took longer than the
timeout: the worker is killed and restarted on the next call) or "OracleCrash" (the worker died;
restarted on the next call). The WebAssembly 3.12 has a smaller C stack (5 MB of linear memory,
and V8's ~1 MB): source nested some thousands of levels deep (where native CPython answers
RecursionError/MemoryError or compiles it) can crash it, hang it or kill it silently. Treat
OracleCrash/OracleTimeout as "no oracle", never as a verdict. Measured (x = ---...1, not not ...,
y.a.a..., 1+1+..., y()()..., elif chains): the same answers as native 3.13.5 up to 4,000 levels;
at 6,000 it answers MemoryError as native does for some shapes and crashes (V8's "Maximum call
stack size exceeded", caught: the worker restarts in ~4 s) for others. Native 3.11 already says
RecursionError at 3,000; native 3.12.1 (not this oracle) did too.

CLI:
  pycompile.py --selftest [--oracles DIR]      versions differ where they must; throughput
  pycompile.py -V 3.12 FILE...                 one JSON line per file
Environment: PYCOMPILE_ORACLES (default <repo>/build/oracles), PYCOMPILE_DEBUG=1 (worker stderr).
"""

import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

VERSIONS = ("3.11", "3.12", "3.13")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ORACLES = os.path.join(HERE, "..", "..", "..", "build", "oracles")
SYSTEM_PYTHON = "/usr/bin/python3"

# The result of one compile(), the same text in every worker (native and Pyodide).
_RESULT_PY = r'''
import json, warnings
warnings.simplefilter("ignore")
def _oracle_result(src):
    try:
        compile(src, "<m>", "exec")
    except BaseException as e:
        syntax = isinstance(e, SyntaxError)
        msg = e.msg if syntax else str(e)
        lineno = e.lineno if syntax else None
        return {"ok": False, "type": type(e).__name__, "msg": None if msg is None else str(msg),
                "lineno": lineno if isinstance(lineno, int) else None}
    return {"ok": True, "type": None, "msg": None, "lineno": None}
'''

# Native worker: length-prefixed requests on stdin, one JSON line per answer on stdout.
_NATIVE_WORKER = _RESULT_PY + r'''
import sys
def _oracle_main():
    inp, out = sys.stdin.buffer, sys.stdout
    out.write(json.dumps({"ready": True, "version": sys.version.split()[0]}) + "\n"); out.flush()
    while True:
        head = inp.read(4)
        if len(head) < 4:
            return
        n = int.from_bytes(head, "big")
        src = inp.read(n)
        if len(src) < n:
            return
        r = _oracle_result(src)
        del src
        out.write(json.dumps(r) + "\n"); out.flush()
_oracle_main()
'''

# Pyodide worker (ES module, run with node -e): the same protocol; the source goes through
# Pyodide's in-memory file system. A JS exception out of the call means Pyodide is dead.
_PYODIDE_WORKER = r'''
import fs from "fs";
const dir = process.argv[1];
const { loadPyodide } = await import(dir + "/pyodide.mjs");
const quiet = process.env.PYCOMPILE_DEBUG ? undefined : () => {};
const py = await loadPyodide({ indexURL: dir + "/", stdout: quiet, stderr: quiet });
py.runPython(process.env.PYCOMPILE_RESULT_PY + `
def _oracle_call():
    with open("/_oracle_src", "rb") as f:
        src = f.read()
    return json.dumps(_oracle_result(src))
`);
const call = py.globals.get("_oracle_call");
const send = (s) => fs.writeSync(1, s + "\n");
function readExact(n) {
  const buf = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    let got;
    try { got = fs.readSync(0, buf, off, n - off, null); }
    catch (e) { if (e.code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; } throw e; }
    if (got === 0) return null;
    off += got;
  }
  return buf;
}
send(JSON.stringify({ ready: true, version: py.runPython("import sys; sys.version.split()[0]") }));
for (;;) {
  const head = readExact(4);
  if (head === null) break;
  const src = readExact(head.readUInt32BE(0));
  if (src === null) break;
  let answer;
  try {
    py.FS.writeFile("/_oracle_src", src);
    answer = call();
  } catch (e) {
    send(JSON.stringify({ crash: String(e).slice(0, 300) }));
    process.exit(3);
  }
  send(answer);
}
process.exit(0);
'''


class OracleUnavailable(RuntimeError):
    """The interpreter for this version is not there (run setup.sh) or did not start."""


def oracle_dir(path=None):
    return os.path.abspath(path or os.environ.get("PYCOMPILE_ORACLES") or DEFAULT_ORACLES)


def _command(version, odir):
    if version == "3.11":
        if not os.access(SYSTEM_PYTHON, os.X_OK):
            raise OracleUnavailable("3.11: %s is missing (Debian package python3)" % SYSTEM_PYTHON)
        return [SYSTEM_PYTHON, "-I", "-S", "-c", _NATIVE_WORKER], {}
    if version == "3.13":
        exe = os.path.join(odir, "3.13", "bin", "python3.13")
        if not os.path.exists(os.path.join(odir, "3.13", "READY")):
            raise OracleUnavailable("3.13: not prepared in %s (run tests/python_compile/oracles/setup.sh)" % odir)
        return [exe, "-I", "-S", "-c", _NATIVE_WORKER], {}
    if version == "3.12":
        pdir = os.path.join(odir, "3.12", "pyodide")
        if not os.path.exists(os.path.join(odir, "3.12", "READY")):
            raise OracleUnavailable("3.12: not prepared in %s (run tests/python_compile/oracles/setup.sh)" % odir)
        return ["node", "--input-type=module", "-e", _PYODIDE_WORKER, pdir], {"PYCOMPILE_RESULT_PY": _RESULT_PY}
    raise ValueError("unknown version %r (one of %s)" % (version, ", ".join(VERSIONS)))


class Oracle:
    """One long-lived interpreter of `version` answering compile() questions."""

    def __init__(self, version, oracles=None, timeout=30.0, start_timeout=60.0):
        self.version = version
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._argv, self._env = _command(version, oracle_dir(oracles))
        self._proc = None
        self._buf = b""
        self.python_version = None   # e.g. "3.13.5", known after the first start
        self.startup_seconds = None  # of the latest start
        self.restarts = 0
        self._start()

    # -- process handling
    def _start(self):
        env = dict(os.environ)
        env.update(self._env)
        t0 = time.monotonic()
        try:
            self._proc = subprocess.Popen(
                self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=None if os.environ.get("PYCOMPILE_DEBUG") else subprocess.DEVNULL,
                env=env, start_new_session=True)
        except OSError as e:
            raise OracleUnavailable("%s: cannot start %s: %s" % (self.version, self._argv[0], e))
        self._buf = b""
        line = self._readline(t0 + self.start_timeout)
        if line is None:
            rc = self._kill()
            raise OracleUnavailable("%s: the worker did not start (exit %s)" % (self.version, rc))
        hello = json.loads(line)
        self.python_version = hello["version"]
        self.startup_seconds = time.monotonic() - t0

    def _kill(self):
        p, self._proc = self._proc, None
        if p is None:
            return None
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                p.kill()
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        return p.wait()

    def _readline(self, deadline):
        """One line from the worker, or None on EOF or when the deadline passes."""
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def close(self):
        self._kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self._kill()
        except Exception:
            pass

    # -- the question
    def compile(self, source, timeout=None):
        if isinstance(source, str):
            source = source.encode("utf-8")
        if self._proc is None:
            self.restarts += 1
            self._start()
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            self._proc.stdin.write(struct.pack(">I", len(source)) + source)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            rc = self._kill()
            return _no_verdict("OracleCrash", "worker died before the request (exit %s)" % rc)
        line = self._readline(deadline)
        if line is None:
            timed_out = self._proc.poll() is None
            rc = self._kill()
            if timed_out:
                return _no_verdict("OracleTimeout", "no answer within %g s; worker killed" % limit)
            return _no_verdict("OracleCrash", "worker exited with %s" % _describe_rc(rc))
        r = json.loads(line)
        if "crash" in r:
            rc = self._kill()
            return _no_verdict("OracleCrash", "%s (exit %s)" % (r["crash"], rc))
        return r


def _no_verdict(kind, msg):
    return {"ok": None, "type": kind, "msg": msg, "lineno": None}


def _describe_rc(rc):
    if rc is not None and rc < 0:
        try:
            return signal.Signals(-rc).name
        except ValueError:
            pass
    return str(rc)


# ------------------------------------------------------------------------------- self-test
TYPICAL_MIGRATION = b'''"""add invoice tables

Revision ID: 3f2a9c1b7d4e
Revises: 1c8e5b2a9f30
Create Date: 2024-03-18 10:42:17.123456

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "3f2a9c1b7d4e"
down_revision: Union[str, None] = "1c8e5b2a9f30"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR"),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", name="uq_invoice_number"),
    )
    op.create_index(op.f("ix_invoice_customer_id"), "invoice", ["customer_id"], unique=False)
    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer") as batch_op:
        batch_op.add_column(sa.Column("vat_id", sa.String(length=20), nullable=True))
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("customer") as batch_op:
        batch_op.drop_column("vat_id")
    op.drop_table("invoice_line")
    op.drop_index(op.f("ix_invoice_customer_id"), table_name="invoice")
    op.drop_table("invoice")
    # ### end Alembic commands ###
'''

# (name, source, {version: ok}) - where the versions must differ, and where they must not.
SELFTEST_CASES = [
    ("pep701_nested_quotes", b"f\"{'a' if x else \"b\"}\"\n", {"3.11": False, "3.12": True, "3.13": True}),
    ("type_alias", b"type X = int\n", {"3.11": False, "3.12": True, "3.13": True}),
    ("generic_def", b"def f[T](x: T): pass\n", {"3.11": False, "3.12": True, "3.13": True}),
    ("generic_class", b"class C[T]: pass\n", {"3.11": False, "3.12": True, "3.13": True}),
    ("fstring_backslash_in_expr", b"f'{\"\\n\".join(x)}'\n", {"3.11": False, "3.12": True, "3.13": True}),
    ("type_param_default", b"def f[T = int](): pass\n", {"3.11": False, "3.12": False, "3.13": True}),
    ("typical_migration", TYPICAL_MIGRATION, {"3.11": True, "3.12": True, "3.13": True}),
    ("unclosed_paren", b"x = (\n", {"3.11": False, "3.12": False, "3.13": False}),
    ("null_byte", b"x = 1\0\n", {"3.11": False, "3.12": False, "3.13": False}),
    ("invalid_escape_warns_only", b"x = '\\d'\n", {"3.11": True, "3.12": True, "3.13": True}),
    ("except_star", b"try:\n    pass\nexcept* E:\n    pass\n", {"3.11": True, "3.12": True, "3.13": True}),
]


def _throughput(oracle, seconds=2.0):
    n, t0 = 0, time.monotonic()
    while True:
        r = oracle.compile(TYPICAL_MIGRATION)
        assert r["ok"] is True, r
        n += 1
        dt = time.monotonic() - t0
        if dt >= seconds:
            return n / dt


def selftest(oracles=None, versions=VERSIONS, seconds=2.0):
    failures = 0
    results, rows = {}, []
    for v in versions:
        try:
            o = Oracle(v, oracles)
        except OracleUnavailable as e:
            print("SKIP: oracle %s unavailable: %s" % (v, e))
            return 77
        with o:
            results[v] = {name: o.compile(src) for name, src, _ in SELFTEST_CASES}
            rate = _throughput(o, seconds)
            rows.append((v, o.python_version, o.startup_seconds, rate))
    print("%-28s %s" % ("case", "  ".join("%-6s" % v for v in versions)))
    for name, _, want in SELFTEST_CASES:
        cells = []
        for v in versions:
            r = results[v][name]
            good = r["ok"] == want[v]
            failures += not good
            cells.append("%-6s" % (("ok" if r["ok"] else "error") + ("" if good else "!")))
        print("%-28s %s" % (name, "  ".join(cells)))
    for v in versions:
        r = results[v]["null_byte"]
        print("  %s null byte: %s: %s" % (v, r["type"], r["msg"]))
    print()
    print("%-8s %-9s %10s %16s" % ("oracle", "CPython", "start", "compiles/s (%d B)" % len(TYPICAL_MIGRATION)))
    for v, pv, start, rate in rows:
        print("%-8s %-9s %9.2fs %16.0f" % (v, pv, start, rate))
    print("%d passed, %d failed" % (len(SELFTEST_CASES) * len(versions) - failures, failures))
    return 1 if failures else 0


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--oracles", help="oracle directory (default %s)" % oracle_dir())
    ap.add_argument("-V", "--python", dest="version", choices=VERSIONS)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args(argv)
    if a.selftest:
        return selftest(a.oracles)
    if not a.version or not a.files:
        ap.error("give --selftest, or -V VERSION and files")
    try:
        o = Oracle(a.version, a.oracles, timeout=a.timeout)
    except OracleUnavailable as e:
        print("SKIP: %s" % e)
        return 77
    with o:
        for path in a.files:
            with open(path, "rb") as f:
                r = o.compile(f.read())
            r["file"] = path
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
