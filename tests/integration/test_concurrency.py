#!/usr/bin/env python3
"""Concurrency (issue 12, item 5): 16 pushers at once into one guarded bare repository served by
`git daemon --enable=receive-pack` on 127.0.0.1 (a free port; started and stopped here), good and
bad pushes mixed on different branches, the result cache on (`alembicGuard.cacheDir` pointing at a
directory that does not exist yet -- the guard may create it, or not). Three rounds, the first
with a cold cache. Bounded: every push must finish within 60 s, each round within 120 s.

  * every bad push rejected by the guard's verdict, every good one accepted (its branch created);
  * no deadlock (the bound above), no stray temporary files in the repository (quarantine
    directories, *.lock, *tmp*) nor in the cache directory;
  * the cache still valid: `check --format json` of every accepted branch tip says the same with
    the cache as with `alembicGuard.cacheDir none`.

A second case bounds the cache (`alembicGuard.cacheMaxSize 24k`): concurrent pushes prune it while
others read and write it, a stale directory of an older binary goes, the verdicts stay right, and
after a due prune the cache's files fit the limit."""

import concurrent.futures
import json
import os
import sys
import time
from pathlib import Path

from fixtures import Suite, check, incident_chain, install_guard, migration_filename, migration_text
from hardening import guard_error, guard_refused, push

suite = Suite("16 concurrent pushers through git daemon, result cache on")

PUSHERS = 16
ROUNDS = 3
PUSH_SECONDS = 60
ROUND_SECONDS = 120


def bad_kind(i):
    return ("duplicate", "second-head", "missing-parent", "syntax-error")[i % 4]


