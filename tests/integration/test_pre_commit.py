#!/usr/bin/env python3
"""The top-level `.pre-commit-hooks.yaml` under the real pre-commit framework as Debian ships it
(3.0.4; also whatever `pre-commit` is installed): `pre-commit try-repo` of a throw-away clone of
this repository (plus the manifest as it is in the working copy) against a repository with the
incident, at the commit stage and at the push stage; then `pre-commit install` for pre-commit and
pre-push and real `git commit` / `git push`es refused (the remote unchanged) and accepted. The
manifest has no `stages` key, so both hooks must behave at both stages. HOME and pre-commit's
cache live in the test's temporary directory."""

import shutil
import sys
from pathlib import Path

from fixtures import (FILE_B, Suite, check, check_in, check_refused_locally, check_unchanged, incident_fix,
                      incident_second_merge, incident_setup, require_program)

suite = Suite("pre-commit framework (.pre-commit-hooks.yaml)")

HERE = Path(__file__).resolve().parent
TOP = HERE.parent.parent
MANIFEST = TOP / ".pre-commit-hooks.yaml"
CHECK_ID = "alembic-guard"
PUSH_ID = "alembic-guard-pre-push"


def pre_commit_version(world):
    r = world.run(["pre-commit", "--version"])
    return r.stdout.strip()


def stage_names(world):
    """(commit stage, push stage) in the installed pre-commit's spelling."""
    v = pre_commit_version(world).split()[-1]
    major, minor = (int(x) for x in v.split(".")[:2])
    return ("pre-commit", "pre-push") if (major, minor) >= (3, 2) else ("commit", "push")


def hooks_repo(world):
    """A throw-away clone of this repository's HEAD with the working copy's manifest committed on
    top (try-repo and `repo:` need a git repository). Outside a git checkout: a repository holding
    the manifest alone (language: system hooks need nothing else)."""
    dst = world.root / "alembic-guard-src"
    r = world.run(["git", "clone", "-q", "--depth", "1", f"file://{TOP}", dst])
    if r.returncode != 0:
        world.git("init", "-q", "-b", "main", str(dst))
    shutil.copyfile(MANIFEST, dst / ".pre-commit-hooks.yaml")
    world.git("add", ".pre-commit-hooks.yaml", cwd=dst)
    world.git("commit", "-q", "--allow-empty", "-m", "The manifest under test", cwd=dst)
    return dst, world.git("rev-parse", "HEAD", cwd=dst).stdout.strip()


def setup(world):
    require_program("pre-commit", "pre-commit")
    check(MANIFEST.exists(), f"no {MANIFEST}")
    world.guard_on_path()
    return hooks_repo(world)


def pre_commit(world, w, *args):
    r = world.run(["pre-commit", *args], cwd=w.path, input="", timeout=60)
    check("Traceback" not in r.stdout + r.stderr, "pre-commit crashed", r)
    check("An unexpected error has occurred" not in r.stdout + r.stderr, "pre-commit failed unexpectedly", r)
    return r


def write_config(w, repo, rev, hooks):
    lines = ["repos:", f"  - repo: {repo}", f"    rev: {rev}", "    hooks:"]
    for hook_id, stage in hooks:
        lines.append(f"      - id: {hook_id}")
        if stage:
            lines.append(f"        stages: [{stage}]")
    w.write(".pre-commit-config.yaml", "\n".join(lines) + "\n")


@suite.case
def try_repo_commit_stage(world):
    src, _rev = setup(world)
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    r = pre_commit(world, w, "try-repo", src, CHECK_ID, "--all-files")
    check(r.returncode == 0, f"{pre_commit_version(world)}: try-repo {CHECK_ID} on a clean history should pass", r)
    check_in("Passed", r.stdout, "pre-commit's report", r)
    # Both hooks with no stage given (the commit stage): the push hook has no range and passes.
    r = pre_commit(world, w, "try-repo", src, "--all-files")
    check(r.returncode == 0, "try-repo of every hook at the commit stage on a clean history should pass", r)
    check(r.stdout.count("Passed") == 2, "both hooks should report Passed", r)
    incident_second_merge(w)
    r = pre_commit(world, w, "try-repo", src, CHECK_ID, "--all-files")
    check(r.returncode == 1, f"try-repo {CHECK_ID} on the incident should fail", r)
    check_in("Failed", r.stdout, "pre-commit's report", r)
    check_in(FILE_B, r.stdout, "the hook's output as pre-commit shows it", r)
    check_in("duplicate-revision", r.stdout, "the hook's output", r)


