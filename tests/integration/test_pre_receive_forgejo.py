#!/usr/bin/env python3
"""Forgejo (and Gitea), both hook layouts of hooks-facts.md:
  * <= v15: each repository's hooks/pre-receive is Forgejo's generated dispatcher running
    hooks/pre-receive.d/* (Forgejo's own `gitea` hook among them); the guard goes to
    hooks/pre-receive.d/alembic-guard (install-hook --forgejo);
  * >= v16: a central dispatcher under HOME_PATH (core.hooksPath) runs the central pre-receive.d/*
    then the repository's own pre-receive.d/* (skipping `gitea`); the guard goes to either
    (install-hook --forgejo-server HOME_PATH, or --forgejo).
A web-UI merge is what Forgejo does: a `git push` of the base branch from a temporary clone, by
path, with GITEA_PUSH_TRIGGER=pr-merge-to-base, GITEA_PR_ID=<database id>, GITEA_PUSHER_NAME=<who
merged> (Gitea also sets GITEA_PR_INDEX, the visible number)."""

import sys

from fixtures import (FILE_A, FILE_B, HASH_REV, PR_A, PR_B, Forgejo, Suite, check, check_accepted, check_in,
                      check_not_in, check_rejected, check_unchanged, forgejo_rejection_message, install_guard)

suite = Suite("pre-receive: Forgejo / Gitea hook layouts and web merges")

PR_DB_ID = 4242      # GITEA_PR_ID: a database id, never what users see
PR_INDEX = 336       # GITEA_PR_INDEX: the visible #336 (Gitea only)


def forge_setup(world, version, install="forgejo", owner="league", name="basketball-api"):
    """A Forgejo with one repository holding 001..030, the guard installed, the two pull request
    branches pushed by their authors (SSH pushes), and #335 merged through the web UI."""
    f = Forgejo(world, version)
    bare = f.create_repo(owner, name)
    if install == "forgejo":
        install_guard(world, bare.path, "forgejo")
    elif install == "forgejo-server":
        install_guard(world, f.home_path, "forgejo-server")
    w = world.work(url=str(bare.path))
    w.build_incident_history()
    r = w.push("main", env=f.env(bare, pusher="alice"))
    check_accepted(r, "the first push of the clean history (SSH push)")
    for branch, rev, slug in (PR_A, PR_B):
        w.checkout(branch, new=True, start="main")
        w.add_migration(rev, "030", slug, annotated=True)
        w.commit(f"Add {slug} ({rev})")
        r = w.push(branch, env=f.env(bare, pusher="bob"))
        check_accepted(r, f"pushing the pull request branch {branch}")
    w.checkout("main")
    r = f.web_merge(bare, w, PR_A[0], pr_id=PR_DB_ID - 1, pr_index=335)
    check_accepted(r, "the web merge of #335")
    return f, bare, w


def check_web_merge_rejection(r, f, bare, runs_before, expect_pr_text):
    check_rejected(r, "the web merge of #336 (a second 031)")
    shown = forgejo_rejection_message(r.stderr)
    all_remote = "\n".join(r.remote_lines)
    check(shown.strip(), "Forgejo would show an empty rejection message", r)
    check(len(shown.splitlines()) == len(r.remote_lines),
          "the rejection is not one unbroken block of remote: lines: Forgejo would show only the first part", r)
    for needle in (FILE_A, FILE_B, "030", "renumber", expect_pr_text):
        check_in(needle, shown, "the message Forgejo shows", r)
    check_not_in("non-fast-forward", r.stderr, "the push output (Forgejo would show a misleading error)", r)
    check_not_in(HASH_REV, all_remote, "the rejection (the hash-named revision is not to blame)", r)
    check_not_in(str(PR_DB_ID), all_remote, "the rejection (GITEA_PR_ID is a database id)", r)
    check_not_in("STALE PER-REPOSITORY DISPATCHER", r.stderr, "the output (a v16 repository's own hooks/pre-receive ran)",
                 r)
    runs = f.hook_runs()
    check(len(runs) == runs_before + 1, f"Forgejo's own `gitea` hook did not run for the rejected push "
                                         f"(runs before {runs_before}, after {len(runs)})", r)
    check_in("refs/heads/main", f.hook_log_text().split("ran pre-receive")[-1],
             "what Forgejo's own hook read on stdin", r)


