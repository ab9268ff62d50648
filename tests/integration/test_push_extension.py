#!/usr/bin/env python3
"""A push that only adds migrations to a clean history is judged from the old tip's cached result
and the added files (lib/verdict/push_extension). That shortcut must give exactly what a full check gives:
here, generated histories each get one generated push — extensions that qualify (a chained
migration, two chained ones, a merge of heads with several heads allowed) and every kind that must
fall back to the full check (a new head, a duplicate ID, a missing parent, a dependency, a branch
label, an edited or deleted migration, a syntax error, a loop among new files, an old tip that is
already broken). For each push the real hook (pre-receive, run as git runs it) answers with the
cache on and with the cache off, and then `check --format json` of the new tip answers from the
stored result and from nothing; the two must agree byte for byte, and both kinds of push must
have occurred (the shortcut taken, and refused).

    test_push_extension.py --binary build/alembic-guard [--trials 160 --seed 3]"""

import json
import random
import shutil
import sys

from fixtures import Suite, check

suite = Suite("push extension: a push judged from the old tip's result equals a full check")
TRIALS = 160
SEED = 3


def mig(rev, down, labels=None, depends=None, body="pass"):
    return (f'"""{rev}"""\nrevision = {rev!r}\ndown_revision = {down!r}\n'
            f"branch_labels = {labels!r}\ndepends_on = {depends!r}\n\n\ndef upgrade():\n    {body}\n")


class History:
    """A versions/ directory as {file name: text}, and what the generator knows of it."""

    def __init__(self, rng):
        self.rng = rng
        self.files = {}
        self.ids = []
        self.heads = set()
        n = rng.randint(1, 25)
        for i in range(n):
            rev = f"r{i:03d}"
            if i == 0:
                down = None
            elif len(self.heads) > 1 and rng.random() < 0.3:
                down = tuple(sorted(self.heads))[:2]   # merge two heads
            elif rng.random() < 0.1:
                down = rng.choice(self.ids)            # a branch
            else:
                down = self.ids[-1]
            self.add(rev, down)
        if rng.random() < 0.15:   # an old tip that is already broken
            self.files["zz_dup.py"] = mig(self.ids[0], None)
        if rng.random() < 0.15:
            # A committed compiled copy of a migration that does not exist yet: Python runs it
            # (hash-stamped, unchecked) once the push adds the source.
            self.files["__pycache__/n001_m.cpython-311.pyc"] = b"\xa7\x0d\r\n" + b"\x01" + bytes(11) + b"\xe3"

    def add(self, rev, down, **kw):
        self.files[f"{rev}_m.py"] = mig(rev, down, **kw)
        self.ids.append(rev)
        downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        self.heads -= set(downs)
        self.heads.add(rev)


def push_change(h: History, rng):
    """Changes h.files as one push; returns the kind of push."""
    head = sorted(h.heads)[-1]
    kind = rng.choice(["chain", "chain", "chain", "two", "merge", "branch", "dup", "missing", "depends", "label",
                       "edit", "delete", "syntax", "loop", "other-file", "self", "newline-name"])
    if kind == "chain":
        h.add("n001", head)
    elif kind == "two":
        h.add("n001", head)
        h.add("n002", "n001")
    elif kind == "merge":
        h.add("n001", tuple(sorted(h.heads)) if len(h.heads) > 1 else head)
    elif kind == "branch":
        h.add("n001", rng.choice(h.ids))
    elif kind == "dup":
        h.files["n001_m.py"] = mig(rng.choice(h.ids), head)
    elif kind == "missing":
        h.add("n001", "nope")
    elif kind == "depends":
        h.add("n001", head, depends=h.ids[0])
    elif kind == "label":
        h.add("n001", head, labels=("feature",))
    elif kind == "edit":
        sources = sorted(n for n in h.files if n.endswith(".py"))
        name = sources[rng.randrange(len(sources))]
        h.files[name] = h.files[name].replace("pass", "return None")
    elif kind == "delete":
        del h.files[sorted(h.files)[rng.randrange(len(h.files))]]
    elif kind == "syntax":
        h.files["n001_m.py"] = mig("n001", head).replace("pass", "pass)")
    elif kind == "loop":
        h.files["n001_m.py"] = mig("n001", "n002")
        h.files["n002_m.py"] = mig("n002", "n001")
    elif kind == "other-file":
        h.files["README"] = "notes\n"
    elif kind == "self":
        h.files["n001_m.py"] = mig("n001", "n001")
    elif kind == "newline-name":   # matches Alembic's pattern, and Alembic then fails on it
        h.files["n001_m.py\n"] = mig("n001", head)
    return kind


