#!/usr/bin/env python3
"""The client hook: `alembic-guard install-hook --pre-push` into a developer's clone, then real
`git push`es. The incident's second 031 is refused before anything is sent (the bare repository is
byte-identical afterwards), the renumbered fix goes through, `--no-verify` skips the hook,
deletions pass, a remote tip the clone has not fetched is handled (merge base with the
remote-tracking branch, else origin/HEAD, else the tree alone), a team's existing pre-push hook
keeps running with the same arguments and stdin, core.hooksPath is honoured, --uninstall restores
what was there. Also the hook's protocol driven directly: --format json and the pre-commit
framework's PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF."""

import json
import sys

from fixtures import (FILE_A, FILE_B, ZERO, Suite, check, check_in, check_not_in, check_refused_locally,
                      check_unchanged, environment_name, hooks_dir, incident_fix, incident_second_merge, incident_setup, install_guard,
                      write_exec)

suite = Suite("pre-push (client hook through real git push)")


def check_pushed(r, what="push"):
    check(r.returncode == 0, f"{what} should have gone through", r)


def guarded_clone(world, bare):
    """incident_setup without the server hook: clean history 001..030 on the server, #335 merged
    locally (not pushed), #336's branch ready; the guard installed as the clone's pre-push hook."""
    w = incident_setup(world, bare, install=False)
    install_guard(world, w.path, "pre-push")
    return w


def check_incident_refusal(r):
    check_refused_locally(r, "the second merge adding another revision 031")
    for needle in (FILE_A, FILE_B, "030", "031", "duplicate-revision"):
        check_in(needle, r.stderr, "the pre-push refusal", r)
    check_not_in("Traceback", r.stderr, "the push output", r)
    check_not_in("remote:", r.stderr, "the push output (nothing may reach the server)", r)


@suite.case
def incident_refused_locally_and_fix_accepted(world):
    bare = world.bare()
    w = guarded_clone(world, bare)
    hook = hooks_dir(world, w.path) / "pre-push"
    check(hook.exists() and hook.stat().st_mode & 0o111, f"install-hook --pre-push wrote no executable {hook}")
    check_pushed(w.push("main"), "landing #335 (one 031)")
    check(bare.rev("refs/heads/main") == w.head(), "the server got #335")
    landed = w.head()
    incident_second_merge(w)
    before = bare.snapshot()
    r = w.push("main")
    check_incident_refusal(r)
    check_unchanged(before, bare.snapshot(), r)
    check(bare.rev("refs/heads/main") == landed, "the remote ref moved after a refused push", r)
    incident_fix(w)
    r = w.push("main")
    check_pushed(r, "the renumbered fix (032 on 031)")
    check(bare.rev("refs/heads/main") == w.head(), "the fix did not land", r)


@suite.case
def no_verify_skips_the_hook(world):
    bare = world.bare()
    w = guarded_clone(world, bare)
    check_pushed(w.push("main"))
    incident_second_merge(w)
    check_refused_locally(w.push("main"))
    r = world.run(["git", "push", "--no-verify", "origin", "main"], cwd=w.path)
    check_pushed(r, "git push --no-verify")
    check(bare.rev("refs/heads/main") == w.head(), "--no-verify did not push", r)


