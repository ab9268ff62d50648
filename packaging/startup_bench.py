#!/usr/bin/env python3
"""Start-up cost of the static binary against the shared build, in the same run: the median
wall time of many runs of `check --help` and of a one-commit `pre-receive` (the incident history,
one new migration on main; result cache warm, and cold with alembicGuard.cacheDir = none).

  /usr/bin/python3 packaging/startup_bench.py [--shared build/alembic-guard]
        [--static build-static/alembic-guard] [-n 200]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))
from fixtures import World  # noqa: E402


def timed(args, env, stdin=None, cwd=None, expect=0):
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, input=stdin, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if p.returncode != expect:
        sys.exit(f"{args} exited {p.returncode}")
    return dt


def main():
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(root / "build" / "alembic-guard"))
    ap.add_argument("--static", default=str(root / "build-static" / "alembic-guard"))
    ap.add_argument("-n", type=int, default=200)
    a = ap.parse_args()
    binaries = {"shared": Path(a.shared).resolve(), "static": Path(a.static).resolve()}
    with tempfile.TemporaryDirectory(prefix="ag-bench-") as tmp:
        world = World(binaries["shared"], Path(tmp))
        bare = world.bare("server.git")
        w = world.work(bare)
        w.build_incident_history()
        w.push("main")
        parent = w.head()
        w.add_migration("031", "030", "add_team_logo", annotated=True)
        new = w.commit("Add team logo (031)")
        w.push(f"{new}:refs/heads/incoming")     # the objects are in the repository
        line = f"{parent} {new} refs/heads/main\n".encode()
        env = dict(world.env, GIT_DIR=str(bare.path))
        results = {}
        for name, b in binaries.items():
            for _ in range(5):    # warm the page cache and the result cache
                timed([b, "check", "--help"], env)
                timed([b, "pre-receive"], env, line, cwd=bare.path)
        for name, b in binaries.items():
            results[(name, "check --help")] = []
            results[(name, "pre-receive (warm cache)")] = []
        for _ in range(a.n):      # interleaved, so both see the same machine
            for name, b in binaries.items():
                results[(name, "check --help")].append(timed([b, "check", "--help"], env))
                results[(name, "pre-receive (warm cache)")].append(timed([b, "pre-receive"], env, line, cwd=bare.path))
        bare.config("alembicGuard.cacheDir", "none")
        for name, b in binaries.items():
            results[(name, "pre-receive (no cache)")] = []
        for _ in range(a.n):
            for name, b in binaries.items():
                results[(name, "pre-receive (no cache)")].append(timed([b, "pre-receive"], env, line, cwd=bare.path))
    print(f"median of {a.n} runs each (ms); static {binaries['static'].stat().st_size / 1e6:.1f} MB on disk")
    print(f"{'':28} {'shared':>8} {'static':>8}")
    for what in ("check --help", "pre-receive (warm cache)", "pre-receive (no cache)"):
        s = statistics.median(results[("shared", what)]) * 1000
        t = statistics.median(results[("static", what)]) * 1000
        print(f"{what:28} {s:8.2f} {t:8.2f}")


if __name__ == "__main__":
    main()
