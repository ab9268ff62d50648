#!/usr/bin/env python3
"""Which Alembic the guard judges as, through real pushes: the project's pin (requirements.txt,
uv.lock) at the pushed ref's OLD tip, the newest known when nothing pins one, the operator's
alembicGuard.alembicVersion over both; and what changes with it: sub-directories read with
recursive_version_locations (1.10+), ':' refused in revision IDs (1.17.1+). Real Alembic 1.8.1
(the system's) confirms the 1.8 judgement of the same tree."""

import json
import subprocess
import sys

from fixtures import Suite, check, check_accepted, check_in, check_rejected, install_guard
from alembic_projects import ALEMBIC_INI, migration_text

suite = Suite("Alembic version: pins, operator, sub-directories and ID rules")

RECURSIVE_INI = ALEMBIC_INI.replace("prepend_sys_path = .\n", "prepend_sys_path = .\nrecursive_version_locations = true\n")


def guarded(world, pin=None, recursive=False):
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    if pin:
        w.write("requirements.txt", f"SQLAlchemy==2.0.36\nalembic=={pin}\n")
    if recursive:
        w.write("alembic.ini", RECURSIVE_INI)
    if pin or recursive:
        w.commit("pin and settings")
    check(w.push("main").ok, "initial push failed")
    install_guard(world, bare.path, "pre-receive")
    return bare, w


def second_head_in_subdirectory(w):
    # 031 on 030 beside the existing chain's 031? No: the chain ends at 030; two new files on 030
    # in versions/2026/ are two heads only for an Alembic that reads sub-directories.
    w.write("alembic/versions/2026/031_a.py", migration_text("031", "030", "add a"))
    w.write("alembic/versions/2026/032_b.py", migration_text("032", "030", "add b"))
    w.commit("two migrations on 030 in a sub-directory")


