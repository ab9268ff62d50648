#!/usr/bin/env python3
"""The incident over every local transport a server uses: file:// (and a plain path, which is how
Forgejo's web merge pushes), and `git daemon --enable=receive-pack` on 127.0.0.1. Smart HTTP is
test_pre_receive_http.py (it needs lighttpd)."""

import sys

from fixtures import (HASH_REV, Suite, check, check_accepted, check_in, check_incident_rejection, check_not_in,
                      check_one_block, check_unchanged, incident_fix, incident_second_merge, incident_setup)

suite = Suite("pre-receive: file:// and git daemon")


def replay(world, bare, url):
    w = incident_setup(world, bare, url=url)
    r = w.push("main")
    check_accepted(r, f"landing #335 over {url}")
    check_in("alembic-guard", r.remote_text, "the output of an accepted push (did the hook run?)", r)
    before = bare.snapshot()
    main_before = bare.rev("main")
    incident_second_merge(w)
    r = w.push("main")
    check_incident_rejection(r)
    check_one_block(r)
    check(bare.rev("main") == main_before, "main moved although the push was rejected", r)
    check_unchanged(before, bare.snapshot(), r)
    w.git("fetch", "-q", "origin")
    incident_fix(w)
    r = w.push("main")
    check_accepted(r, f"the renumbered fix over {url}")
    check(bare.rev("main") == w.head(), "main was not updated by the fix", r)
    check_not_in(HASH_REV, r.remote_text, "the output", r)


@suite.case
def incident_over_file_url(world):
    bare = world.bare()
    replay(world, bare, f"file://{bare.path}")


@suite.case
def incident_over_plain_path(world):
    bare = world.bare()
    replay(world, bare, str(bare.path))


@suite.case
def incident_over_git_daemon(world):
    root = world.root / "daemon-root"
    bare = world.bare("league/basketball-api.git", parent=root)
    daemon = world.git_daemon(root)
    replay(world, bare, f"{daemon.url}/league/basketball-api.git")


@suite.case
def git_daemon_with_fifty_refs_one_bad(world):
    root = world.root / "daemon-root"
    bare = world.bare("repo.git", parent=root)
    daemon = world.git_daemon(root)
    w = incident_setup(world, bare, url=f"{daemon.url}/repo.git")
    check_accepted(w.push("main"), "landing #335")
    incident_second_merge(w)
    specs = ["main"]
    for k in range(49):
        w.git("branch", f"rel/{k:02d}", "origin/main")
        specs.append(f"rel/{k:02d}")
    before = bare.snapshot()
    r = w.push(*specs)
    check(not r.ok, "50 refs with a bad main should be rejected", r)
    check_unchanged(before, bare.snapshot(), r)
    check(not any(x.startswith("refs/heads/rel/") for x in bare.refs()), "a branch was created", r)


if __name__ == "__main__":
    sys.exit(suite.main())
