#!/usr/bin/env python3
"""`alembic-guard forecast`: which open pull requests collide with each other, before anyone
merges. Real bare repositories holding review refs as Forgejo/GitHub (refs/pull/N/head) and
GitLab (refs/merge-requests/N/head) keep them; the incident (#335 and #336, each adding 031 on
030) is named before either lands, the named fix is applied, and both then pass the real
pre-receive hook. A snapshot of the repository proves forecast writes nothing."""

import json
import sys

from fixtures import Suite, check, check_accepted, check_in, check_rejected, check_unchanged, install_guard, snapshot
from alembic_projects import migration_text

suite = Suite("forecast (colliding pull requests)")

VERSIONS = "alembic/versions"


def server(world):
    """A guarded bare repository with the clean history 001..030 on main, and a work clone."""
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    check(w.push("main").ok, "initial push failed")
    return bare, w


def open_request(bare, w, number, branch, migrations=(), files=None, start="main", kind="pull"):
    """Pushes `branch` and makes the review ref a forge keeps for request `number`."""
    oid = w.make_branch(branch, f"{branch}: work", migrations=migrations, files=files, start=start)
    check(w.push(branch).ok, f"pushing {branch} failed")
    ref = f"refs/pull/{number}/head" if kind == "pull" else f"refs/merge-requests/{number}/head"
    bare.git("update-ref", ref, oid)
    return ref


def forecast(world, bare, *args):
    return world.guard("forecast", "--repo", str(bare.path), *args)


