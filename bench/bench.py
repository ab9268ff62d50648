#!/usr/bin/python3
"""alembic-guard benchmark: generates histories itself and times each case against its
yardsticks in the same run, printing one table of medians, ratios and peak RSS.

  /usr/bin/python3 bench/bench.py [--binary B ...] [--runs 7] [--sizes 300,2000,10000,50000]

Binaries: build/alembic-guard and, when built (./install.sh --static), build-static/alembic-guard.
Yardsticks: git's own read floor (`git ls-tree -r --object-only HEAD <versions> | git cat-file
--batch`, the same blobs), and real `alembic heads` (Debian's python3-alembic) where installed.
COLD = no cache (alembicGuard.cacheDir = none), its runs interleaved with the floor's (floor,
binary, binary, floor, ...) so that other tenants' load slows both sides of the ratio alike;
WARM = the cache filled by a first run. The
one-commit push is timed as a server meets it: the old tip's result cached, the new commit never
seen (the cache is put back before every run). "Quarantined" replays a real `git push` stopped
at pre-receive (the pushed objects loose in receive-pack's quarantine directory, the hook's own
environment and input); "packed" runs the hook on the same commit already in the repository's
pack. Benchmarks are not tests: nothing here asserts a
time."""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def env_for(root):
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.update({"HOME": os.path.join(root, "home"), "XDG_CACHE_HOME": os.path.join(root, "cache"),
              "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b",
              "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"})
    os.makedirs(e["HOME"], exist_ok=True)
    return e


MIGRATION = '''"""Add column {i}

Revision ID: {rev}
Revises: {prev}
Create Date: 2023-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: Union[str, None] = {prev_py}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("table_{t}", sa.Column("col_{i}", sa.Integer(), nullable=True))
    op.create_index("ix_table_{t}_col_{i}", "table_{t}", ["col_{i}"])


def downgrade() -> None:
    op.drop_index("ix_table_{t}_col_{i}", table_name="table_{t}")
    op.drop_column("table_{t}", "col_{i}")
'''


def rev_id(i):
    return "%012x" % ((0x5DEECE66D * (i + 1)) & 0xFFFFFFFFFFFF)


def make_history(path, n, env):
    """One commit holding n chained migrations (written with git fast-import), then one more
    commit adding migration n (for the one-commit push)."""
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True, env=env)
    blobs = []
    prev = None
    files = []
    for i in range(n + 1):
        rev = rev_id(i)
        text = MIGRATION.format(i=i, rev=rev, prev=prev, prev_py=repr(prev), t=i % 50)
        files.append(("alembic/versions/%06d_%s_add_col_%d.py" % (i, rev, i), text))
        prev = rev
    out = []
    def data(b):
        out.append(b"data %d\n" % len(b))
        out.append(b)
        out.append(b"\n")
    static = [("alembic.ini", "[alembic]\nscript_location = alembic\n"), ("alembic/env.py", "from alembic import context\n"),
              ("alembic/script.py.mako", "# template\n")]
    for k, (name, text) in enumerate(static + files):
        out.append(b"blob\nmark :%d\n" % (k + 1))
        data(text.encode())
    def commit(mark, msg, upto, parent):
        out.append(b"commit refs/heads/main\nmark :%d\ncommitter b <b@b> 1700000000 +0000\n" % mark)
        data(msg)
        if parent:
            out.append(b"from :%d\n" % parent)
        for k, (name, _) in enumerate(static + files[:upto]):
            out.append(b"M 100644 :%d %s\n" % (k + 1, name.encode()))
    base_mark = len(static) + len(files) + 1
    commit(base_mark, b"history", n, None)
    commit(base_mark + 1, b"one more migration", n + 1, base_mark)
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input=b"".join(out), check=True, env=env)
    subprocess.run(["git", "-C", path, "reset", "-q", "--hard", "main~1"], check=True, env=env)
    subprocess.run(["git", "-C", path, "gc", "-q", "--aggressive"], check=True, env=env)
    new = subprocess.run(["git", "-C", path, "rev-parse", "main@{1}"], capture_output=True, text=True, env=env)
    return new.stdout.strip()


