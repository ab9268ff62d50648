#!/usr/bin/env python3
"""The operator's policy (alembicGuard.* in the repository's or the server's global git config) and
the machine-readable output: alembicGuard.refs globs, alembicGuard.onError with a repository the
guard cannot read (SHA-256, which libgit2 1.5 cannot open), alembicGuard.allowMultipleHeads, and
`pre-receive --format json` lines in design.md's shape."""

import json
import re
import sys

from fixtures import (FILE_A, FILE_B, ZERO, Suite, check, check_accepted, check_in, check_not_in, check_rejected,
                      check_unchanged, guard_hook_script, incident_second_merge, incident_setup, install_guard,
                      write_exec)

suite = Suite("pre-receive: operator policy and JSON output")

HEX40 = re.compile(r"^[0-9a-f]{40}$")


def broken_commit(w, start="main", branch="broken"):
    w.checkout(branch, new=True, start=start)
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("031", "030", "add_player_height")
    w.commit("two 031s")
    w.checkout("main")
    return branch


def clean_repo(world):
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    check(w.push("main").ok, "initial push failed")
    install_guard(world, bare.path, "pre-receive")
    return bare, w


# --- alembicGuard.refs ---------------------------------------------------------------------------


@suite.case
def refs_glob_limits_what_is_judged(world):
    bare, w = clean_repo(world)
    bare.config("alembicGuard.refs", "refs/heads/release/*")
    b = broken_commit(w)
    check_accepted(w.push(f"{b}:refs/heads/feature/x"), "a broken commit on an unguarded branch")
    r = w.push(f"{b}:refs/heads/release/2024.1")
    check_rejected(r, "a broken commit on refs/heads/release/2024.1 (guarded by the glob)")
    check_in("refs/heads/release/2024.1", r.remote_text, "the rejection", r)
    check_accepted(w.push(f"{b}:refs/heads/main"), "main (the glob replaces the default refs/heads/*)")


@suite.case
def refs_multivalued_can_guard_tags(world):
    bare, w = clean_repo(world)
    bare.config("alembicGuard.refs", "refs/heads/main")
    bare.config("alembicGuard.refs", "refs/tags/v*", add=True)
    b = broken_commit(w)
    check_accepted(w.push(f"{b}:refs/tags/nightly"), "an unguarded tag")
    r = w.push(f"{b}:refs/tags/v3.0.0")
    check_rejected(r, "a broken tag matching refs/tags/v*")
    check_rejected(w.push(f"{b}:refs/heads/main"), "main")
    check_accepted(w.push(f"{b}:refs/heads/develop"), "an unguarded branch")


@suite.case
def guarded_annotated_tags_are_judged_by_their_commit(world):
    """With refs/tags/v* guarded, an annotated tag (a tag object, not a commit) is judged by the commit
    it points at: a clean one passes, a broken one is refused for its problem (not as a guard failure)."""
    bare, w = clean_repo(world)
    bare.config("alembicGuard.refs", "refs/heads/*")
    bare.config("alembicGuard.refs", "refs/tags/v*", add=True)
    w.git("tag", "-a", "-m", "release 1.0", "v1.0")
    r = w.push("refs/tags/v1.0")
    check_accepted(r, "an annotated tag on the clean main, with refs/tags/v* guarded")
    b = broken_commit(w)
    w.git("tag", "-a", "-m", "release 2.0", "v2.0", b)
    r = w.push("refs/tags/v2.0")
    check_rejected(r, "an annotated tag on a broken commit, with refs/tags/v* guarded")
    check_in("duplicate-revision", r.remote_text, "the rejection (judged, not a guard failure)", r)


@suite.case
def refs_from_the_servers_global_config(world):
    bare, w = clean_repo(world)
    world.git("config", "--global", "alembicGuard.refs", "refs/heads/prod")
    b = broken_commit(w)
    check_rejected(w.push(f"{b}:refs/heads/prod"), "refs/heads/prod, guarded by the global config")
    check_accepted(w.push(f"{b}:refs/heads/main"), "main, unguarded by the server's global alembicGuard.refs")