def second_merge(world, version, install, gitea):
    f, bare, w = forge_setup(world, version, install)
    before = bare.snapshot()
    main_before = bare.rev("main")
    runs_before = len(f.hook_runs())
    r = f.web_merge(bare, w, PR_B[0], pr_id=PR_DB_ID, pr_index=PR_INDEX, merger="carol", gitea=gitea)
    check_web_merge_rejection(r, f, bare, runs_before, f"#{PR_INDEX}" if gitea else "this pull request's merge")
    check(bare.rev("main") == main_before, "main moved", r)
    check_unchanged(before, bare.snapshot(), r)
    return f, bare, w


def land_fix(world, f, bare, w):
    w.checkout(PR_B[0])
    w.git("rm", "-q", FILE_B)
    w.add_migration("032", "031", "add_player_height", annotated=True)
    w.commit("Renumber to 032 on 031")
    w.git("fetch", "-q", "origin")
    w.git("merge", "-q", "--no-edit", "origin/main")
    r = w.push(f"{PR_B[0]}", env=f.env(bare, pusher="bob"))
    check_accepted(r, "pushing the fixed pull request branch")
    r = f.web_merge(bare, w, PR_B[0], pr_id=PR_DB_ID, merger="carol")
    check_accepted(r, "the web merge of the renumbered fix")


# --- Forgejo <= v15 / Gitea -------------------------------------------------------------------


@suite.case
def v15_web_merge_of_second_031_rejected_gitea_names_pr_index(world):
    f, bare, w = second_merge(world, 15, "forgejo", gitea=True)
    land_fix(world, f, bare, w)


@suite.case
def v15_forgejo_web_merge_without_pr_index_says_this_pull_request(world):
    second_merge(world, 15, "forgejo", gitea=False)


@suite.case
def v15_pr_index_zero_is_not_a_pull_request_number(world):
    f, bare, w = forge_setup(world, 15)
    env = f.env(bare, pusher="carol", trigger="pr-merge-to-base", pr_id=PR_DB_ID, pr_index=0, protocol="internal")
    w.git("merge", "-q", "--no-ff", "--no-edit", "-m", "Merge #336", PR_B[0])
    w.git("fetch", "-q", "origin")
    w.git("reset", "-q", "--hard", "origin/main")
    w.git("merge", "-q", "--no-ff", "--no-edit", "-m", "Merge #336", PR_B[0])
    r = w.push("main", env=env)
    check_rejected(r)
    check_in("this pull request's merge", r.remote_text, "the rejection", r)
    check_not_in("#0", r.remote_text, "the rejection", r)


@suite.case
def v15_ssh_push_of_second_031_rejected_naming_the_ref(world):
    f, bare, w = forge_setup(world, 15)
    w.git("fetch", "-q", "origin")
    w.git("reset", "-q", "--hard", "origin/main")
    w.git("merge", "-q", "--no-ff", "--no-edit", "-m", "Merge branch pr-336", PR_B[0])
    runs_before = len(f.hook_runs())
    r = w.push("main", env=f.env(bare, pusher="bob"))
    check_rejected(r)
    check_in("refs/heads/main", r.remote_text, "the rejection of a direct push", r)
    check_not_in("pull request", r.remote_text, "the rejection of a direct push (not a web merge)", r)
    check(len(f.hook_runs()) == runs_before + 1, "Forgejo's own hook did not run", r)


@suite.case
def v15_forgejo_regenerating_its_hooks_keeps_the_guard(world):
    """`admin regenerate hooks` and the resync cron rewrite hooks/pre-receive and pre-receive.d/gitea
    only; hooks/pre-receive.d/alembic-guard survives and still runs."""
    from fixtures import FORGEJO_V15_DISPATCHER, write_exec
    f, bare, w = forge_setup(world, 15)
    write_exec(bare.path / "hooks" / "pre-receive", FORGEJO_V15_DISPATCHER)
    write_exec(bare.path / "hooks" / "pre-receive.d" / "gitea", f._gitea_hook())
    r = f.web_merge(bare, w, PR_B[0], pr_id=PR_DB_ID, merger="carol")
    check_rejected(r, "a web merge after Forgejo regenerated its hooks")