def capture_push(repo, new, root, env):
    """A real `git push` of `new` onto main of a bare copy of `repo`, stopped at pre-receive by
    a hook that keeps what receive-pack hands a hook (the quarantine directory holding the
    pushed objects, loose as a small push leaves them; the GIT_* variables; standard input) and
    refuses. The push can then be replayed against each binary as receive-pack runs it.
    Returns the bare repository, the hook's GIT_* variables and its standard input."""
    bare = os.path.join(root, os.path.basename(repo) + "-server.git")
    subprocess.run(["git", "clone", "-q", "--bare", "--no-local", "--single-branch", "--branch", "main", repo, bare],
                   check=True, env=env)
    kept = os.path.join(root, "captured-" + os.path.basename(repo))
    os.makedirs(kept)
    hook = os.path.join(bare, "hooks", "pre-receive")
    with open(hook, "w") as f:
        f.write("#!/bin/sh\ncat > '%s/stdin'\nenv > '%s/env'\ncp -r \"$GIT_QUARANTINE_PATH\" '%s/quarantine'\nexit 1\n"
                % (kept, kept, kept))
    os.chmod(hook, 0o755)
    subprocess.run(["git", "-C", repo, "push", "-q", bare, "%s:refs/heads/main" % new], env=env, capture_output=True)
    os.remove(hook)
    with open(os.path.join(kept, "env")) as f:
        seen = dict(line.split("=", 1) for line in f.read().splitlines() if line.startswith("GIT_") and "=" in line)
    # receive-pack removed its quarantine on refusal: put the kept copy back where the
    # variables point.
    shutil.copytree(os.path.join(kept, "quarantine"), seen["GIT_QUARANTINE_PATH"])
    names = ("GIT_DIR", "GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
             "GIT_PUSH_OPTION_COUNT")
    with open(os.path.join(kept, "stdin"), "rb") as f:
        return bare, {k: seen[k] for k in names if k in seen}, f.read()