@suite.case
def review_refs_judged_when_the_operator_says_so(world):
    bare, w = clean_repo(world)
    bare.config("alembicGuard.refs", "refs/heads/*")
    bare.config("alembicGuard.refs", "refs/for/*", add=True)
    b = broken_commit(w)
    check_rejected(w.push(f"{b}:refs/for/main"), "a broken refs/for/main with alembicGuard.refs = refs/for/*")


# --- alembicGuard.onError --------------------------------------------------------------------------


def sha256_repo(world):
    """A SHA-256 bare repository with the guard as hooks/pre-receive (written by hand: install-hook
    itself opens the repository), and a work repository with a history to push."""
    bare = world.bare(object_format="sha256")
    write_exec(bare.path / "hooks" / "pre-receive", guard_hook_script(world.binary))
    w = world.work(url=str(bare.path), object_format="sha256")
    w.build_incident_history(upto=10)
    return bare, w


@suite.case
def on_error_default_rejects_with_a_clear_line(world):
    bare, w = sha256_repo(world)
    before = bare.snapshot()
    r = w.push("main")
    check_rejected(r, "a push the guard cannot check (default onError = reject)")
    check_in("SHA-256", r.remote_text, "the output (why the guard cannot work)", r)
    check_in("onError", r.remote_text, "the output (what the operator can change)", r)
    check_not_in("Traceback", r.stderr, "the output", r)
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def on_error_accept_lets_the_push_through_with_a_warning(world):
    bare, w = sha256_repo(world)
    bare.config("alembicGuard.onError", "accept")
    r = w.push("main")
    check_accepted(r, "a push the guard cannot check, with onError = accept")
    check_in("SHA-256", r.remote_text, "the warning", r)
    check_in("UNCHECKED", r.remote_text.upper(), "the warning (the push was not checked)", r)
    check(bare.rev("main") is not None, "main not created", r)


@suite.case
def on_error_accept_from_the_servers_global_config(world):
    bare, w = sha256_repo(world)
    world.git("config", "--global", "alembicGuard.onError", "accept")
    check_accepted(w.push("main"), "onError = accept in the server's global config")


@suite.case
def on_error_explicit_reject(world):
    bare, w = sha256_repo(world)
    bare.config("alembicGuard.onError", "reject")
    check_rejected(w.push("main"), "onError = reject")


