#!/usr/bin/env python3
"""`alembic-guard audit [REF]`: which merge introduced the problem that stands at the tip?
Generated, reproducible histories (fixtures.generate_audit_history, through git fast-import): a
1,000-commit history of pull requests merged with "Merge pull request #N" messages where one long-
lived pull request lands a second revision N after another pull request took it (the incident);
audit must name that merge, its number, and the branch commit that added the file. Also: a history
where the duplicate was repaired later (nothing stands: exit 0), one where a revert brought it back
(it stands since the revert's merge), GitLab and "(#N)" merge messages, a problem committed straight
on the mainline (no merge), --since, and errors. Prints audit's wall time on the 1,000 commits."""

import json
import sys
import time
from datetime import datetime, timezone

from fixtures import (FastHistory, Suite, VERSIONS, check, check_in, environment_name, generate_audit_history, incident_second_merge,
                      incident_setup, migration_text, project_files)

suite = Suite("audit (which merge brought the problem in?)")

KEYS = {"environment", "problem", "introduced_by", "merge", "pr", "since"}


def audit(world, w, *args, expect=None, fmt="json"):
    a = ["audit", *args]
    if fmt:
        a += ["--format", fmt]
    r = world.guard(*a, cwd=w.path)
    if expect is not None:
        check(r.returncode == expect, f"audit should exit {expect}", r)
    check("Traceback" not in r.stderr and "terminate called" not in r.stderr, "audit crashed", r)
    return r


def lines_of(r):
    out = [json.loads(l) for l in r.stdout.splitlines() if l.strip().startswith("{")]
    for o in out:
        check(KEYS <= set(o), f"audit JSON lacks {sorted(KEYS - set(o))}: {o}", r)
    return out


def epoch(iso):
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def check_names_culprit(world, w, r, objs, merge, pr, added, when, dup_id):
    env = environment_name(world, w.path, merge)
    check(len(objs) >= 1, "audit printed no standing problem", r)
    codes = sorted(o["problem"]["code"] for o in objs)
    check("duplicate-revision" in codes, f"the duplicate must stand at the tip, got {codes}", r)
    for o in objs:
        what = o["problem"]["code"]
        check(o["environment"] == env, f"{what}: environment {o['environment']!r}, not {env!r}", r)
        check(o["merge"] == merge, f"{what}: merge {o['merge']} is not the culprit merge {merge}", r)
        check(o["pr"] == pr, f"{what}: pr {o['pr']!r} is not {pr}", r)
        check(epoch(o["since"]) == when, f"{what}: since {o['since']} is not the merge's time "
                                         f"{datetime.fromtimestamp(when, timezone.utc).isoformat()}", r)
    dup = next(o for o in objs if o["problem"]["code"] == "duplicate-revision")
    check(dup["problem"].get("revisions") == [dup_id], f"duplicate of {dup_id}: {dup['problem']}", r)
    check(dup["introduced_by"] == added,
          f"introduced_by {dup['introduced_by']} is not the branch commit that added the file ({added})", r)


@suite.case
def culprit_merge_in_a_1000_commit_history(world):
    w = world.work()
    t0 = time.monotonic()
    h = generate_audit_history(w, target_commits=1000)
    gen = time.monotonic() - t0
    n = int(w.git("rev-list", "--count", "HEAD").stdout)
    fp = int(w.git("rev-list", "--count", "--first-parent", "HEAD").stdout)
    check(n >= 1000, f"the generated history has {n} commits")
    r = audit(world, w, expect=1)
    print(f"    audit --format json on {n} commits ({fp} first-parent, "
          f"{int(w.git('rev-list', '--count', '--merges', '--first-parent', 'HEAD').stdout)} merges): "
          f"{r.seconds:.3f} s wall (history generated in {gen:.2f} s)")
    objs = lines_of(r)
    check_names_culprit(world, w, r, objs, h.culprit_merge, h.culprit_pr, h.culprit_added, h.culprit_time, h.duplicate_id)
    # The same, in text: the merge (abbreviated or not), #N, the file.
    t = audit(world, w, fmt=None, expect=1)
    print(f"    audit (text) on {n} commits: {t.seconds:.3f} s wall")
    out = t.stdout + t.stderr
    check_in(h.culprit_merge[:7], out, "the text report (the culprit merge)", t)
    check_in(f"#{h.culprit_pr}", out, "the text report (the pull request number)", t)
    check_in(h.culprit_file, out, "the text report (the culprit's file)", t)
    # An explicit REF, and --since a commit before the culprit: the same answer.
    w.git("checkout", "-q", "-b", "elsewhere", f"{h.culprit_merge}~5")
    r2 = audit(world, w, "main", expect=1)
    check(lines_of(r2) == objs, "audit main from another branch differs from audit at main", r2)
    r3 = audit(world, w, "main", "--since", f"{h.culprit_merge}~3", expect=1)
    check_names_culprit(world, w, r3, lines_of(r3), h.culprit_merge, h.culprit_pr, h.culprit_added, h.culprit_time,
                        h.duplicate_id)
    # Before the culprit landed, nothing stood.
    r4 = audit(world, w, f"{h.culprit_merge}^1", expect=0)
    check(lines_of(r4) == [], "nothing stands before the culprit merge", r4)


