#!/usr/bin/env python3
"""`alembic-guard demo` (design.md): replays the incident against a throw-away guarded bare
repository in a temporary directory, shows the real hook output (the second 031 refused, the
renumbered fix accepted), and touches nothing outside that directory — also under a developer's
unusual global git config."""

import os
import sys

from fixtures import FILE_A, FILE_B, HASH_REV, Suite, check, check_in, check_not_in

suite = Suite("alembic-guard demo")


def files_under(path):
    out = set()
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            out.add(os.path.relpath(os.path.join(dirpath, f), path))
    return out


def run_demo(world, *args):
    tmp = world.root / "tmp"
    tmp.mkdir(exist_ok=True)
    home_before = files_under(world.home)
    r = world.guard("demo", *args, cwd=world.root, env={"TMPDIR": str(tmp)})
    return r, tmp, home_before


def check_demo_output(r):
    check(r.returncode == 0, "alembic-guard demo failed", r)
    out = r.stdout + r.stderr
    for needle in ("remote:", "pre-receive hook declined", FILE_A, FILE_B, "030", "renumber"):
        check_in(needle, out, "the demo's output", r)
    check("main -> main" in out.split("pre-receive hook declined")[-1],
          "the renumbered fix was not shown being accepted after the rejection", r)
    check_not_in("non-fast-forward", out, "the demo's output", r)
    rejection = [l for l in out.splitlines() if "remote:" in l and ("[" in l or "refused" in l)]
    check(not any(HASH_REV in l for l in rejection), "the demo's rejection blames e09c9e678004", r)


@suite.case
def demo_replays_the_incident_and_cleans_up(world):
    r, tmp, home_before = run_demo(world)
    check_demo_output(r)
    check(list(tmp.iterdir()) == [], f"the demo left {sorted(p.name for p in tmp.iterdir())} in TMPDIR", r)
    check(files_under(world.home) == home_before, "the demo wrote into HOME", r)


@suite.case
def demo_keep_leaves_the_directory(world):
    r, tmp, _ = run_demo(world, "--keep")
    check_demo_output(r)
    kept = list(tmp.iterdir())
    check(len(kept) == 1 and (kept[0] / "server.git").exists() if kept else False,
          "--keep should leave the demo directory with its server.git", r)


@suite.case
def demo_under_an_unusual_global_git_config(world):
    """A developer's global config: signing required, another default branch, a global hooksPath,
    push.default = nothing, no identity."""
    world.gitconfig.write_text("[commit]\n\tgpgsign = true\n[tag]\n\tgpgsign = true\n"
                               "[init]\n\tdefaultBranch = trunk\n[core]\n\thooksPath = /nonexistent-hooks\n"
                               "[push]\n\tdefault = nothing\n[merge]\n\tff = only\n[pull]\n\trebase = true\n")
    tmp = world.root / "tmp"
    tmp.mkdir(exist_ok=True)
    r = world.run([world.binary, "demo"], cwd=world.root, env={"TMPDIR": str(tmp)},
                  unset=("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"))
    check_demo_output(r)


if __name__ == "__main__":
    sys.exit(suite.main())
