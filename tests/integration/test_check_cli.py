#!/usr/bin/env python3
"""`check` and `heads` driven through the built binary: exit codes 0/1/2, the JSON document of
design.md, --repo, --worktree, --format github, and clear errors for bad input."""

import json
import subprocess
import sys

from fixtures import FILE_A, FILE_B, Suite, check, check_in, incident_second_merge, incident_setup

suite = Suite("check and heads")


def broken_work(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    incident_second_merge(w)
    return w


@suite.case
def clean_history_exits_0_and_reports_one_head(world):
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    r = world.guard("check", "--repo", w.path, "--format", "json")
    check(r.returncode == 0, "check of a clean history must exit 0", r)
    doc = json.loads(r.stdout)
    check(doc["ok"] is True and doc["commit"] == w.head(), "ok/commit fields", r)
    env = doc["environments"][0]
    check(env["heads"] == ["031"] and env["head_count"] == 1 and env["bases"] == ["001"], "heads/bases", r)
    check(env["version_locations"] == ["alembic/versions"] and env["config"] == "alembic.ini", "locations", r)
    check(env["problems"] == [], "no problems", r)


@suite.case
def the_incident_exits_1_with_both_files_and_the_parent(world):
    w = broken_work(world)
    r = world.guard("check", "--format", "json", cwd=w.path)
    check(r.returncode == 1, "check of the incident must exit 1", r)
    env = json.loads(r.stdout)["environments"][0]
    check(env["heads"] == ["031"] and env["head_count"] == 2, "heads ['031'] counted twice", r)
    codes = sorted(p["code"] for p in env["problems"])
    check(codes == ["duplicate-revision", "multiple-heads"], f"codes {codes}", r)
    dup = next(p for p in env["problems"] if p["code"] == "duplicate-revision")
    check(sorted(dup["files"]) == sorted([FILE_A, FILE_B]), "duplicate names both files", r)
    check(all(l["down_revision"] == "030" and l["line"] > 0 for l in dup["locations"]), "locations carry 030", r)
    text = world.guard("check", cwd=w.path)
    check_in("'030'", text.stdout, "text output", text)
    check_in("FAILED", text.stdout, "text output", text)


@suite.case
def an_older_revision_and_the_worktree_are_judged_separately(world):
    w = broken_work(world)
    r = world.guard("check", "HEAD^1", cwd=w.path)
    check(r.returncode == 0, "the first parent (one 031) is clean", r)
    w.git("reset", "-q", "--hard", "HEAD^1")
    w.write("alembic/versions/031_dup.py", "revision = '031'\ndown_revision = '030'\n")
    disk = world.guard("check", "--worktree", cwd=w.path)
    check(disk.returncode == 1, "--worktree sees the uncommitted duplicate", disk)
    commit = world.guard("check", cwd=w.path)
    check(commit.returncode == 0, "HEAD does not have it", commit)
    plain = world.guard("check", "--worktree", w.path / "alembic" / "..", "--format", "json")
    check(plain.returncode == 1 and json.loads(plain.stdout)["commit"] is None, "a plain directory", plain)


@suite.case
def heads_prints_each_head_once(world):
    w = broken_work(world)
    r = world.guard("heads", cwd=w.path)
    check(r.returncode == 0 and r.stdout.strip() == "031 (head)", "heads output", r)
    check(r.stderr == "", "nothing to explain", r)


@suite.case
def heads_prints_branch_labels_as_real_alembic_does(world):
    w = broken_work(world)
    root = w.path / "labelled"
    (root / "db" / "versions").mkdir(parents=True)
    (root / "db" / "env.py").write_text("")
    (root / "alembic.ini").write_text("[alembic]\nscript_location = db\n")
    files = {"a1": ("None", None), "e1": ("'a1'", "('expand',)"), "c1": ("'a1'", "('contract', 'c')"),
             "x1": ("None", None)}
    for rev, (down, labels) in files.items():
        text = f"revision = '{rev}'\ndown_revision = {down}\n"
        if labels:
            text += f"branch_labels = {labels}\n"
        (root / "db" / "versions" / f"{rev}.py").write_text(text)
    real = subprocess.run(["/usr/bin/python3", "-m", "alembic", "heads"], cwd=root, capture_output=True, text=True)
    check(real.returncode == 0, f"real alembic heads: {real.stderr}")
    r = world.guard("heads", "--worktree", root)
    check(r.returncode == 0, "heads", r)
    # Alembic keeps a revision's labels in a set: their order changes from run to run (string
    # hashing), so lines are compared with the labels sorted.
    def normalized(text):
        out = []
        for line in text.splitlines():
            rev, _, rest = line.partition(" (")
            labels = rest[:-len(") (head)")].split(", ") if rest.endswith(") (head)") and rest != "head)" else []
            out.append((rev, sorted(labels), line.endswith(" (head)")))
        return sorted(out)

    check(normalized(r.stdout) == normalized(real.stdout), f"the same lines as Alembic 1.8.1's heads:\n{real.stdout}", r)
    check_in("c1 (contract, c) (head)", r.stdout, "labels in Alembic's form", r)


@suite.case
def heads_says_when_there_is_no_environment_or_no_revision(world):
    w = broken_work(world)
    empty = w.path / "empty"
    empty.mkdir()
    r = world.guard("heads", "--worktree", empty)
    check(r.returncode == 0 and r.stdout == "", "no heads printed", r)
    check_in("no Alembic environment found", r.stderr, "no environment: said on stderr", r)
    (empty / "migrations" / "versions").mkdir(parents=True)
    (empty / "migrations" / "env.py").write_text("")
    r = world.guard("heads", "--worktree", empty)
    check(r.returncode == 0 and r.stdout == "", "an empty environment has no head", r)
    check_in("environment migrations has no revision in migrations/versions", r.stderr, "no revision: said", r)


@suite.case
def github_format_prints_annotations_with_file_and_line(world):
    w = broken_work(world)
    r = world.guard("check", "--format", "github", cwd=w.path)
    check(r.returncode == 1, "exit 1", r)
    check_in(f"::error file={FILE_B},line=", r.stdout, "annotations", r)


@suite.case
def usage_errors_and_unreadable_input_exit_2_with_a_clear_line(world):
    w = broken_work(world)
    cases = [
        (["check", "--format", "xml"], "format"),
        (["no-such-command"], "no-such-command"),
        ([], "subcommand"),
        (["check", "no-such-rev"], "no-such-rev"),
        (["check", "--repo", str(world.root / "nowhere")], "nowhere"),
        (["check", "--worktree", str(world.root / "missing-dir")], "missing-dir"),
    ]
    for args, needle in cases:
        r = world.guard(*args, cwd=w.path)
        check(r.returncode == 2, f"{args} must exit 2", r)
        check(needle in (r.stdout + r.stderr), f"{args}: the message names {needle!r}", r)
        check("Traceback" not in r.stderr and "terminate called" not in r.stderr, "no crash text", r)


@suite.case
def no_environment_is_said_plainly(world):
    w = world.work(world.bare())
    w.write("README.md", "nothing here\n")
    w.commit("no alembic")
    r = world.guard("check", cwd=w.path)
    check(r.returncode == 0, "exit 0", r)
    check_in("no Alembic environment found", r.stdout, "text output", r)


sys.exit(suite.main())
