#!/usr/bin/env python3
"""`alembic-guard install-hook --pre-receive` on plain git, through real pushes: an existing hook
keeps running (and keeps its power to reject), installing twice does not run the guard twice,
--uninstall restores what was there, the installed hook calls the binary by absolute path and
works in the bare environment a server gives hooks."""

import sys

from fixtures import (Suite, check, check_accepted, check_in, check_incident_rejection, check_not_in, check_rejected,
                      incident_second_merge, incident_setup, install_guard, write_exec)

suite = Suite("install-hook --pre-receive (plain git)")


def existing_hook(bare, marker, reject_ref=None):
    body = "#!/bin/sh\n# the team's existing hook\ninput=$(cat)\n"
    body += f"printf '%s\\n' \"$input\" >> '{marker}'\n"
    if reject_ref:
        body += (f"case \"$input\" in *{reject_ref}*) echo 'existing hook: {reject_ref} is frozen'; exit 1;; esac\n")
    body += "exit 0\n"
    return write_exec(bare.path / "hooks" / "pre-receive", body)


@suite.case
def existing_hook_keeps_running_and_rejecting(world):
    bare = world.bare()
    marker = world.root / "existing-hook.log"
    hook = existing_hook(bare, marker, reject_ref="refs/heads/frozen")
    original = hook.read_bytes()
    w = incident_setup(world, bare, install=True)
    r = w.push("main")
    check_accepted(r, "landing #335 with the guard chained after the team's hook")
    check_in("refs/heads/main", marker.read_text(), "what the existing hook read (did it run?)", r)
    r = w.push("main:refs/heads/frozen")
    check_rejected(r, "a push the existing hook refuses")
    check_in("is frozen", r.remote_text, "the existing hook's message", r)
    incident_second_merge(w)
    r = w.push("main")
    check_incident_rejection(r)
    check(marker.read_text().count("refs/heads/main") >= 3, "the existing hook did not run for every push", r)
    r = world.guard("install-hook", "--pre-receive", "--uninstall", str(bare.path))
    check(r.ok, "install-hook --uninstall failed", r)
    check(hook.read_bytes() == original, "--uninstall did not restore the existing hook byte for byte", r)
    r = w.push("main")
    check_accepted(r, "the second 031 after --uninstall (the guard is gone)")
    check_not_in("alembic-guard", r.remote_text, "the output after --uninstall", r)


@suite.case
def installing_twice_runs_the_guard_once(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=True)
    install_guard(world, bare.path, "pre-receive")
    check_accepted(w.push("main"))
    incident_second_merge(w)
    r = w.push("main")
    check_rejected(r)
    n = sum(1 for l in r.remote_lines if "alembic-guard refused" in l)
    check(n == 1, f"the rejection was printed {n} times (installing twice chained the guard onto itself)", r)
    r = world.guard("install-hook", "--pre-receive", "--uninstall", str(bare.path))
    check(r.ok, "--uninstall failed", r)
    check(not (bare.path / "hooks" / "pre-receive").exists(),
          "after --uninstall of a twice-installed guard (no hook before) hooks/pre-receive should be gone", r)


@suite.case
def install_says_how_to_enable_push_options(world):
    bare = world.bare()
    r = install_guard(world, bare.path, "pre-receive")
    if r is None:
        return  # the fixture wrote the hook itself
    check_in("receive.advertisePushOptions", r.stdout + r.stderr, "install-hook's output", r)


@suite.case
def installed_hook_works_with_empty_path(world):
    """The hook must not depend on PATH for anything (a server may run hooks with PATH empty): if
    it cannot read the ref lines it must fail closed, never pass the push unchecked."""
    bare = world.bare()
    w = incident_setup(world, bare, install=True)
    check_accepted(w.push("main"))
    incident_second_merge(w)
    r = w.push("main", env={"PATH": ""})
    check(r.returncode != 0, "with PATH empty the installed hook let the second 031 through unchecked", r)


@suite.case
def install_into_non_bare_repository(world):
    """install-hook works on a non-bare repository too (REPO is --repo: a work tree)."""
    w = world.work()
    w.build_incident_history(upto=5)
    r = world.guard("install-hook", "--pre-receive", str(w.path))
    check(r.ok, "install-hook into a non-bare repository failed", r)
    check((w.path / ".git" / "hooks" / "pre-receive").exists(), "no .git/hooks/pre-receive", r)


if __name__ == "__main__":
    sys.exit(suite.main())