@suite.case
def repaired_history_has_nothing_standing(world):
    w = world.work()
    h = generate_audit_history(w, target_commits=1000, repair=True)
    r = audit(world, w, expect=0)
    check(lines_of(r) == [], "a repaired history: no standing problem", r)
    print(f"    audit of a repaired {h.commits}-commit history: {r.seconds:.3f} s wall")
    t = audit(world, w, fmt=None, expect=0)
    check("Traceback" not in t.stderr, "text", t)
    # Just before the repair merge, it stood, since the culprit merge.
    r = audit(world, w, f"{h.repair_merge}^1", expect=1)
    check_names_culprit(world, w, r, lines_of(r), h.culprit_merge, h.culprit_pr, h.culprit_added, h.culprit_time,
                        h.duplicate_id)


@suite.case
def reintroduced_problem_stands_since_the_revert(world):
    w = world.work()
    h = generate_audit_history(w, target_commits=600, repair=True, reintroduce=True, seed=7)
    r = audit(world, w, expect=1)
    check_names_culprit(world, w, r, lines_of(r), h.reintroduce_merge, h.reintroduce_pr, h.reintroduce_added,
                        h.reintroduce_time, h.duplicate_id)


@suite.case
def gitlab_merge_request_numbers(world):
    w = world.work()
    h = generate_audit_history(w, target_commits=200, style="gitlab", seed=3)
    r = audit(world, w, expect=1)
    check_names_culprit(world, w, r, lines_of(r), h.culprit_merge, h.culprit_pr, h.culprit_added, h.culprit_time,
                        h.duplicate_id)
    check("See merge request league/basketball-api!" in w.git("log", "-1", "--format=%B", h.culprit_merge).stdout,
          "setup: the GitLab message")


@suite.case
def parenthesised_pr_numbers(world):
    w = world.work()
    h = generate_audit_history(w, target_commits=200, style="squash-title", seed=4)
    r = audit(world, w, expect=1)
    check_names_culprit(world, w, r, lines_of(r), h.culprit_merge, h.culprit_pr, h.culprit_added, h.culprit_time,
                        h.duplicate_id)