def system_alembic_heads(w):
    r = subprocess.run(["/usr/bin/python3", "-m", "alembic", "heads"], cwd=w.path, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


@suite.case
def a_second_head_in_a_subdirectory_is_rejected_when_the_pinned_alembic_reads_it(world):
    bare, w = guarded(world, pin="1.13.2", recursive=True)
    second_head_in_subdirectory(w)
    r = w.push("main")
    check_rejected(r, "two heads in versions/2026/ with recursive_version_locations under Alembic 1.13.2")
    check_in("032", r.remote_text, "the rejection names the new head", r)
    check_in("alembic/versions/2026/", r.remote_text, "and its file", r)


@suite.case
def alembic_before_1_10_ignores_subdirectories_as_real_alembic_1_8_does(world):
    bare, w = guarded(world, pin="1.9.4", recursive=True)
    second_head_in_subdirectory(w)
    check_accepted(w.push("main"), "Alembic 1.9 does not read sub-directories: the history has one head")
    # The same tree under the system's real Alembic 1.8.1: one head, 030.
    w.write("requirements.txt", "alembic==1.8.1\n")
    rc, out = system_alembic_heads(w)
    check(rc == 0 and "030 (head)" in out and "031" not in out, f"real Alembic 1.8.1 sees only 030: {out}")
    r = world.guard("check", "--worktree", "--format", "json", cwd=w.path)
    env = json.loads(r.stdout)["environments"][0]
    check(env["heads"] == ["030"] and env["alembic"] == {"version": "1.8.1", "from": "requirements.txt"},
          "check judges as the pinned 1.8.1 and agrees", r)


@suite.case
def a_pin_changed_in_the_same_push_applies_from_the_next(world):
    bare, w = guarded(world, pin="1.9.4", recursive=True)
    w.write("requirements.txt", "alembic==1.18.4\n")
    second_head_in_subdirectory(w)
    check_accepted(w.push("main"), "judged as 1.9.4, the pin at the old tip (a push cannot choose its own rules)")
    w.write("alembic/versions/2026/033_c.py", migration_text("033", "030", "add c"))
    w.commit("a third migration on 030")
    r = w.push("main")
    check_rejected(r, "now the old tip pins 1.18.4, which reads versions/2026/")


@suite.case
def the_operator_setting_replaces_the_pin(world):
    bare, w = guarded(world, pin="1.18.4", recursive=True)
    bare.config("alembicGuard.alembicVersion", "1.9")
    second_head_in_subdirectory(w)
    check_accepted(w.push("main"), "alembicGuard.alembicVersion = 1.9 over the project's 1.18.4")


@suite.case
def a_colon_in_a_revision_id_is_refused_from_alembic_1_17_1(world):
    bare, w = guarded(world, pin="1.17.0")
    w.write("alembic/versions/031_colon.py", migration_text("a:31", "030", "colon"))
    w.commit("revision a:31")
    check_accepted(w.push("main"), "Alembic 1.17.0 accepts ':'")
    w.write("requirements.txt", "alembic==1.17.1\n")
    w.commit("pin 1.17.1")
    check_accepted(w.push("main"), "the pin alone: the ID was already there")
    w.write("alembic/versions/032_colon.py", migration_text("b:32", "a:31", "colon"))
    w.commit("revision b:32")
    r = w.push("main")
    check_rejected(r, "a new ID with ':' under 1.17.1")
    check_in("invalid-revision-id", r.remote_text, "the problem code", r)
    r = world.guard("check", "--format", "json", cwd=w.path)
    codes = [p["code"] for p in json.loads(r.stdout)["environments"][0]["problems"]]
    check(codes.count("invalid-revision-id") == 2, f"check names both IDs: {codes}", r)


@suite.case
def check_reports_the_alembic_it_judged_as(world):
    bare, w = guarded(world)
    r = world.guard("check", "--format", "json", cwd=w.path)
    env = json.loads(r.stdout)["environments"][0]
    check(env["alembic"]["from"] is None, "no pin: from is null", r)
    r = world.guard("check", cwd=w.path)
    check_in("none pinned: the newest the guard knows", r.stdout, "the text header says so", r)
    w.write("uv.lock", 'version = 1\n\n[[package]]\nname = "alembic"\nversion = "1.13.2"\n')
    r = world.guard("check", "--worktree", "--format", "json", cwd=w.path)
    check(json.loads(r.stdout)["environments"][0]["alembic"] == {"version": "1.13.2", "from": "uv.lock"},
          "uv.lock's locked version", r)
    r = world.guard("check", "--worktree", "--alembic-version", "1.8.1", cwd=w.path)
    check_in("Alembic 1.8.1 from --alembic-version", r.stdout, "the option wins over the lock", r)
    r = world.guard("check", "--alembic-version", "2.0", cwd=w.path)
    check(r.returncode == 2, "a version that is not 1.X[.Y] is a usage error", r)


@suite.case
def check_merge_and_audit_take_the_same_option(world):
    bare, w = guarded(world, pin="1.18.4", recursive=True)
    base = w.head()
    w.git("checkout", "-q", "-b", "feature")
    second_head_in_subdirectory(w)
    r = world.guard("check-merge", base, "feature", cwd=w.path)
    check(r.returncode == 1, "check-merge judges as the pinned 1.18.4: the sub-directory adds a head", r)
    r = world.guard("check-merge", "--alembic-version", "1.9", base, "feature", cwd=w.path)
    check(r.returncode == 0, "as Alembic 1.9 the sub-directory is not read", r)
    r = world.guard("audit", "--alembic-version", "1.9", "feature", cwd=w.path)
    check(r.returncode == 0, "audit as Alembic 1.9 finds nothing standing", r)
    r = world.guard("audit", "feature", cwd=w.path)
    check(r.returncode == 1, "audit as the pinned 1.18.4 finds the heads", r)
    for command in ("check-merge", "audit"):
        r = world.guard(command, "--alembic-version", "two", "HEAD", cwd=w.path)
        check(r.returncode == 2, f"{command}: a version that is not 1.X[.Y] is a usage error", r)



@suite.case
def pre_push_takes_the_option_under_the_operators_setting(world):
    bare, w = guarded(world, pin="1.18.4", recursive=True)
    base = w.head()
    second_head_in_subdirectory(w)
    lines = f"refs/heads/main {w.head()} refs/heads/main {base}\n"
    r = world.guard("pre-push", "origin", str(bare.path), input=lines, cwd=w.path)
    check(r.returncode == 1 and "032" in r.stderr, "as the pinned 1.18.4 the sub-directory adds a head", r)
    r = world.guard("pre-push", "--alembic-version", "1.9", "origin", str(bare.path), input=lines, cwd=w.path)
    check(r.returncode == 0, "--alembic-version 1.9: the sub-directory is not read", r)
    w.git("config", "alembicGuard.alembicVersion", "1.13.2")
    r = world.guard("pre-push", "--alembic-version", "1.9", "origin", str(bare.path), input=lines, cwd=w.path)
    check(r.returncode == 1, "the repository's alembicGuard.alembicVersion (1.13.2) wins over the option", r)
    r = world.guard("pre-push", "--alembic-version", "1.x", "origin", input=lines, cwd=w.path)
    check(r.returncode == 2, "a version that is not 1.X[.Y] is a usage error", r)


if __name__ == "__main__":
    sys.exit(suite.main())
