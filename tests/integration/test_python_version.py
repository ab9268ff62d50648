#!/usr/bin/env python3
"""Which Python the guard judges migrations by, through real pushes: the project's declaration
(.python-version) at the pushed ref's OLD tip, the oldest grammar known when none is declared,
the operator's alembicGuard.pythonVersion over both, and `check`'s report of it (text header and
JSON environments[].python)."""

import json
import sys

from fixtures import Suite, check, check_accepted, check_in, check_rejected, install_guard

suite = Suite("Python version: declared, undeclared, operator, and a push's old tip")

# A PEP 701 f-string: Python 3.12 compiles it, 3.11 refuses it.
PEP701 = '''"""add x"""
revision = "031"
down_revision = "030"
branch_labels = None
depends_on = None
LABEL = "a"
TITLE = f"{LABEL + "b"}"


def upgrade():
    pass


def downgrade():
    pass
'''


def guarded(world):
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    check(w.push("main").ok, "initial push failed")
    install_guard(world, bare.path, "pre-receive")
    return bare, w


def add_pep701(w):
    w.write("alembic/versions/031_add_title.py", PEP701)


@suite.case
def undeclared_project_is_judged_by_the_oldest_grammar(world):
    bare, w = guarded(world)
    add_pep701(w)
    w.commit("a 3.12 f-string, no declared Python")
    r = w.push("main")
    check_rejected(r, "a PEP 701 f-string in an undeclared project")
    check_in("Python 3.11 cannot compile it", r.remote_text, "the rejection names the Python", r)


@suite.case
def declaring_the_python_in_the_same_push_applies_from_the_next(world):
    bare, w = guarded(world)
    w.write(".python-version", "3.12\n")
    add_pep701(w)
    w.commit("declare 3.12 and use it at once")
    check_rejected(w.push("main"), "the declaration is read at the old tip, which declares none")
    w.git("reset", "-q", "--hard", "HEAD~1")
    w.write(".python-version", "3.12\n")
    w.commit("declare Python 3.12")
    check_accepted(w.push("main"), "the declaration alone")
    add_pep701(w)
    w.commit("a 3.12 f-string")
    check_accepted(w.push("main"), "the f-string, now that the old tip declares 3.12")


@suite.case
def the_operator_setting_replaces_the_project_declaration(world):
    bare, w = guarded(world)
    w.write(".python-version", "3.12\n")
    w.commit("declare Python 3.12")
    check_accepted(w.push("main"), "the declaration")
    bare.config("alembicGuard.pythonVersion", "3.11")
    add_pep701(w)
    w.commit("a 3.12 f-string")
    r = w.push("main")
    check_rejected(r, "alembicGuard.pythonVersion = 3.11 over the project's 3.12")
    check_in("Python 3.11 cannot compile it", r.remote_text, "the rejection", r)


@suite.case
def check_reports_the_python_it_judged_by(world):
    bare, w = guarded(world)
    w.write("pyproject.toml", '[project]\nname = "app"\nrequires-python = ">=3.12,<4"\n')
    add_pep701(w)
    w.commit("requires-python >= 3.12 and a 3.12 f-string")
    r = world.guard("check", "--format", "json", cwd=w.path)
    check(r.returncode == 0, "check of a project requiring 3.12 should pass", r)
    env = json.loads(r.stdout)["environments"][0]
    check(env["python"] == {"version": "3.12", "from": "pyproject.toml"}, "environments[].python", r)
    r = world.guard("check", cwd=w.path)
    check_in("Python 3.12 from pyproject.toml", r.stdout, "the text header", r)
    r = world.guard("check", "--python-version", "3.11", cwd=w.path)
    check(r.returncode == 1, "--python-version 3.11 judges the f-string by 3.11", r)
    r = world.guard("check", "--python-version", "three", cwd=w.path)
    check(r.returncode == 2, "a version that is not X.Y is a usage error", r)


if __name__ == "__main__":
    sys.exit(suite.main())