@suite.case
def v15_install_leaves_forgejo_files_alone_and_uninstall_reverses_it(world):
    f = Forgejo(world, 15)
    bare = f.create_repo("league", "other")
    hooks = bare.path / "hooks"
    own = {p: p.read_bytes() for p in (hooks / "pre-receive", hooks / "pre-receive.d" / "gitea")}
    install_guard(world, bare.path, "forgejo")
    for p, data in own.items():
        check(p.read_bytes() == data, f"install-hook --forgejo changed Forgejo's own {p.name}")
    names = sorted(x.name for x in (hooks / "pre-receive.d").iterdir())
    check("alembic-guard" in names, f"no hooks/pre-receive.d/alembic-guard (have {names})")
    check("pre-receive" not in names, "install-hook used the name the web hook editor owns")
    r = world.guard("install-hook", "--forgejo", "--uninstall", str(bare.path))
    check(r.ok, "install-hook --forgejo --uninstall failed", r)
    names = sorted(x.name for x in (hooks / "pre-receive.d").iterdir())
    check(names == ["gitea"], f"after --uninstall pre-receive.d should hold only gitea, has {names}", r)
    for p, data in own.items():
        check(p.read_bytes() == data, f"--uninstall changed Forgejo's own {p.name}", r)


# --- Forgejo >= v16 ---------------------------------------------------------------------------


@suite.case
def v16_server_wide_hook_rejects_web_merge(world):
    f, bare, w = second_merge(world, 16, "forgejo-server", gitea=False)
    land_fix(world, f, bare, w)


@suite.case
def v16_server_wide_hook_guards_every_repository(world):
    f, bare, w = forge_setup(world, 16, "forgejo-server")
    other = f.create_repo("league", "scheduler")
    w2 = world.work(url=str(other.path))
    w2.build_incident_history(upto=12)
    w2.add_migration("013", "012", "add_coach_email")
    w2.add_migration("013", "012", "add_coach_phone")
    w2.commit("two 013s")
    r = w2.push("main", env=f.env(other, pusher="dave"))
    check_rejected(r, "a broken first push into another repository on the same server")
    check_in("duplicate-revision", r.remote_text, "the rejection", r)


@suite.case
def v16_per_repository_hook_rejects_web_merge(world):
    second_merge(world, 16, "forgejo", gitea=True)


@suite.case
def v16_install_server_leaves_forgejo_files_alone(world):
    f = Forgejo(world, 16)
    hooks = f.home_path / "hooks"
    own = {p: p.read_bytes() for p in (hooks / "pre-receive", hooks / "pre-receive.d" / "gitea")}
    install_guard(world, f.home_path, "forgejo-server")
    for p, data in own.items():
        check(p.read_bytes() == data, f"install-hook --forgejo-server changed Forgejo's own {p}")
    check((hooks / "pre-receive.d" / "alembic-guard").exists(), "no <HOME_PATH>/hooks/pre-receive.d/alembic-guard")
    r = world.guard("install-hook", "--forgejo-server", str(f.home_path), "--uninstall")
    check(r.ok, "install-hook --forgejo-server --uninstall failed", r)
    check(sorted(x.name for x in (hooks / "pre-receive.d").iterdir()) == ["gitea"],
          "after --uninstall the central pre-receive.d should hold only gitea", r)


@suite.case
def agit_review_refs_pass_on_forgejo(world):
    """AGit `git push origin HEAD:refs/for/main` reaches pre-receive; review refs are not judged."""
    f, bare, w = forge_setup(world, 15)
    w.checkout("broken", new=True, start="main")
    w.add_migration("031", "030", "add_game_broadcaster", annotated=True)
    w.add_migration("031", "030", "add_game_referee_notes", annotated=True)
    w.commit("two 031s")
    r = w.push("broken:refs/for/main", env=f.env(bare, pusher="bob"))
    # The stand-in has no proc-receive hook, so git itself refuses the ref after pre-receive: what
    # matters is that pre-receive (ours and Forgejo's) let it through.
    check_not_in("pre-receive hook declined", r.stderr, "the output (the guard judged an AGit refs/for/* push)", r)
    check_not_in("alembic-guard refused", r.remote_text, "the output", r)
    check_in("refs/for/main", f.hook_log_text(), "what Forgejo's own hook saw (did pre-receive run?)", r)


if __name__ == "__main__":
    sys.exit(suite.main())
