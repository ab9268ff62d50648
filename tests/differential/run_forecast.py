#!/usr/bin/python3
"""Differential test of `alembic-guard forecast` against real git merges and real Alembic.

    run_forecast.py --binary build/alembic-guard --count 50 --seed 1 --jobs 2

One seeded repository per run: a bare repository whose main holds alembic.ini + alembic/ with a
clean linear history (001..010, sometimes with the incident's hash ID in place of 006), and COUNT
open pull requests (branches pushed, each with the review ref refs/pull/<k>/head), in a
deliberate mix of shapes (SHAPES): chains on the head (most of them collide pairwise; some in one
commit per migration, some branched from an older main commit, some of those then merging main),
the same ID as another request with another parent or file name, the same file name with other
content, a migration on an older parent, a missing parent, an ID main already has, a stack on
another request's branch or on one of its earlier commits (carries them), an identical twin of
another request's files, an edit or a rename of a landed migration, a merge migration of two new
ones, a second version location, a file in versions/sub/, README-only changes, a chain that also
edits README.md, hash IDs.  The repository is built with one `git fast-import`, then pushed.

The guard is asked once:  alembic-guard forecast --repo BARE --format json.

The ground truth is independent of the guard: in a mirror clone of the bare repository each
request is landed on main with real git (`git merge-tree --write-tree`, a merge commit made with
`git commit-tree`), the alembic.ini + alembic/ of the result is written to a scratch directory and
real Alembic (one long-lived tests/differential/oracle.py process per job, /usr/bin/python3) is
asked for its heads, duplicate-ID warnings and error.  A request is bad alone when the merge
conflicts, Alembic raises, a duplicate ID appears, or the head count grows above 1.  Every pair
of requests fine alone is then landed together (a, then b onto the result): it collides when the
merge conflicts in a file Alembic loads (a *.py directly in a version location), Alembic raises,
a duplicate appears that neither has alone, or the head count is above 1 and above that of a
alone or of b alone.  A pair whose only conflicts are elsewhere (README.md, versions/sub/) is
judged by its merged migrations, as they land once a person has resolved the other file.  Objects are read with
one `git cat-file --batch` per job; Alembic's answers are cached by the (alembic.ini, alembic/) OIDs.

The reported pairs must equal the colliding pairs and the bad-alone sets must be equal.  Every
disagreement is printed with both refs, what each adds, what the guard said and what Alembic
said.  Exit 0 on full agreement, 1 otherwise, 77 with a SKIP line when /usr/bin/python3 cannot
import alembic (a failure under CI=true).  --sabotage drops or adds one answer of the guard
before the comparison, to show that the comparison catches it (exit 1 expected).
"""
import argparse
import concurrent.futures
import itertools
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))
sys.dont_write_bytecode = True

from run_differential import GIT_C, SKIP_LINE, Oracle, alembic_available, isolated_env, skip  # noqa: E402
from alembic_projects import incident_chain, migration_filename, migration_text, project_files  # noqa: E402

# The directories Alembic loads migrations from in the generated projects (alembic/extra only
# where a seed's alembic.ini names it); not recursive.
VERSION_DIRS = ("alembic/versions", "alembic/extra")


def alembic_loads(path):
    """Whether Alembic 1.8.1 would load this file as a migration: a *.py file directly in a
    version location (sub-directories are not read; `.#*` and `__init__*` are skipped). A textual
    conflict counts as a collision only there, as forecast counts it."""
    directory, _, name = path.rpartition("/")
    return (directory in VERSION_DIRS and name.endswith(".py") and not name.startswith(".#")
            and not name.startswith("__init__"))

SLUGS = [
    "add_player_height", "add_team_logo", "create_sponsors", "add_game_broadcast", "create_drafts",
    "add_arena_city", "add_coach_salary", "create_awards", "add_referee_rating", "add_season_mvp",
    "create_tickets", "add_injury_severity", "add_trade_value", "create_agents", "add_box_score_fouls",
    "add_standings_seed",
]

# shape -> weight (see Generator for what each one builds and what it should give)
SHAPES = {
    "chain": 26,          # 1-3 migrations chained on the head 010 (sometimes from an older main commit)
    "hash_chain": 6,      # the same with hash IDs
    "same_id": 10,        # an ID another request adds, with another parent or another file name
    "same_file": 8,       # a file name another request adds, with other content: textual conflict
    "stacked": 12,        # branched from another request, one more migration on top of its chain
    "chain_readme": 3,    # a chain on the head that also edits README.md (a conflict outside the migrations
                          # with every other README edit: the migrations still collide)
    "extra_location": 2,  # alembic.ini gains a second version location, a migration on the head there
    "subdir": 2,          # a migration in alembic/versions/sub/ (Alembic 1.8.1 does not look there)
    "twin": 4,            # the very files another request adds, in a commit of its own
    "edit": 5,            # edits the body of a migration main has (no graph change)
    "rename": 3,          # renames a migration main has (no graph change; two renames conflict)
    "diamond": 3,         # two migrations on the head and a merge migration of both (one head)
    "readme": 7,          # README/docs only: never in a pair
    "old_parent": 7,      # a migration on an older parent (or the head of an older main commit it
                          # branched from): bad alone (a new head)
    "missing_parent": 3,  # a migration on a revision nobody has: bad alone
    "dup_base": 3,        # an ID main already has: bad alone
    "conflict_main": 3,   # from an older main commit, a file main added later, other content: bad alone
    "delete_head": 1,     # deletes 010's file (fine alone; every chain on 010 then misses its parent)
}