@suite.case
def deletions_pass(world):
    bare = world.bare()
    w = guarded_clone(world, bare)
    check_pushed(w.push("main"))
    incident_second_merge(w)
    r = world.run(["git", "push", "--no-verify", "origin", "main:refs/heads/broken"], cwd=w.path)
    check_pushed(r, "setting up a broken branch on the server")
    r = w.push(":refs/heads/broken")
    check_pushed(r, "deleting a branch (even one pointing at a broken history)")
    check(bare.rev("refs/heads/broken") is None, "the branch was not deleted", r)
    world.run(["git", "push", "--no-verify", "origin", "main:refs/heads/broken2"], cwd=w.path)
    r = world.run(["git", "push", "origin", "--delete", "broken2"], cwd=w.path)
    check_pushed(r, "git push --delete")
    # A deletion together with a refused update: the whole push is refused.
    world.run(["git", "push", "--no-verify", "origin", "main~1:refs/heads/broken3"], cwd=w.path)
    before = bare.snapshot()
    r = w.push("main", ":refs/heads/broken3")
    check_refused_locally(r, "a deletion pushed together with the second 031")
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def remote_tip_not_fetched_merge_base_with_tracking_branch(world):
    """Someone else pushed (an app change) after our last fetch: our clone does not have the
    remote tip. A forced push then names a remote oid we do not have; the guard judges against the
    merge base with origin/main instead of failing."""
    bare = world.bare()
    w = guarded_clone(world, bare)
    other = world.work(bare)                       # a colleague's clone, at 030
    other.write("app/teams.py", "TEAMS = 30\n")
    other.commit("Count the teams")
    check_pushed(other.push("main"), "the colleague's push")
    unknown = bare.rev("refs/heads/main")
    check(w.git("cat-file", "-e", unknown, check_ok=False).returncode != 0, "setup: the remote tip must be absent locally")
    # Our main has #335 merged (one 031) and then #336 (a second 031) on the stale origin/main.
    incident_second_merge(w)
    before = bare.snapshot()
    r = w.push("main", force=True)
    check_incident_refusal(r)
    check_unchanged(before, bare.snapshot(), r)
    check_not_in("alembic-guard: error", r.stderr.lower(), "the output (an unknown remote tip is no error)", r)
    # Back to only #335 on the stale origin/main: adds one head's successor, no problem.
    w.git("reset", "-q", "--hard", "HEAD^")
    r = w.push("main", force=True)
    check_pushed(r, "a forced push of #335 over a remote tip we never fetched")
    check(bare.rev("refs/heads/main") == w.head(), "the push did not land", r)


@suite.case
def new_branch_against_origin_head_else_tree_alone(world):
    """A new branch (remote oid all zeros) with no remote-tracking branch of its own: judged against
    the merge base with origin/HEAD when the clone has it, else by its tree alone."""
    bare = world.bare()
    w = guarded_clone(world, bare)
    incident_second_merge(w)
    r = world.run(["git", "push", "--no-verify", "origin", "main"], cwd=w.path)
    check_pushed(r, "landing the broken main without the hook (the state of incident.md)")
    w.git("fetch", "-q", "origin")
    w.write("app/topic.py", "TOPIC = 1\n")
    w.commit("An app change on top of the broken main")
    # With origin/HEAD: the branch adds no problem of its own.
    w.git("remote", "set-head", "origin", "main")
    check(w.git("rev-parse", "-q", "--verify", "refs/remotes/origin/HEAD", check_ok=False).ok, "setup: origin/HEAD")
    r = w.push("HEAD:refs/heads/topic")
    check_pushed(r, "a new branch adding no problem relative to origin/HEAD")
    check(bare.rev("refs/heads/topic") == w.head(), "topic did not land", r)
    # No tracking branch, no origin/HEAD: the tree alone, which has the duplicate.
    w.git("remote", "set-head", "origin", "--delete")
    w.git("update-ref", "-d", "refs/remotes/origin/topic", check_ok=False)
    r = w.push("HEAD:refs/heads/topic2")
    check_refused_locally(r, "a new branch whose tree has a duplicate, with nothing to compare it with")
    check(bare.rev("refs/heads/topic2") is None, "topic2 must not exist on the server", r)
    # Pushing to a URL (no remote name, so no remote-tracking branches at all) into an empty repository.
    empty = world.bare("empty.git")
    r = world.run(["git", "push", empty.url, "main:refs/heads/main"], cwd=w.path)
    check_refused_locally(r, "a broken history pushed to a URL")
    check(empty.refs() == {}, "the empty repository got a ref", r)
    w.git("checkout", "-q", "-b", "clean", "main~2")      # #335 merged: 001..030 and one 031
    r = world.run(["git", "push", empty.url, "clean:refs/heads/main"], cwd=w.path)
    check_pushed(r, "a clean history pushed to a URL (tree alone)")


