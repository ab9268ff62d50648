#!/usr/bin/env python3
"""The incident over smart HTTP: `git http-backend` as a CGI behind Debian's lighttpd on a free
127.0.0.1 port, started and stopped by the test. Skipped (exit 77) without lighttpd, except under
CI=true."""

import sys

from fixtures import (HASH_REV, Suite, check, check_accepted, check_in, check_incident_rejection, check_not_in,
                      check_one_block, check_rejected, check_unchanged, incident_fix, incident_second_merge,
                      incident_setup, require_program)

suite = Suite("pre-receive: smart HTTP (git http-backend behind lighttpd)")


def http_repo(world, name="league/basketball-api.git", extra_env=None):
    root = world.root / "http-root"
    bare = world.bare(name, parent=root)
    bare.config("http.receivepack", "true")
    server = world.http_server(root, extra_env=extra_env)
    return bare, f"{server.url}/{name}"


@suite.case
def incident_over_smart_http(world):
    bare, url = http_repo(world)
    w = incident_setup(world, bare, url=url)
    r = w.push("main")
    check_accepted(r, "landing #335 over HTTP")
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
    check_accepted(r, "the renumbered fix over HTTP")
    check(bare.rev("main") == w.head(), "main was not updated by the fix", r)
    check_not_in(HASH_REV, r.remote_text, "the output", r)


@suite.case
def first_push_into_empty_repo_over_http(world):
    bare, url = http_repo(world, "empty.git")
    from fixtures import install_guard
    install_guard(world, bare.path, "pre-receive")
    w = world.work(url=url)
    w.build_incident_history()
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("031", "030", "add_player_height")
    w.commit("two 031s")
    before = bare.snapshot()
    r = w.push("main")
    check_rejected(r, "a broken first push over HTTP")
    check_in("duplicate-revision", r.remote_text, "the rejection", r)
    check_unchanged(before, bare.snapshot(), r)
    w.git("reset", "-q", "--hard", "HEAD~1")
    check_accepted(w.push("main"), "the clean first push over HTTP")


@suite.case
def http_hook_with_minimal_cgi_environment(world):
    """A real lighttpd passes a CGI almost no environment (no PATH, no USER, no XDG_*; HOME stays
    set only to keep the caller's ~/.gitconfig out of the test): the hook must still work."""
    bare, url = http_repo(world, "bare-env.git", extra_env={"PATH": None, "USER": None, "LOGNAME": None,
                                                              "XDG_CACHE_HOME": None, "XDG_CONFIG_HOME": None})
    w = incident_setup(world, bare, url=url)
    check_accepted(w.push("main"), "landing #335 with an empty CGI environment")
    incident_second_merge(w)
    r = w.push("main")
    check_incident_rejection(r)
    check_not_in("not found", r.stderr, "the push output", r)


if __name__ == "__main__":
    require_program("lighttpd", "lighttpd")
    sys.exit(suite.main())