@suite.case
def merge_without_a_number_and_problem_committed_on_the_mainline(world):
    """A merge whose message has no number: pr null. A problem committed straight on the
    mainline: merge null, pr null, introduced_by that commit."""
    w = world.work()
    f = FastHistory(project_files())
    f.main_commit("Add 001", {f"{VERSIONS}/001_create_teams.py": migration_text("001", None, "create_teams")})
    f.main_commit("Add 002", {f"{VERSIONS}/002_create_players.py": migration_text("002", "001", "create_players")})
    br = f.branch("topic", [("Add 003 (arena)", {f"{VERSIONS}/003_create_arenas.py":
                                                 migration_text("003", "002", "create_arenas")}, ())])
    f.main_commit("Add 003 (games)", {f"{VERSIONS}/003_create_games.py": migration_text("003", "002", "create_games")})
    merge = f.merge(br, "Merge branch 'topic'\n")
    for i in range(5):
        f.main_commit(f"Tweak {i}", {"app/tweak.py": f"X = {i}\n"})
    f.main_commit("Add 004 on 001 (a second head, committed on main)",
                           {f"{VERSIONS}/004_create_seasons.py": migration_text("004", "001", "create_seasons")})
    f.main_commit("More", {"app/tweak.py": "X = 9\n"})
    marks = f.load(w)
    w.git("checkout", "-q", "-f", "main")
    r = audit(world, w, expect=1)
    objs = lines_of(r)
    dup = [o for o in objs if o["problem"]["code"] == "duplicate-revision"]
    check(len(dup) == 1, f"one duplicate-revision line: {objs}", r)
    check(dup[0]["merge"] == marks[merge] and dup[0]["pr"] is None,
          f"a merge without a number: merge {marks[merge]}, pr null; got {dup[0]['merge']}, {dup[0]['pr']!r}", r)
    check(dup[0]["introduced_by"] == marks[br[1][0]], "the branch commit that added 003_create_arenas.py", r)
    check(epoch(dup[0]["since"]) == f.times[merge], "since: the merge's time", r)
    # multiple-heads: stood since the merge (003, 003 counted twice), not since the direct commit.
    mh = [o for o in objs if o["problem"]["code"] == "multiple-heads"]
    check(len(mh) == 1 and mh[0]["merge"] == marks[merge], f"multiple-heads stands since the merge: {mh}", r)
    # The same history cut before the merge, with only the direct commit's fork: merge null.
    w2 = world.work()
    g = FastHistory(project_files())
    g.main_commit("Add 001", {f"{VERSIONS}/001_create_teams.py": migration_text("001", None, "create_teams")})
    g.main_commit("Add 002", {f"{VERSIONS}/002_create_players.py": migration_text("002", "001", "create_players")})
    d = g.main_commit("Add 003 on 001 (a second head, committed on main)",
                      {f"{VERSIONS}/003_create_games.py": migration_text("003", "001", "create_games")})
    g.main_commit("More", {"app/tweak.py": "X = 9\n"})
    gm = g.load(w2)
    w2.git("checkout", "-q", "-f", "main")
    r = audit(world, w2, expect=1)
    objs = lines_of(r)
    check(len(objs) == 1 and objs[0]["problem"]["code"] == "multiple-heads", f"one multiple-heads line: {objs}", r)
    o = objs[0]
    check(o["merge"] is None and o["pr"] is None, f"committed on the mainline: merge and pr null, got {o}", r)
    check(o["introduced_by"] == gm[d], f"introduced_by the mainline commit {gm[d]}, got {o['introduced_by']}", r)
    check(epoch(o["since"]) == g.times[d], "since: that commit's time", r)


@suite.case
def nested_merge_names_the_commit_that_added_the_file(world):
    """The duplicate came in on a sub-branch merged into the pull request's branch, which was then
    merged into main: introduced_by is the commit that added the file (what `git log
    --diff-filter=A` names), not the merge inside the pull request's branch."""
    bare = world.bare()
    w = incident_setup(world, bare, install=False)      # main: #335 merged (031 team logo)
    w.checkout("sub", new=True, start="main~1")
    w.add_migration("031", "030", "add_player_height", annotated=True)
    added = w.commit("Add player height (031)")
    w.checkout("feature", new=True, start="main~1")
    w.write("app/feature.py", "F = 1\n")
    w.commit("Feature work")
    w.git("merge", "-q", "--no-ff", "-m", "Merge branch 'sub' into feature", "sub")
    w.write("app/feature.py", "F = 2\n")
    w.commit("More feature work")
    w.checkout("main")
    merge = w.merge("feature", "Merge pull request #900 from league/feature")
    r = audit(world, w, expect=1)
    dup = [o for o in lines_of(r) if o["problem"]["code"] == "duplicate-revision"]
    check(len(dup) == 1 and dup[0]["merge"] == merge and dup[0]["pr"] == 900, f"merge #900: {dup}", r)
    check(dup[0]["introduced_by"] == added,
          f"introduced_by {dup[0]['introduced_by']} is not {added}, the commit that added "
          f"{PR_B_FILE} (git log --diff-filter=A)", r)


PR_B_FILE = f"{VERSIONS}/031_add_player_height.py"


@suite.case
def clean_history_and_errors(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    r = audit(world, w, expect=0)
    check(lines_of(r) == [], "a clean history: nothing stands", r)
    incident_second_merge(w)
    r = audit(world, w, expect=1)
    objs = lines_of(r)
    check(all(o["pr"] == 336 and o["merge"] == w.head() for o in objs),
          f"the incident: merge of #336 (HEAD), got {[(o['merge'], o['pr']) for o in objs]}", r)
    r = world.guard("audit", "no-such-ref", cwd=w.path)
    check(r.returncode == 2, "audit of an unknown REF exits 2", r)
    r = world.guard("audit", "--since", "no-such-rev", cwd=w.path)
    check(r.returncode == 2, "audit --since an unknown REV exits 2", r)
    r = world.guard("audit", "--format", "yaml", cwd=w.path)
    check(r.returncode == 2, "audit --format yaml exits 2", r)


if __name__ == "__main__":
    sys.exit(suite.main())
