#!/usr/bin/env python3
"""`alembic-guard check-merge BASE CANDIDATE...` as a merge queue / merge train uses it: each
candidate merged in turn onto the result so far, in memory, judged against the result before it;
a failing candidate (a problem, or a textual conflict reported as `merge-conflict`) is left out of
the result so far. Real repositories with the incident history (001..030); a snapshot of .git
before and after proves nothing is written to objects, refs, logs or the index."""

import json
import re
import sys

from fixtures import Suite, check, check_in, check_unchanged, environment_name, snapshot

suite = Suite("check-merge (merge queue / merge train)")

KEYS = {"ref", "old", "new", "ok", "introduced", "heads_before", "heads_after", "environments"}
OID = re.compile(r"^[0-9a-f]{40}$")

README_V1 = "# basketball-api\n\nStats API for the league.\n"


def queue_repo(world):
    """A work repository on `main` with the clean history 001..030 (head 030)."""
    w = world.work()
    w.build_incident_history()
    global ENV
    ENV = environment_name(world, w.path)
    return w


ENV = None   # the environment's display name, as `check` gives it


def json_lines(r):
    out = []
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def check_merge(world, w, base, *candidates, fmt="json", expect=None, cwd=None):
    args = ["check-merge", base, *candidates]
    if fmt:
        args += ["--format", fmt]
    if cwd is None:
        args += ["--repo", w.path]
    r = world.guard(*args, cwd=cwd)
    if expect is not None:
        check(r.returncode == expect, f"check-merge should exit {expect}", r)
    check("Traceback" not in r.stderr and "terminate called" not in r.stderr, "check-merge crashed", r)
    return r


def verdicts(world, w, base, *candidates, expect=None):
    r = check_merge(world, w, base, *candidates, expect=expect)
    lines = json_lines(r)
    check(len(lines) == len(candidates), f"expected one JSON line per candidate ({len(candidates)}), got {len(lines)}", r)
    for cand, obj in zip(candidates, lines):
        check(KEYS <= set(obj), f"JSON object lacks {sorted(KEYS - set(obj))}", r)
        check(obj["ref"] == cand, f"ref {obj['ref']!r} is not the candidate as given ({cand!r})", r)
    return r, lines


def codes(obj):
    return sorted(p["code"] for p in obj["introduced"])


@suite.case
def train_of_three_third_adds_duplicate_id(world):
    w = queue_repo(world)
    base = w.head("main")
    c1 = w.make_branch("pr-335-team-logo", "Add team logo (031)", migrations=[("031", "030", "add_team_logo")])
    w.make_branch("pr-340-docs", "Document the stats endpoints", files={"docs/stats.md": "# Stats\n"})
    w.make_branch("pr-336-player-height", "Add player height (031)",
                  migrations=[("031", "030", "add_player_height")])
    r, (a, b, c) = verdicts(world, w, "main", "pr-335-team-logo", "pr-340-docs", "pr-336-player-height", expect=1)
    check([a["ok"], b["ok"], c["ok"]] == [True, True, False], "verdicts should be ok, ok, FAILED", r)
    check(a["old"] == base, "the first candidate is judged against BASE", r)
    check(b["old"] == a["new"] and c["old"] == b["new"], "each candidate is judged against the result so far", r)
    check(all(OID.match(o["old"]) and OID.match(o["new"]) for o in (a, b, c)), "old/new are full commit IDs", r)
    check(a["heads_before"] == {ENV: ["030"]} and a["heads_after"] == {ENV: ["031"]},
          f"heads of the first candidate: {a['heads_before']} -> {a['heads_after']}", r)
    check(b["heads_before"] == b["heads_after"] == {ENV: ["031"]}, "the docs-only candidate changes no head", r)
    check("duplicate-revision" in codes(c), f"the third candidate must introduce duplicate-revision, got {codes(c)}", r)
    dup = next(p for p in c["introduced"] if p["code"] == "duplicate-revision")
    check(dup.get("environment") == ENV, "each introduced problem names its environment", r)
    check(dup.get("revisions") == ["031"], f"duplicate of 031, got {dup.get('revisions')}", r)
    check(sorted(dup.get("files", [])) == sorted(["alembic/versions/031_add_player_height.py",
                                                 "alembic/versions/031_add_team_logo.py"]),
          "the duplicate names both files", r)
    check(a["introduced"] == [] and b["introduced"] == [], "passing candidates introduce nothing", r)
    # Text: the failing candidate by name, the problem, both files; exit 1.
    t = check_merge(world, w, "main", "pr-335-team-logo", "pr-340-docs", "pr-336-player-height", fmt=None, expect=1)
    for needle in ("pr-336-player-height", "duplicate-revision", "031_add_team_logo.py", "031_add_player_height.py"):
        check_in(needle, t.stdout + t.stderr, "the text report", t)
    # The first candidate alone is fine; a base and a single good candidate exit 0.
    check_merge(world, w, base, c1, expect=0)


