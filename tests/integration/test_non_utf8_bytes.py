#!/usr/bin/env python3
"""Bytes that are not UTF-8 in file names and revision IDs (issue 24, item 5): git stores names as
bytes and a migration may declare its ID in any codec, so every output must carry them: `check` in
text, JSON and GitHub form, the JSON Lines of pre-receive, pre-push, check-merge and audit, and the
result cache a push writes and reads back. A verdict is never turned into an internal error, so
`alembicGuard.onError = accept` cannot let a second head through unchecked.

JSON carries a byte that is not part of a UTF-8 character as \\udcXX (what Python's os.fsdecode
makes of it): the document is valid UTF-8, and os.fsencode() of a string gives the bytes back.
Output is compared as bytes here: World.run decodes text strictly, which these outputs would fail.
"""

import json
import os
import subprocess
import sys

from fixtures import Suite, check, check_in, check_not_in

suite = Suite("bytes that are not UTF-8")

# 'café' and 'déjà' in Latin-1: each accented letter one byte that starts no UTF-8 character.
CLEAN_NAME = b"alembic/versions/003_caf\xe9.py"
SECOND_HEAD_NAME = b"alembic/versions/004_d\xe9j\xe0.py"
# A cp1252 source file: Python decodes the raw byte (revision '003é'); a reader that keeps the
# bytes has an ID that is not UTF-8. Either way both files are one migration each.
CLEAN_SOURCE = (b"# -*- coding: cp1252 -*-\n"
                b'"""caf\xe9 menu"""\n'
                b"revision = '003\xe9'\n"
                b"down_revision = '002'\n"
                b"branch_labels = None\n"
                b"depends_on = None\n\n\n"
                b"def upgrade():\n    pass\n\n\n"
                b"def downgrade():\n    pass\n")
SECOND_HEAD_SOURCE = CLEAN_SOURCE.replace(b"003\xe9", b"004\xe0").replace(b"caf\xe9", b"d\xe9j\xe0")
# What the guard may hold for each revision: the file's bytes, or their cp1252 decoding.
CLEAN_IDS = {b"003\xe9", "003é".encode()}
SECOND_HEAD_IDS = {b"004\xe0", "004à".encode()}


