#!/usr/bin/env python3
"""GitLab's custom-hook chain (hooks-facts.md): built-in checks, custom_hooks/pre-receive,
custom_hooks/pre-receive.d/*, then the server-wide pre-receive.d/*, stopping at the first non-zero
exit. With GL_ID set the web UI shows only lines starting with `GL-HOOK-ERR: ` (or `GitLab:`), so
every line of a rejection must carry the prefix. gitolite sets GL_USER but no GL_ID: no prefix."""

import sys

from fixtures import (FILE_A, FILE_B, HASH_REV, PR_B, GitLab, Suite, check, check_accepted, check_in, check_not_in,
                      check_rejected, check_unchanged, gitlab_ui_lines, incident_second_merge, incident_setup,
                      install_guard)

suite = Suite("pre-receive: GitLab custom hooks")

PREFIX = "GL-HOOK-ERR: "


def gitlab_incident(world, install="gitlab"):
    gl = GitLab(world)
    bare = gl.create_repo()
    w = incident_setup(world, bare, url=str(bare.path), layout=install) if install != "gitlab-server" else None
    if install == "gitlab-server":
        w = incident_setup(world, bare, url=str(bare.path), install=False)
        install_guard(world, gl.global_dir, "gitlab-server")
    r = w.push("main", env=GitLab.env())
    check_accepted(r, "landing #335 through the GitLab chain")
    check("global audit ran" in gl.log_lines(), "the server-wide hook did not run for an accepted push", r)
    return gl, bare, w


def check_all_prefixed(r):
    lines = r.remote_lines
    check(lines, "the rejection printed nothing", r)
    bad = [l for l in lines if not l.startswith(PREFIX)]
    check(not bad, f"{len(bad)} of {len(lines)} remote lines lack {PREFIX!r} (GitLab's UI drops them): {bad[:3]}", r)


@suite.case
def rejection_lines_all_carry_gl_hook_err(world):
    gl, bare, w = gitlab_incident(world)
    incident_second_merge(w)
    before = bare.snapshot()
    log_before = len(gl.log_lines())
    r = w.push("main", env=GitLab.env(username="bob"))
    check_rejected(r, "the second 031 through the GitLab chain")
    check_all_prefixed(r)
    ui = "\n".join(gitlab_ui_lines(r))
    for needle in (FILE_A, FILE_B, "030", "renumber", "refs/heads/main"):
        check_in(needle, ui, "what GitLab's web UI shows", r)
    check_not_in(HASH_REV, ui, "what GitLab's web UI shows", r)
    check_not_in("non-fast-forward", r.stderr, "the output", r)
    new_log = gl.log_lines()[log_before:]
    check("project hook ran" in new_log, "the project's own custom_hooks/pre-receive did not run", r)
    check("global audit ran" not in new_log, "the chain did not stop at the guard's non-zero exit", r)
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def web_merge_is_named_as_a_merge(world):
    gl, bare, w = gitlab_incident(world)
    incident_second_merge(w)
    r = w.push("main", env=GitLab.env(username="carol", protocol="web"))
    check_rejected(r)
    check_all_prefixed(r)
    check_in("merge", gitlab_ui_lines(r)[0] if gitlab_ui_lines(r) else "", "the first UI line (a web merge)", r)


@suite.case
def accepted_push_output_is_prefixed_or_silent(world):
    gl, bare, w = gitlab_incident(world)
    w.write("README.md", "# basketball-api\n\nv2\n")
    w.commit("docs")
    r = w.push("main", env=GitLab.env())
    check_accepted(r)
    check(all(l.startswith(PREFIX) or l.startswith("GitLab:") for l in r.remote_lines) or not r.remote_lines,
          "lines printed under GitLab without the prefix", r)


@suite.case
def server_wide_install_rejects(world):
    gl, bare, w = gitlab_incident(world, install="gitlab-server")
    incident_second_merge(w)
    r = w.push("main", env=GitLab.env())
    check_rejected(r, "the second 031 with the guard in GitLab's server-wide pre-receive.d")
    check_all_prefixed(r)


@suite.case
def guard_failure_lines_are_prefixed_too(world):
    """A SHA-256 repository libgit2 1.5 cannot open (guarded by the server-wide install): the guard
    cannot work; its lines must still reach GitLab's UI."""
    gl = GitLab(world)
    bare = gl.create_repo("league/sha256-project", object_format="sha256")
    install_guard(world, gl.global_dir, "gitlab-server")
    w = world.work(url=str(bare.path), object_format="sha256")
    w.build_incident_history(upto=8)
    r = w.push("main", env=GitLab.env())
    check_rejected(r, "a push the guard cannot check (onError = reject, the default)")
    check_all_prefixed(r)
    ui = "\n".join(gitlab_ui_lines(r))
    check_in("SHA-256", ui, "what GitLab's web UI shows", r)


@suite.case
def gitolite_has_no_gl_hook_err_prefix(world):
    """gitolite sets GL_USER (and GL_REPO, GL_BINDIR) but no GL_ID: don't mistake it for GitLab."""
    bare = world.bare()
    w = incident_setup(world, bare)
    env = {"GL_USER": "alice", "GL_REPO": "basketball-api", "GL_BINDIR": "/usr/share/gitolite3"}
    check_accepted(w.push("main", env=env))
    incident_second_merge(w)
    r = w.push("main", env=env)
    check_rejected(r)
    check(not any(l.startswith("GL-HOOK-ERR") for l in r.remote_lines), "GL-HOOK-ERR: printed for gitolite", r)


@suite.case
def install_keeps_the_project_hook_and_uninstall_reverses_it(world):
    gl = GitLab(world)
    bare = gl.create_repo("league/other")
    project_hook = bare.path / "custom_hooks" / "pre-receive"
    data = project_hook.read_bytes()
    install_guard(world, bare.path, "gitlab")
    check(project_hook.read_bytes() == data, "install-hook --gitlab changed custom_hooks/pre-receive")
    check((bare.path / "custom_hooks" / "pre-receive.d" / "alembic-guard").exists(),
          "no custom_hooks/pre-receive.d/alembic-guard")
    r = world.guard("install-hook", "--gitlab", "--uninstall", str(bare.path))
    check(r.ok, "install-hook --gitlab --uninstall failed", r)
    check(not (bare.path / "custom_hooks" / "pre-receive.d" / "alembic-guard").exists(), "hook still there", r)
    check(project_hook.read_bytes() == data, "--uninstall changed custom_hooks/pre-receive", r)


if __name__ == "__main__":
    sys.exit(suite.main())