@suite.case
def two_candidates_fine_alone_add_a_head_together(world):
    w = queue_repo(world)
    w.make_branch("pr-401", "Add arena surface", migrations=[("a1b2c3d4e5f6", "030", "add_arena_surface")])
    w.make_branch("pr-402", "Add coach salary", migrations=[("0f9e8d7c6b5a", "030", "add_coach_salary")])
    for alone in ("pr-401", "pr-402"):
        r, (obj,) = verdicts(world, w, "main", alone, expect=0)
        check(obj["ok"] is True, f"{alone} alone should pass", r)
    r, (a, b) = verdicts(world, w, "main", "pr-401", "pr-402", expect=1)
    check(a["ok"] is True and b["ok"] is False, "together: the second one fails", r)
    check("multiple-heads" in codes(b), f"the second must introduce multiple-heads, got {codes(b)}", r)
    check(b["heads_before"] == {ENV: ["a1b2c3d4e5f6"]}, f"heads before: {b['heads_before']}", r)
    check(sorted(b["heads_after"].get(ENV, [])) == ["0f9e8d7c6b5a", "a1b2c3d4e5f6"],
          f"heads after: {b['heads_after']}", r)
    env = next((e for e in b["environments"] if e.get("name") == ENV), None)
    check(env is not None and env.get("head_count_before") == 1 and env.get("head_count_after") == 2,
          f"environments[] head counts 1 -> 2: {b['environments']}", r)
    # The other order fails the other one: the verdict depends on the landing order.
    r, (a, b) = verdicts(world, w, "main", "pr-402", "pr-401", expect=1)
    check(a["ok"] is True and b["ok"] is False and b["ref"] == "pr-401", "reversed order: pr-401 fails", r)


@suite.case
def textual_conflict_is_a_merge_conflict_problem(world):
    w = queue_repo(world)
    w.make_branch("pr-501", "Say what the API serves", files={"README.md": README_V1.replace("Stats API", "Statistics API")})
    w.make_branch("pr-502", "Rename the service", files={"README.md": README_V1.replace("Stats API", "Scores API")})
    r, (a, b) = verdicts(world, w, "main", "pr-501", "pr-502", expect=1)
    check(a["ok"] is True and b["ok"] is False, "the second edit of the same line conflicts", r)
    check(codes(b) == ["merge-conflict"], f"a textual conflict is reported as merge-conflict, got {codes(b)}", r)
    problem = b["introduced"][0]
    check("README.md" in json.dumps(problem), f"the merge-conflict problem names README.md: {problem}", r)
    t = check_merge(world, w, "main", "pr-501", "pr-502", fmt=None, expect=1)
    check_in("README.md", t.stdout + t.stderr, "the text report", t)
    check_in("merge-conflict", t.stdout + t.stderr, "the text report", t)