# ---------------------------------------------------------------------------
# The repository

class Cand:
    def __init__(self, number, shape):
        self.number = number
        self.shape = shape
        self.branch = "pr-%d" % number
        self.ref = "refs/pull/%d/head" % number
        self.start = "main"        # a main commit index, "main", or another Cand's branch
        self.writes = {}           # path -> text
        self.deletes = []
        self.own = []              # [(rev, down, path)] the migrations its own commit adds
        self.carried = []          # those it carries from the request it was branched from
        self.tip_rev = None        # the last revision of its chain (for stacking)
        self.commits = None        # [[path, ...] per commit] when its writes are split over commits
        self.start_commit = None   # with a request's branch as start: that request's commit index
        self.merge_main = False    # a merge of main's tip into the branch at the end
        self.note = ""

    def describe(self):
        parts = ["%s <- %s (%s)" % (r, d, p.rsplit("/", 1)[-1]) for r, d, p in self.own]
        for p in self.writes:
            if not any(p == q for _, _, q in self.own):
                parts.append("writes %s" % p)
        parts += ["deletes %s" % p for p in self.deletes]
        start = self.start if isinstance(self.start, str) else "main~%d" % self.start_back
        if self.start_commit is not None:
            start += " (its commit %d)" % (self.start_commit + 1)
        carried = (" carrying %s" % ", ".join(r for r, _, _ in self.carried)) if self.carried else ""
        how = []
        if self.commits:
            how.append("%d commits" % len(self.commits))
        if self.merge_main:
            how.append("then merges main")
        return "#%d %s from %s%s: %s%s%s" % (self.number, self.shape, start, carried, "; ".join(parts) or "nothing",
                                             (" (%s)" % ", ".join(how)) if how else "",
                                             (" [%s]" % self.note) if self.note else "")


