#!/usr/bin/env python3
"""Hostile trees (issue 12, item 2): each case is a real commit pushed into a guarded bare
repository holding the clean history 001..030. Each is judged with real Alembic 1.8.1 first (a
fresh `git clone` of the pushed commit -- a checkout, with symlinks, gitlinks and LFS pointers as
git leaves them -- asked through the long-lived oracle of tests/differential), then pushed:

  * the verdict must be Alembic's ("Alembic fails or has several heads" <=> rejected), except where
    design.md decides otherwise on purpose (computed values, symlinks: the `design` column);
  * the hook (alembic-guard pre-receive, run as install-hook's hook runs it, its exit status and
    time recorded) exits 0 or 1 -- never 2 (the repository is readable) and never a signal --
    within a few seconds (printed);
  * every rejection names the file.

What Alembic never loads (a binary __init__.py, editor lock files, README, .pyc, a sub-directory
not named *.py, __pycache__) never blocks a good push.

    hostile table: --table FILE writes the markdown table (tests/integration/hostile_trees.md)."""

import argparse
import os
import random
import sys
import time
from pathlib import Path

from fixtures import Suite, check, check_in, check_not_in, check_unchanged, migration_text
from hardening import (ALEMBIC_VERSION_WANTED, describe_alembic, full_snapshot, install_recording_guard, oracle, push,
                       require_alembic)

suite = Suite("hostile trees through the pre-receive hook")

V = "alembic/versions"
HOOK_SECONDS = 5.0          # GitHub Enterprise gives ALL hooks of a push 5 s together
HOOK_SECONDS_BULK = 20.0    # 20,000 new files at once
TABLE = []                  # (case, alembic, guard, seconds)


def good_031(slug="add_team_logo"):
    return migration_text("031", "030", slug, annotated=True)


def with_body_line(text, line):
    """A valid migration with `line` added at the end of upgrade()'s body."""
    marker = "    # ### end Alembic commands ###\n"
    i = text.index(marker)
    return text[:i] + line + "\n" + text[i:]


def base(world):
    """A guarded bare repository holding 001..030 and a work clone on a new branch `case`."""
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    r = w.push("main")
    check(r.ok, "pushing the clean history failed", r)
    log = install_recording_guard(world, bare)
    w.checkout("case", new=True, start="main")
    return bare, w, log


def judge(world, title, alembic_says, design=None, names=None, max_seconds=HOOK_SECONDS, setup=None):
    """Builds the case with `setup(world, w)` (it writes files and may stage things itself), commits,
    asks Alembic about a fresh checkout, pushes, and checks the hook's verdict, exit status, time
    and message. `alembic_says` is what the case is written to make Alembic do ('ok' or 'fails'):
    the oracle must agree (otherwise the case is wrong, not the guard). `design`: (verdict, why)
    when design.md deliberately decides otherwise than Alembic on this host."""
    bare, w, log = base(world)
    if setup(world, w) != "committed":
        w.git("add", "-A")
        w.git("commit", "-q", "--no-verify", "-m", f"hostile: {title}")
    new = w.head("case")
    # What Alembic does on a checkout of exactly this commit.
    checkout = world.root / "checkout"
    world.git("clone", "-q", "--no-local", "-b", "case", str(w.path), str(checkout))
    t0 = time.monotonic()
    resp = oracle().ask({"dir": str(checkout), "ini": "alembic.ini", "section": "alembic"})
    oracle_s = time.monotonic() - t0
    if resp["status"] == "error":
        alembic = "fails"
    else:
        alembic = "heads>1" if len(resp["heads"]) > 1 else "ok"
    check(alembic == alembic_says,
          f"the case is not what it claims: written for Alembic '{alembic_says}', Alembic {ALEMBIC_VERSION_WANTED} "
          f"says {alembic}: {describe_alembic(resp)}")
    expect_reject = alembic != "ok"
    if design is not None:
        expect_reject = design[0] == "reject"
    before = full_snapshot(bare)
    r = push(world, w, "case:refs/heads/case", timeout=max(60, 6 * max_seconds))
    rc, seconds = log.last()
    print(f"    {title}: hook exit {rc} in {seconds:.2f}s (Alembic on the checkout: {describe_alembic(resp)}, "
          f"{oracle_s:.1f}s)")
    check(rc in (0, 1), f"the hook exited {rc}" + (" (a signal)" if rc > 128 else " (an internal error)")
          + " -- never a crash, never 'could not check' on a readable repository", r)
    check(seconds <= max_seconds, f"the hook took {seconds:.2f}s (limit {max_seconds}s)", r)
    check_not_in("Traceback", r.stderr, "the push output", r)
    text = r.remote_text
    if expect_reject:
        check(rc == 1 and r.returncode != 0 and "pre-receive hook declined" in r.stderr,
              f"should be REJECTED (Alembic: {describe_alembic(resp)})", r)
        check_unchanged(before, full_snapshot(bare), r)
        for path in names or ():
            check_in(path, text, "the rejection (it must name the file)", r)
        code = next((c for c in ("unparsable-migration", "duplicate-revision", "missing-revision",
                                 "multiple-heads", "cycle") if c in text), "?")
        line = next((l for l in r.remote_lines if any(p in l for p in (names or ()))), "")
        guard = f"rejects ({code}): {line.strip()[:150]}"
    else:
        check(rc == 0 and r.returncode == 0, f"should be ACCEPTED (Alembic: {describe_alembic(resp)})", r)
        check(bare.rev("case") == new, "the branch was not created", r)
        guard = "accepts"
    TABLE.append((title, describe_alembic(resp).replace(str(checkout) + "/", ""), guard + (f" -- by design: {design[1]}" if design else ""),
                  seconds))
    return r