@suite.case
def conflict_in_a_migration_file(world):
    """Two candidates editing the same migration's body: a textual conflict there too."""
    w = queue_repo(world)
    path = "alembic/versions/030_add_game_attendance.py"
    text = (w.path / path).read_text()
    w.make_branch("pr-601", "Attendance is an integer", files={path: text.replace("sa.String(length=64)", "sa.Integer()")})
    w.make_branch("pr-602", "Attendance is a bigint", files={path: text.replace("sa.String(length=64)", "sa.BigInteger()")})
    r, (a, b) = verdicts(world, w, "main", "pr-601", "pr-602", expect=1)
    check(a["ok"] is True and b["ok"] is False and codes(b) == ["merge-conflict"],
          f"second edit of the same migration line: merge-conflict, got {codes(b)}", r)
    check(path in json.dumps(b["introduced"][0]), "the problem names the migration file", r)


@suite.case
def ejected_candidate_is_left_out_of_the_result(world):
    """c2 is ejected (missing revision, and it edits README's line); c3 adds 032 on 031 and edits
    the same README line. Had c2 stayed, c3 would bring a second 032 and a textual conflict: c3
    passing proves it was judged against the result WITHOUT c2."""
    w = queue_repo(world)
    w.make_branch("c1", "Add team logo (031)", migrations=[("031", "030", "add_team_logo")])
    w.make_branch("c2", "Add player weight on a revision nobody has",
                  migrations=[("032", "029x", "add_player_weight")],
                  files={"README.md": README_V1.replace("Stats API", "Weights API")})
    w.make_branch("c3", "Add player height (032)", migrations=[("032", "031", "add_player_height")],
                  files={"README.md": README_V1.replace("Stats API", "Heights API")}, start="c1")
    r, (a, b, c) = verdicts(world, w, "main", "c1", "c2", "c3", expect=1)
    check([a["ok"], b["ok"], c["ok"]] == [True, False, True], "verdicts should be ok, FAILED, ok", r)
    check("missing-revision" in codes(b), f"c2 introduces missing-revision, got {codes(b)}", r)
    check(c["old"] == a["new"], "c3 must be judged against the result after c1 (c2 ejected)", r)
    check(b["old"] == a["new"], "c2 was judged against the result after c1", r)
    check(c["heads_before"] == {ENV: ["031"]} and c["heads_after"] == {ENV: ["032"]},
          f"c3 heads {c['heads_before']} -> {c['heads_after']}", r)
    # And the good candidate after an ejected textual conflict.
    w.make_branch("d1", "Say what the API serves", files={"README.md": README_V1.replace("Stats API", "Statistics API")})
    w.make_branch("d2", "Rename the service", files={"README.md": README_V1.replace("Stats API", "Scores API")})
    w.make_branch("d3", "Add team logo (031)", migrations=[("031", "030", "add_team_logo")])
    r, (a, b, c) = verdicts(world, w, "main", "d1", "d2", "d3", expect=1)
    check([a["ok"], b["ok"], c["ok"]] == [True, False, True], "verdicts should be ok, CONFLICT, ok", r)
    check(c["old"] == a["new"], "d3 judged against the result after d1 (d2 ejected)", r)