class Generator:
    def __init__(self, seed, count):
        self.rng = random.Random("alembic-guard-forecast:%d" % seed)
        self.count = count
        chain = incident_chain()[:10]
        if self.rng.random() < 0.5:   # plain numbers 001..010; otherwise 006 is the hash e09c9e678004
            chain = [("%03d" % (i + 1), None if i == 0 else "%03d" % i, slug) for i, (_, _, slug) in enumerate(chain)]
        self.main = chain             # [(rev, down, slug)]
        self.main_revs = [r for r, _, _ in chain]
        self.head = self.main_revs[-1]
        self.cands = []
        self.deleted_head = False

    def hash_id(self):
        return "%012x" % self.rng.getrandbits(48)

    def slug(self):
        return self.rng.choice(SLUGS)

    def add(self, c, rev, down, slug=None, annotated=False, when=None, path=None):
        slug = slug or self.slug()
        path = path or migration_filename(rev, slug)
        kw = {"annotated": annotated}
        if when:
            kw["when"] = when
        c.writes[path] = migration_text(rev, down, slug, **kw)
        c.own.append((rev, down, path))
        c.tip_rev = rev
        return path

    def next_id(self, rev):
        return "%03d" % (int(rev) + 1) if rev.isdigit() else self.hash_id()

    def with_own(self, pred=lambda c: True):
        return [c for c in self.cands if c.own and pred(c)]

    def build(self):
        shapes, weights = zip(*SHAPES.items())
        for k in range(1, self.count + 1):
            while True:
                shape = self.rng.choices(shapes, weights)[0]
                c = Cand(k, shape)
                if getattr(self, "shape_" + shape)(c):
                    break
            self.cands.append(c)
        return self

    # -- shapes; each returns False when its prerequisite is missing (another shape is drawn)

    def _older_start(self, c, back):
        c.start = len(self.main_revs) - 1 - back
        c.start_back = back

    def shape_chain(self, c, hashed=False):
        if self.rng.random() < 0.2:
            self._older_start(c, self.rng.randint(1, 4))   # the request predates main's last commits
            c.merge_main = self.rng.random() < 0.5          # ... and was brought up to date with it
        n = self.rng.randint(1, 3)
        rev = self.hash_id() if hashed else "%03d" % (int(self.head) + 1 + self.rng.choice([0, 0, 0, 1, 2]))
        down = self.head
        for _ in range(n):
            self.add(c, rev, down)
            down, rev = rev, (self.hash_id() if hashed else self.next_id(rev))
        if n > 1 and self.rng.random() < 0.5:
            c.commits = [[path] for _, _, path in c.own]    # one commit per migration
        return True

    def shape_chain_readme(self, c):
        self.shape_chain(c)
        c.writes["README.md"] = project_files()["README.md"] + "\nChangelog: #%d.\n" % c.number
        return True

    def shape_extra_location(self, c):
        ini = project_files()["alembic.ini"]
        line = "version_path_separator = os  # Use os.pathsep. Default configuration used for new projects.\n"
        assert line in ini
        c.writes["alembic.ini"] = ini.replace(line, "version_path_separator = os\n"
                                              "version_locations = %(here)s/alembic/versions:%(here)s/alembic/extra\n")
        rev = self.hash_id() if self.rng.random() < 0.5 else "%03d" % (int(self.head) + 1)
        slug = self.slug()
        self.add(c, rev, self.head, slug, path="alembic/extra/%s_%s.py" % (rev, slug))
        return True

    def shape_subdir(self, c):
        rev, slug = "%03d" % (int(self.head) + 1), self.slug()
        self.add(c, rev, self.head, slug, path="alembic/versions/sub/%s_%s.py" % (rev, slug))
        return True

    def shape_hash_chain(self, c):
        return self.shape_chain(c, hashed=True)

    def shape_same_id(self, c):
        others = self.with_own(lambda o: o.shape in ("chain", "hash_chain", "same_id", "stacked"))
        if not others:
            return False
        o = self.rng.choice(others)
        rev, down, path = self.rng.choice(o.own)
        slug = self.slug()
        while migration_filename(rev, slug) == path:
            slug = self.slug()
        self.add(c, rev, self.head, slug)    # on the head: fine alone
        c.note = "ID %s of #%d (%s parent)" % (rev, o.number, "same" if down == self.head else "other")
        return True

    def shape_same_file(self, c):
        others = [(o, m) for o in self.cands for m in o.own
                  if m[1] in self.main_revs and m[2] in o.writes and o.shape not in ("conflict_main", "dup_base")]
        if not others:
            return False
        o, (rev, down, path) = self.rng.choice(others)
        slug = path.rsplit("/", 1)[-1][len(rev) + 1:-3]
        # the same name, other text: the annotated template, another date
        self.add(c, rev, down, slug, annotated=self.rng.random() < 0.5, when="2024-0%d-1%d 10:00:00.000000" % (
            self.rng.randint(1, 9), self.rng.randint(0, 9)), path=path)
        c.note = "file of #%d" % o.number
        return True

    def shape_stacked(self, c):
        others = [o for o in self.cands if o.shape != "delete_head"]
        if not others:
            return False
        o = self.rng.choice(others)
        c.start = o.branch
        c.carried = o.carried + o.own
        base = o.tip_rev or self.head
        if o.commits and self.rng.random() < 0.5:
            # branched from one of its earlier commits (the other request moved on since)
            c.start_commit = self.rng.randrange(len(o.commits) - 1)
            c.carried = o.carried + o.own[:c.start_commit + 1]
            base = o.own[c.start_commit][0]
        self.add(c, self.next_id(base), base)
        c.note = "on #%d" % o.number
        return True

    def shape_twin(self, c):
        others = self.with_own(lambda o: not o.carried and not o.deletes and isinstance(o.start, str)
                               and not o.merge_main and "alembic.ini" not in o.writes
                               and all(m[1] in self.main_revs or m[1] in [r for r, _, _ in o.own] for m in o.own))
        if not others:
            return False
        o = self.rng.choice(others)
        for rev, down, path in o.own:
            c.writes[path] = o.writes[path]
            c.own.append((rev, down, path))
        c.tip_rev = o.tip_rev
        c.note = "twin of #%d" % o.number
        return True

    def shape_edit(self, c):
        rev, down, slug = self.main[self.rng.randint(2, 6)]
        path = migration_filename(rev, slug)
        text = migration_text(rev, down, slug)
        marker = "    # ### end Alembic commands ###\n\n\ndef downgrade"
        c.writes[path] = text.replace(marker, "    # reviewed in #%d\n%s" % (c.number, marker), 1)
        c.note = "edits %s" % rev
        return True

    def shape_rename(self, c):
        rev, down, slug = self.main[self.rng.randint(2, len(self.main) - 1)]
        old = migration_filename(rev, slug)
        new = migration_filename(rev, self.rng.choice(["renamed", "tidied", slug + "_v2"]))
        c.deletes.append(old)
        c.writes[new] = migration_text(rev, down, slug)
        c.note = "renames %s to %s" % (old.rsplit("/", 1)[-1], new.rsplit("/", 1)[-1])
        return True

    def shape_diamond(self, c):
        hashed = self.rng.random() < 0.5
        left = self.hash_id() if hashed else "%03d" % (int(self.head) + 1)
        right = self.hash_id() if hashed else "%03d" % (int(self.head) + 2)
        self.add(c, left, self.head)
        self.add(c, right, self.head)
        merge = self.hash_id() if hashed else "%03d" % (int(self.head) + 3)
        self.add(c, merge, (left, right), "merge_" + left + "_" + right)
        return True

    def shape_readme(self, c):
        if self.rng.random() < 0.3:
            self._older_start(c, self.rng.randint(1, 5))
        if self.rng.random() < 0.6:
            c.writes["README.md"] = project_files()["README.md"] + "\nNote from #%d.\n" % c.number
        else:
            c.writes["docs/notes-%d.md" % c.number] = "# Notes %d\n" % c.number
        return True

    def shape_old_parent(self, c):
        if self.rng.random() < 0.3:
            back = self.rng.randint(1, 4)      # on the head of the main commit it branched from
            self._older_start(c, back)
            down = self.main_revs[-1 - back]
        else:
            down = self.rng.choice(self.main_revs[1:-1])
        rev = self.hash_id() if self.rng.random() < 0.3 else "%03d" % (int(self.head) + 1)
        self.add(c, rev, down)
        return True

    def shape_missing_parent(self, c):
        self.add(c, "%03d" % (int(self.head) + 2), self.hash_id())
        return True

    def shape_dup_base(self, c):
        rev = self.rng.choice(self.main_revs[1:-1])
        self.add(c, rev, self.head, "redo_" + self.slug())
        return True

    def shape_conflict_main(self, c):
        back = self.rng.randint(1, 4)
        self._older_start(c, back)
        rev, down, slug = self.main[len(self.main) - back]   # added to main after the start commit
        self.add(c, rev, down, slug, annotated=True, path=migration_filename(rev, slug))
        return True

    def shape_delete_head(self, c):
        if self.deleted_head:
            return False
        self.deleted_head = True
        rev, down, slug = self.main[-1]
        c.deletes.append(migration_filename(rev, slug))
        return True