def lines(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


@suite.case
def the_incident_is_named_before_either_request_lands_and_the_named_fix_lands_both(world):
    bare, w = server(world)
    install_guard(world, bare.path, "pre-receive")
    open_request(bare, w, 335, "stats", [("031", "030", "add_player_stats")])
    open_request(bare, w, 336, "injuries", [("031", "030", "add_injury_reports")])
    before = snapshot(bare.path)
    r = forecast(world, bare)
    check(r.returncode == 1, "a colliding pair exits 1", r)
    check_in("COLLIDE #335 and #336", r.stdout, "the pair, the one opened first first", r)
    check_in("both add revision '031'", r.stdout, "what they share", r)
    check_in('031_add_injury_reports.py (#336) set revision = "032" and down_revision = "031"', r.stdout,
             "the exact edit, for the request opened later", r)
    r = forecast(world, bare, "--format", "json")
    [pair] = lines(r)
    check(pair["pair"] == ["refs/pull/335/head", "refs/pull/336/head"] and pair["prs"] == [335, 336], "pair, prs", r)
    check(pair["move"] == "refs/pull/336/head" and pair["shared"] == ["031"], "move and shared", r)
    check({p["code"] for p in pair["problems"]} >= {"duplicate-revision"}, "the problem", r)
    check_unchanged(before, snapshot(bare.path), r)

    # #335 lands; #336 applies the named edit and lands after it through the real hook.
    w.git("checkout", "-q", "main")
    w.git("merge", "-q", "--no-ff", "stats", "-m", "Merge pull request #335")
    check_accepted(w.push("main"), "#335 lands")
    w.git("checkout", "-q", "injuries")
    w.git("rebase", "-q", "main")
    w.rm(f"{VERSIONS}/031_add_injury_reports.py")
    w.write(f"{VERSIONS}/032_add_injury_reports.py", migration_text("032", "031", "add_injury_reports", annotated=True))
    w.commit("Renumber to 032 on 031")
    check(w.push("injuries", force=True).ok, "pushing the fixed branch")
    bare.git("update-ref", "refs/pull/336/head", w.head())
    bare.git("update-ref", "-d", "refs/pull/335/head")
    r = forecast(world, bare)
    check(r.returncode == 0 and "no two candidates collide" in r.stdout, "after the fix nothing collides", r)
    w.git("checkout", "-q", "main")
    w.git("merge", "-q", "--no-ff", "injuries", "-m", "Merge pull request #336")
    check_accepted(w.push("main"), "#336 lands after the fix")


@suite.case
def only_pairs_that_break_the_graph_are_reported(world):
    bare, w = server(world)
    open_request(bare, w, 1, "a", [("031", "030", "a")])
    open_request(bare, w, 2, "readme", files={"README.md": "# changed\n"})
    open_request(bare, w, 3, "chained", [("031", "030", "a"), ("032", "031", "b")], start="a")
    open_request(bare, w, 4, "other_parent", [("0x1", "030", "x")])
    r = forecast(world, bare, "--format", "json")
    pairs = sorted(tuple(p["prs"]) for p in lines(r) if "pair" in p)
    # 3 carries 1's commit: they share it. 4 forks 030 against both.
    check(pairs == [(1, 4), (3, 4)], f"exactly the colliding pairs: {pairs}", r)
    r = forecast(world, bare, "refs/pull/1/head", "refs/pull/2/head", "refs/pull/3/head")
    check(r.returncode == 0, "without 4 nothing collides: a chain that carries another request is no fork", r)


@suite.case
def two_merge_migrations_of_the_same_heads_collide(world):
    bare, w = server(world)
    # main forks on purpose: 031a and 031b on 030 (a history that already has two heads).
    w.add_migration("031", "030", "left", annotated=True)
    w.add_migration("131", "030", "right", annotated=True)
    w.commit("two heads")
    check(w.push("main").ok, "push of the fork")
    open_request(bare, w, 7, "merge_a", [("032", ("031", "131"), "merge_heads")])
    open_request(bare, w, 8, "merge_b", [("132", ("031", "131"), "merge_heads_too")])
    r = forecast(world, bare)
    check(r.returncode == 1, "two merges of the same heads fork again", r)
    check_in("both add a merge migration of '031', '131'", r.stdout, "named as such", r)
    check_in("in #8 drop alembic/versions/132_merge_heads_too.py (#7's merge migration 032 already merges 031, 131)",
             r.stdout, "the advice to drop the second merge", r)


@suite.case
def a_request_bad_alone_is_reported_alone_and_in_no_pair(world):
    bare, w = server(world)
    open_request(bare, w, 10, "fork_on_029", [("031", "029", "stale")])
    open_request(bare, w, 11, "fine", [("031", "030", "fine")])
    r = forecast(world, bare, "--format", "json")
    out = lines(r)
    check(r.returncode == 1, "a candidate bad alone exits 1", r)
    bad = [o for o in out if "candidate" in o]
    check(len(bad) == 1 and bad[0]["candidate"] == "refs/pull/10/head" and not bad[0]["ok"], "the bad one", r)
    check("multiple-heads" in {p["code"] for p in bad[0]["introduced"]}, "why it is bad", r)
    check(not [o for o in out if "pair" in o], "it is in no pair", r)


@suite.case
def gitlab_merge_requests_branches_globs_and_prefer(world):
    bare, w = server(world)
    open_request(bare, w, 21, "one", [("031", "030", "one")], kind="mr")
    open_request(bare, w, 22, "two", [("031", "030", "two")], kind="mr")
    r = forecast(world, bare, "--format", "json")
    [pair] = lines(r)
    check(pair["prs"] == [21, 22] and pair["move"] == "refs/merge-requests/22/head", "GitLab's refs", r)
    r = forecast(world, bare, "--format", "json", "--prefer", "refs/merge-requests/22/head")
    check(lines(r)[0]["move"] == "refs/merge-requests/21/head", "--prefer keeps the one named", r)
    # No review refs at all: every branch not merged into the base.
    for ref in ("refs/merge-requests/21/head", "refs/merge-requests/22/head"):
        bare.git("update-ref", "-d", ref)
    r = forecast(world, bare, "--format", "json")
    [pair] = lines(r)
    check(pair["pair"] == ["one", "two"] or pair["pair"] == ["refs/heads/one", "refs/heads/two"], "branches", r)
    r = forecast(world, bare, "--format", "json", "t*")
    check(r.returncode == 0 and not lines(r), "a glob naming one branch: no pair", r)
    r = forecast(world, bare, "nope*")
    check(r.returncode == 2 and "no ref matches 'nope*'" in r.stderr, "a glob matching nothing is an error", r)


@suite.case
def markdown_draws_the_fork_and_github_annotates_the_file_to_move(world):
    bare, w = server(world)
    open_request(bare, w, 335, "stats", [("031", "030", "add_player_stats")])
    open_request(bare, w, 336, "injuries", [("a1b2c3d4e5f7", "030", "add_injury_reports")])
    r = forecast(world, bare, "--format", "markdown")
    check_in("### #335 and #336 collide", r.stdout, "a section per pair", r)
    check_in("```mermaid\nflowchart BT", r.stdout, "a Mermaid picture", r)
    check_in('["030 (main)"]', r.stdout, "the shared parent, on the base", r)
    check_in(":::move", r.stdout, "the one to move is marked", r)
    r = forecast(world, bare, "--format", "github")
    check_in("::error file=alembic/versions/a1b2c3d4e5f7_add_injury_reports.py,line=", r.stdout,
             "an annotation on the file to move", r)


@suite.case
def the_same_file_added_differently_is_a_textual_collision(world):
    bare, w = server(world)
    name = "031_shared_name"
    open_request(bare, w, 40, "x", files={f"{VERSIONS}/{name}.py": migration_text("031", "030", "x")})
    open_request(bare, w, 41, "y", files={f"{VERSIONS}/{name}.py": migration_text("031", "030", "y")})
    r = forecast(world, bare, "--format", "json")
    [pair] = lines(r)
    check([p["code"] for p in pair["problems"]] == ["merge-conflict"], "a merge conflict in the versions", r)


if __name__ == "__main__":
    sys.exit(suite.main())