def prepare(world, w, rnd, i):
    """Branch `r<rnd>-p<i>` off main with one commit: even pushers good (a new revision on 030 --
    one head), odd pushers bad (four kinds)."""
    branch = f"r{rnd}-p{i:02d}"
    rev = f"{rnd}{i:02d}a"
    files = {}
    if i % 2 == 0:
        files[migration_filename(rev, f"good_{rnd}_{i}")] = migration_text(rev, "030", f"add_good_{rnd}_{i}", annotated=True)
        kind = "good"
    else:
        kind = bad_kind(i // 2)
        if kind == "duplicate":
            files[migration_filename(rev, "first")] = migration_text(rev, "030", "add_first")
            files[migration_filename(rev, "second")] = migration_text(rev, "030", "add_second")
        elif kind == "second-head":
            files[migration_filename(rev, "one")] = migration_text(rev, "030", "add_one")
            files[migration_filename(rev + "b", "two")] = migration_text(rev + "b", "029", "add_two")
        elif kind == "missing-parent":
            files[migration_filename(rev, "orphan")] = migration_text(rev, "999", "add_orphan")
        else:
            files[migration_filename(rev, "broken")] = migration_text(rev, "030", "add_broken") + "\nx = (\n"
    oid = w.make_branch(branch, f"round {rnd} pusher {i}: {kind}", files=files)
    return branch, kind, oid, list(files)


def stray_files(root: Path):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            low = name.lower()
            if (name.startswith(("tmp_objdir", "incoming-", "tmp_pack", "tmp_idx", ".tmp")) or low.endswith(".lock")
                    or "tmp" in low or low.endswith(("~", ".partial", ".new"))):
                out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def served_history(world, name):
    """A bare repository `league/<name>.git` served by `git daemon`, the incident's clean history
    pushed to its main: (bare, daemon, url)."""
    root = world.root / f"daemon-root-{name}"
    bare = world.bare(f"league/{name}.git", parent=root)
    daemon = world.git_daemon(root)
    url = f"{daemon.url}/league/{name}.git"
    setup = world.work(bare, url=url)
    setup.build_incident_history()
    check(push(world, setup, "main").ok, "pushing the clean history failed")
    return bare, daemon, url


def tip_verdicts(world, bare, branches):
    """`check --format json` of each branch tip: {branch: (exit code, JSON)}."""
    out = {}
    for branch in branches:
        r = world.guard("check", f"refs/heads/{branch}", "--repo", str(bare.path), "--format", "json")
        check(r.returncode in (0, 1), f"check {branch}: exit {r.returncode}", r)
        out[branch] = (r.returncode, json.loads(r.stdout))
    return out


@suite.case
def sixteen_pushers_at_once(world):
    bare, daemon, url = served_history(world, "basketball-api")
    cache = world.root / "guard-cache" / "not-yet"
    bare.config("alembicGuard.cacheDir", str(cache))
    install_guard(world, bare.path, "pre-receive")
    clones = [world.work(bare, name=f"pusher{i:02d}", url=url) for i in range(PUSHERS)]
    accepted = {}
    failures = []
    t_all = time.monotonic()
    for rnd in range(1, ROUNDS + 1):
        jobs = [(i, *prepare(world, clones[i], rnd, i)) for i in range(PUSHERS)]
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=PUSHERS) as pool:
            futs = {pool.submit(push, world, clones[i], f"{branch}:refs/heads/{branch}", timeout=PUSH_SECONDS):
                    (i, branch, kind, oid, files) for i, branch, kind, oid, files in jobs}
            for f in concurrent.futures.as_completed(futs):
                i, branch, kind, oid, files = futs[f]
                try:
                    r = f.result()
                except Exception as e:  # noqa: BLE001 - a hang is reported by push()
                    failures.append(f"round {rnd} {branch} ({kind}): {e}")
                    continue
                if guard_error(r):
                    failures.append(f"round {rnd} {branch} ({kind}): the guard could not check it\n{r.remote_text}")
                elif kind == "good":
                    if r.returncode != 0 or bare.rev(branch) != oid:
                        failures.append(f"round {rnd} {branch}: GOOD push not accepted\n{r.stderr}")
                    else:
                        accepted[branch] = oid
                else:
                    if r.returncode == 0 or not guard_refused(r):
                        failures.append(f"round {rnd} {branch} ({kind}): BAD push not rejected by the guard\n{r.stderr}")
                    elif not any(p in r.remote_text for p in files):
                        failures.append(f"round {rnd} {branch} ({kind}): the rejection names none of {files}\n"
                                        f"{r.remote_text}")
                    elif bare.rev(branch) is not None:
                        failures.append(f"round {rnd} {branch} ({kind}): rejected but the branch exists")
        dt = time.monotonic() - t0
        print(f"    round {rnd}: {PUSHERS} concurrent pushes in {dt:.2f}s "
              f"(cache dir {'exists' if cache.exists() else 'absent'}, "
              f"{sum(1 for _ in cache.rglob('*')) if cache.exists() else 0} entries)")
        check(dt <= ROUND_SECONDS, f"round {rnd} took {dt:.1f}s (bound {ROUND_SECONDS}s)")
    print(f"    {ROUNDS * PUSHERS} pushes in {time.monotonic() - t_all:.2f}s; {len(accepted)} accepted")
    check(not failures, f"{len(failures)} wrong outcomes:\n" + "\n".join(failures[:12]))
    check(len(accepted) == ROUNDS * PUSHERS // 2, f"{len(accepted)} branches accepted, expected {ROUNDS * PUSHERS // 2}")

    stray = stray_files(bare.path)
    check(not stray, f"stray temporary files in the repository: {stray[:10]}")
    if cache.exists():
        stray = stray_files(cache)
        check(not stray, f"stray temporary files in the cache directory: {stray[:10]}")

    # The cache is still valid: the same JSON with it (warm) and without it.
    with_cache = tip_verdicts(world, bare, sorted(accepted) + ["main"])
    bare.config("alembicGuard.cacheDir", "none")
    without = tip_verdicts(world, bare, sorted(accepted) + ["main"])
    differ = [b for b in with_cache if with_cache[b] != without[b]]
    check(not differ, f"check with the cache differs from check without it on {differ[:5]}")
    check(all(v[0] == 0 for v in with_cache.values()), "an accepted branch tip does not pass check")
    daemon.stop()


def make_prune_due(cache: Path):
    """As if the last prune of `cache` was two hours ago."""
    hour_ago = time.time() - 2 * 3600
    os.utime(cache / ".last-prune", (hour_ago, hour_ago))


def cache_files(cache: Path):
    return [p for p in cache.rglob("*") if p.is_file() and p.name not in (".last-prune", "CACHEDIR.TAG")
            and "untagged" not in p.parent.name]


@suite.case
def bounded_cache_pruned_while_pushers_push(world):
    bare, daemon, url = served_history(world, "hockey-api")
    cache = world.root / "bounded-cache"
    limit = 24 * 1024
    # What an older alembic-guard left behind, unused for 40 days.
    forty_days_ago = time.time() - 40 * 86400
    stale = cache / "v2-0.0.1-older" / "0123456789abcdef0123456789abcdef01234567.cache"
    stale.parent.mkdir(parents=True)
    stale.write_text("alembic-guard parse cache 2\n")
    (stale.parent / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    # And what is not the cache's: never removed, however old.
    foreign = cache / "v2-0.0.1-older-untagged" / "0123456789abcdef0123456789abcdef01234567.cache"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("not a cache that alembic-guard tagged\n")
    os.utime(stale, (forty_days_ago, forty_days_ago))
    os.utime(foreign, (forty_days_ago - 1, forty_days_ago - 1))
    bare.config("alembicGuard.cacheDir", str(cache))
    bare.config("alembicGuard.cacheMaxSize", "24k")
    install_guard(world, bare.path, "pre-receive")
    pushers = 8
    clones = [world.work(bare, name=f"bounded{i:02d}", url=url) for i in range(pushers)]
    failures = []
    accepted = {}
    for rnd in (1, 2):
        if rnd == 2:   # an hour after the last prune: the next pushes prune again
            make_prune_due(cache)
        jobs = [(i, *prepare(world, clones[i], rnd, i)) for i in range(pushers)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=pushers) as pool:
            futs = {pool.submit(push, world, clones[i], f"{branch}:refs/heads/{branch}", timeout=PUSH_SECONDS):
                    (branch, kind, oid) for i, branch, kind, oid, _ in jobs}
            for f in concurrent.futures.as_completed(futs):
                branch, kind, oid = futs[f]
                r = f.result()
                good = kind == "good"
                if guard_error(r) or (r.returncode == 0) != good or (not good and not guard_refused(r)):
                    failures.append(f"round {rnd} {branch} ({kind}): exit {r.returncode}\n{r.stderr}")
                elif good:
                    accepted[branch] = oid
    check(not failures, f"{len(failures)} wrong outcomes with a bounded cache:\n" + "\n".join(failures[:8]))
    check(not stale.exists() and not stale.parent.exists(), "the older binary's stale cache directory was not pruned")
    check(foreign.exists(), "pruning removed a file from a directory the cache never tagged")

    # A due prune after the last writes: what is left fits the limit.
    make_prune_due(cache)
    branch, kind, oid, _ = prepare(world, clones[0], 3, 0)
    r = push(world, clones[0], f"{branch}:refs/heads/{branch}", timeout=PUSH_SECONDS)
    check(kind == "good" and r.returncode == 0 and bare.rev(branch) == oid, "the last good push was refused", r)
    accepted[branch] = oid
    sizes = sum(p.stat().st_size for p in cache_files(cache))
    print(f"    after a due prune: {len(cache_files(cache))} cache files, {sizes} bytes (limit {limit})")
    check(sizes <= limit, f"the cache holds {sizes} bytes after a due prune, over its {limit}-byte limit")
    check(cache_files(cache), "the prune emptied the cache although its recent files fit the limit")
    stray = stray_files(cache)
    check(not stray, f"stray temporary files in the cache directory: {stray[:10]}")

    with_cache = tip_verdicts(world, bare, sorted(accepted) + ["main"])
    bare.config("alembicGuard.cacheDir", "none")
    without = tip_verdicts(world, bare, sorted(accepted) + ["main"])
    differ = [b for b in with_cache if with_cache[b] != without[b]]
    check(not differ, f"check with the bounded cache differs from check without it on {differ[:5]}")
    daemon.stop()


if __name__ == "__main__":
    sys.exit(suite.main())