# --- files Alembic loads ------------------------------------------------------------------------


@suite.case
def random_binary_in_a_py(world):
    def setup(world, w):
        rng = random.Random(12)
        (w.path / V / "031_binary.py").write_bytes(bytes(rng.getrandbits(8) for _ in range(8192)))
    judge(world, "random binary in a .py", "fails", names=[f"{V}/031_binary.py"], setup=setup)


@suite.case
def nul_bytes(world):
    def setup(world, w):
        text = with_body_line(good_031(), "    # trailing \x00 byte")
        (w.path / V / "031_add_team_logo.py").write_bytes(text.encode())
    judge(world, "NUL byte in a comment of a valid migration", "fails", names=[f"{V}/031_add_team_logo.py"],
          setup=setup)


@suite.case
def invalid_utf8_in_a_string(world):
    def setup(world, w):
        text = with_body_line(good_031(), "    op.execute(\"UPDATE teams SET city = 'Montr\x00al'\")")
        (w.path / V / "031_add_team_logo.py").write_bytes(text.encode().replace(b"\x00", b"\xe9"))
    judge(world, "invalid UTF-8 (latin-1 byte) in a string", "fails", names=[f"{V}/031_add_team_logo.py"],
          setup=setup)


@suite.case
def invalid_utf8_in_a_comment_compiles(world):
    def setup(world, w):
        text = with_body_line(good_031(), "    # Montr\x00al")
        (w.path / V / "031_add_team_logo.py").write_bytes(text.encode().replace(b"\x00", b"\xe9"))
    judge(world, "invalid UTF-8 (latin-1 byte) in a comment", "ok", setup=setup)


@suite.case
def unterminated_string(world):
    def setup(world, w):
        text = good_031().replace("revision: str = '031'", "revision: str = '031")
        check("'031\n" in text, "fixture: the revision line was not found")
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "unterminated string (revision = '031)", "fails", names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def unterminated_tuple(world):
    def setup(world, w):
        text = good_031().replace("= '030'\n", "= ('030',\n", 1)
        check("('030',\n" in text, "fixture: the down_revision line was not found")
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "unterminated tuple (down_revision = ('030',)", "fails", names=[f"{V}/031_add_team_logo.py"],
          setup=setup)


@suite.case
def hundred_thousand_nested_parentheses(world):
    def setup(world, w):
        text = good_031() + "\n\nDEEP = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n"
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "100,000 nested parentheses", "fails", names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def sixty_megabyte_migration(world):
    def setup(world, w):
        head = good_031()
        pad = "".join(f"# generated padding line {i:08d} ........................................\n"
                      for i in range(800_000))
        text = head + pad
        check(len(text) >= 60_000_000, f"fixture: only {len(text)} bytes")
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "a 60 MB migration file (valid)", "ok", setup=setup)


@suite.case
def sixty_megabyte_migration_broken_at_the_end(world):
    def setup(world, w):
        pad = "".join(f"# generated padding line {i:08d} ........................................\n"
                      for i in range(800_000))
        w.write(f"{V}/031_add_team_logo.py", good_031() + pad + "x = (\n")
    judge(world, "a 60 MB migration file, unterminated bracket on its last line", "fails",
          names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def value_is_a_name_bound_to_a_literal(world):
    def setup(world, w):
        text = good_031().replace("revision: str = '031'", "REV = '031'\nrevision: str = REV")
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "revision = REV (REV = '031' earlier in the file)", "ok", setup=setup)


