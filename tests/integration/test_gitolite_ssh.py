#!/usr/bin/env python3
"""A real SSH git server: Debian's gitolite3 behind a private sshd (openssh-server) on a free
127.0.0.1 port, host and user keys generated here, the guard installed the way
docs/install/gitolite.md says (its `sh` blocks run verbatim as the hosting user: LOCAL_CODE,
hooks/common/pre-receive, `gitolite setup --hooks-only`). The admin creates the repository and
alice's access through the gitolite-admin repository over ssh://; alice pushes the incident
(incident.md) over ssh://: the second 031 is rejected with the full message on her terminal, the
server's ref and objects are untouched, the renumbered fix is accepted. sshd is stopped at the
end, whatever happens.

Skips (exit 77, failure under CI=true) when gitolite3, openssh-server or openssh-client is missing.
  /usr/bin/python3 tests/integration/test_gitolite_ssh.py --binary build/alembic-guard [-v] [--keep]
"""

import os
import shutil
import subprocess
import sys

from fixtures import (SSHD, Bare, Gitolite, Suite, check, check_accepted, check_in, check_incident_rejection,
                      check_one_block, check_unchanged, doc_blocks, incident_fix, incident_second_merge,
                      incident_setup, require_program, run_doc_block)

require_program("gitolite", "gitolite3")
require_program(SSHD, "openssh-server")
require_program("ssh", "openssh-client")
require_program("ssh-keygen", "openssh-client")

PAGE = "gitolite.md"
suite = Suite("gitolite3 over ssh:// with the guard in hooks/common")


def admin_adds_repo(world, gl, repo, user):
    """The gitolite admin's usual flow, over ssh://: clone gitolite-admin, add the user's key and
    a repository they may push to, push."""
    adm = world.root / "gitolite-admin"
    env = gl.ssh_env("admin")
    world.git("clone", "-q", gl.url("gitolite-admin"), str(adm), env=env)
    key = gl.keygen(user)
    shutil.copy(f"{key}.pub", adm / "keydir" / f"{user}.pub")
    with open(adm / "conf" / "gitolite.conf", "a") as f:
        f.write(f"\nrepo {repo}\n    RW+     =   {user}\n")
    world.git("add", "-A", cwd=adm)
    world.git("commit", "-q", "-m", f"Add {repo} for {user}", cwd=adm)
    r = world.run(["git", "push", "origin", "HEAD:master"], cwd=adm, env=env)
    check(r.ok, "the admin's push to gitolite-admin failed (through the guard: no Alembic there)", r)
    return r


def stopped(gl):
    """True when the sshd process is gone (nothing left running)."""
    return gl.server is None or gl.server.proc.poll() is not None


@suite.case
def incident_over_ssh_with_guard_in_hooks_common(world):
    gl = Gitolite(world)
    try:
        gl.setup()
        run_doc_block(world, PAGE, "version", env=gl.host_env(), cwd=gl.home)
        run_doc_block(world, PAGE, "install", env=gl.host_env(), cwd=gl.home)
        gl.start()
        admin_adds_repo(world, gl, "basketball-api", "alice")

        server_repo = gl.home / "repositories" / "basketball-api.git"
        check(server_repo.is_dir(), f"gitolite did not create {server_repo}")
        hook = server_repo / "hooks" / "pre-receive"
        check(hook.is_symlink() and os.readlink(hook) == str(gl.home / "local" / "hooks" / "common" / "pre-receive"),
              f"the new repository's hooks/pre-receive is not gitolite's link to hooks/common: {hook}")
        v = run_doc_block(world, PAGE, "verify", env=gl.host_env(), cwd=gl.home)
        check_in(f"guarded: {server_repo}", v.stdout, "the guide's verification", v)
        check("NOT guarded" not in v.stdout, "a repository is not guarded", v)
        bare = Bare(world, server_repo)

        # alice, over ssh://, as gitolite user `alice`.
        world.env.update(gl.ssh_env("alice"))
        w = incident_setup(world, None, url=gl.url("basketball-api"), install=False)
        r = w.push("main")
        check_accepted(r, "landing #335 over ssh://")
        check(bare.rev("main") == w.head(), "main was not updated by #335", r)

        main_before = bare.rev("main")
        before = bare.snapshot()
        incident_second_merge(w)
        r = w.push("main")
        print("    # what alice's terminal shows for the second 031:")
        print("\n".join("    | " + line for line in r.stderr.rstrip().splitlines()))
        check_incident_rejection(r)
        check_one_block(r)
        check_in("refs/heads/main", r.remote_text, "the rejection (the ref)", r)
        check(bare.rev("main") == main_before, "main moved although the push was rejected", r)
        check_unchanged(before, bare.snapshot(), r)

        fixed = incident_fix(w)
        r = w.push("main")
        check_accepted(r, "the renumbered fix over ssh://")
        check(bare.rev("main") == fixed, "main is not the fix after an accepted push", r)

        # The pusher the guard saw is gitolite's GL_USER (the bypass name): alice may bypass when
        # the operator says so.
        bare.config("alembicGuard.bypassUsers", "alice")
        bare.config("receive.advertisePushOptions", "true")
        incident_second_merge_again = w.make_branch("pr-337", "Add a third 031",
                                                    migrations=[("031", "030", "add_arena_roof")])
        w.merge("pr-337", "Merge pull request #337 from league/pr-337")
        r = w.push("main", options=["alembic-guard.bypass"])
        check_accepted(r, "a bypass push by alice (GL_USER) with alembicGuard.bypassUsers = alice")
        check_in("alice", r.remote_text, "the announced bypass (names the pusher)", r)
        del incident_second_merge_again

        run_doc_block(world, PAGE, "uninstall", env=gl.host_env(), cwd=gl.home)
        check(not os.path.lexists(hook), "the guide's uninstall left hooks/pre-receive in place")
        check(not (gl.home / "local" / "hooks" / "common" / "pre-receive").exists(),
              "the guide's uninstall left the common hook")
    finally:
        gl.stop()
    check(stopped(gl), "sshd is still running after stop()")


@suite.case
def every_sh_block_of_the_guide_is_run_here(world):
    ids = set(doc_blocks(PAGE))
    run = {"version", "install", "verify", "uninstall"}
    check(ids == run, f"docs/install/{PAGE}: sh blocks {sorted(ids)}, this script runs {sorted(run)}")


if __name__ == "__main__":
    sys.exit(suite.main())