@suite.case
def nothing_is_written_to_the_repository(world):
    w = queue_repo(world)
    w.make_branch("c1", "Add team logo (031)", migrations=[("031", "030", "add_team_logo")])
    w.make_branch("c2", "Docs", files={"docs/a.md": "a\n"})
    w.make_branch("c3", "Add player height (031)", migrations=[("031", "030", "add_player_height")])
    w.make_branch("c4", "Say what the API serves", files={"README.md": README_V1.replace("Stats API", "Statistics API")})
    w.make_branch("c5", "Rename the service", files={"README.md": README_V1.replace("Stats API", "Scores API")})
    w.make_branch("c6", "Add player weight (032)", migrations=[("032", "031", "add_player_weight")], start="c1")
    w.git("gc", "-q")        # packed objects and refs, plus a few loose ones below
    w.make_branch("c7", "Add arena surface", migrations=[("a1b2c3d4e5f6", "030", "add_arena_surface")])
    dotgit = w.path / ".git"
    before = snapshot(dotgit)
    status_before = w.git("status", "--porcelain").stdout
    r, lines = verdicts(world, w, "main", "c1", "c2", "c3", "c4", "c5", "c6", "c7", expect=1)
    check([o["ok"] for o in lines] == [True, True, False, True, False, True, False],
          f"verdicts {[o['ok'] for o in lines]}", r)
    check_unchanged(before, snapshot(dotgit), r)
    check(w.git("status", "--porcelain").stdout == status_before, "the work tree changed", r)
    # The merged commits exist in memory only.
    for o in lines[1:]:
        if o["new"] not in (o["ref"], w.head(o["ref"])):
            e = w.git("cat-file", "-e", o["new"], check_ok=False)
            check(e.returncode != 0, f"merged commit {o['new']} of {o['ref']} was written to .git/objects", r)
    check_merge(world, w, "main", "c1", "c2", "c3", fmt=None, expect=1)
    check_unchanged(before, snapshot(dotgit))
    # A bare repository (a queue runner's mirror) behaves the same.
    bare = world.bare("mirror.git")
    w.git("push", "-q", bare.url, "refs/heads/*:refs/heads/*")
    before = bare.snapshot()
    r = world.guard("check-merge", "main", "c1", "c3", "--format", "json", cwd=bare.path)
    check(r.returncode == 1, "check-merge in a bare repository (cwd) should exit 1", r)
    check([o["ok"] for o in json_lines(r)] == [True, False], "bare: verdicts ok, FAILED", r)
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def json_shape_and_candidate_spellings(world):
    w = queue_repo(world)
    sha = w.make_branch("pr-701", "Add team logo (031)", migrations=[("031", "030", "add_team_logo")])
    w.make_branch("pr-702", "Add player height (032)", migrations=[("032", "031", "add_player_height")], start="pr-701")
    base = w.head("main")
    cands = [sha, "refs/heads/pr-702", "pr-702~0"]
    r, lines = verdicts(world, w, base[:12], *cands, expect=0)
    for o in lines:
        check(isinstance(o["ok"], bool) and o["ok"], "ok is a JSON boolean", r)
        check(isinstance(o["introduced"], list), "introduced is a list", r)
        for key in ("heads_before", "heads_after"):
            check(isinstance(o[key], dict) and all(isinstance(v, list) for v in o[key].values()),
                  f"{key} maps environment name -> list of heads", r)
        check(isinstance(o["environments"], list) and all("name" in e for e in o["environments"]),
              "environments is a list of objects with a name", r)
    check(lines[0]["old"] == base, "old of the first candidate is BASE resolved to a full commit ID", r)
    check(lines[2]["heads_before"] == lines[2]["heads_after"] == {ENV: ["032"]},
          "a candidate already merged changes nothing", r)
    # A failing candidate's introduced problems: code, message, environment.
    w.make_branch("pr-703", "Add player height (031)", migrations=[("031", "030", "add_player_height")])
    r, (a, b) = verdicts(world, w, "main", "pr-701", "pr-703", expect=1)
    for p in b["introduced"]:
        check({"code", "message", "environment"} <= set(p), f"problem lacks code/message/environment: {p}", r)
        check(p["environment"] == ENV, "environment name", r)
    # Every line is one JSON object; nothing else on stdout.
    check(all(l.startswith("{") for l in r.stdout.splitlines() if l.strip()), "stdout holds JSON Lines only", r)


@suite.case
def usage_and_guard_errors_exit_2(world):
    w = queue_repo(world)
    w.make_branch("c1", "Docs", files={"docs/a.md": "a\n"})
    for args, what in ((["check-merge", "main"], "no candidate"),
                       (["check-merge"], "no BASE"),
                       (["check-merge", "main", "no-such-branch"], "an unknown candidate"),
                       (["check-merge", "no-such-base", "c1"], "an unknown BASE"),
                       (["check-merge", "main", "c1", "--format", "yaml"], "an unknown format")):
        r = world.guard(*args, "--repo", w.path)
        check(r.returncode == 2, f"check-merge with {what} should exit 2", r)
        check("Traceback" not in r.stderr and r.stderr.strip() != "", f"{what}: a clear message on stderr", r)
    r = world.guard("check-merge", "main", "c1", "--repo", world.root / "not-a-repo")
    check(r.returncode == 2, "check-merge outside a repository should exit 2", r)


if __name__ == "__main__":
    sys.exit(suite.main())