def write_tree(world, repo, files, allow):
    versions = repo / "alembic" / "versions"
    if versions.exists():
        shutil.rmtree(versions)
    versions.mkdir(parents=True, exist_ok=True)
    (repo / "alembic" / "env.py").write_text("# env\n")
    (repo / "alembic.ini").write_text("[alembic]\nscript_location = alembic\n")
    toml = repo / ".alembic-guard.toml"
    if allow:
        toml.write_text('[[environment]]\nname = "alembic"\nversion_locations = ["alembic/versions"]\n'
                        "allow_multiple_heads = true\n")
    elif toml.exists():
        toml.unlink()
    for name, text in files.items():
        (versions / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            (versions / name).write_bytes(text)
        else:
            (versions / name).write_text(text)
    world.git("add", "-A", cwd=repo)
    world.git("commit", "-q", "--allow-empty", "-m", "x", cwd=repo)
    return world.git("rev-parse", "HEAD", cwd=repo).stdout.strip()


def answers(world, repo, old, new, cache):
    world.git("config", "alembicGuard.cacheDir", cache, cwd=repo)
    hook = world.guard("pre-receive", cwd=repo, env={"GIT_DIR": repo / ".git"},
                       input=f"{old} {new} refs/heads/main\n")
    chk = world.guard("check", new, "--format", "json", cwd=repo)
    return hook, chk


@suite.case
def extension_equals_full_check(world):
    rng = random.Random(SEED)
    kinds = {}
    taken = refused = 0
    cache = world.root / "shared-cache"
    for trial in range(TRIALS):
        repo = world.root / f"t{trial}"
        world.git("init", "-q", repo)
        h = History(rng)
        allow = rng.random() < 0.2
        old = write_tree(world, repo, h.files, allow)
        # The old tip as a server has it: checked (or pushed) before, its result cached.
        world.git("config", "alembicGuard.cacheDir", cache, cwd=repo)
        world.guard("check", old, cwd=repo)
        kind = push_change(h, rng)
        new = write_tree(world, repo, h.files, allow)
        versions_tree = world.git("rev-parse", f"{new}:alembic/versions", cwd=repo).stdout.strip()
        hook_c, check_c = answers(world, repo, old, new, cache)
        # The full path stores the new tree's parses; the shortcut reads only the added blobs.
        parsed_in_full = any(cache.rglob(f"{versions_tree}.cache"))
        hook_n, check_n = answers(world, repo, old, new, "none")
        what = f"trial {trial} ({kind}{', several heads allowed' if allow else ''})"
        check(hook_c.returncode == hook_n.returncode and hook_c.stderr == hook_n.stderr,
              f"{what}: pre-receive with the cache differs from without\n--- cached:\n{hook_c.stderr}\n"
              f"--- uncached:\n{hook_n.stderr}")
        check(check_c.returncode == check_n.returncode and check_c.stdout == check_n.stdout,
              f"{what}: check of the new tip from the stored result differs from a full check\n"
              f"--- stored:\n{check_c.stdout}\n--- full:\n{check_n.stdout}")
        json.loads(check_n.stdout)
        kinds[kind] = kinds.get(kind, 0) + 1
        if parsed_in_full:
            refused += 1
        else:
            taken += 1
    print(f"    {TRIALS} pushes: shortcut taken {taken}, judged in full {refused}; kinds {sorted(kinds.items())}")
    check(taken >= TRIALS // 5, f"the shortcut was taken only {taken} times in {TRIALS}: it is not being exercised")
    check(refused >= TRIALS // 5, f"only {refused} of {TRIALS} pushes were judged in full")


if __name__ == "__main__":
    args = list(sys.argv[1:])
    for flag in ("--trials", "--seed"):
        if flag in args:
            i = args.index(flag)
            value = int(args[i + 1])
            del args[i:i + 2]
            if flag == "--trials":
                TRIALS = value
            else:
                SEED = value
    sys.exit(suite.main(args))
