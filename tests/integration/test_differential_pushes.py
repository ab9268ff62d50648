#!/usr/bin/env python3
"""Differential at scale (issue 12, item 6): N generated bad pushes and N good ones through the real
hook (install-hook's pre-receive in a bare repository, `git push` over file://), each compared with
real Alembic's verdict on the same tree (the one long-lived oracle of tests/differential).

Each push is a tests/differential/generate.py project as a history (hardening.GeneratedPush): a
base commit that Alembic finds clean (or, when none can be made, a README only: every environment
is then new and judged alone), pushed first and required to be accepted, then the commit adding
the whole generated project. With a clean base, "Alembic fails, or has several heads, on the new
tree" <=> the hook must reject. A push is "bad" or "good" by that oracle verdict; seeds are taken
in order (SEED*100000 + i) until both quotas are full.

    test_differential_pushes.py --bad 120 --good 120            (CI; ctest integration_...)
    test_differential_pushes.py --bad 1000 --good 1000 --jobs 2 (ctest label `scale`)

Zero wrong accepts, zero wrong rejects, zero "could not check"; the last lines give the figures."""

import argparse
import concurrent.futures
import shutil
import sys
import threading
import time
from collections import Counter

from fixtures import Suite, check, install_guard
from hardening import GeneratedPush, alembic_verdict, guard_error, guard_refused, oracle, push, require_alembic

suite = Suite("differential: generated pushes through the hook against real Alembic")
ARGS = argparse.Namespace(bad=200, good=200, seed=7, jobs=2)


def one_push(world, seed, quota, lock):
    """Builds, classifies and (if its class still needs pushes) pushes one generated history.
    Returns None when skipped, else a dict."""
    gp = GeneratedPush(seed)
    d = world.root / f"h{seed}"
    with lock:
        full_class = [k for k, v in quota.items() if v <= 0]
    if full_class:
        # One quota is full: classify on the bare files first (no git), skip cheaply.
        probe = world.root / f"probe{seed}"
        gp.project.write(str(probe))
        o = oracle()
        verdicts = [alembic_verdict(o.ask(dict(env.request, dir=str(probe)))) for env in gp.project.envs]
        shutil.rmtree(probe, ignore_errors=True)
        if ("bad" if any(v != "ok" for v in verdicts) else "good") in full_class:
            return None
    bare = world.bare("server.git", parent=d)
    from fixtures import Work
    w = Work(world, d / "work")
    world.git("init", "-q", "-b", "main", str(w.path))
    w.git("remote", "add", "origin", bare.url)
    base, full = gp.build(w)
    klass = "bad" if gp.should_reject else "good"
    if gp.trivial:
        shutil.rmtree(d, ignore_errors=True)
        return None
    with lock:
        if quota[klass] <= 0:
            shutil.rmtree(d, ignore_errors=True)
            return None
        quota[klass] -= 1
    install_guard(world, bare.path, "pre-receive")
    # The oracle is the system's Alembic 1.8.1: the hook judges as that version.
    bare.config("alembicGuard.alembicVersion", "1.8.1")
    out = {"seed": seed, "class": klass, "alembic": gp.alembic, "base_kind": gp.base_kind, "kinds": gp.kinds(),
           "problem": None, "seconds": 0.0}
    w.git("reset", "-q", "--hard", base)
    r = push(world, w, "main")
    if not r.ok:
        out["problem"] = ("wrong reject of the clean BASE" if guard_refused(r) else "error on the base") + \
            f"\n{r.remote_text}"
        return out
    w.git("reset", "-q", "--hard", full)
    r = push(world, w, "main")
    out["seconds"] = r.seconds
    if guard_error(r) or (r.returncode != 0 and not guard_refused(r)):
        out["problem"] = f"error (not a verdict): exit {r.returncode}\n{r.stderr}"
    elif r.returncode != 0 and klass == "good":
        out["problem"] = f"WRONG REJECT (Alembic: {gp.describe()})\n{r.remote_text}"
    elif r.returncode == 0 and klass == "bad":
        out["problem"] = f"WRONG ACCEPT (Alembic: {gp.describe()})\n{r.remote_text}"
    if out["problem"] is None:
        shutil.rmtree(d, ignore_errors=True)
    else:
        out["problem"] += f"\n    rerun: --only {seed} --keep (the tree: {d / 'work'})"
    return out