class Bytes:
    def __init__(self, args, returncode, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr

    def describe(self):
        return (f"$ {' '.join(map(str, self.args))}\n[exit {self.returncode}]\n--- stdout ---\n"
                f"{self.stdout!r}\n--- stderr ---\n{self.stderr!r}")

    def remote_lines(self):
        return [l[len(b"remote:"):].strip() for l in self.stderr.splitlines() if l.startswith(b"remote:")]


def run_bytes(world, args, cwd, input=b"", env=None):
    e = dict(world.env)
    e.update(env or {})
    args = [world.git_exe if a == "git" else str(a) for a in args]
    p = subprocess.run(args, cwd=str(cwd), env=e, input=input, capture_output=True, timeout=120)
    return Bytes(args, p.returncode, p.stdout, p.stderr)


def guard(world, *args, cwd, input=b"", env=None):
    return run_bytes(world, [world.binary, *args], cwd, input, env)


def json_document(r):
    """The parsed document; fails unless stdout is strict UTF-8 and valid JSON."""
    try:
        return json.loads(r.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        check(False, f"stdout is not valid UTF-8 JSON: {e}", r)


def json_lines(r):
    try:
        return [json.loads(l) for l in r.stdout.decode("utf-8").splitlines() if l.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        check(False, f"stdout is not valid UTF-8 JSON Lines: {e}", r)


def check_no_internal_error(r, what):
    check(r.returncode in (0, 1), f"{what}: exit {r.returncode}, expected 0 or 1 (2 is the guard failing)", r)
    check(b"internal error" not in r.stderr and b"UNCHECKED" not in r.stderr, f"{what}: no internal error", r)


def write_bytes(work, name, data):
    path = os.path.join(os.fsencode(work.path), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def project(world, bare=None):
    """001 <- 002 <- 003é (the last under a Latin-1 file name), committed on main."""
    w = world.work(bare)
    w.write_project()
    w.add_migration("001", None, "create_teams")
    w.add_migration("002", "001", "create_players")
    w.commit("Two migrations")
    write_bytes(w, CLEAN_NAME, CLEAN_SOURCE)
    w.commit("A migration under a Latin-1 file name")
    return w


def add_second_head(w):
    """004à on 002 under another Latin-1 name: 003é and 004à are both heads."""
    write_bytes(w, SECOND_HEAD_NAME, SECOND_HEAD_SOURCE)
    return w.commit("A second head under a Latin-1 file name")


def files_of(problems):
    out = set()
    for p in problems:
        out.update(os.fsencode(f) for f in p.get("files", []))
        out.update(os.fsencode(l["file"]) for l in p.get("locations", []))
    return out


@suite.case
def check_json_carries_latin1_names_and_ids_recoverably(world):
    w = project(world)
    clean = guard(world, "check", "--format", "json", cwd=w.path)
    check_no_internal_error(clean, "check --format json of a clean history")
    check(clean.returncode == 0, "one head: exit 0", clean)
    env = json_document(clean)["environments"][0]
    check(len(env["heads"]) == 1 and os.fsencode(env["heads"][0]) in CLEAN_IDS,
          f"the head is 003é (as bytes or decoded), got {env['heads']}", clean)

    add_second_head(w)
    broken = guard(world, "check", "--format", "json", cwd=w.path)
    check_no_internal_error(broken, "check --format json of two heads")
    check(broken.returncode == 1, "two heads: exit 1", broken)
    env = json_document(broken)["environments"][0]
    check(env["head_count"] == 2, "two heads counted", broken)
    heads = {os.fsencode(h) for h in env["heads"]}
    check(len(heads & CLEAN_IDS) == 1 and len(heads & SECOND_HEAD_IDS) == 1, f"heads {env['heads']}", broken)
    codes = [p["code"] for p in env["problems"]]
    check("multiple-heads" in codes, f"multiple-heads reported, got {codes}", broken)
    check(SECOND_HEAD_NAME in files_of(env["problems"]),
          "the second head's file name comes back byte for byte through os.fsencode", broken)

    heads_json = guard(world, "heads", "--format", "json", cwd=w.path)
    check_no_internal_error(heads_json, "heads --format json")
    json_document(heads_json)


@suite.case
def check_text_and_github_formats_work_on_latin1_names(world):
    w = project(world)
    add_second_head(w)
    text = guard(world, "check", cwd=w.path)
    check_no_internal_error(text, "check (text)")
    check(text.returncode == 1, "two heads: exit 1", text)
    check_in(b"FAILED", text.stdout, "text output", text)
    check_in(b"multiple-heads", text.stdout, "text output", text)

    gh = guard(world, "check", "--format", "github", cwd=w.path)
    check_no_internal_error(gh, "check --format github")
    check(gh.returncode == 1, "two heads: exit 1", gh)
    try:
        annotations = gh.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, f"the runner reads annotations as UTF-8; these are not: {e}", gh)
    check_in("::error ", annotations, "annotations", gh)
    # The byte is percent-encoded as the workflow-command syntax encodes %, CR and LF.
    check_in("file=alembic/versions/004_d%E9j%E0.py,", annotations, "annotations", gh)


@suite.case
def cached_and_uncached_checks_agree_on_latin1_bytes(world):
    w = project(world)
    add_second_head(w)
    w.git("config", "alembicGuard.cacheDir", "none")
    plain = guard(world, "check", "--format", "json", cwd=w.path)
    w.git("config", "alembicGuard.cacheDir", str(world.root / "check-cache"))
    cold = guard(world, "check", "--format", "json", cwd=w.path)
    warm = guard(world, "check", "--format", "json", cwd=w.path)
    for r, what in ((plain, "without a cache"), (cold, "cold cache"), (warm, "warm cache")):
        check_no_internal_error(r, f"check {what}")
    stored = list((world.root / "check-cache").rglob("*.cache"))
    check(stored, "the cold run stored parses", cold)
    check(plain.stdout == cold.stdout == warm.stdout and plain.returncode == cold.returncode == warm.returncode == 1,
          "the same document with and without the cache", warm)


@suite.case
def pre_receive_with_on_error_accept_rejects_a_second_head_under_a_latin1_name(world):
    bare = world.bare()
    r = world.guard("install-hook", "--pre-receive", bare.path)
    check(r.returncode == 0, "install-hook --pre-receive", r)
    bare.config("alembicGuard.onError", "accept")
    w = project(world, bare)
    first = run_bytes(world, ["git", "push", "-q", "origin", "main"], w.path)
    check(first.returncode == 0, "the clean history is accepted", first)
    check(b"UNCHECKED" not in first.stderr and b"internal error" not in first.stderr,
          "the clean history was judged, not waved through", first)

    add_second_head(w)
    pushes = []
    for attempt in ("cold cache", "warm cache"):
        p = run_bytes(world, ["git", "push", "origin", "main"], w.path)
        check(p.returncode != 0, f"{attempt}: the second head must be REJECTED", p)
        check_in(b"pre-receive hook declined", p.stderr, f"{attempt}: git's output", p)
        check_not_in(b"UNCHECKED", p.stderr, f"{attempt}: git's output", p)
        check_not_in(b"internal error", p.stderr, f"{attempt}: git's output", p)
        check(any(b"004\xe0" in l or "004à".encode() in l for l in p.remote_lines()),
              f"{attempt}: the rejection names the new head", p)
        pushes.append(p)
    cache = world.root / "cache" / "alembic-guard"
    check(list(cache.rglob("env-*.json")), "the hook stored its results in the cache", pushes[0])
    check(pushes[0].remote_lines() == pushes[1].remote_lines(), "the cached run says the same", pushes[1])


@suite.case
def json_lines_of_every_hook_command_are_valid_utf8(world):
    w = project(world)
    base = w.head()
    w.checkout("second-head", new=True)
    tip = add_second_head(w)
    w.checkout("main")
    update = f"{base} {tip} refs/heads/main\n".encode()

    verdicts = []
    for cache in ("none", str(world.root / "hook-cache"), str(world.root / "hook-cache")):
        w.git("config", "alembicGuard.cacheDir", cache)
        r = guard(world, "pre-receive", "--format", "json", cwd=w.path, input=update)
        check_no_internal_error(r, f"pre-receive --format json (cacheDir {cache})")
        check(r.returncode == 1, "pre-receive rejects the second head", r)
        lines = json_lines(r)
        check(len(lines) == 1 and lines[0]["ok"] is False, "one judged ref, refused", r)
        check("multiple-heads" in [p["code"] for p in lines[0]["introduced"]], "multiple-heads introduced", r)
        verdicts.append(r.stdout)
    check(verdicts[0] == verdicts[1] == verdicts[2], "cold, warm and no cache give the same JSON Lines")

    push = guard(world, "pre-push", "--format", "json", "origin", cwd=w.path,
                 input=f"refs/heads/second-head {tip} refs/heads/main {base}\n".encode())
    check_no_internal_error(push, "pre-push --format json")
    check(push.returncode == 1 and json_lines(push)[0]["ok"] is False, "pre-push refuses the second head", push)

    merge = guard(world, "check-merge", "--format", "json", "main", "second-head", cwd=w.path)
    check_no_internal_error(merge, "check-merge --format json")
    check(merge.returncode == 1 and json_lines(merge)[0]["ok"] is False, "check-merge refuses the candidate", merge)

    w.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from second-head", "second-head")
    audit = guard(world, "audit", "--format", "json", cwd=w.path)
    check_no_internal_error(audit, "audit --format json")
    check(audit.returncode == 1 and json_lines(audit), "audit finds the standing problem", audit)


sys.exit(suite.main())