@suite.case
def value_is_an_unbound_name(world):
    def setup(world, w):
        text = good_031().replace("= '030'\n", "= PARENT\n", 1)
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "down_revision = PARENT (never bound)", "fails", names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def value_is_a_call(world):
    def setup(world, w):
        text = good_031().replace("= '030'\n", "= str('030')\n", 1)
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "down_revision = str('030') (a call)", "ok", names=[f"{V}/031_add_team_logo.py"],
          design=("reject", "a computed value cannot be known without executing the file (design.md)"),
          setup=setup)


@suite.case
def symlink_inside_the_repository(world):
    def setup(world, w):
        w.write("shared/031_add_team_logo.py", good_031())
        os.symlink("../../shared/031_add_team_logo.py", w.path / V / "031_add_team_logo.py")
    judge(world, "symlink *.py to a migration inside the repository", "ok", names=[f"{V}/031_add_team_logo.py"],
          design=("reject", "a symlink is not judged as a file (alembic-semantics.md)"), setup=setup)


@suite.case
def symlink_outside_the_repository(world):
    def setup(world, w):
        outside = world.root / "elsewhere" / "031_add_team_logo.py"
        outside.parent.mkdir()
        outside.write_text(good_031())
        os.symlink(str(outside), w.path / V / "031_add_team_logo.py")
    judge(world, "symlink *.py to a file outside the repository (exists on this host)", "ok",
          names=[f"{V}/031_add_team_logo.py"],
          design=("reject", "what it points at depends on the deploy host (alembic-semantics.md)"), setup=setup)


@suite.case
def symlink_to_etc_passwd(world):
    def setup(world, w):
        os.symlink("/etc/passwd", w.path / V / "031_passwd.py")
    judge(world, "symlink *.py to /etc/passwd", "fails", names=[f"{V}/031_passwd.py"], setup=setup)


@suite.case
def dangling_symlink(world):
    def setup(world, w):
        os.symlink("../nowhere/031_add_team_logo.py", w.path / V / "031_add_team_logo.py")
    judge(world, "dangling symlink *.py", "fails", names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def empty_py(world):
    def setup(world, w):
        w.write(f"{V}/031_empty.py", "")
    judge(world, "empty .py (031_empty.py)", "fails", names=[f"{V}/031_empty.py"], setup=setup)


@suite.case
def empty_py_with_a_legacy_hex_name(world):
    def setup(world, w):
        w.write(f"{V}/abc031.py", "")
    judge(world, "empty .py with a legacy hex name (abc031.py)", "fails", names=[f"{V}/abc031.py"], setup=setup)


@suite.case
def twenty_thousand_migrations_at_once(world):
    def setup(world, w):
        # One commit on `case` written by git fast-import (a pack, not 20,000 loose objects and a
        # second copy in the work tree: only the checkout Alembic reads gets the files).
        chunks = [f"commit refs/heads/case\ncommitter Test Developer <dev@example.test> 1700000000 +0000\n"
                  f"data 40\nhostile: 20,000 migrations in one commit\nfrom {w.head('case')}\n".encode()]
        prev = "030"
        for i in range(20_000):
            rev = f"m{i:05d}"
            data = (f'"""step {i}\n\nRevision ID: {rev}\nRevises: {prev}\n"""\n'
                    f"from alembic import op\n\nrevision = {rev!r}\ndown_revision = {prev!r}\n"
                    f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\n"
                    f"def downgrade():\n    pass\n").encode()
            chunks.append(f"M 100644 inline {V}/{rev}_step.py\ndata {len(data)}\n".encode() + data + b"\n")
            prev = rev
        import subprocess
        p = subprocess.run([world.git_exe, "fast-import", "--quiet", "--force"], cwd=str(w.path), env=world.env,
                           input=b"".join(chunks) + b"\n", capture_output=True, timeout=300)
        check(p.returncode == 0, f"git fast-import failed: {p.stderr.decode(errors='replace')}")
        return "committed"
    judge(world, "20,000 migrations added at once (one valid chain)", "ok", max_seconds=HOOK_SECONDS_BULK,
          setup=setup)


@suite.case
def submodule_named_py(world):
    def setup(world, w):
        sub = world.work(name="submodule-src")
        sub.write("README", "a submodule\n")
        sub.commit("sub")
        # `git submodule add` as a developer would run it: a gitlink in the tree, .gitmodules beside it.
        w.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), f"{V}/031_submodule.py")
    judge(world, "a submodule (gitlink) named *.py", "fails", names=[f"{V}/031_submodule.py"], setup=setup)


@suite.case
def directory_named_py(world):
    def setup(world, w):
        w.write(f"{V}/031_notes.py/README.txt", "not a module\n")
    judge(world, "a directory named *.py", "fails", names=[f"{V}/031_notes.py"], setup=setup)


