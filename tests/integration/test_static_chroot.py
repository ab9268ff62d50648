#!/usr/bin/env python3
"""The static binary (build-static/alembic-guard, ALEMBIC_GUARD_STATIC=ON) runs ALONE: copied into
an empty directory together with a bare repository, `chroot`ed there (no /lib, no /etc, no
/dev, no shell, no git), it runs `check` and real `pre-receive` judgements of the incident
(incident.md): the second 031 rejected with the full message, the renumbered fix accepted, both
with the pushed objects in a quarantine directory as git receive-pack leaves them, and with the
same words and exit codes as the shared build outside the chroot.

Needs root (chroot). Skips (exit 77) when not root, or when the static binary is absent — except
under CI=true with ALEMBIC_GUARD_EXPECT_STATIC=1 (CI builds build-static/ in its own stage, then
runs this script), where absence is a failure.
  /usr/bin/python3 tests/integration/test_static_chroot.py --binary build/alembic-guard \\
      [--static-binary build-static/alembic-guard]
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import (FILE_A, FILE_B, HASH_REV, ZERO, Suite, check, check_in, check_not_in, incident_fix,
                      incident_second_merge, incident_setup)

HERE = Path(__file__).resolve().parent
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"


def _static_binary_from_argv():
    """--static-binary PATH (removed from argv before the suite parses it), else
    $ALEMBIC_GUARD_STATIC_BINARY, else <source>/build-static/alembic-guard."""
    path = os.environ.get("ALEMBIC_GUARD_STATIC_BINARY") or str(HERE.parent.parent / "build-static" / "alembic-guard")
    argv = sys.argv[1:]
    if "--static-binary" in argv:
        i = argv.index("--static-binary")
        path = argv[i + 1]
        del argv[i:i + 2]
    return Path(path).resolve(), argv


STATIC, ARGV = _static_binary_from_argv()
CI = os.environ.get("CI") == "true"


def skip_or_fail(reason, fail):
    if fail:
        print(f"FAIL: {reason}")
        print("0 passed, 1 failed")
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(77)


if not os.access(STATIC, os.X_OK):
    skip_or_fail(f"no static binary at {STATIC} (cmake -S . -B build-static -DALEMBIC_GUARD_STATIC=ON "
                 f"-DALEMBIC_GUARD_TESTS=OFF && cmake --build build-static, or ./install.sh --static)",
                 CI and os.environ.get("ALEMBIC_GUARD_EXPECT_STATIC") == "1")
if os.geteuid() != 0:
    skip_or_fail("chroot needs root (CI runs as root)", CI)
if not os.access(CHROOT, os.X_OK):
    skip_or_fail("chroot not installed (apt-get install coreutils)", CI)

suite = Suite("the static binary alone in an empty chroot")


class Jail:
    """An empty directory holding only /alembic-guard (a copy of the static binary) and /srv/…
    bare repositories; commands run in it with an empty environment plus what is given."""

    def __init__(self, world):
        self.world = world
        self.root = world.root / "jail"
        self.root.mkdir()
        shutil.copy2(STATIC, self.root / "alembic-guard")
        self.srv = self.root / "srv"
        self.srv.mkdir()

    def run(self, args, env=None, input=None):
        """chroot JAIL /alembic-guard ARGS, in the jail's /, with only `env` in the environment
        (no PATH, no HOME, no USER unless given)."""
        e = {k: str(v) for k, v in (env or {}).items()}
        p = subprocess.run([CHROOT, str(self.root), "/alembic-guard", *map(str, args)], env=e, input=input,
                           capture_output=True, text=True, timeout=60)
        return p

    def files(self):
        out = set()
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            if rel.startswith("srv"):
                continue
            for f in filenames:
                out.add(os.path.normpath(os.path.join(rel, f)))
            for d in dirnames:
                if not os.path.join(rel, d).startswith("srv"):
                    out.add(os.path.normpath(os.path.join(rel, d)) + "/")
        return out


def pack_bytes(world, work, new_oid, have):
    p = subprocess.run([world.git_exe, "pack-objects", "--revs", "--stdout", "-q"], cwd=str(work.path),
                       env=world.env, input=(f"{new_oid}\n" + "".join(f"^{h}\n" for h in have)).encode(),
                       capture_output=True)
    check(p.returncode == 0, f"git pack-objects failed: {p.stderr.decode(errors='replace')}")
    return p.stdout


def quarantine(world, bare, work, new_oid, name):
    """Puts the objects `new_oid` brings (beyond what the repository has) into
    objects/tmp_objdir-incoming-<name>/pack, as git receive-pack does before pre-receive."""
    q = bare.path / "objects" / f"tmp_objdir-incoming-{name}"
    (q / "pack").mkdir(parents=True)
    have = bare.git("for-each-ref", "--format=%(objectname)").stdout.split()
    data = pack_bytes(world, work, new_oid, have)
    p = subprocess.run([world.git_exe, "index-pack", "--stdin", "--fix-thin", str(q / "pack" / "incoming.pack")],
                       input=data, capture_output=True, cwd=str(bare.path),
                       env={**world.env, "GIT_DIR": str(bare.path), "GIT_OBJECT_DIRECTORY": str(q),
                            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(bare.path / "objects")})
    check(p.returncode == 0, f"git index-pack into the quarantine failed: {p.stderr.decode(errors='replace')}")
    check(not bare.git("cat-file", "-e", new_oid, check_ok=False).ok,
          "the new commit is in the repository's own object store (it should be quarantined)")
    return q


def hook_env(jail_repo, q=None, **extra):
    """The environment git receive-pack gives pre-receive (GIT_DIR; with a quarantine, the object
    directory variables), as seen inside the jail, plus nothing else: no PATH, no HOME."""
    e = {"GIT_DIR": jail_repo}
    if q is not None:
        e["GIT_OBJECT_DIRECTORY"] = f"{jail_repo}/objects/{q.name}"
        e["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = f"{jail_repo}/objects"
        e["GIT_QUARANTINE_PATH"] = f"{jail_repo}/objects/{q.name}"
    e.update(extra)
    return e


def describe(p, what):
    return f"{what}: exit {p.returncode}\n--- stdout ---\n{p.stdout}--- stderr ---\n{p.stderr}"


@suite.case
def binary_is_static_and_alone(world):
    out = subprocess.run(["file", "-b", str(STATIC)], capture_output=True, text=True).stdout \
        if shutil.which("file") else ""
    if out:
        check("statically linked" in out or "static-pie linked" in out, f"`file` says: {out}")
    jail = Jail(world)
    p = jail.run(["--version"])
    check(p.returncode == 0 and p.stdout.startswith("alembic-guard "), describe(p, "--version in the jail"))
    check(jail.files() == {"alembic-guard", "srv/"}, f"the jail holds more than the binary: {sorted(jail.files())}")


@suite.case
def check_runs_in_empty_chroot(world):
    jail = Jail(world)
    bare = world.bare("basketball-api.git", parent=jail.srv)
    w = incident_setup(world, bare, install=False)
    r = w.push("main")
    check(r.ok, "push of #335", r)
    p = jail.run(["check", "--repo", "/srv/basketball-api.git"])
    check(p.returncode == 0, describe(p, "check of a clean tip in the jail"))
    shared = world.guard("check", "--repo", str(bare.path))
    check(p.stdout == shared.stdout and p.returncode == shared.returncode,
          f"static and shared `check` differ\n{describe(p, 'static')}\n{shared.describe()}")
    # A broken tip: the second 031 merged (pushed to a side branch so the objects are there).
    bad = incident_second_merge(w)
    w.push(f"{bad}:refs/heads/broken")
    p = jail.run(["check", "broken", "--repo", "/srv/basketball-api.git", "--format", "json"])
    check(p.returncode == 1, describe(p, "check of the broken tip in the jail (expected exit 1)"))
    check_in('"duplicate-revision"', p.stdout, "check --format json of the broken tip")
    shared = world.guard("check", "broken", "--repo", str(bare.path), "--format", "json")
    check(p.stdout == shared.stdout, f"static and shared JSON differ\n{p.stdout}\n{shared.stdout}")
    # Without HOME, USER or any variable at all, and with GIT_DIR only (discovery as git does).
    p = jail.run(["check", "broken"], env={"GIT_DIR": "/srv/basketball-api.git"})
    check(p.returncode == 1 and "031" in p.stdout, describe(p, "check with only GIT_DIR set"))
    check(jail.files() == {"alembic-guard", "srv/"}, f"the guard wrote outside the repository: {sorted(jail.files())}")


@suite.case
def pre_receive_judges_the_incident_in_empty_chroot(world):
    jail = Jail(world)
    bare = world.bare("basketball-api.git", parent=jail.srv)
    w = incident_setup(world, bare, install=False)
    check(w.push("main").ok, "push of #335")
    main_before = bare.rev("main")
    bad = incident_second_merge(w)
    q = quarantine(world, bare, w, bad, "bad")
    line = f"{main_before} {bad} refs/heads/main\n"
    p = jail.run(["pre-receive"], env=hook_env("/srv/basketball-api.git", q, GL_USER="alice"), input=line)
    check(p.returncode == 1, describe(p, "pre-receive of the second 031 in the jail (expected exit 1)"))
    text = p.stdout + p.stderr
    for needle in (FILE_A, FILE_B, "030", "031", "duplicate-revision", "renumber", "down_revision"):
        check_in(needle, text, "the static binary's rejection", None)
    check_not_in(HASH_REV, text, "the static binary's rejection")
    check_not_in("non-fast-forward", text, "the static binary's rejection")
    # The same words as the shared build, judging the same quarantine from outside.
    shared = world.guard("pre-receive", cwd=bare.path, input=line,
                         env={"GIT_DIR": ".", "GIT_OBJECT_DIRECTORY": str(q),
                              "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(bare.path / "objects"),
                              "GIT_QUARANTINE_PATH": str(q), "GL_USER": "alice"})
    check(shared.returncode == 1 and shared.stdout + shared.stderr == text,
          f"static and shared pre-receive differ\n{describe(p, 'static')}\n{shared.describe()}")
    check(bare.rev("main") == main_before, "main moved")
    shutil.rmtree(q)   # what receive-pack does with a rejected push's quarantine

    # The renumbered fix: accepted.
    fixed = incident_fix(w)
    q = quarantine(world, bare, w, fixed, "fix")
    p = jail.run(["pre-receive"], env=hook_env("/srv/basketball-api.git", q), input=f"{main_before} {fixed} refs/heads/main\n")
    check(p.returncode == 0, describe(p, "pre-receive of the renumbered fix in the jail (expected exit 0)"))
    check_not_in("duplicate-revision", p.stdout + p.stderr, "the output for the fix")

    # A new branch and a deleted one, objects already in the repository (no quarantine): a new
    # ref with the duplicate is judged against its merge base with main; a deletion is not judged.
    w.push(f"{bad}:refs/heads/parked")
    p = jail.run(["pre-receive"], env={"GIT_DIR": "/srv/basketball-api.git"},
                 input=f"{ZERO} {bad} refs/heads/pr-336\n{bad} {ZERO} refs/heads/old\n")
    check(p.returncode == 1 and "031" in p.stdout + p.stderr, describe(p, "a new ref carrying the duplicate"))
    check(jail.files() == {"alembic-guard", "srv/"}, f"the guard wrote outside the repository: {sorted(jail.files())}")


if __name__ == "__main__":
    sys.exit(suite.main(ARGV))