@suite.case
def on_error_accept_does_not_accept_real_problems(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    bare.config("alembicGuard.onError", "accept")
    check_accepted(w.push("main"))
    incident_second_merge(w)
    check_rejected(w.push("main"), "a real problem with onError = accept")


@suite.case
def on_error_accept_cannot_be_triggered_by_the_pusher(world):
    """onError = accept is for a guard that cannot work (SHA-256); a pusher must not be able to make
    the guard fail on purpose — e.g. by adding a ref line for a non-commit object, which git
    refuses anyway — and so land a broken main unchecked."""
    bare = world.bare()
    w = incident_setup(world, bare)
    bare.config("alembicGuard.onError", "accept")
    check_accepted(w.push("main"), "landing #335")
    incident_second_merge(w)
    main_before = bare.rev("main")
    w.git("tag", "-a", "-m", "not a commit", "decoy")
    r = w.push("main", "decoy:refs/heads/zz-decoy")
    check(bare.rev("main") == main_before,
          "the second 031 landed on main UNCHECKED: a non-commit ref in the same push made the guard fail "
          "and onError = accept let everything through", r)


@suite.case
def exit_code_two_on_guard_failure(world):
    """Run directly, as a hook runs it: exit 2 when the guard cannot work (design.md)."""
    bare, w = sha256_repo(world)
    r = world.guard("pre-receive", cwd=bare.path, env={"GIT_DIR": "."},
                    input=f"{'0' * 64} {'1' * 64} refs/heads/main\n")
    check(r.returncode == 2, "expected exit 2 from pre-receive in a SHA-256 repository", r)
    bare.config("alembicGuard.onError", "accept")
    r = world.guard("pre-receive", cwd=bare.path, env={"GIT_DIR": "."},
                    input=f"{'0' * 64} {'1' * 64} refs/heads/main\n")
    check(r.returncode == 0, "expected exit 0 with onError = accept", r)


# --- alembicGuard.allowMultipleHeads -------------------------------------------------------------


TOML = """\
[[environment]]
name = "basketball"
version_locations = ["alembic/versions"]
allow_multiple_heads = true
"""


def two_headed_first_push(world, bare, toml=False):
    w = world.work(bare)
    w.build_incident_history()
    if toml:
        w.write(".alembic-guard.toml", TOML)
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("a3f9c2b1d4e7", "030", "add_player_height")
    w.commit("two heads")
    return w


@suite.case
def allow_multiple_heads_star_accepts_a_two_headed_first_push_but_not_a_new_head(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = two_headed_first_push(world, bare)
    check_rejected(w.push("main"), "a two-headed first push without allowMultipleHeads")
    bare.config("alembicGuard.allowMultipleHeads", "*")
    check_accepted(w.push("main"), "a two-headed first push with allowMultipleHeads = *")
    w.add_migration("c0ffee123456", "029", "add_game_broadcaster")
    w.commit("a third head")
    r = w.push("main")
    check_rejected(r, "adding a third head even with allowMultipleHeads = *")
    check_in("multiple-heads", r.remote_text, "the rejection", r)


@suite.case
def allow_multiple_heads_by_environment_name(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = two_headed_first_push(world, bare)
    bare.config("alembicGuard.allowMultipleHeads", "some-other-env")
    check_rejected(w.push("main"), "allowMultipleHeads naming another environment")
    bare.config("alembicGuard.allowMultipleHeads", "alembic.ini", add=True)
    check_accepted(w.push("main"), "allowMultipleHeads naming this environment (alembic.ini)")


@suite.case
def git_key_replaces_the_in_repository_toml(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = two_headed_first_push(world, bare, toml=True)
    bare.config("alembicGuard.allowMultipleHeads", "nothing-here")
    check_rejected(w.push("main"), "toml allow_multiple_heads = true overridden by the operator's git key")
    bare.git("config", "--unset-all", "alembicGuard.allowMultipleHeads")
    check_accepted(w.push("main"), "toml allow_multiple_heads = true (no git key)")


@suite.case
def a_push_cannot_relax_its_own_judgement_through_the_toml(world):
    bare, w = clean_repo(world)
    w.write(".alembic-guard.toml", TOML)
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("a3f9c2b1d4e7", "030", "add_player_height")
    w.commit("declare allow_multiple_heads and add a second head in the same push")
    r = w.push("main")
    check_rejected(r, "a push that adds .alembic-guard.toml allowing heads together with a second head")
    check_in(".alembic-guard.toml", r.remote_text, "the rejection (the note on the toml change)", r)


# --- --format json -------------------------------------------------------------------------------


def json_repo(world):
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    check(w.push("main").ok, "initial push failed")
    write_exec(bare.path / "hooks" / "pre-receive", guard_hook_script(world.binary, "--format", "json"))
    return bare, w


def check_shape(obj, r):
    check(list(obj.keys())[:7] == ["ref", "old", "new", "ok", "introduced", "environments"][:len(obj)] or
          set(obj) >= {"ref", "old", "new", "ok", "introduced", "environments"},
          f"a JSON line lacks design.md's keys: {sorted(obj)}", r)
    check(isinstance(obj["ref"], str) and obj["ref"].startswith("refs/"), "ref", r)
    check(HEX40.match(obj["old"]) and HEX40.match(obj["new"]), "old/new are not 40-hex object IDs", r)
    check(isinstance(obj["ok"], bool), "ok is not a boolean", r)
    check(isinstance(obj["introduced"], list), "introduced is not a list", r)
    for p in obj["introduced"]:
        for k in ("environment", "code", "message"):
            check(k in p, f"an introduced problem lacks {k!r}: {p}", r)
        check(isinstance(p.get("revisions", []), list) and isinstance(p.get("files", []), list),
              f"revisions/files not lists: {p}", r)
    check(isinstance(obj["environments"], list), "environments is not a list", r)
    for e in obj["environments"]:
        for k in ("name", "head_count_before", "head_count_after", "heads_before", "heads_after"):
            check(k in e, f"an environment lacks {k!r}: {e}", r)
        check(isinstance(e["head_count_after"], int) and isinstance(e["heads_after"], list), f"types: {e}", r)
        check(e["heads_after"] == sorted(set(e["heads_after"])), "heads_after not sorted/unique", r)


@suite.case
def json_line_for_the_incident_rejection(world):
    bare, w = json_repo(world)
    w.checkout("pr", new=True)
    w.add_migration("031", "030", "add_team_logo")
    w.commit("031 a")
    w.checkout("main")
    w.add_migration("031", "030", "add_player_height")
    w.commit("031 b")
    w.merge("pr", "Merge pull request #335")
    old = bare.rev("main")
    r = w.push("main")
    check_rejected(r)
    objs = r.json_lines
    check(len(objs) == 1, f"expected exactly one JSON line (one judged ref), got {len(objs)}", r)
    o = objs[0]
    check_shape(o, r)
    check(o["ref"] == "refs/heads/main" and o["old"] == old and o["new"] == w.head() and o["ok"] is False,
          f"ref/old/new/ok wrong: {o['ref']} {o['old']} {o['new']} {o['ok']}", r)
    codes = {p["code"] for p in o["introduced"]}
    check({"duplicate-revision", "multiple-heads"} <= codes, f"introduced codes {codes}", r)
    dup = next(p for p in o["introduced"] if p["code"] == "duplicate-revision")
    check(dup["revisions"] == ["031"], f"duplicate revisions {dup['revisions']}", r)
    check(sorted(dup["files"]) == sorted([FILE_A, FILE_B]), f"duplicate files {dup['files']}", r)
    check(dup["environment"] == "alembic.ini", f"environment name {dup['environment']!r} (design: the config path)", r)
    env = o["environments"][0]
    check(env["head_count_before"] == 1 and env["head_count_after"] == 2, f"head counts {env}", r)
    check(env["heads_before"] == ["030"] and env["heads_after"] == ["031"], f"heads {env}", r)


@suite.case
def json_lines_one_per_judged_ref(world):
    bare, w = json_repo(world)
    for b in ("a", "b", "c"):
        w.checkout(b, new=True, start="main")
        w.write(f"{b}.txt", b)
        w.commit(b)
    w.checkout("main")
    w.git("tag", "v1")
    r = w.push("a", "b", "c", "refs/tags/v1")
    check_accepted(r)
    objs = r.json_lines
    check(sorted(o["ref"] for o in objs) == ["refs/heads/a", "refs/heads/b", "refs/heads/c"],
          f"expected one line per judged branch (tags not judged), got {[o['ref'] for o in objs]}", r)
    for o in objs:
        check_shape(o, r)
        check(o["ok"] is True and o["introduced"] == [] and o["old"] == ZERO, f"{o}", r)
    r = w.push(":a")
    check_accepted(r)
    check(r.json_lines == [], "a deletion is not judged: no JSON line expected", r)


@suite.case
def json_first_push_has_no_before(world):
    bare = world.bare()
    write_exec(bare.path / "hooks" / "pre-receive", guard_hook_script(world.binary, "--format", "json"))
    w = world.work(bare)
    w.build_incident_history()
    r = w.push("main")
    check_accepted(r)
    objs = r.json_lines
    check(len(objs) == 1, "one JSON line expected", r)
    check_shape(objs[0], r)
    e = objs[0]["environments"][0]
    check(e["head_count_before"] is None and e["heads_before"] is None and e["heads_after"] == ["030"],
          f"a first push has no 'before' (null) and heads_after [030]: {e}", r)


@suite.case
def json_stdout_is_only_json_lines(world):
    bare, w = json_repo(world)
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("a3f9c2b1d4e7", "029", "add_player_height")
    w.commit("two heads")
    bare.git("fetch", "-q", str(w.path), "main:refs/heads/incoming")   # the objects, without a push
    old = bare.rev("main")
    new = w.head()
    r = world.guard("pre-receive", "--format", "json", cwd=bare.path, env={"GIT_DIR": "."},
                    input=f"{old} {new} refs/heads/main\n{ZERO} {new} refs/tags/t\n")
    check(r.returncode == 1, "expected exit 1 (rejected)", r)
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    check(len(lines) == 1, "stdout should hold exactly one JSON line (tags not judged)", r)
    o = json.loads(lines[0])
    check_shape(o, r)
    mh = [p for p in o["introduced"] if p["code"] == "multiple-heads"]
    check(mh and mh[0]["environment"] == "alembic.ini", "a grown head count must be in introduced", r)
    check(r.stderr.strip(), "the text for the pusher should still be on stderr", r)


if __name__ == "__main__":
    sys.exit(suite.main())