@suite.case
def several_refs_in_one_push(world):
    """One refused ref refuses the whole push; tags are not guarded by default."""
    bare = world.bare()
    w = guarded_clone(world, bare)
    check_pushed(w.push("main"))
    w.git("branch", "good", "main")
    incident_second_merge(w)
    before = bare.snapshot()
    r = w.push("good", "main")
    check_refused_locally(r, "a good branch and the broken main together")
    check_unchanged(before, bare.snapshot(), r)
    r = w.push("refs/heads/main:refs/tags/broken-snapshot")
    check_pushed(r, "a tag (not a guarded ref by default)")
    w.git("config", "alembicGuard.refs", "refs/heads/release/*")
    r = w.push("main")
    check_pushed(r, "main once alembicGuard.refs guards only release/*")
    r = w.push("main:refs/heads/release/1.0")
    check_refused_locally(r, "a guarded release branch")


def existing_hook(path, log, reject_ref=None):
    body = ("#!/bin/sh\n# the team's existing pre-push hook\n"
            f"echo \"args: $*\" >> '{log}'\n"
            "input=$(cat)\n"
            f"printf '%s\\n' \"$input\" | sed 's/^/stdin: /' >> '{log}'\n")
    if reject_ref:
        body += f"case \"$input\" in *{reject_ref}*) echo 'existing hook: {reject_ref} is frozen' >&2; exit 1;; esac\n"
    body += "exit 0\n"
    return write_exec(path, body)