def timed_run(cmd, env, cwd, stdin=None, shell=False):
    """Wall time of one run; 0 and 1 (problems found) are the verdicts, anything else fails."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, input=stdin, shell=shell, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise RuntimeError("%s failed (%d)" % (cmd, p.returncode))
    return dt


def measure(cmd, env, cwd, runs, stdin=None, shell=False, warmup=1, before_each=None):
    """Median wall time and the largest peak RSS (KiB) over `runs` runs. `before_each` runs
    before every run, untimed."""
    times, rss = [], 0
    for k in range(warmup + runs):
        if before_each:
            before_each()
        dt = timed_run(cmd, env, cwd, stdin, shell)
        if k >= warmup:
            times.append(dt)
            rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return statistics.median(times), rss


def measure_interleaved(cases, cwd, runs, warmup=1):
    """Median wall time of each case, the cases run in turn (a, b, c, a, b, c, ...): on a
    shared machine a noisy stretch then slows every case alike instead of one of them, so
    the ratios hold. `cases` maps a name to (cmd, env, shell)."""
    times = {name: [] for name in cases}
    for k in range(warmup + runs):
        for name, (cmd, env, shell) in cases.items():
            dt = timed_run(cmd, env, cwd, shell=shell)
            if k >= warmup:
                times[name].append(dt)
    return {name: statistics.median(t) for name, t in times.items()}


def peak_rss(cmd, env, cwd, stdin=None):
    """Peak RSS (KiB) and minor page faults of one run. Page faults are counted because on
    virtual machines a fresh page costs far more than the work done in it (about 10 us each
    on the machines this project is measured on)."""
    p = subprocess.run(["/usr/bin/time", "-f", "%M %R"] + cmd, env=env, cwd=cwd, input=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=stdin is None or isinstance(stdin, str))
    last = (p.stderr if isinstance(p.stderr, str) else p.stderr.decode()).strip().splitlines()[-1]
    rss, faults = last.split()
    return int(rss), int(faults)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", action="append",
                    help="a binary to measure (repeatable; default build/alembic-guard, plus "
                         "build-static/alembic-guard when it exists)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--sizes", default="300,2000,10000,50000")
    ap.add_argument("--refs", type=int, default=1000, help="refs in the mirror-push case (0: skip)")
    ap.add_argument("--no-alembic", action="store_true", help="skip the real `alembic heads` yardstick")
    args = ap.parse_args()
    binaries = args.binary or [b for b in ("build/alembic-guard", "build-static/alembic-guard") if os.path.exists(b)]
    binaries = [os.path.abspath(b) for b in binaries]
    root = tempfile.mkdtemp(prefix="ag-bench-")
    env = env_for(root)
    alembic = None
    if not args.no_alembic and subprocess.run(["/usr/bin/python3", "-c", "import alembic"],
                                              stderr=subprocess.DEVNULL).returncode == 0:
        alembic = ["/usr/bin/python3", "-m", "alembic"]
    rows = []
    try:
        for n in [int(x) for x in args.sizes.split(",") if x]:
            repo = os.path.join(root, "h%d" % n)
            new = make_history(repo, n, env)
            server, hook_vars, pushed = capture_push(repo, new, root, env)
            old = subprocess.run(["git", "-C", repo, "rev-parse", "main"], capture_output=True, text=True,
                                 env=env).stdout.strip()
            # The floor and every binary's COLD check, interleaved: the ratio the targets name.
            subprocess.run(["git", "-C", repo, "config", "alembicGuard.cacheDir", "none"], env=env, check=True)
            cases = {"floor": ("git ls-tree -r --object-only HEAD alembic/versions | git cat-file --batch >/dev/null",
                               env, True)}
            for binary in binaries:
                cases[binary] = ([binary, "check"], env, False)
            side_by_side = measure_interleaved(cases, repo, args.runs)
            floor = side_by_side["floor"]
            heads = None
            if alembic and n <= 10000:
                heads, _ = measure(alembic + ["heads"], env, repo, max(1, min(args.runs, 3)), warmup=0)
            for binary in binaries:
                cache = env["XDG_CACHE_HOME"]
                shutil.rmtree(cache, ignore_errors=True)
                subprocess.run(["git", "-C", repo, "config", "alembicGuard.cacheDir", "none"], env=env, check=True)
                cold = side_by_side[binary]
                cold_rss, cold_faults = peak_rss([binary, "check"], env, repo)
                subprocess.run(["git", "-C", repo, "config", "--unset", "alembicGuard.cacheDir"], env=env, check=True)
                subprocess.run([binary, "check"], env=env, cwd=repo, stdout=subprocess.DEVNULL)  # fill the cache
                warm, _ = measure([binary, "check"], env, repo, args.runs)
                warm_rss, _ = peak_rss([binary, "check"], env, repo)
                # One-commit push adding one migration, run as git runs the hook. The old tip is
                # warm (checked above); the new commit is new to the cache on every run: the
                # cache is put back as it was before each one.
                snapshot = os.path.join(root, "cache-snapshot")
                shutil.rmtree(snapshot, ignore_errors=True)
                shutil.copytree(cache, snapshot)

                def restore():
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.copytree(snapshot, cache)

                hook_env = dict(env, GIT_DIR=os.path.join(repo, ".git"))
                line = ("%s %s refs/heads/main\n" % (old, new)).encode()
                push, _ = measure([binary, "pre-receive"], hook_env, repo, args.runs, stdin=line, before_each=restore)
                # The same push as receive-pack runs it: the new objects loose in its
                # quarantine, the old tip's result in the same cache (same trees).
                server_env = dict(env, **hook_vars)
                real, _ = measure([binary, "pre-receive"], server_env, server, args.runs, stdin=pushed,
                                  before_each=restore)
                restore()
                _, real_faults = peak_rss([binary, "pre-receive"], server_env, server, stdin=pushed)
                restore()
                rows.append((binary, n, floor, cold, warm, push, real, real_faults, heads, cold_rss, warm_rss,
                             cold_faults))
        mirror = None
        if args.refs:
            repo = os.path.join(root, "h2000")
            if not os.path.exists(repo):
                make_history(repo, 2000, env)
            new = subprocess.run(["git", "-C", repo, "rev-parse", "main@{1}"], capture_output=True, text=True,
                                 env=env).stdout.strip()
            zero = "0" * 40
            hook_env = dict(env, GIT_DIR=os.path.join(repo, ".git"))
            one = ("%s %s refs/heads/feature-0\n" % (zero, new)).encode()
            many = "".join("%s %s refs/heads/feature-%d\n" % (zero, new, k) for k in range(args.refs)).encode()
            mirror = []
            for binary in binaries:
                t1, _ = measure([binary, "pre-receive"], hook_env, repo, args.runs, stdin=one)
                tn, _ = measure([binary, "pre-receive"], hook_env, repo, args.runs, stdin=many)
                mirror.append((binary, t1, tn))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def ms(x):
        return "-" if x is None else "%.1f ms" % (x * 1000)

    print("alembic-guard benchmark, medians of %d runs, %d cores" % (args.runs, os.cpu_count() or 0))
    print()
    print("| binary | revisions | git floor | check COLD | COLD/floor | check WARM | WARM/floor | one-commit push: quarantined (faults) | one-commit push: packed | alembic heads | heads/COLD | peak RSS cold / warm | page faults cold |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for binary, n, floor, cold, warm, push, real, real_faults, heads, crss, wrss, cfaults in rows:
        print("| %s | %d | %s | %s | %.2fx | %s | %.2fx | %s (%d) | %s | %s | %s | %.1f / %.1f MiB | %d |" % (
            os.path.relpath(binary), n, ms(floor), ms(cold), cold / floor, ms(warm), warm / floor, ms(real),
            real_faults, ms(push), ms(heads), "-" if heads is None else "%.0fx" % (heads / cold), crss / 1024,
            wrss / 1024, cfaults))
    if mirror:
        print()
        print("| mirror push into 2,000 revisions | 1 new ref | %d new refs | ratio |" % args.refs)
        print("|---|---:|---:|---:|")
        for binary, t1, tn in mirror:
            print("| %s pre-receive, warm | %s | %s | %.2fx |" % (os.path.relpath(binary), ms(t1), ms(tn), tn / t1))


if __name__ == "__main__":
    sys.exit(main())
