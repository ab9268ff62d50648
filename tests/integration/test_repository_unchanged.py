#!/usr/bin/env python3
"""The repository is never changed (issue 12, item 4): a property test over many seeded generated
pushes (tests/differential/generate.py projects as pushed histories: one base commit, then one
commit adding everything the generator made, faults included). For every push into a guarded
bare repository (the hook install-hook writes):

  * rejected: objects/, refs/, logs/, packed-refs, HEAD, config and hooks/ are byte-identical;
  * accepted: the only differences are new files under objects/ (what receive-pack writes) and
    the pushed ref -- nothing removed, no other file touched.

Half of the repositories have their refs packed (git pack-refs --all) before the push, and their
objects in one pack, so packed-refs and packs are covered too.

    test_repository_unchanged.py [--count N] [--seed S]      (default 120 pushes, seed 12)"""

import argparse
import sys

from fixtures import Suite, check, install_guard
from hardening import GeneratedPush, full_snapshot, guard_error, guard_refused, push, require_alembic

suite = Suite("the guarded repository is never changed")
ARGS = argparse.Namespace(count=120, seed=12)


def diff(before, after):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    return added, removed, changed


@suite.case
def generated_pushes_leave_no_trace(world):
    stats = {"rejected": 0, "accepted": 0, "packed": 0, "trivial": 0}
    failures = []
    for i in range(ARGS.count):
        seed = ARGS.seed * 100000 + i
        gp = GeneratedPush(seed)
        bare = world.bare(f"r{seed}.git")
        w = world.work(bare, name=f"w{seed}")
        base, full = gp.build(w)
        if gp.trivial:
            stats["trivial"] += 1
            continue
        w.git("update-ref", "refs/heads/main", base)
        w.git("reset", "-q", "--hard", base)
        r = push(world, w, "main")
        check(r.ok, f"seed {seed}: pushing the base (unguarded) failed", r)
        packed = i % 2 == 1
        if packed:
            bare.git("repack", "-q", "-a", "-d")
            bare.git("pack-refs", "--all")
            stats["packed"] += 1
        install_guard(world, bare.path, "pre-receive")
        w.git("reset", "-q", "--hard", full)
        before = full_snapshot(bare)
        r = push(world, w, "main")
        after = full_snapshot(bare)
        added, removed, changed = diff(before, after)
        what = f"seed {seed} ({'packed' if packed else 'loose'}; {gp.alembic}; kinds {gp.kinds()})"
        if guard_error(r):
            failures.append(f"{what}: the guard could not check it:\n{r.remote_text}")
            continue
        if r.returncode != 0:
            stats["rejected"] += 1
            if not guard_refused(r):
                failures.append(f"{what}: refused, but not by the guard's verdict:\n{r.stderr}")
            if added or removed or changed:
                failures.append(f"{what}: REJECTED push changed the repository: added {added[:8]} "
                                f"removed {removed[:8]} changed {changed[:8]}")
        else:
            stats["accepted"] += 1
            ref = "refs/heads/main"
            bad_added = [a for a in added if not a.startswith("objects/") and a != ref]
            bad_changed = [c for c in changed if c != ref and not (c.startswith("objects/") and c.endswith("/"))]
            if bad_added or removed or bad_changed:
                failures.append(f"{what}: ACCEPTED push changed more than git writes: added {bad_added[:8]} "
                                f"removed {removed[:8]} changed {bad_changed[:8]}")
            if bare.rev("main") != full:
                failures.append(f"{what}: accepted, but main is {bare.rev('main')}, not {full}")
            if packed and ref not in changed and ref not in added:
                failures.append(f"{what}: accepted into a packed-refs repository without a loose ref written")
    print(f"    {stats['rejected'] + stats['accepted']} pushes ({stats['trivial']} seeds skipped: their base already is the "
          f"whole project): {stats['rejected']} rejected, {stats['accepted']} accepted "
          f"({stats['packed']} into packed repositories)")
    check(stats["rejected"] + stats["accepted"] >= 100 or ARGS.count < 100, f"fewer than 100 pushes: {stats}")
    check(stats["rejected"] >= ARGS.count // 5 and stats["accepted"] >= ARGS.count // 5,
          f"the mix is too one-sided to prove anything: {stats}")
    check(not failures, f"{len(failures)} of {ARGS.count} pushes broke the property:\n" + "\n".join(failures[:10]))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--count", type=int, default=120)
    ap.add_argument("--seed", type=int, default=12)
    ARGS, rest = ap.parse_known_args()
    require_alembic()
    sys.exit(suite.main(rest))
