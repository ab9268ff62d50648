"""Shared pieces of the hardening suites (issue 12): test_hostile_trees, test_fail_closed,
test_repository_unchanged, test_concurrency and test_differential_pushes.

Nothing here duplicates fixtures.py (World, Bare, Work, snapshots, servers and the runner come from
there) or ../differential (the project generator and the long-lived Alembic oracle are imported
from there). What this module adds:

  * `require_alembic()`: skip (exit 77) with the package name when /usr/bin/python3 cannot import
    alembic, a failure under CI=true (fixtures.require_program's rule);
  * `oracle()`: the ONE long-lived Alembic process of a script (run_differential.Oracle);
  * `install_recording_guard()`: a pre-receive hook that runs `alembic-guard pre-receive` exactly
    as install-hook's hook does and appends its exit status (128+N for a signal, as sh reports it)
    and wall time in ms to a log, so that a test can tell a rejection (1) from an internal error
    (2) or a crash;
  * `full_snapshot()`: fixtures.snapshot() plus every file under hooks/;
  * `GeneratedPush`: a generated project (generate.generate(seed)) as a pushed history: one base
    commit that real Alembic finds clean (one version file per environment, each checked with the
    oracle), then one commit adding everything the generator made, faults included. For a clean
    base the hook's verdict "reject" <=> Alembic fails (or has several heads) on the new tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import check, install_guard, snapshot, write_exec

HERE = Path(__file__).resolve().parent
DIFFERENTIAL = HERE.parent / "differential"
if str(DIFFERENTIAL) not in sys.path:
    sys.path.insert(0, str(DIFFERENTIAL))

import generate  # noqa: E402  (tests/differential/generate.py)
import run_differential  # noqa: E402  (tests/differential/run_differential.py: Oracle)

PYTHON = "/usr/bin/python3"
ALEMBIC_VERSION_WANTED = "1.8.1"


def require_alembic():
    """Skip (77) without Debian's python3-alembic; under CI=true a skip is a failure."""
    ok = os.path.exists(PYTHON) and subprocess.run(
        [PYTHON, "-c", "import alembic.script, alembic.config"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    if ok:
        return
    if os.environ.get("CI") == "true":
        print("FAIL: python3-alembic not installed (apt-get install python3-alembic); under CI=true a skip is a failure")
        print("0 passed, 1 failed")
        sys.exit(1)
    print("SKIP: python3-alembic not installed (apt-get install python3-alembic)")
    sys.exit(77)


_ORACLE = None


def oracle():
    """The script's one long-lived Alembic oracle (started on first use, closed at exit)."""
    global _ORACLE
    if _ORACLE is None:
        import atexit
        _ORACLE = run_differential.Oracle()
        ping = _ORACLE.ask({"op": "ping"})
        check(ping.get("status") == "ok", f"the Alembic oracle did not start: {ping}")
        _ORACLE.version = ping.get("alembic")
        atexit.register(_ORACLE.close)
    return _ORACLE


def alembic_verdict(resp) -> str:
    """'fails' when Alembic raises, 'heads>1' when `upgrade head` would fail on several heads,
    else 'ok'."""
    if resp.get("status") == "fatal":
        raise RuntimeError(f"oracle failure: {resp.get('error')}")
    if resp["status"] == "error":
        return "fails"
    return "heads>1" if len(resp["heads"]) > 1 else "ok"


def describe_alembic(resp) -> str:
    if resp["status"] == "error":
        e = resp["error"]
        first = (e["message"] or "").strip().splitlines()
        return f"{e['type']}: {first[0][:160] if first else ''}"
    return f"loads; heads {resp['heads']}"


# --- the hook ----------------------------------------------------------------------------------

RECORDING_HOOK = """\
#!/bin/sh
# alembic-guard pre-receive, as install-hook runs it, with its exit status and time recorded
input=
while IFS= read -r line || [ -n "$line" ]; do input="$input$line
"; done
start=$(date +%s%N)
printf '%s' "$input" | '{binary}' pre-receive
rc=$?
end=$(date +%s%N)
echo "$rc $(( (end - start) / 1000000 ))" >> '{log}'
exit $rc
"""


class HookLog:
    def __init__(self, path: Path):
        self.path = Path(path)

    def entries(self):
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            rc, ms = line.split()
            out.append((int(rc), int(ms) / 1000.0))
        return out

    def last(self):
        e = self.entries()
        check(bool(e), f"the hook did not run (no entry in {self.path})")
        return e[-1]


def install_recording_guard(world, bare, log: Path = None) -> HookLog:
    log = Path(log or (world.root / (world.unique("hook-") + ".log")))
    write_exec(bare.path / "hooks" / "pre-receive", RECORDING_HOOK.format(binary=world.binary, log=log))
    # Measured against the system's Alembic: the hook judges as that version.
    bare.config("alembicGuard.alembicVersion", ALEMBIC_VERSION_WANTED)
    return HookLog(log)


def run_bounded(world, args, cwd, timeout=60, env=None):
    """world.run() for a command that may hang (a push whose hook never returns): run in its own
    session and, on timeout, kill that whole process group -- git, receive-pack, the hook, the
    guard -- and fail the case saying so (never leave a spinning guard behind)."""
    import signal
    import time as _time
    from fixtures import CheckFailed, Result
    e = dict(world.env)
    if env:
        e.update(env)
    args = [str(a) for a in args]
    if args[0] == "git":
        args[0] = world.git_exe
    t0 = _time.monotonic()
    p = subprocess.Popen(args, cwd=str(cwd), env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise CheckFailed(f"HANG: `{' '.join(args)}` did not finish within {timeout}s (process group killed)\n"
                          f"--- stderr so far ---\n{err}")
    return Result(args, p.returncode, out, err, _time.monotonic() - t0)


def push(world, work, *refspecs, timeout=60, env=None):
    """`git push origin REFSPEC...` from `work`, bounded (run_bounded)."""
    return run_bounded(world, ["git", "push", "origin", *refspecs], cwd=work.path, timeout=timeout, env=env)


def full_snapshot(bare) -> dict:
    """fixtures.snapshot() (objects/, refs/, logs/, packed-refs, HEAD, config) plus hooks/."""
    import hashlib
    snap = snapshot(bare)
    root = Path(bare.path)
    for dirpath, dirnames, filenames in os.walk(root / "hooks"):
        rel = os.path.relpath(dirpath, root)
        for d in dirnames:
            snap[os.path.join(rel, d) + "/"] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            with open(p, "rb") as fh:
                snap[os.path.join(rel, f)] = hashlib.sha256(fh.read()).hexdigest() + f" {st.st_mode:o}"
    return snap


def guard_refused(result) -> bool:
    """The push was refused by the guard's own verdict (exit 1): git says the hook declined and the
    guard's rejection header is there, not its 'could not check' line."""
    return ("pre-receive hook declined" in result.stderr and "alembic-guard refused" in result.stderr
            and "could not check" not in result.stderr)


def guard_error(result) -> bool:
    return "alembic-guard could not check" in result.stderr


# --- generated projects as pushed histories ------------------------------------------------------


class GeneratedPush:
    """generate.generate(seed) as two commits: `base` (clean by the oracle, or, when no clean base
    can be made, a README only -- then every environment is new at the pushed tip and judged
    alone, with the same equivalence) and `full` (the generated project)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.project = generate.generate(seed)
        self.base_kind = None            # "one-file-per-env" | "readme-only"
        self.base_responses = None
        self.full_responses = None
        self.alembic = None              # 'ok' | 'fails' | 'heads>1' on the full tree
        self.should_reject = None
        self.trivial = None              # the base already is the whole project (nothing to push)

    def _version_paths(self):
        """Every path (file or symlink, or a file under a sub-directory) inside a version location."""
        locs = {loc for env in self.project.envs for loc in env.locations}
        out = set()
        for path in list(self.project.files) + list(self.project.symlinks):
            for loc in locs:
                if path.startswith(loc.rstrip("/") + "/"):
                    out.add(path)
        return out

    def _base_files(self):
        """Configs and script directories, plus one plain base migration per environment."""
        version_paths = self._version_paths()
        files = {p: d for p, d in self.project.files.items() if p not in version_paths}
        for env in self.project.envs:
            for r in env.revs:
                if (not r.downs() and r.corrupt is None and not r.omit_rev and not r.omit_down
                        and r.decor is None and not r.labels and not r.deps and not r.nonliteral_label
                        and not r.empty_down and not r.reassign
                        and sum(1 for x in env.revs if x.id == r.id) == 1):
                    path = os.path.join(env.locations[r.loc], r.filename_written)
                    files[path] = self.project.files[path]
                    break
        return files

    @staticmethod
    def _write(root: Path, files: dict, symlinks: dict):
        for path, data in sorted(files.items()):
            full = root / path
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_bytes(data)
        for path, target in sorted(symlinks.items()):
            full = root / path
            full.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, full)

    @staticmethod
    def _clear(root: Path):
        for child in root.iterdir():
            if child.name == ".git":
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    def _ask(self, root: Path):
        o = oracle()
        return [o.ask(dict(env.request, dir=str(root))) for env in self.project.envs]

    def build(self, work) -> tuple:
        """Commits base and full into `work` (an empty repository; its work tree is the checkout
        the oracle judges). Returns (base commit, full commit)."""
        root = Path(work.path)
        self._write(root, self._base_files(), {})
        resps = self._ask(root)
        if all(r["status"] == "ok" and len(r["heads"]) <= 1 for r in resps):
            self.base_kind = "one-file-per-env"
        else:
            self._clear(root)
            self.base_kind = "readme-only"
            (root / "README.md").write_text(f"# project {self.seed}\n")
            resps = []
        self.base_responses = resps
        base = work.commit(f"base of generated project {self.seed}")
        self._clear(root)
        self._write(root, self.project.files, self.project.symlinks)
        if self.base_kind == "readme-only" and "README.md" not in self.project.files:
            (root / "README.md").write_text(f"# project {self.seed}\n")
        full = work.commit(allow_empty=True, message=f"generated project {self.seed}: {', '.join(k for e in self.project.envs for k in e.kinds)}")
        self.trivial = work.git("rev-parse", f"{base}^{{tree}}").stdout == work.git("rev-parse", f"{full}^{{tree}}").stdout
        self.full_responses = self._ask(root)
        verdicts = [alembic_verdict(r) for r in self.full_responses]
        self.alembic = "fails" if "fails" in verdicts else ("heads>1" if "heads>1" in verdicts else "ok")
        self.should_reject = self.alembic != "ok"
        return base, full

    def kinds(self):
        return [k for e in self.project.envs for k in e.kinds]

    def describe(self):
        return "; ".join(f"{e.request.get('ini') or e.request.get('script_location')}: "
                         f"{describe_alembic(r)}" for e, r in zip(self.project.envs, self.full_responses or []))