@suite.case
def existing_pre_push_hook_keeps_running(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    hook = hooks_dir(world, w.path) / "pre-push"
    log = world.root / "existing-pre-push.log"
    existing_hook(hook, log, reject_ref="refs/heads/frozen")
    original = hook.read_bytes()
    install_guard(world, w.path, "pre-push")
    r = w.push("main")
    check_pushed(r, "landing #335 with the guard chained onto the team's hook")
    text = log.read_text()
    check_in(f"args: origin {bare.url}", text, "what the existing hook got as arguments", r)
    check_in(f"stdin: refs/heads/main {w.head()} refs/heads/main ", text, "what the existing hook read on stdin", r)
    r = w.push("main:refs/heads/frozen")
    check_refused_locally(r, "a push the existing hook refuses")
    check_in("is frozen", r.stderr, "the existing hook's message", r)
    incident_second_merge(w)
    once = w.push("main")
    check_incident_refusal(once)
    # Installing twice runs the guard once.
    install_guard(world, w.path, "pre-push")
    r = w.push("main")
    check_refused_locally(r)
    n1, n2 = once.stderr.count("duplicate-revision"), r.stderr.count("duplicate-revision")
    check(n1 == n2, f"installed twice, the refusal says duplicate-revision {n2} times instead of {n1} "
                    "(the guard chained onto itself?)", r)
    r = world.guard("install-hook", "--pre-push", "--uninstall", str(w.path))
    check(r.ok, "install-hook --pre-push --uninstall failed", r)
    check(hook.read_bytes() == original, "--uninstall did not restore the existing hook byte for byte", r)
    r = w.push("main")
    check_pushed(r, "the second 031 after --uninstall (the existing hook accepts it)")


@suite.case
def uninstall_without_previous_hook_and_hooks_path(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    w.git("config", "core.hooksPath", ".githooks")
    install_guard(world, w.path, "pre-push")
    check((w.path / ".githooks" / "pre-push").exists(), "core.hooksPath=.githooks: no .githooks/pre-push")
    check(not (w.path / ".git" / "hooks" / "pre-push").exists(), "installed into .git/hooks despite core.hooksPath")
    check_pushed(w.push("main"))
    incident_second_merge(w)
    check_incident_refusal(w.push("main"))
    r = world.guard("install-hook", "--pre-push", "--uninstall", "--repo", str(w.path))
    check(r.ok, "--uninstall failed", r)
    check(not (w.path / ".githooks" / "pre-push").exists(), "--uninstall left a pre-push hook behind", r)
    check_pushed(w.push("main"), "the second 031 once the hook is uninstalled")


@suite.case
def hook_protocol_json_and_stdin_lines(world):
    """The protocol driven directly: `alembic-guard pre-push origin URL --format json` with git's
    stdin line; JSON Lines like pre-receive's."""
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    check_pushed(w.push("main"))
    remote_oid = bare.rev("refs/heads/main")
    incident_second_merge(w)
    line = f"refs/heads/main {w.head()} refs/heads/main {remote_oid}\n"
    r = world.guard("pre-push", "origin", bare.url, "--format", "json", cwd=w.path, input=line)
    check(r.returncode == 1, "pre-push --format json of the second 031 should exit 1", r)
    objs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    check(len(objs) == 1, f"one JSON line per judged ref on stdout, got {len(objs)}", r)
    o = objs[0]
    for key in ("ref", "old", "new", "ok", "introduced", "environments"):
        check(key in o, f"JSON lacks {key!r}", r)
    check(o["ref"] == "refs/heads/main" and o["old"] == remote_oid and o["new"] == w.head() and o["ok"] is False,
          f"ref/old/new/ok: {o}", r)
    check("duplicate-revision" in [p["code"] for p in o["introduced"]], "introduced holds duplicate-revision", r)
    env_name = environment_name(world, w.path)
    check(all(p.get("environment") == env_name for p in o["introduced"]), f"each problem names its environment ({env_name})", r)
    # A deletion line alone, and no line at all: nothing to judge, exit 0.
    r = world.guard("pre-push", "origin", bare.url, cwd=w.path, input=f"(delete) {ZERO} refs/heads/x {remote_oid}\n")
    check(r.returncode == 0, "a deletion passes", r)
    r = world.guard("pre-push", "origin", bare.url, cwd=w.path, input="")
    check(r.returncode == 0, "nothing pushed (empty stdin, no PRE_COMMIT_*): exit 0", r)
    # A pushed oid the remote tip of which is unknown, and a bad line.
    r = world.guard("pre-push", "origin", bare.url, cwd=w.path,
                    input=f"refs/heads/main {w.head()} refs/heads/main {'1' * 40}\n")
    check(r.returncode == 1, "an unknown remote oid: judged against origin/main's merge base -> the duplicate", r)
    r = world.guard("pre-push", "origin", bare.url, cwd=w.path, input="garbage\n")
    check(r.returncode == 2, "a malformed stdin line is an error (exit 2), never a silent pass", r)


@suite.case
def pre_commit_framework_range(world):
    """Under the pre-commit framework: no stdin lines, PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF
    (and PRE_COMMIT_REMOTE_NAME, ...) set by pre-commit's hook-impl."""
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    check_pushed(w.push("main"))
    landed = w.head()
    incident_second_merge(w)
    env = {"PRE_COMMIT_FROM_REF": landed, "PRE_COMMIT_TO_REF": w.head(), "PRE_COMMIT_REMOTE_NAME": "origin",
           "PRE_COMMIT_REMOTE_URL": bare.url, "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
           "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT": "1"}
    r = world.guard("pre-push", cwd=w.path, env=env, input="")
    check(r.returncode == 1, "the pushed range adds a second 031: exit 1", r)
    check_in(FILE_B, r.stdout + r.stderr, "the refusal", r)
    env["PRE_COMMIT_TO_REF"] = landed
    env["PRE_COMMIT_FROM_REF"] = w.head("HEAD^1~1")
    r = world.guard("pre-push", cwd=w.path, env=env, input="")
    check(r.returncode == 0, "the range that adds one 031 passes", r)
    # pre-commit < 3 spelled them PRE_COMMIT_SOURCE / PRE_COMMIT_ORIGIN; 3.x sets both pairs.
    env = {"PRE_COMMIT_FROM_REF": landed, "PRE_COMMIT_TO_REF": w.head(), "PRE_COMMIT_SOURCE": w.head(),
           "PRE_COMMIT_ORIGIN": landed, "PRE_COMMIT_REMOTE_NAME": "origin"}
    r = world.guard("pre-push", "--format", "json", cwd=w.path, env=env, input="")
    check(r.returncode == 1, "--format json under pre-commit: exit 1", r)
    objs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    check(len(objs) == 1 and objs[0]["ok"] is False and objs[0]["old"] == landed and objs[0]["new"] == w.head(),
          f"one JSON line judging FROM..TO: {objs}", r)


if __name__ == "__main__":
    sys.exit(suite.main())