@suite.case
def try_repo_push_stage(world):
    src, _rev = setup(world)
    _commit_stage, push_stage = stage_names(world)
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    before_335 = w.head("HEAD^1")
    landed = w.head()
    r = pre_commit(world, w, "try-repo", src, PUSH_ID, "--hook-stage", push_stage,
                   "--from-ref", before_335, "--to-ref", landed)
    check(r.returncode == 0, "the range landing #335 (one 031) should pass", r)
    incident_second_merge(w)
    r = pre_commit(world, w, "try-repo", src, PUSH_ID, "--hook-stage", push_stage,
                   "--from-ref", landed, "--to-ref", w.head())
    check(r.returncode == 1, "the range adding a second 031 should fail", r)
    check_in(FILE_B, r.stdout, "the hook's output as pre-commit shows it", r)


@suite.case
def installed_pre_push_refuses_a_real_push(world):
    src, rev = setup(world)
    commit_stage, push_stage = stage_names(world)
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    write_config(w, src, rev, [(PUSH_ID, push_stage)])
    w.commit("Use alembic-guard through pre-commit")
    r = pre_commit(world, w, "install", "--hook-type", "pre-push")
    check(r.returncode == 0, "pre-commit install --hook-type pre-push failed", r)
    r = w.push("main")
    check(r.returncode == 0, "landing #335 through the pre-commit pre-push hook should go through", r)
    check_in("alembic-guard", r.stdout + r.stderr, "pre-commit's report during the push", r)
    check(bare.rev("refs/heads/main") == w.head(), "#335 did not land", r)
    incident_second_merge(w)
    before = bare.snapshot()
    r = w.push("main")
    check_refused_locally(r, "the second 031 through pre-commit's pre-push hook")
    check_in(FILE_B, r.stdout + r.stderr, "the refusal", r)
    check_unchanged(before, bare.snapshot(), r)
    incident_fix(w)
    r = w.push("main")
    check(r.returncode == 0, "the renumbered fix should go through", r)
    check(bare.rev("refs/heads/main") == w.head(), "the fix did not land", r)
    # A new branch (pre-commit computes FROM as the parent of the first commit not on the remote).
    w.make_branch("dup-branch", "Add another 031", migrations=[("031", "030", "add_team_colour")], start="origin/main")
    before = bare.snapshot()
    r = w.push("dup-branch")
    check_refused_locally(r, "a new branch adding a third 031")
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def installed_pre_commit_refuses_a_commit(world):
    src, rev = setup(world)
    commit_stage, _push_stage = stage_names(world)
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    write_config(w, src, rev, [(CHECK_ID, commit_stage)])
    w.commit("Use alembic-guard through pre-commit")
    r = pre_commit(world, w, "install", "--hook-type", "pre-commit")
    check(r.returncode == 0, "pre-commit install failed", r)
    head = w.head()
    w.add_migration("032", "031", "add_team_colour", annotated=True)
    w.git("add", "-A")
    r = world.run(["git", "commit", "-q", "-m", "Add 032 on 031"], cwd=w.path, input="")
    check(r.returncode == 0, "a commit adding 032 on 031 should go through", r)
    head = w.head()
    w.add_migration("032", "031", "add_player_weight", annotated=True)
    w.git("add", "-A")
    r = world.run(["git", "commit", "-q", "-m", "Add another 032"], cwd=w.path, input="")
    check(r.returncode != 0, "a commit adding a second 032 should be refused by the pre-commit hook", r)
    check_in("duplicate-revision", r.stdout + r.stderr, "the refusal", r)
    check(w.head() == head, "the refused commit was made", r)


@suite.case
def first_push_of_a_whole_history(world):
    """Pushing a branch whose root is not on the remote (a new repository): pre-commit 3.0 then
    runs the push hooks with all files and NO PRE_COMMIT_FROM_REF/TO_REF (only
    PRE_COMMIT_REMOTE_NAME/_URL/_BRANCH and PRE_COMMIT_LOCAL_BRANCH). The tree of the pushed branch
    has the duplicate: the hook must not let it through unjudged."""
    src, rev = setup(world)
    _commit_stage, push_stage = stage_names(world)
    bare = world.bare()
    w = incident_setup(world, world.bare("scratch.git"), install=False)
    incident_second_merge(w)
    write_config(w, src, rev, [(PUSH_ID, push_stage)])
    w.commit("Use alembic-guard through pre-commit")
    w.git("remote", "add", "new", bare.url)
    r = pre_commit(world, w, "install", "--hook-type", "pre-push")
    check(r.returncode == 0, "pre-commit install --hook-type pre-push failed", r)
    r = w.push("main", remote="new")
    check_refused_locally(r, "the first push of a history with two 031 files, through pre-commit")
    check(bare.refs() == {}, "the new repository got a ref", r)


if __name__ == "__main__":
    sys.exit(suite.main())