@suite.case
def generated_pushes_agree_with_alembic(world):
    oracle()
    if ARGS.only:
        lock = threading.Lock()
        bad = []
        for s in ARGS.only:
            res = one_push(world, s, {"bad": 1, "good": 1}, lock)
            print(f"    seed {s} [{res['class']}] Alembic {res['alembic']}, base {res['base_kind']}, kinds {res['kinds']}: "
                  f"{res['problem'] or 'agrees'}")
            bad += [s] if res["problem"] else []
        check(not bad, f"disagreements on seeds {bad}")
        return
    quota = {"bad": ARGS.bad, "good": ARGS.good}
    lock = threading.Lock()
    results = []
    t0 = time.monotonic()
    seed = ARGS.seed * 100000
    limit = ARGS.seed * 100000 + 20 * (ARGS.bad + ARGS.good) + 100
    skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=ARGS.jobs) as pool:
        while (quota["bad"] > 0 or quota["good"] > 0) and seed < limit:
            batch = [pool.submit(one_push, world, s, quota, lock) for s in range(seed, seed + 4 * ARGS.jobs)]
            seed += 4 * ARGS.jobs
            for f in batch:
                res = f.result()
                if res is None:
                    skipped += 1
                else:
                    results.append(res)
    elapsed = time.monotonic() - t0
    n = Counter(r["class"] for r in results)
    wrong_accepts = [r for r in results if r["problem"] and r["problem"].startswith("WRONG ACCEPT")]
    wrong_rejects = [r for r in results if r["problem"] and ("WRONG REJECT" in r["problem"] or "BASE" in r["problem"])]
    errors = [r for r in results if r["problem"] and r not in wrong_accepts and r not in wrong_rejects]
    alembic = Counter(r["alembic"] for r in results)
    bases = Counter(r["base_kind"] for r in results)
    kinds = Counter(k.split(":")[0] for r in results if r["class"] == "bad" for k in r["kinds"]
                    if not k.startswith(("shape", "separator", "here", "convention")))
    push_s = sorted(r["seconds"] for r in results if r["seconds"])
    for r in (wrong_accepts + wrong_rejects + errors)[:15]:
        print(f"    seed {r['seed']} [{r['class']}] kinds {r['kinds']}: {r['problem']}")
    print(f"    seeds {ARGS.seed * 100000}..{seed - 1} ({skipped} generated beyond the quotas)")
    print(f"    pushes: {n['bad']} bad + {n['good']} good = {len(results)} (plus {len(results)} clean base pushes), "
          f"in {elapsed:.1f}s with {ARGS.jobs} jobs")
    print(f"    Alembic on the new trees: {dict(alembic)}; bases: {dict(bases)}")
    if push_s:
        print(f"    push time (git + hook): median {push_s[len(push_s) // 2]:.3f}s, "
              f"p99 {push_s[int(len(push_s) * 0.99) - 1 if len(push_s) > 1 else 0]:.3f}s, max {push_s[-1]:.3f}s")
    print(f"    fault kinds among the bad pushes: {dict(kinds.most_common())}")
    print(f"    WRONG ACCEPTS: {len(wrong_accepts)}   WRONG REJECTS: {len(wrong_rejects)}   ERRORS: {len(errors)}")
    check(n["bad"] == ARGS.bad and n["good"] == ARGS.good,
          f"quotas not reached within the seed limit: {dict(n)}")
    check(not wrong_accepts and not wrong_rejects and not errors,
          f"{len(wrong_accepts)} wrong accepts, {len(wrong_rejects)} wrong rejects, {len(errors)} errors")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--bad", type=int, default=120)
    ap.add_argument("--good", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", type=int, action="append",
                    help="push just this history seed (repeatable; with --keep the trees stay)")
    ARGS, rest = ap.parse_known_args()
    require_alembic()
    sys.exit(suite.main(rest))