@suite.case
def git_lfs_pointer(world):
    def setup(world, w):
        w.write(".gitattributes", f"{V}/031_*.py filter=lfs diff=lfs merge=lfs -text\n")
        w.write(f"{V}/031_add_team_logo.py",
                "version https://git-lfs.github.com/spec/v1\n"
                "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                "size 1532\n")
    judge(world, "a Git LFS pointer named *.py (git-lfs not installed on the deploy host)", "fails",
          names=[f"{V}/031_add_team_logo.py"], setup=setup)


@suite.case
def committed_conflict_markers(world):
    def setup(world, w):
        a = good_031("add_team_logo")
        text = a.replace("down_revision: Union[str, Sequence[str], None] = '030'\n",
                         "<<<<<<< HEAD\ndown_revision: Union[str, Sequence[str], None] = '030'\n=======\n"
                         "down_revision: Union[str, Sequence[str], None] = 'e09c9e678004'\n>>>>>>> pr-336\n")
        check("<<<<<<<" in text, "fixture: no conflict markers")
        w.write(f"{V}/031_add_team_logo.py", text)
    judge(world, "committed conflict markers", "fails", names=[f"{V}/031_add_team_logo.py"], setup=setup)


# --- what Alembic never loads: a good push with it must pass -------------------------------------


def ignored(world, title, setup_extra):
    def setup(world, w):
        w.write(f"{V}/031_add_team_logo.py", good_031())
        setup_extra(world, w)
    judge(world, title + " (with a good 031)", "ok", setup=setup)


@suite.case
def binary_init_py_is_ignored(world):
    ignored(world, "binary __init__.py",
            lambda world, w: (w.path / V / "__init__.py").write_bytes(bytes(range(256)) * 16))


@suite.case
def broken_init_py_is_ignored(world):
    ignored(world, "__init__.py that does not compile", lambda world, w: w.write(f"{V}/__init__.py", "x = (\n"))


@suite.case
def editor_lock_file_is_ignored(world):
    def extra(world, w):
        (w.path / V / ".#031_add_team_logo.py").write_bytes(b"\xff\xfe\x00garbage\x00")
    ignored(world, ".#031_add_team_logo.py (editor lock file, binary)", extra)


@suite.case
def emacs_lock_symlink_is_ignored(world):
    def extra(world, w):
        os.symlink("dev@laptop.4242:1700000000", w.path / V / ".#030_add_game_attendance.py")
    ignored(world, ".#…py as Emacs writes it (a dangling symlink)", extra)


@suite.case
def readme_is_ignored(world):
    ignored(world, "README in versions/ (with revision = lines)",
            lambda world, w: w.write(f"{V}/README", "revision = 'zzz'\ndown_revision = 'nope'\n"))


@suite.case
def pyc_is_ignored(world):
    def extra(world, w):
        (w.path / V / "031_add_team_logo.pyc").write_bytes(b"\xa7\r\r\n\x00\x00\x00\x00junk")
        (w.path / V / "__pycache__").mkdir()
        (w.path / V / "__pycache__" / "031_add_team_logo.cpython-311.pyc").write_bytes(b"\x00junk")
    ignored(world, ".pyc and __pycache__/", extra)


@suite.case
def subdirectory_not_named_py_is_ignored(world):
    def extra(world, w):
        w.write(f"{V}/archive/001_create_teams.py", "revision = '001'\ndown_revision = None\n")
        (w.path / V / "archive" / "broken.py").write_bytes(b"\x00\xff(((")
    ignored(world, "sub-directory archive/ (duplicate 001 and a binary .py inside)", extra)


# ------------------------------------------------------------------------------------------------


def table_markdown():
    rows = ["| case | what Alembic 1.8.1 does (a checkout, measured) | what alembic-guard does (hook time) |",
            "| --- | --- | --- |"]
    for title, alembic, guard, seconds in TABLE:
        esc = lambda s: s.replace("|", "\\|")
        rows.append(f"| {esc(title)} | {esc(alembic)} | {esc(guard)} ({seconds:.2f} s) |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--table", help="write the markdown table to this file")
    extra, rest = ap.parse_known_args()
    require_alembic()
    rc = suite.main(rest)
    if TABLE:
        md = ("Hostile trees, each pushed into a guarded repository holding 001..030; measured by\n"
              "tests/integration/test_hostile_trees.py (Alembic: the real one, on a fresh checkout of the commit).\n\n"
              + table_markdown())
        print(md)
        if extra.table:
            Path(extra.table).write_text(md)
    sys.exit(rc)