def run(env, cwd, *args, input=None, ok=(0,)):
    p = subprocess.run(["git"] + GIT_C + list(args), cwd=cwd, env=env, input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        raise RuntimeError("git %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p


def build_repository(gen, workdir, env):
    """The bare repository: main, every request's branch (built with git fast-import in a
    scratch repository, then pushed) and the review refs refs/pull/<k>/head."""
    work = os.path.join(workdir, "work.git")
    bare = os.path.join(workdir, "server.git")
    run(env, workdir, "init", "-q", "--bare", work)
    run(env, workdir, "init", "-q", "--bare", bare)
    stream = []
    who = "Differential Test <diff@example.invalid> 1704067200 +0000"

    def data(text):
        raw = text.encode()
        stream.append(b"data %d\n%s\n" % (len(raw), raw))

    def commit(ref, mark, parent, message, writes, deletes=(), merge=None):
        stream.append(b"commit %s\nmark :%d\nauthor %s\ncommitter %s\n" % (
            ref.encode(), mark, who.encode(), who.encode()))
        data(message)
        if parent:
            stream.append(b"from :%d\n" % parent)
        if merge:
            stream.append(b"merge :%d\n" % merge)
        for path in deletes:
            stream.append(b"D %s\n" % path.encode())
        for path, text in writes.items():
            stream.append(b"M 100644 inline %s\n" % path.encode())
            data(text)

    for i, (rev, down, slug) in enumerate(gen.main):
        writes = dict(project_files()) if i == 0 else {}
        writes[migration_filename(rev, slug)] = migration_text(rev, down, slug)
        commit("refs/heads/main", i + 1, i, "%s: %s" % (rev, slug.replace("_", " ")), writes)
    marks = {}      # (branch, commit index) -> mark; (branch, None) -> its tip
    mark = 1000
    for c in gen.cands:
        if isinstance(c.start, int):
            parent = c.start + 1
        elif c.start == "main":
            parent = len(gen.main)
        else:
            parent = marks[(c.start, c.start_commit)]
        groups = [list(g) for g in c.commits] if c.commits else [[]]
        groups[-1] += [p for p in c.writes if not any(p in g for g in groups)]
        ref = "refs/heads/" + c.branch
        for i, paths in enumerate(groups):
            mark += 1
            commit(ref, mark, parent, "#%d: %s (%d/%d)" % (c.number, c.shape, i + 1, len(groups)),
                   {p: c.writes[p] for p in paths}, c.deletes if i == 0 else ())
            marks[(c.branch, i)] = parent = mark
        if c.merge_main:
            # `git merge main` of a branch that only added files: its tree plus main's later files
            later = {migration_filename(r, sl): migration_text(r, d, sl) for r, d, sl in gen.main[c.start + 1:]}
            mark += 1
            commit(ref, mark, parent, "Merge branch 'main' into %s" % c.branch, later, merge=len(gen.main))
            parent = mark
        marks[(c.branch, None)] = parent
    run(env, work, "fast-import", "--quiet", input=b"".join(stream))
    run(env, work, "push", "-q", bare, "refs/heads/*:refs/heads/*")
    heads = dict(line.split(" ", 1)[::-1] for line in run(
        env, bare, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/").stdout.decode().splitlines())
    tips = {c.ref: heads["refs/heads/" + c.branch] for c in gen.cands}
    run(env, bare, "update-ref", "--stdin", input="".join("create %s %s\n" % (r, o) for r, o in tips.items()).encode())
    return bare, heads["refs/heads/main"]


# ---------------------------------------------------------------------------
# Ground truth: real git, real Alembic

class Outcome:
    """What Alembic makes of one landed tree (or that the merge conflicted)."""

    def __init__(self, conflict=None, resp=None):
        self.conflict = conflict or []     # conflicted paths (merge refused)
        self.resp = resp

    @property
    def error(self):
        return self.resp and self.resp.get("status") == "error" and self.resp["error"]

    @property
    def heads(self):
        return (self.resp or {}).get("heads") or []

    @property
    def dups(self):
        return set((self.resp or {}).get("duplicates") or [])

    def describe(self):
        if self.conflict:
            return "merge conflict in %s" % ", ".join(self.conflict)
        if self.resp.get("status") == "fatal":
            return "oracle failure: %s" % self.resp.get("error")
        if self.error:
            e = self.error
            return "Alembic raises %s: %s -> %s" % (e["type"], e["message"].splitlines()[0][:160], e["code"])
        return "heads %s (%d)%s" % (sorted(set(self.heads)), len(self.heads),
                                    (" duplicates %s" % sorted(self.dups)) if self.dups else "")


class Truth:
    def __init__(self, repo, workdir, env, oracles):
        self.repo = repo
        self.env = env
        self.scratch = os.path.join(workdir, "eval")
        os.makedirs(self.scratch, exist_ok=True)
        self.oracles = oracles            # queue.Queue of Oracle
        self.local = threading.local()
        self.lock = threading.Lock()
        self.cache = {}                   # (alembic.ini blob, alembic/ tree) -> oracle response
        self.counter = itertools.count()
        self.cat_files = []
        self.oracle_asks = 0
        self.objects = {}                 # oid -> (type, bytes): objects are immutable
        self.seconds = {"merge": 0.0, "read": 0.0, "oracle": 0.0}

    def clock(self, what, t0):
        with self.lock:
            self.seconds[what] += time.monotonic() - t0

    def git(self, *args, ok=(0,), input=None):
        return run(self.env, self.repo, *args, ok=ok, input=input)

    def _cat(self):
        p = getattr(self.local, "cat", None)
        if p is None:
            p = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.repo, env=self.env,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.local.cat = p
            with self.lock:
                self.cat_files.append(p)
        return p

    def read(self, oid):
        obj = self.objects.get(oid)
        if obj is not None:
            return obj
        p = self._cat()
        p.stdin.write(oid.encode() + b"\n")
        p.stdin.flush()
        header = p.stdout.readline().split()
        if len(header) != 3:
            raise RuntimeError("cat-file: %r" % header)
        data = p.stdout.read(int(header[2]))
        p.stdout.read(1)
        obj = self.objects[oid] = (header[1].decode(), data)
        return obj

    def entries(self, tree_oid):
        kind, data = self.read(tree_oid)
        assert kind == "tree", kind
        out, i = [], 0
        while i < len(data):
            sp = data.index(b" ", i)
            nul = data.index(b"\0", sp)
            out.append((data[i:sp].decode(), data[sp + 1:nul].decode("utf-8", "surrogateescape"),
                        data[nul + 1:nul + 21].hex()))
            i = nul + 21
        return out

    def flatten(self, oid, prefix, out):
        for mode, name, sub in self.entries(oid):
            if mode == "40000":
                out[prefix + name + "/"] = (mode, sub)
                self.flatten(sub, prefix + name + "/", out)
            elif mode != "160000":
                out[prefix + name] = (mode, sub)
        return out

    def sync(self, wanted):
        """Makes this job's directory hold exactly `wanted` ({path: (mode, oid)}, directories end
        in '/'): writes what changed since its last tree, removes what is gone."""
        d = getattr(self.local, "dir", None)
        if d is None:
            d = self.local.dir = os.path.join(self.scratch, "job%d" % next(self.counter))
            os.mkdir(d)
            self.local.files = {}
        have = self.local.files
        for path in sorted((p for p in have if p not in wanted or have[p] != wanted[p]), reverse=True):
            full = os.path.join(d, path)
            if path.endswith("/"):
                if path not in wanted:
                    shutil.rmtree(full, ignore_errors=True)
            elif os.path.lexists(full):
                os.unlink(full)
        for path in sorted(wanted):
            if have.get(path) == wanted[path] and os.path.lexists(os.path.join(d, path)):
                continue
            mode, oid = wanted[path]
            full = os.path.join(d, path)
            if path.endswith("/"):
                os.makedirs(full, exist_ok=True)
            elif mode == "120000":
                os.symlink(self.read(oid)[1], full)
            else:
                with open(full, "wb") as fh:
                    fh.write(self.read(oid)[1])
        self.local.files = dict(wanted)
        return d

    def judge_tree(self, tree):
        """Alembic's answer for the alembic.ini + alembic/ of a tree (cached by their OIDs)."""
        t0 = time.monotonic()
        top = {name: (mode, oid) for mode, name, oid in self.entries(tree)}
        key = (top.get("alembic.ini"), top.get("alembic"))
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        wanted = {}
        if key[0] and key[0][0] != "40000":
            wanted["alembic.ini"] = key[0]
        if key[1] and key[1][0] == "40000":
            wanted["alembic/"] = key[1]
            self.flatten(key[1][1], "alembic/", wanted)
        d = self.sync(wanted)
        self.clock("read", t0)
        t0 = time.monotonic()
        oracle = self.oracles.get()
        try:
            resp = oracle.ask({"dir": d, "ini": "alembic.ini", "section": "alembic"})
        finally:
            self.oracles.put(oracle)
        self.clock("oracle", t0)
        if resp.get("status") == "fatal":
            raise RuntimeError("the oracle failed: %s" % resp.get("error"))
        with self.lock:
            self.cache[key] = resp
            self.oracle_asks += 1
        return resp

    def merge(self, ours, theirs):
        """(tree, conflicted paths) of merging theirs into ours, as `git merge` would."""
        t0 = time.monotonic()
        p = self.git("merge-tree", "--write-tree", "-z", "--name-only", "--no-messages", ours, theirs, ok=(0, 1))
        self.clock("merge", t0)
        fields = p.stdout.decode("utf-8", "surrogateescape").split("\0")
        conflicts = sorted(set(f for f in fields[1:] if f)) if p.returncode == 1 else []
        return fields[0], conflicts

    def land(self, base, tip):
        """Lands tip on base: (merge commit or None, Outcome)."""
        tree, conflicts = self.merge(base, tip)
        if conflicts:
            return None, Outcome(conflict=conflicts)
        commit = self.git("commit-tree", tree, "-p", base, "-p", tip, "-m", "land").stdout.decode().strip()
        return commit, Outcome(resp=self.judge_tree(tree))

    def land_pair(self, landed_a, tip_b):
        tree, conflicts = self.merge(landed_a, tip_b)
        inside = [f for f in conflicts if alembic_loads(f)]
        if inside:
            return Outcome(conflict=inside), conflicts
        # A conflict elsewhere only: the migrations merged cleanly; judge them as merged.
        return Outcome(resp=self.judge_tree(tree)), conflicts

    def close(self):
        for p in self.cat_files:
            try:
                p.stdin.close()
                p.wait(timeout=10)
            except OSError:
                pass


def bad_alone(base_out, out):
    """Why a request landed alone is refused (None when it is fine)."""
    if out.conflict:
        return "merge-conflict"
    if out.error:
        return out.error["code"]
    if out.dups - base_out.dups:
        return "duplicate-revision"
    if len(out.heads) > 1 and len(out.heads) > len(base_out.heads):
        return "multiple-heads"
    return None


def pair_collides(a, b, both):
    """Why landing both is refused although each is fine alone (None when it is fine)."""
    if both.conflict:
        return "merge-conflict"
    if both.error:
        return both.error["code"]
    if both.dups - a.dups - b.dups:
        return "duplicate-revision"
    hc = len(both.heads)
    if hc > 1 and (hc > len(a.heads) or hc > len(b.heads)):
        return "multiple-heads"
    return None


# ---------------------------------------------------------------------------

def run_forecast(binary, bare, env, version, timeout):
    t0 = time.monotonic()
    p = subprocess.run([binary, "forecast", "--repo", bare, "--format", "json", "--alembic-version", version],
                       env=env, cwd=os.path.dirname(bare), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    dt = time.monotonic() - t0
    out = p.stdout.decode("utf-8", "replace")
    errors = []
    lines = []
    for line in out.splitlines():
        if not line.strip():
            continue
        try:
            lines.append(json.loads(line))
        except ValueError:
            errors.append("forecast printed a line that is not JSON: %r" % line[:200])
    if p.returncode not in (0, 1):
        errors.append("forecast exited %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip()[:600]))
    elif p.returncode != (1 if lines else 0):
        errors.append("forecast exited %d with %d lines reported" % (p.returncode, len(lines)))
    return lines, errors, dt


def pr_number(ref):
    parts = ref.split("/")
    return int(parts[2]) if len(parts) == 4 and parts[:2] == ["refs", "pull"] and parts[2].isdigit() else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="path of the alembic-guard binary")
    ap.add_argument("--count", type=int, default=50, help="open pull requests to generate (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2, help="parallel ground-truth landings (one oracle each)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds for the forecast run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (repositories)")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--sabotage", choices=["drop-pair", "extra-pair", "drop-bad"],
                    help="alter the guard's answer before comparing (the comparison must then fail)")
    args = ap.parse_args()

    if not alembic_available():
        return skip(SKIP_LINE)
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        print("FAIL: %s is not an executable file" % args.binary)
        return 1

    t_start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="alembic-guard-forecast-")
    env = isolated_env(workdir)
    say = (lambda *a: None) if args.quiet else print
    oracles = queue.Queue()
    started = []
    truth = None
    try:
        # 1. the repository
        t0 = time.monotonic()
        gen = Generator(args.seed, args.count).build()
        bare, main_oid = build_repository(gen, workdir, env)
        by_ref = {c.ref: c for c in gen.cands}
        t_gen = time.monotonic() - t0
        say("seed %d: %d requests on main %s..%s (%s) in %s [%.1f s]" % (
            args.seed, len(gen.cands), gen.main_revs[0], gen.head, ", ".join(gen.main_revs), bare, t_gen))
        for c in gen.cands:
            if not args.quiet and len(gen.cands) <= 60:
                say("  " + c.describe())

        for _ in range(max(1, args.jobs)):
            o = Oracle()
            started.append(o)
            ping = o.ask({"op": "ping"})
            if ping.get("status") != "ok":
                print("FAIL: the oracle did not start: %s" % ping)
                return 1
            oracles.put(o)
        version = ping["alembic"]

        # 2. the guard
        lines, findings, t_guard = run_forecast(args.binary, bare, env, version, args.timeout)
        g_pairs = {}
        g_bad = {}
        for obj in lines:
            if "pair" in obj:
                refs = obj.get("pair") or []
                if len(refs) != 2 or refs != sorted(refs):
                    findings.append("pair not sorted or not two refs: %s" % json.dumps(obj)[:300])
                if obj.get("prs") != [pr_number(r) for r in refs]:
                    findings.append("prs %s do not match the refs %s" % (obj.get("prs"), refs))
                g_pairs.setdefault(tuple(sorted(refs)), []).append(obj)
            elif "candidate" in obj:
                if obj.get("ok") is not False:
                    findings.append("a candidate line without ok=false: %s" % json.dumps(obj)[:300])
                g_bad[obj["candidate"]] = obj
            else:
                findings.append("an unknown line: %s" % json.dumps(obj)[:300])
        for pair in g_pairs:
            for r in pair:
                if r in g_bad:
                    findings.append("%s is reported bad alone and in the pair %s" % (r, list(pair)))
        if args.sabotage == "drop-pair" and g_pairs:
            dropped = sorted(g_pairs)[len(g_pairs) // 2]
            del g_pairs[dropped]
            say("sabotage: dropped the reported pair %s" % list(dropped))
        if args.sabotage == "drop-bad" and g_bad:
            dropped = sorted(g_bad)[0]
            del g_bad[dropped]
            say("sabotage: dropped the bad-alone %s" % dropped)

        # 3. the ground truth
        t0 = time.monotonic()
        mirror = os.path.join(workdir, "truth.git")
        run(env, workdir, "clone", "-q", "--mirror", bare, mirror)
        truth = Truth(mirror, workdir, env, oracles)
        main_oid = truth.git("rev-parse", "refs/heads/main").stdout.decode().strip()
        refs = {}
        for line in truth.git("for-each-ref", "--format=%(objectname) %(refname)", "refs/pull/").stdout.decode().splitlines():
            oid, ref = line.split(" ", 1)
            refs[ref] = oid
        base_out = Outcome(resp=truth.judge_tree(truth.git("rev-parse", main_oid + "^{tree}").stdout.decode().strip()))
        if base_out.error or base_out.dups or len(base_out.heads) != 1:
            raise RuntimeError("main is not a clean history: %s" % base_out.describe())
        cands = sorted(refs, key=lambda r: (pr_number(r) is None, pr_number(r), r))
        merged_already = [r for r in cands
                          if truth.git("merge-base", "--is-ancestor", refs[r], main_oid, ok=(0, 1)).returncode == 0]
        cands = [r for r in cands if r not in merged_already]
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        alone = dict(zip(cands, pool.map(lambda r: truth.land(main_oid, refs[r]), cands)))
        t_bad = {r: bad_alone(base_out, out) for r, (_, out) in alone.items()}
        t_bad = {r: why for r, why in t_bad.items() if why}
        good = [r for r in cands if r not in t_bad]
        all_pairs = list(itertools.combinations(good, 2))

        def judge_pair(pair):
            a, b = pair
            both, conflicts = truth.land_pair(alone[a][0], refs[b])
            return both, conflicts, pair_collides(alone[a][1], alone[b][1], both)

        results = dict(zip(all_pairs, pool.map(judge_pair, all_pairs)))
        pool.shutdown()
        t_truth = time.monotonic() - t0
        t_pairs = {tuple(sorted(p)): why for p, (_, _, why) in results.items() if why}
        outside = sum(1 for _, conflicts, _ in results.values()
                      if conflicts and not any(alembic_loads(f) for f in conflicts))

        if args.sabotage == "extra-pair":
            fine = sorted(tuple(sorted(p)) for p in all_pairs if tuple(sorted(p)) not in t_pairs)
            if fine:
                extra = fine[len(fine) // 2]
                g_pairs[extra] = [{"pair": list(extra), "problems": [{"code": "sabotage"}]}]
                say("sabotage: added the pair %s" % list(extra))

        # 4. compare
        def adds(ref):
            c = by_ref.get(ref)
            return c.describe() if c else ref

        def guard_pair(pair):
            objs = g_pairs.get(pair)
            if not objs:
                return "no pair"
            return "; ".join("%s: %s (shared %s, move %s)" % (
                o.get("environment"), ", ".join("%s%s" % (p.get("code"), p.get("revisions") or p.get("files") or "")
                                                for p in o.get("problems") or []),
                o.get("shared"), o.get("move")) for o in objs)

        def guard_alone(ref):
            o = g_bad.get(ref)
            if not o:
                return "fine alone"
            return "bad alone: " + ", ".join("%s%s" % (p.get("code"), p.get("revisions") or p.get("files") or "")
                                             for p in o.get("introduced") or [])

        disagreements = list(findings)
        for ref in sorted(set(g_bad) | set(t_bad), key=lambda r: (pr_number(r) or 0, r)):
            if (ref in g_bad) != (ref in t_bad):
                disagreements.append("ALONE %s\n      adds:    %s\n      guard:   %s\n      Alembic: %s (%s)" % (
                    ref, adds(ref), guard_alone(ref), alone[ref][1].describe() if ref in alone else "?",
                    t_bad.get(ref) or "fine alone"))
        for pair in sorted(set(g_pairs) | set(t_pairs), key=lambda p: tuple((pr_number(r) or 0) for r in p)):
            if (pair in g_pairs) == (pair in t_pairs):
                continue
            a, b = pair
            res = results.get(pair) or results.get((b, a))
            if res:
                said = "%s -> %s" % (res[0].describe(), res[2] or "fine")
                if res[1] and not res[0].conflict:
                    said += " (conflict outside the migrations: %s)" % ", ".join(res[1])
                said += "; alone: %s | %s" % (alone[a][1].describe(), alone[b][1].describe())
            else:
                said = "not judged as a pair (%s)" % ", ".join("%s %s" % (r, t_bad.get(r) or "fine alone") for r in pair)
            disagreements.append(
                "PAIR %s + %s\n      %s adds: %s\n      %s adds: %s\n      guard:   %s\n      Alembic: %s\n"
                "      rerun: %s forecast --repo %s --format json %s %s" % (
                    a, b, a, adds(a), b, adds(b), guard_pair(pair), said, args.binary, bare, a, b))

        for d in disagreements:
            print("DISAGREEMENT " + d)
        elapsed = time.monotonic() - t_start
        agree = not disagreements
        print("seed %d: %d candidates, %d good alone (%d bad alone: guard %d), %d pairs checked, "
              "%d colliding (guard %d), %d with a conflict outside the migrations; %s; "
              "%.1f s (generate %.1f, forecast %.2f, ground truth %.1f with %d Alembic runs)" % (
                  args.seed, len(cands), len(good), len(t_bad), len(g_bad), len(all_pairs), len(t_pairs),
                  len(g_pairs), outside, "agreement" if agree else "%d DISAGREEMENTS" % len(disagreements),
                  elapsed, t_gen, t_guard, t_truth, truth.oracle_asks))
        if not args.quiet:
            codes = {}
            for why in t_pairs.values():
                codes[why] = codes.get(why, 0) + 1
            bad_codes = {}
            for why in t_bad.values():
                bad_codes[why] = bad_codes.get(why, 0) + 1
            print("  colliding pairs by Alembic's reason: %s; bad alone: %s" % (
                json.dumps(codes, sort_keys=True), json.dumps(bad_codes, sort_keys=True)))
            print("  ground truth, seconds summed over %d jobs: git merge-tree %.1f, reading objects and "
                  "writing trees %.1f, Alembic %.1f" % (args.jobs, truth.seconds["merge"], truth.seconds["read"],
                                                        truth.seconds["oracle"]))
        if not agree or args.keep:
            args.keep = True
            print("kept: %s (bare repository %s)" % (workdir, bare))
        return 0 if agree else 1
    except Exception:  # noqa: BLE001 - a harness error is a failure
        print("FAIL: harness error (kept %s):\n%s" % (workdir, traceback.format_exc()))
        args.keep = True
        return 1
    finally:
        if truth:
            truth.close()
        for o in started:
            try:
                o.close()
            except Exception:  # noqa: BLE001
                pass
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
