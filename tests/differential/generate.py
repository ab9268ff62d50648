#!/usr/bin/python3
"""Seeded generator of random Alembic projects for the differential tests.

    generate.py --seed S --out DIR          write one project into DIR (prints its manifest)
    generate.py --selfcheck --count N --seed S [--alembic-path DIR]
                                            generate N projects and check with the oracle
                                            that each produces the Alembic outcome intended
                                            (by the system's Alembic, or the one in DIR)

The same seed always gives the same project (the generator only uses its own
random.Random(seed), and random.Random("alembic-versions:<seed>") for the
shapes whose outcome depends on the Alembic version).  `generate(seed)` returns
a Project: the files (path -> bytes, plus symlinks and directories), the
environments with how to ask the oracle about each, and per environment the
kinds of cases injected and the problem codes intended.

The project is the same whatever Alembic is asked; what Alembic makes of it is
not (../shared/alembic-versions.md).  The outcomes that differ are predicted
per version: tables keyed by the first version of each rule (V1_10 ...), a
model of which files each version lists (alembic_listing), and of how it
splits version_locations (alembic_locations).
"""
import argparse
import json
import os
import posixpath
import random
import re
import string
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The project templates every suite shares (tests/alembic_projects).
sys.path.append(os.path.dirname(HERE))
from alembic_projects import LOGGING_SECTIONS, OFFLINE_ENV_PY, SCRIPT_MAKO  # noqa: E402

# ---------------------------------------------------------------------------
# Alembic versions: the first version of each rule that changes an outcome
# (../shared/alembic-versions.md, and alembic-guard's lib/alembic/alembic_version.hpp)

BASE = (0, 0, 0)     # 1.8.1 and everything before the first rule
V1_10 = (1, 10, 0)   # sorted listing; recursive_version_locations = true; directories, dangling
                     # links, a missing default versions/ and a file location skipped; symlinks
                     # matched by their target's name
V1_12_1 = (1, 12, 1)  # down_revision = '' is a parent that does not exist
V1_13_3 = (1, 13, 3)  # entries of version_locations stripped; `newline` separator
V1_16 = (1, 16, 0)   # path_separator (wins over version_path_separator); [tool.alembic]
V1_16_4 = (1, 16, 4)  # TOML booleans read (before: "unsupported TOML value type")
V1_17_1 = (1, 17, 1)  # ':' refused in revision IDs


def parse_version(text):
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def since(version, table):
    """The entry of a prediction table {first version: outcome} in force for `version`."""
    return table[max(k for k in table if k <= version)]


# ---------------------------------------------------------------------------
# data model


class Rev:
    """One migration file to write."""

    def __init__(self, rid, down, labels=None, deps=None):
        self.id = rid            # revision id written in the file
        self.down = down         # None | str | list[str]
        self.labels = list(labels or [])
        self.deps = list(deps or [])
        self.loc = 0             # index of the version location
        self.filename = None
        self.omit_rev = False    # no `revision` (legacy file name or error)
        self.omit_down = False   # no `down_revision` at all
        self.empty_down = False  # down_revision = ''
        self.corrupt = None      # syntax-error kind appended to the file
        self.decor = None        # harmless oddity (utf8 comment, latin-1 cookie, ...)
        self.nonliteral_label = None  # e.g. "(cli.EXPAND_BRANCH,)"
        self.reassign = False    # revision assigned twice at module level (last wins)
        self.slug = None
        self.subdir = None       # written in this sub-directory of its location
        self.link = None         # "nonpy-to-py": listed through a symlink not named *.py
        self.path = None         # where its text is written (the link's target for a link)

    def downs(self):
        if self.down is None:
            return []
        if isinstance(self.down, str):
            return [self.down] if self.down else []
        return list(self.down)


class Env:
    def __init__(self):
        self.request = None          # oracle request minus "dir"
        self.locations = []          # repo-relative dirs, in configured order
        self.script_dir = None       # repo-relative script_location dir
        self.revs = []
        self.kinds = []              # what this environment exercises
        self.intended = set()        # problem codes intended (besides multiple-heads)
        self.config_error = None     # intended unreadable-config kind
        self.prepend_sys_path = False
        # What differs between Alembic versions (None: the same in every version).
        self.request_table = None    # {first version: oracle request}
        self.version_intents = []    # [{first version: problem code or None}]
        self.recursive_table = None  # {first version: True | False | "unreadable-config"}
        self.ini_dir = ""            # the directory Alembic runs in (repo-relative)
        self.vl = None               # version_locations as the ini writes it (None: not set)
        self.ps = None               # path_separator, as written
        self.vps = None              # version_path_separator, as written
        self.toml_vl = None          # [tool.alembic] version_locations (a list, or a str)
        self.toml_only = False       # the whole config is [tool.alembic] (no ini)
        self.extra_ini_lines = []    # e.g. recursive_version_locations = true
        self.no_versions_dir = False  # the default versions/ is not written at all

    def request_for(self, version):
        """The oracle request for the Alembic `version` (a tuple or "1.18.4")."""
        if isinstance(version, str):
            version = parse_version(version)
        if self.request_table is None:
            return self.request
        return since(version, self.request_table)


class Project:
    def __init__(self, seed):
        self.seed = seed
        self.files = {}       # path -> bytes
        self.symlinks = {}    # path -> target
        self.envs = []
        self.junk = set()     # files that are not Python, loaded by some Alembic through a link

    def add(self, path, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        assert path not in self.files, path
        self.files[path] = data

    def write(self, root):
        for path, data in sorted(self.files.items()):
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as fh:
                fh.write(data)
        for path, target in sorted(self.symlinks.items()):
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            os.symlink(target, full)

    def manifest(self):
        return {
            "seed": self.seed,
            "environments": [
                {
                    "request": e.request,
                    "version_locations": sorted(set(e.locations)),
                    "kinds": e.kinds,
                    "intended": sorted(e.intended),
                    "revisions": len(e.revs),
                }
                for e in self.envs
            ],
        }


# ---------------------------------------------------------------------------
# ids and names

WORDS = ("add users table create index drop column rename account billing invoice "
         "customer order item audit log session token merge heads fix backfill "
         "constraint unique email status tenant").split()


class Ids:
    def __init__(self, rng, style):
        self.rng = rng
        self.style = style   # "num" | "hex" | "mixed"
        self.n = 0
        self.used = set()

    def new(self):
        while True:
            style = self.style
            if style == "mixed":
                style = self.rng.choice(["num", "hex"])
            if style == "num":
                self.n += 1
                width = 3 if self.n < 1000 else 4
                rid = "%0*d" % (width, self.n)
            else:
                rid = "%012x" % self.rng.getrandbits(48)
            if rid not in self.used:
                self.used.add(rid)
                return rid


def slug(rng):
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


# ---------------------------------------------------------------------------
# histories


def build_graph(rng, ids, shape, n):
    """Return a list of Rev in creation order for a given base shape."""
    revs = []
    if shape == "empty":
        return revs
    if shape == "labels":
        # expand/contract style: two (or three) labelled branches.
        nb = rng.choice([2, 2, 3])
        names = rng.sample(["expand", "contract", "data", "billing", "core"], nb)
        tips = []
        for i, name in enumerate(names):
            if i == 0 or rng.random() < 0.6:
                r = Rev(ids.new(), None, labels=[name])      # its own base
            else:
                r = Rev(ids.new(), revs[0].id, labels=[name])  # branches off the first base
            revs.append(r)
            tips.append(r)
        for _ in range(max(0, n - nb)):
            b = rng.randrange(len(tips))
            r = Rev(ids.new(), tips[b].id)
            if rng.random() < 0.25:
                # depends_on another branch's revision or its label
                other = rng.randrange(len(tips))
                if other != b:
                    if rng.random() < 0.5:
                        r.deps = [tips[other].id]
                    else:
                        r.deps = [names[other]]
            revs.append(r)
            tips[b] = r
        if rng.random() < 0.3:
            # merge the branches back into one head
            revs.append(Rev(ids.new(), [t.id for t in tips]))
        return revs

    base = Rev(ids.new(), None)
    revs.append(base)
    heads = [base]
    for _ in range(n - 1):
        roll = rng.random()
        if shape in ("branchy", "fork") and roll < 0.12 and len(revs) > 1:
            parent = rng.choice(revs)      # fork from an earlier revision
            r = Rev(ids.new(), parent.id)
            if parent in heads:
                heads.remove(parent)
            heads.append(r)
        elif shape in ("branchy", "fork") and roll < 0.25 and len(heads) >= 2:
            k = min(len(heads), rng.choice([2, 2, 2, 3]))
            parents = rng.sample(heads, k)
            r = Rev(ids.new(), [p.id for p in parents])
            for p in parents:
                heads.remove(p)
            heads.append(r)
        else:
            parent = heads[-1]
            r = Rev(ids.new(), parent.id)
            heads.remove(parent)
            heads.append(r)
        revs.append(r)
        if shape == "fork":
            continue
    if shape in ("linear", "branchy") and len(heads) > 1:
        r = Rev(ids.new(), [h.id for h in heads])
        revs.append(r)
        heads = [r]
    if shape == "fork" and len(heads) == 1:
        # the common mistake: two branches each add a revision on the same tip
        tip = heads[0]
        for _ in range(rng.choice([2, 2, 3])):
            revs.append(Rev(ids.new(), tip.id))
    return revs


def current_heads(revs):
    named = set()
    for r in revs:
        named.update(r.downs())
    return [r for r in revs if r.id not in named]


# Problem injections: name -> (weight, intended code or None when still valid)
INJECTIONS = {
    "dup-same-parent-tip": (12, "duplicate-revision"),
    "dup-same-parent-mid": (4, "duplicate-revision"),
    "dup-different-parent": (6, "duplicate-revision"),
    "dup-different-parent-labelled": (2, "duplicate-revision"),
    "dup-base": (2, "duplicate-revision"),
    "dup-merge-of-dups": (1, "duplicate-revision"),
    "missing-parent": (6, "missing-revision"),
    "missing-parent-in-merge": (2, "missing-revision"),
    "missing-depends-on": (3, "missing-revision"),
    "down-revision-is-label": (2, "missing-revision"),
    "depends-on-label": (3, None),
    "depends-on-revision": (3, None),
    "cycle": (2, "cycle"),
    "cycle-no-base": (1, "cycle"),
    "self-loop": (1, "cycle"),
    "depends-on-self": (1, "cycle"),
    "dependency-cycle": (1, "cycle"),
    "undetected-dependency-cycle": (1, None),
    "undetected-merge-cycle": (1, None),
    "branch-label-clash": (3, "branch-label-conflict"),
    "branch-label-equals-revision": (1, "branch-label-conflict"),
    "no-down-revision": (3, "unparsable-migration"),
    "legacy-hex-filename": (3, None),
    "no-revision-bad-filename": (2, "unparsable-migration"),
    "conflict-markers": (3, "unparsable-migration"),
    "unterminated-string": (2, "unparsable-migration"),
    "unterminated-triple-string": (1, "unparsable-migration"),
    "unterminated-bracket": (2, "unparsable-migration"),
    "nul-byte": (2, "unparsable-migration"),
    "invalid-utf8-in-string": (2, "unparsable-migration"),
    "invalid-utf8-in-comment": (2, None),
    "latin1-coding-cookie": (1, None),
    "nesting-201": (1, "unparsable-migration"),
    "nesting-200": (1, None),
    "illegal-char-in-id": (1, "invalid-revision-id"),
    "directory-named-py": (1, "unparsable-migration"),
    "dangling-symlink": (1, "unparsable-migration"),
    "empty-string-down-revision": (2, None),
    "nonliteral-branch-label": (3, None),
    "ignored-files": (5, None),
    "module-level-reassign": (1, None),
    "branch-labels-valid": (3, None),
}


CYCLE_INJECTIONS = ("cycle", "cycle-no-base", "dependency-cycle",
                    "undetected-dependency-cycle", "undetected-merge-cycle")

# Injections whose code above is 1.8.1's: what a version makes of them is predicted by
# alembic_listing (1.10 skips a directory named *.py; a dangling link to a missing *.py
# still fails) or by a version table (inject()).
BY_VERSION = ("directory-named-py", "dangling-symlink", "empty-string-down-revision")


def pick_injections(rng):
    roll = rng.random()
    if roll < 0.45:
        k = 0
    elif roll < 0.88:
        k = 1
    else:
        k = rng.choice([2, 2, 3])
    names = list(INJECTIONS)
    weights = [INJECTIONS[n][0] for n in names]
    picked = [rng.choices(names, weights)[0] for _ in range(k)]
    # cycles last, so that they see the final graph
    return sorted(picked, key=lambda n: n in CYCLE_INJECTIONS)


def inject(rng, env, ids, name, can_nonliteral):
    """Apply one injection to env.revs. Returns the intended code (or None)."""
    revs = env.revs
    code = INJECTIONS[name][1]
    nonbase = [r for r in revs if r.downs()]
    lab_ok = [r for r in revs if not r.nonliteral_label]
    plain = [r for r in revs if not r.omit_rev and r.corrupt is None and not r.omit_down
             and r.decor is None and not r.empty_down]

    def need(cond):
        if not cond:
            raise Skip()

    if name in CYCLE_INJECTIONS:
        # keep cycle cases predictable: no duplicated IDs in the same graph
        need(len(set(r.id for r in revs)) == len(revs))

    if name == "dup-same-parent-tip":
        need(revs)
        tip = current_heads(revs)[-1] if current_heads(revs) else revs[-1]
        new_id = ids.new()
        a = Rev(new_id, tip.id)
        b = Rev(new_id, tip.id)
        revs.extend([a, b])
    elif name == "dup-same-parent-mid":
        need(nonbase)
        x = rng.choice(nonbase)
        revs.append(Rev(x.id, x.down if isinstance(x.down, str) else list(x.down)))
    elif name == "dup-different-parent":
        need(len(revs) >= 2)
        x = rng.choice(revs)
        others = [r for r in revs if r.id != x.id and r.id not in x.downs()]
        need(others)
        # a different parent that is not a descendant of x (keeps it acyclic)
        desc = descendants(revs, x.id)
        others = [r for r in others if r.id not in desc]
        need(others)
        revs.append(Rev(x.id, rng.choice(others).id))
    elif name == "dup-different-parent-labelled":
        # the copy loaded FIRST carries a branch label: Alembic still maps the
        # label to it, so its parent stops being a head although the later copy
        # wins the ID (measured; see the report).
        need(len(revs) >= 2)
        x = rng.choice(lab_ok)
        desc = descendants(revs, x.id)
        others = [r for r in revs if r.id != x.id and r.id not in x.downs() and r.id not in desc]
        need(others)
        parent = rng.choice(others)
        if rng.random() < 0.6:
            # a fresh leaf parent, so that the label decides whether it is a head
            parent = Rev(ids.new(), parent.id)
            revs.append(parent)
        dup = Rev(x.id, parent.id, labels=["dup_" + "".join(rng.choice(string.ascii_lowercase) for _ in range(4))])
        dup.filename = "%s_0_first_copy.py" % x.id.replace("@", "_at_").replace("+", "_plus_")
        dup.pin = x
        revs.append(dup)
    elif name == "dup-base":
        bases = [r for r in revs if not r.downs()]
        need(bases)
        revs.append(Rev(bases[0].id, None))
    elif name == "dup-merge-of-dups":
        need(revs)
        tip = revs[-1]
        new_id = ids.new()
        revs.extend([Rev(new_id, tip.id), Rev(new_id, tip.id), Rev(ids.new(), [new_id, new_id])])
    elif name == "missing-parent":
        need(nonbase)
        r = rng.choice(nonbase)
        if isinstance(r.down, str):
            r.down = ids.new()
        else:
            d = list(r.down)
            d[rng.randrange(len(d))] = ids.new()
            r.down = d
    elif name == "missing-parent-in-merge":
        need(revs)
        revs.append(Rev(ids.new(), [revs[-1].id, ids.new()]))
    elif name == "missing-depends-on":
        need(revs)
        rng.choice(revs).deps.append(ids.new() if rng.random() < 0.7 else "nosuchlabel")
    elif name == "down-revision-is-label":
        need(lab_ok)
        r = rng.choice(lab_ok)
        label = "lbl_" + "".join(rng.choice(string.ascii_lowercase) for _ in range(5))
        r.labels.append(label)
        revs.append(Rev(ids.new(), label))
    elif name == "depends-on-label":
        need(len(lab_ok) >= 1)
        target = rng.choice(lab_ok)
        if target.labels:
            label = target.labels[0]
        else:
            label = "lbl_" + "".join(rng.choice(string.ascii_lowercase) for _ in range(5))
            target.labels.append(label)
        r = Rev(ids.new(), None, deps=[label])
        revs.append(r)
    elif name == "depends-on-revision":
        need(len(revs) >= 2)
        # a revision on its own base depending on an existing one (a dependency
        # does not stop the target from being a head)
        target = rng.choice(revs)
        if rng.random() < 0.5:
            revs.append(Rev(ids.new(), None, deps=[target.id]))
        else:
            tip = revs[-1]
            desc = descendants(revs, tip.id)
            if target.id in desc or target.id == tip.id:
                raise Skip()
            revs.append(Rev(ids.new(), tip.id, deps=[target.id]))
    elif name == "cycle":
        need(len(revs) >= 3)
        # with a merge the loop may stay reachable from a base: Alembic 1.8.1
        # then detects nothing (that case is "undetected-merge-cycle")
        need(all(len(r.downs()) <= 1 for r in revs))
        # an earlier non-base revision now points at a later descendant
        chain = ancestors_chain(revs)
        need(len(chain) >= 3)
        i = rng.randrange(1, len(chain) - 1)
        j = rng.randrange(i + 1, len(chain))
        a = by_id(revs, chain[i])
        a.down = chain[j]
    elif name == "cycle-no-base":
        need(len(revs) >= 2)
        bases = [r for r in revs if not r.downs()]
        need(len(bases) == 1)
        heads = current_heads(revs)
        need(heads)
        bases[0].down = heads[-1].id
    elif name == "self-loop":
        need(revs)
        r = rng.choice(revs)
        r.down = r.id if rng.random() < 0.7 else (r.downs() + [r.id])
    elif name == "depends-on-self":
        need(revs)
        r = rng.choice(revs)
        r.deps.append(r.id)
    elif name == "dependency-cycle":
        # detected by Alembic 1.8.1 only when it leaves no "real" head: the
        # revision depended upon is the only head.
        chain = ancestors_chain(revs)
        need(len(chain) >= 2)
        need([h.id for h in current_heads(revs)] == [chain[-1]])
        i = rng.randrange(0, len(chain) - 1)
        by_id(revs, chain[i]).deps.append(chain[-1])
    elif name == "undetected-dependency-cycle":
        # a dependency on a descendant that is not the only head: every
        # revision stays reachable, Alembic 1.8.1 loads it without a word.
        chain = ancestors_chain(revs)
        need(len(chain) >= 4)
        i = rng.randrange(1, len(chain) - 2)   # not the base: it must stay a real base
        j = rng.randrange(i + 1, len(chain) - 1)
        by_id(revs, chain[i]).deps.append(chain[j])
    elif name == "undetected-merge-cycle":
        # X.down = (parent, Y) and Y.down = X, X keeps a child: Alembic 1.8.1
        # finds heads and bases and reports no cycle.
        chain = ancestors_chain(revs)
        need(len(chain) >= 3)
        i = rng.randrange(1, len(chain) - 1)
        x = by_id(revs, chain[i])
        y = Rev(ids.new(), x.id)
        x.down = x.downs() + [y.id]
        revs.append(y)
    elif name == "branch-label-clash":
        need(len(lab_ok) >= 2)
        a, b = rng.sample(lab_ok, 2)
        need(a.id != b.id)
        label = a.labels[0] if a.labels else "lbl_" + "".join(rng.choice(string.ascii_lowercase) for _ in range(5))
        if label not in a.labels:
            a.labels.append(label)
        b.labels.append(label)
    elif name == "branch-label-equals-revision":
        need(len(lab_ok) >= 2)
        a, b = rng.sample(lab_ok, 2)
        need(a.id != b.id)
        b.labels.append(a.id)
    elif name == "no-down-revision":
        need(plain)
        rng.choice(plain).omit_down = True
    elif name == "legacy-hex-filename":
        cands = [r for r in plain if all(c in "0123456789abcdef" for c in r.id)]
        need(cands)
        r = rng.choice(cands)
        r.omit_rev = True
        r.filename = r.id + ".py"
    elif name == "no-revision-bad-filename":
        need(plain)
        r = rng.choice(plain)
        r.omit_rev = True
        r.filename = None  # forces "<id>_<slug>.py", which is not a legacy name
        r.slug = r.slug or slug(rng)
        r.decor = "no-legacy"
    elif name in ("conflict-markers", "unterminated-string", "unterminated-triple-string",
                  "unterminated-bracket", "nul-byte", "invalid-utf8-in-string", "nesting-201"):
        need(plain)
        rng.choice(plain).corrupt = name
    elif name in ("invalid-utf8-in-comment", "latin1-coding-cookie", "nesting-200"):
        need(plain)
        rng.choice(plain).decor = name
    elif name == "illegal-char-in-id":
        need(revs)
        r = rng.choice(current_heads(revs) or revs)
        old = r.id
        r.id = old[:2] + rng.choice("-+@") + old[2:]
        for x in revs:
            if x.down == old:
                x.down = r.id
    elif name == "directory-named-py":
        env.kinds.append(name)
        env.extra_dirs = getattr(env, "extra_dirs", []) + ["%s_notes.py" % ids.new()]
        return None
    elif name == "dangling-symlink":
        # the target's name ends in .py: 1.10+ matches it and fails to load it too
        env.extra_links = getattr(env, "extra_links", []) + [("%s_link.py" % ids.new(), "../nowhere/missing_target.py")]
    elif name == "empty-string-down-revision":
        bases = [r for r in plain if not r.downs()]
        need(bases)
        bases[0].empty_down = True
        env.version_intents.append({BASE: None, V1_12_1: "missing-revision"})
    elif name == "nonliteral-branch-label":
        need(can_nonliteral)
        need(plain)
        r = rng.choice(plain)
        need(not r.labels)
        used = getattr(env, "nonliteral_used", set())
        choices = [c for c in ("(cli.EXPAND_BRANCH,)", "(cli.CONTRACT_BRANCH,)",
                               "('liberty_' + cli.EXPAND_BRANCH,)", "cli.DATA_BRANCH")
                   if c not in used]
        need(choices)
        c = rng.choice(choices)
        used.add(c)
        env.nonliteral_used = used
        r.nonliteral_label = c
        env.prepend_sys_path = True
    elif name == "ignored-files":
        env.ignored = True
    elif name == "module-level-reassign":
        need(plain)
        rng.choice(plain).reassign = True
    elif name == "branch-labels-valid":
        need(lab_ok)
        r = rng.choice(lab_ok)
        if not r.labels:
            r.labels.append(rng.choice(["expand", "contract", "main", "feature"]) + "_" + r.id[:4])
    else:
        raise AssertionError(name)
    env.kinds.append(name)
    return None if name in BY_VERSION else code


class Skip(Exception):
    pass


def by_id(revs, rid):
    for r in revs:
        if r.id == rid:
            return r
    raise KeyError(rid)


def descendants(revs, rid):
    out = set()
    todo = [rid]
    while todo:
        x = todo.pop()
        for r in revs:
            if x in r.downs() and r.id not in out:
                out.add(r.id)
                todo.append(r.id)
    return out


def ancestors_chain(revs):
    """A down_revision chain from the last revision back to a base."""
    if not revs:
        return []
    chain = []
    seen = set()
    cur = revs[-1]
    ids = {r.id: r for r in revs}
    while cur is not None and cur.id not in seen:
        seen.add(cur.id)
        chain.append(cur.id)
        d = cur.downs()
        cur = ids.get(d[0]) if d else None
    chain.reverse()
    return chain


# ---------------------------------------------------------------------------
# rendering one migration file


def q(rng, s, quote=None):
    quote = quote or rng.choice(["'", '"'])
    return quote + s + quote


def render_value(rng, val, quote, allow_multiline=True):
    """A literal for None / str / list of str."""
    if val is None:
        return "None"
    if isinstance(val, str):
        if rng.random() < 0.05:
            return "(%s,)" % q(rng, val, quote)   # 1-tuple, Alembic treats it as the scalar
        return q(rng, val, quote)
    items = [q(rng, v, quote) for v in val]
    form = rng.random()
    if form < 0.45:
        return "(" + ", ".join(items) + ")"
    if form < 0.6:
        return "(" + ", ".join(items) + ",)"
    if form < 0.75:
        return "[" + ", ".join(items) + "]"
    if allow_multiline:
        inner = "".join("    %s,%s\n" % (it, "  # parent" if rng.random() < 0.2 else "") for it in items)
        opener = "(" if rng.random() < 0.7 else "["
        closer = ")" if opener == "(" else "]"
        return opener + "\n" + inner + closer
    return "(" + ", ".join(items) + ")"


def render(rng, r, filename_id_hint):
    """Return the bytes of a migration file for Rev r."""
    quote = rng.choice(["'", '"'])
    style = rng.choices(["plain", "annotated", "pep604", "seq", "tuplestr"], [50, 20, 10, 10, 5])[0]
    ann_rev = {"plain": "", "annotated": ": str", "pep604": ": str", "seq": ": str", "tuplestr": ": str"}[style]
    ann_down = {"plain": "", "annotated": ": Union[str, None]", "pep604": ": str | None",
                "seq": ": Union[str, Sequence[str], None]", "tuplestr": ": tuple[str] | str | None"}[style]
    ann_lab = {"plain": "", "annotated": ": Union[str, Sequence[str], None]", "pep604": ": str | tuple[str, ...] | None",
               "seq": ": Union[str, Sequence[str], None]", "tuplestr": ": tuple[str] | None"}[style]
    if isinstance(r.down, list) and style == "annotated":
        ann_down = ": Union[str, Sequence[str], None]"
    lines = []
    cookie = r.decor == "latin1-coding-cookie"
    if cookie:
        lines.append("# -*- coding: latin-1 -*-")
    doc_rev = r.id
    doc_down = ", ".join(r.downs()) if r.downs() else "None"
    if rng.random() < 0.1:   # a docstring that disagrees with the variables
        doc_rev = "%012x" % rng.getrandbits(48)
        doc_down = "%012x" % rng.getrandbits(48)
    if rng.random() < 0.9:
        doc = ['"""%s' % (r.slug or "migration").replace("_", " "), "",
               "Revision ID: %s" % doc_rev, "Revises: %s" % doc_down,
               "Create Date: 2023-0%d-1%d 12:00:00.000000" % (rng.randint(1, 9), rng.randint(0, 9))]
        if rng.random() < 0.1:
            doc += ["", "revision = 'decoy_in_docstring'", "down_revision = 'decoy'"]
        if cookie:
            doc += ["", "Caf\u00e9 migration"]
        doc.append('"""')
        lines += doc
    if style != "plain":
        lines.append("from typing import Sequence, Union")
        lines.append("")
    lines.append("from alembic import op")
    lines.append("import sqlalchemy as sa")
    if r.nonliteral_label:
        lines.append("import cli_labels as cli")
    lines.append("")
    if rng.random() < 0.05:
        lines.append("# revision = 'decoy_in_comment'")
    if rng.random() < 0.05:
        lines.append("NOTE = \"revision = 'decoy_in_string'\"")
    lines.append("# revision identifiers, used by Alembic.")
    comment = lambda: ("  # " + rng.choice(["the id", "noqa", "type: ignore", "parent"])) if rng.random() < 0.08 else ""
    alias = rng.random() < 0.05
    if not r.omit_rev:
        if r.reassign:
            lines.append("revision%s = %s" % (ann_rev, q(rng, "%012x" % rng.getrandbits(48), quote)))
        if alias:
            lines.append("REV_ID = %s" % q(rng, r.id, quote))
            lines.append("revision%s = REV_ID%s" % (ann_rev, comment()))
        else:
            lines.append("revision%s = %s%s" % (ann_rev, q(rng, r.id, quote), comment()))
    if not r.omit_down:
        if r.empty_down and not r.downs():
            val = q(rng, "", quote)
        elif rng.random() < 0.04 and isinstance(r.down, str):
            lines.append("PARENT = %s" % q(rng, r.down, quote))
            val = "PARENT"
        else:
            val = render_value(rng, r.down, quote)
        lines.append("down_revision%s = %s%s" % (ann_down, val, comment()))
    if r.nonliteral_label:
        lines.append("branch_labels = %s" % r.nonliteral_label)
    elif r.labels or rng.random() < 0.8:
        lab = r.labels
        if not lab:
            lval = "None"
        elif len(lab) == 1 and rng.random() < 0.4:
            lval = q(rng, lab[0], quote)
        else:
            lval = render_value(rng, list(lab), quote)
        lines.append("branch_labels%s = %s" % (ann_lab, lval))
    if r.deps or rng.random() < 0.8:
        if not r.deps:
            dval = "None" if rng.random() < 0.85 else "()"
        elif len(r.deps) == 1 and rng.random() < 0.5:
            dval = q(rng, r.deps[0], quote)
        else:
            dval = render_value(rng, list(r.deps), quote)
        lines.append("depends_on%s = %s" % (ann_lab, dval))
    lines.append("")
    lines.append("")
    if rng.random() < 0.08:
        lines += ["class Helper:", "    revision = 'decoy_in_class'", "    down_revision = None", "", ""]
    lines.append("def upgrade()%s:" % (" -> None" if style != "plain" else ""))
    if rng.random() < 0.08:
        lines.append("    revision = 'decoy_in_function'")
        lines.append("    down_revision = 'decoy'")
    lines.append("    op.create_table(%s, sa.Column('id', sa.Integer(), primary_key=True))" % q(rng, "t_" + r.id.replace("-", "_").replace("+", "_").replace("@", "_"), quote))
    lines.append("")
    lines.append("")
    lines.append("def downgrade()%s:" % (" -> None" if style != "plain" else ""))
    lines.append("    pass")
    if r.decor == "invalid-utf8-in-comment":
        lines.append("# \udcff\udcfe legacy bytes")
    if r.decor == "nesting-200":
        lines.append("DEEP = " + "(" * 200 + "1" + ")" * 200)
    if r.decor == "latin1-coding-cookie":
        lines.append("LABEL = 'caf\u00e9'")
    corrupt = r.corrupt
    if corrupt == "conflict-markers":
        # a conflict around the header, as a bad merge leaves it
        start = lines.index("# revision identifiers, used by Alembic.")
        idx = next((i for i, l in enumerate(lines) if i > start and (l.startswith("down_revision") or l.startswith("revision"))), start + 1)
        block = ["<<<<<<< HEAD", lines[idx], "=======", lines[idx].replace(r.id, r.id[::-1]) if lines[idx].startswith("revision") else lines[idx], ">>>>>>> feature"]
        lines[idx:idx + 1] = block
    elif corrupt == "unterminated-string":
        lines.append("MESSAGE = %s" % (quote + "it's not closed" if quote == '"' else '"not closed'))
    elif corrupt == "unterminated-triple-string":
        lines.append('"""dangling docstring')
    elif corrupt == "unterminated-bracket":
        pos = rng.randrange(len(lines) - 3, len(lines) + 1)
        lines.insert(pos, "COLUMNS = [")
        lines.append("")
    elif corrupt == "nul-byte":
        lines.append("# \x00")
    elif corrupt == "invalid-utf8-in-string":
        lines.append("TITLE = 'caf\udce9'")
    elif corrupt == "nesting-201":
        lines.append("DEEP = " + "(" * 201 + "1" + ")" * 201)
    eol = "\r\n" if rng.random() < 0.07 else "\n"
    text = eol.join(lines) + eol
    if cookie:
        data = text.encode("latin-1")
    else:
        data = text.encode("utf-8", "surrogateescape")
    if rng.random() < 0.04 and not cookie:
        data = b"\xef\xbb\xbf" + data
    return data


# ---------------------------------------------------------------------------
# environments and config files

SEPARATORS = ["comma", "comma-space", "space", "os", ":", ";", "space-kw"]


def join_locations(rng, locs, sep, here):
    if here:
        locs = ["%(here)s/" + l for l in locs]
    if sep == "comma":
        return None, ",".join(locs)
    if sep == "comma-space":
        return None, ", ".join(locs)
    if sep == "space":
        return None, "  ".join(locs) if rng.random() < 0.3 else " ".join(locs)
    if sep == "os":
        return "os", ":".join(locs)
    if sep == ":":
        return ":", ":".join(locs)
    if sep == ";":
        return ";", ";".join(locs)
    if sep == "space-kw":
        return "space", " ".join(locs)
    raise AssertionError(sep)


# Separators whose reading changed (alembic-versions.md): token -> (path_separator,
# version_path_separator, how the locations are joined).  No value leaves a ':' unsplit:
# `va:vb` read whole is a package resource, which the `alembic` command fails to import.
VERSION_SEPARATORS = {
    "semicolon-space": (None, ";", "; "),       # " vb" before 1.13.3: a location that is not there
    "colon-space": (None, ":", ": "),
    "os-space": (None, "os", ": "),
    "newline-vps": (None, "newline", "\n"),     # ValueError before 1.13.3
    "newline-ps": ("newline", None, "\n"),      # before 1.16: one location "va\nvb"
    "newline-both": ("newline", "newline", "\n"),
    "ps-semicolon-vps-space": (";", "space", ";"),    # before 1.16: "va;vb", one location
    "ps-semicolon-vps-space2": (";", "space", "; "),  # before 1.16: "va;" and "vb"
    "ps-space-vps-semicolon": ("space", ";", " "),    # before 1.16: "va vb", one location
    "file-comma": (None, None, ", "),           # + a location that is a regular file
    "file-space": (None, "space", " "),
    "file-os": (None, "os", ":"),
}
VERSION_SEPARATORS_OF = {
    "sep-spaces": ["semicolon-space", "colon-space", "os-space"],
    "sep-newline": ["newline-vps", "newline-ps", "newline-both"],
    "path-separator": ["ps-semicolon-vps-space", "ps-semicolon-vps-space2", "ps-space-vps-semicolon"],
    "file-location": ["file-comma", "file-space", "file-os"],
}


def version_separator_line(vr, proj, env, locs, token):
    """(path_separator, version_path_separator, version_locations value as configparser gives it)."""
    ps, vps, joiner = VERSION_SEPARATORS[token]
    locs = list(locs)
    if token.startswith("file-"):
        # a file where a directory is expected, among the locations
        path = vr.choice(["docs/versions", "VERSIONS", "alembic_versions.txt"])
        proj.add(os.path.join(env.ini_dir, path), "not a directory\n")
        locs.insert(vr.randrange(len(locs) + 1), path)
    value = joiner.join(locs)
    if joiner == "\n" and vr.random() < 0.6:
        value = "\n" + value     # `version_locations =` then one location per line
    return ps, vps, value


CLI_PY = '''# label values distinct from every literal label the generator writes
EXPAND_BRANCH = "nl_expand"
CONTRACT_BRANCH = "nl_contract"
DATA_BRANCH = "nl_data"
'''


def ini_section(rng, name, script_location, vl_line, sep, extra_lines=(), ps=None):
    lines = ["[%s]" % name]
    if rng.random() < 0.3:
        lines.append("# path to migration scripts")
    lines.append("script_location = %s" % script_location)
    if rng.random() < 0.3:
        lines.append("file_template = %%(rev)s_%%(slug)s")
    if ps is not None:
        lines.append("path_separator = %s" % ps)
    if sep is not None:
        lines.append("version_path_separator = %s" % sep)
    if vl_line is not None:
        # a value with newlines is written as configparser's continuation lines
        lines.append(("version_locations = %s" % vl_line.replace("\n", "\n    ")).replace("= \n", "=\n"))
    lines.extend(extra_lines)
    lines.append("sqlalchemy.url = sqlite:///%s.db" % name)
    return "\n".join(lines) + "\n"


# The shapes whose outcome depends on the Alembic version (alembic-versions.md), one per project
# at most: name -> weight out of 100 (the rest, three projects in four, are the ordinary ones).
# Drawn from a random.Random of their own, so that a project without one is the same as before.
VERSION_SHAPES = {
    "subdirs": 6,          # migrations in sub-directories of versions/, recursive_version_locations
    "symlinks": 3,         # x.py -> a non-.py file, a non-.py link -> x.py, zz.py -> nowhere
    "sep-spaces": 2,       # `va; vb`: stripped from 1.13.3
    "sep-newline": 2,      # version_path_separator / path_separator = newline
    "path-separator": 2,   # path_separator beside a different version_path_separator (1.16)
    "pyproject-only": 3,   # [tool.alembic] alone (1.16)
    "pyproject-fill": 3,   # alembic.ini + [tool.alembic] filling what the ini lacks (1.16, 1.16.4)
    "colon-ids": 2,        # ':' in revision IDs (refused from 1.17.1)
    "no-versions-dir": 1,  # the default versions/ missing (fails before 1.10)
    "file-location": 1,    # a version location that is a regular file (fails before 1.10)
}
SUBDIRS = ["2024", "2025/q1", "feature_x", "Z_archive", "a/b", "old"]


def generate(seed):
    rng = random.Random(seed)
    vr = random.Random("alembic-versions:%d" % seed)
    proj = Project(seed)
    vshape = vr.choices([None] + list(VERSION_SHAPES),
                        [100 - sum(VERSION_SHAPES.values())] + list(VERSION_SHAPES.values()))[0]
    layout = rng.choices(
        ["single", "here", "subdir", "multiloc", "multisection", "multiini", "convention", "configerror"],
        [40, 7, 10, 17, 9, 7, 6, 4])[0]
    if vshape in ("sep-spaces", "sep-newline", "path-separator", "file-location"):
        layout = "multiloc"
    elif vshape in ("pyproject-fill", "no-versions-dir"):
        layout = "single"
    elif vshape == "pyproject-only":
        layout = "pyproject"
    # environment specs: (ini path or None, section, script dir, [locations] or None (default), sep, here)
    specs = []
    if layout == "single":
        sd = rng.choice(["alembic", "migrations", "db/migrations"])
        specs.append(("alembic.ini", "alembic", sd, None, None, False))
    elif layout == "here":
        specs.append(("alembic.ini", "alembic", "alembic", None, None, True))
    elif layout == "subdir":
        svc = rng.choice(["billing", "accounts", "search"])
        specs.append(("services/%s/alembic.ini" % svc, "alembic", "migrations", None, None, rng.random() < 0.3))
    elif layout == "multiloc":
        sd = rng.choice(["alembic", "migrations"])
        pool = [sd + "/versions", sd + "/versions_extra", "plugins/audit/versions", "plugins/billing/migrations", "contrib"]
        k = rng.choice([2, 2, 3])
        locs = rng.sample(pool, k)
        sep = rng.choice(SEPARATORS)
        here = rng.random() < 0.25
        if vshape in VERSION_SEPARATORS_OF:
            sep, here = vr.choice(VERSION_SEPARATORS_OF[vshape]), False
        specs.append(("alembic.ini", "alembic", sd, locs, sep, here))
    elif layout == "multisection":
        names = ["alembic"] + rng.sample(["billing", "analytics", "tenant"], rng.choice([1, 2]))
        for nm in names:
            sd = "alembic" if nm == "alembic" else "migrations_" + nm
            if rng.random() < 0.3:
                specs.append(("alembic.ini", nm, sd, [sd + "/versions", sd + "/extra"], rng.choice(SEPARATORS), False))
            else:
                specs.append(("alembic.ini", nm, sd, None, None, False))
    elif layout == "multiini":
        specs.append(("alembic.ini", "alembic", "alembic", None, None, False))
        specs.append(("services/billing/alembic.ini", "alembic", "migrations", None, None, False))
        if rng.random() < 0.4:
            specs.append(("tools/reporting/alembic.ini", "reporting", "db", None, None, False))
    elif layout == "convention":
        specs.append((None, None, rng.choice(["migrations", "src/app/db/migrations"]), None, None, False))
        if rng.random() < 0.4:
            specs.append(("alembic.ini", "alembic", "alembic", None, None, False))
    elif layout == "configerror":
        specs.append(("alembic.ini", "alembic", "alembic", ["alembic/versions", "alembic/more"], "BROKEN", False))
    elif layout == "pyproject":
        # [tool.alembic] of a pyproject.toml, no ini (section "pyproject" marks it below)
        sd = vr.choice(["migrations", "alembic", "db/migrations"])
        locs = vr.choice([None, None, [sd + "/versions", sd + "/extra"], [sd + "/versions", "plugins/audit/versions"]])
        specs.append((vr.choice(["pyproject.toml", "pyproject.toml", "services/api/pyproject.toml"]),
                      "pyproject", sd, locs, None, vr.random() < 0.3))

    ini_text = {}
    for ini, section, sd, locs, sep, here in specs:
        env = Env()
        base = os.path.dirname(ini) if ini else ""
        join = (lambda p: os.path.join(base, p) if base else p)
        env.script_dir = join(sd)
        env.locations = [join(l) for l in locs] if locs else [join(sd + "/versions")]
        env.ini_dir = base
        if section == "pyproject":
            # 1.16+ is asked as its command line is run: `alembic heads` beside the pyproject.
            # Older versions cannot read it (no alembic.ini); alembic-guard still reads it
            # (judged by that version's loading rules), so they are asked about the script
            # directory it names.  `request` stays the older form: suites that know only
            # the system's 1.8.1 read it.
            env.toml_only = True
            env.toml_vl = list(locs) if locs else None   # relative to the pyproject's directory
            old = {"script_location": env.script_dir}
            if locs:
                old["version_locations"] = env.locations
            env.request = old
            env.request_table = {BASE: old, V1_16: {"pyproject": ini}}
            env.kinds.append("pyproject-only")
        elif ini:
            env.request = {"ini": ini, "section": section}
        else:
            env.request = {"script_location": env.script_dir}
        # the history
        idstyle = rng.choices(["num", "hex", "mixed"], [45, 45, 10])[0]
        ids = Ids(rng, idstyle)
        shape = rng.choices(["linear", "branchy", "fork", "labels", "empty"], [45, 18, 14, 10, 2])[0]
        n = rng.choice([1, 2, 3, 5, 8, 12, 20, 35]) if shape != "empty" else 0
        env.revs = build_graph(rng, ids, shape, max(n, 3 if shape == "labels" else 1))
        env.kinds.append("shape:" + shape)
        if shape == "empty":
            env.ignored = True
        for inj in pick_injections(rng) if shape != "empty" else []:
            try:
                # (a non-literal label imports a module prepend_sys_path = . finds: an ini's)
                code = inject(rng, env, ids, inj, can_nonliteral=ini is not None and section != "pyproject")
            except Skip:
                continue
            if code:
                env.intended.add(code)
        if vshape and not getattr(proj, "vshape_used", False):
            apply_version_shape(vr, proj, env, ids, vshape)
        # config line
        if section == "pyproject":
            sl = ("%(here)s/" + sd) if here else sd
            lines = ["[project]", 'name = "app%d"' % seed, "", "[tool.alembic]", 'script_location = "%s"' % sl]
            if locs:
                lines.append("version_locations = [%s]" % ", ".join(
                    '"%s"' % (("%(here)s/" + l) if here else l) for l in locs))
            proj.add(ini, "\n".join(lines) + "\n")
        elif ini:
            sep_kw = None
            vl_line = None
            ps = None
            extra = list(env.extra_ini_lines)
            if locs:
                if sep == "BROKEN":
                    kind = rng.choice(["sep-inline-comment", "interpolation", "bad-sep"])
                    env.config_error = kind
                    env.kinds.append("config:" + kind)
                    # Whether Alembic gets past the config, and what it loads then, is the
                    # version's (alembic_locations): `newline` is a separator from 1.13.3.
                    env.intended = set()
                    env.version_intents = []
                    if kind == "sep-inline-comment":
                        sep_kw, vl_line = "os  # Use os.pathsep. Default configuration used for new projects.", ":".join(locs)
                    elif kind == "interpolation":
                        sep_kw, vl_line = None, "alembic/versions 100%more"
                    else:
                        sep_kw, vl_line = "newline", "alembic/versions alembic/more"
                elif sep in VERSION_SEPARATORS and not sep.startswith("file-") and not (
                        env.intended <= {"duplicate-revision"} and not env.version_intents):
                    # A version that reads a location whole leaves its revisions unloaded,
                    # and with them the errors intended: only error-free graphs take these.
                    sep = vr.choice(SEPARATORS)
                    sep_kw, vl_line = join_locations(vr, locs, sep, False)
                    env.kinds.append("separator:" + sep)
                elif sep in VERSION_SEPARATORS:
                    ps, sep_kw, vl_line = version_separator_line(vr, proj, env, locs, sep)
                    env.kinds.append("separator:" + sep)
                else:
                    sep_kw, vl_line = join_locations(rng, locs, sep, here)
                    env.kinds.append("separator:" + sep + (":here" if here else ""))
            env.vl, env.vps, env.ps = vl_line, sep_kw, ps
            if env.prepend_sys_path:
                extra.append("prepend_sys_path = .")
            sl = ("%(here)s/" + sd) if (here and not locs) else sd
            if here and not locs:
                env.kinds.append("here")
            ini_text.setdefault(ini, []).append(ini_section(rng, section, sl, vl_line, sep_kw, extra, ps))
            if env.prepend_sys_path:
                proj.files.setdefault(join("cli_labels.py"), CLI_PY.encode())
        else:
            env.kinds.append("convention")
        proj.envs.append(env)

        # script directory stubs
        proj.add(os.path.join(env.script_dir, "env.py"), OFFLINE_ENV_PY)
        proj.add(os.path.join(env.script_dir, "script.py.mako"), SCRIPT_MAKO)
        if rng.random() < 0.2:
            proj.add(os.path.join(env.script_dir, "README"), "Generic single-database configuration.\n")
        write_revisions(rng, proj, env)

    for ini, sections in ini_text.items():
        text = "# A generic, single database configuration.\n\n" + "\n".join(sections)
        if rng.random() < 0.5:
            text += LOGGING_SECTIONS
        proj.add(ini, text)
    if rng.random() < 0.3:
        proj.add("README.md", "# project %d\n" % seed)
    return proj


def _plain_for_shape(env):
    """Revisions a version shape may move, link or rename: not a pinned copy of a duplicate
    (its directory decides the load order), not a file named for its ID."""
    pinned = {id(r.pin) for r in env.revs if getattr(r, "pin", None) is not None}
    return [r for r in env.revs if getattr(r, "pin", None) is None and id(r) not in pinned
            and r.filename is None and not r.omit_rev]


def apply_version_shape(vr, proj, env, ids, vshape):
    """Gives env the version-sensitive shape vshape, when it can take it (else a later env may).
    Shapes that keep some revisions from loading in some version are given only to
    environments without an intended error: what then loads is predicted exactly."""
    error_free = env.intended <= {"duplicate-revision"} and not env.version_intents
    cands = _plain_for_shape(env)
    if vshape in ("subdirs", "symlinks", "pyproject-fill") and not (error_free and cands):
        return
    if vshape == "subdirs":
        for r in vr.sample(cands, vr.randint(1, max(1, len(cands) // 3))):
            r.subdir = vr.choice(SUBDIRS)
        value = vr.choices(["true", None, "True", "yes", "false"], [50, 20, 10, 10, 10])[0]
        if value is not None and "ini" in env.request:
            env.extra_ini_lines = ["recursive_version_locations = %s" % value]
            if value == "true":    # nothing else is true, in any version
                env.recursive_table = {BASE: False, V1_10: True}
        env.kinds.append("version:subdirs:recursive=%s" % value)
    elif vshape == "symlinks":
        linkable = [r for r in cands if r.downs() and sum(1 for x in env.revs if x.id == r.id) == 1]
        variants = vr.sample(["py-to-nonpy", "nonpy-to-py", "dangling-nonpy"], vr.choice([1, 1, 2]))
        for v in variants:
            if v == "dangling-nonpy":
                env.extra_links = getattr(env, "extra_links", []) + [("zz.py", "nowhere")]
            elif v == "py-to-nonpy":
                # A *.py link to a file that is not Python: 1.8.1 loads it (SyntaxError), 1.10+
                # matches the target's name and skips it.  (Not a migration behind the link:
                # 1.8.1 would load it, where alembic-guard refuses every *.py link before 1.10
                # by design, and the 1.8.1 push suites have no word for that refusal.)
                target = "migration_store/%s_notes" % ids.new()
                proj.add(target, "Notes on the %s migration, not Python.\n" % env.script_dir)
                proj.junk.add(target)
                env.extra_links = getattr(env, "extra_links", []) + [("%s_notes.py" % ids.new(), target)]
            elif linkable:
                r = linkable.pop(vr.randrange(len(linkable)))
                r.link = v
            else:
                continue
            env.kinds.append("version:symlink:" + v)
    elif vshape == "colon-ids":
        unique = [r for r in cands if sum(1 for x in env.revs if x.id == r.id) == 1]
        if not unique:
            return
        for r in vr.sample(unique, min(len(unique), vr.choice([1, 1, 2]))):
            ch = ":" if vr.random() < 0.85 else vr.choice("@-+")
            old = r.id
            r.id = old[:2] + ch + old[2:]
            for x in env.revs:
                if x.down == old:
                    x.down = r.id
                elif isinstance(x.down, list):
                    x.down = [r.id if d == old else d for d in x.down]
                x.deps = [r.id if d == old else d for d in x.deps]
            if ch == ":":
                env.version_intents.append({BASE: None, V1_17_1: "invalid-revision-id"})
            else:
                env.intended.add("invalid-revision-id")
            env.kinds.append("version:id-with-" + ch)
    elif vshape == "no-versions-dir":
        if "ini" not in env.request:
            return
        env.revs = []
        env.intended = set()
        env.version_intents = []
        env.extra_dirs = []
        env.extra_links = []
        env.ignored = False
        env.no_versions_dir = True
        env.kinds.append("version:no-versions-dir")
    elif vshape == "pyproject-fill":
        if "ini" not in env.request or env.ini_dir:
            return
        variant = vr.choice(["locations", "locations", "recursive-bool", "recursive-str", "locations-str"])
        lines = ["[tool.black]", "line-length = 100", "", "[tool.alembic]"]
        here = vr.random() < 0.3
        if variant == "locations":
            extra = vr.choice(["extra_versions", env.script_dir + "/versions_b", "plugins/b/versions"])
            env.locations = [env.locations[0], extra]
            env.toml_vl = list(env.locations)
            lines.append("version_locations = [%s]" % ", ".join(
                '"%s"' % (("%(here)s/" + l) if here else l) for l in env.toml_vl))
        elif variant == "locations-str":
            # a str where a list is expected: 1.16 iterates it, one location per character
            letters = vr.sample("uvwxyz", 2)
            env.locations = letters
            env.toml_vl = "".join(letters)
            lines.append('version_locations = "%s"' % env.toml_vl)
        else:
            for r in vr.sample(cands, vr.randint(1, max(1, len(cands) // 3))):
                r.subdir = vr.choice(SUBDIRS)
            if variant == "recursive-bool":
                lines.append("recursive_version_locations = true")
                env.recursive_table = {BASE: False, V1_16: "unreadable-config", V1_16_4: True}
            else:
                lines.append('recursive_version_locations = "true"')
                env.recursive_table = {BASE: False, V1_16: True, V1_16_4: "unreadable-config"}
        proj.add("pyproject.toml", "\n".join(lines) + "\n")
        env.kinds.append("version:pyproject-fill:" + variant)
    proj.vshape_used = True


def write_revisions(rng, proj, env):
    if env.no_versions_dir:
        return     # the default versions/ is not there at all
    locs = env.locations
    nloc = len(locs)
    for i, r in enumerate(env.revs):
        r.loc = 0 if nloc == 1 else rng.randrange(nloc)
        if r.slug is None:
            r.slug = slug(rng)
    # every configured location gets at least one file (git keeps no empty dirs)
    for li in range(nloc):
        if env.revs and not any(r.loc == li for r in env.revs):
            if env.config_error:
                continue
            rng.choice(env.revs).loc = li
    for r in env.revs:
        if getattr(r, "pin", None) is not None:
            r.loc = r.pin.loc    # same directory, so that the file order is known
    used = set()
    for r in env.revs:
        d = locs[r.loc]
        if r.subdir:
            d = os.path.join(d, r.subdir)
        if r.filename:
            name = r.filename
        else:
            stem = r.id.replace("@", "_at_").replace("+", "_plus_").replace(":", "_c_")
            if rng.random() < 0.08 and not r.omit_rev:
                name = stem + ".py"
            else:
                name = "%s_%s.py" % (stem, r.slug)
        while os.path.join(d, name) in used:
            name = name[:-3] + "_" + rng.choice(WORDS) + ".py"
        used.add(os.path.join(d, name))
        listed = os.path.join(d, name)
        text = render(rng, r, None)
        if r.link == "nonpy-to-py":
            r.path = os.path.join("migration_store", name)
            listed = listed[:-3] + "_link"
        else:
            r.path = listed
        # (relative to its location: os.path.join(location, filename_written) is what is listed)
        r.filename_written = os.path.relpath(listed, locs[r.loc])
        proj.add(r.path, text)
        if r.path != listed:
            proj.symlinks[listed] = os.path.relpath(r.path, os.path.dirname(listed))
    for li, d in enumerate(locs):
        has = any(r.loc == li for r in env.revs)
        if getattr(env, "ignored", False) or not has:
            if env.config_error and not has:
                continue
            proj.add(os.path.join(d, "__init__.py"), "x = (\n")          # ignored by Alembic, even broken
            proj.add(os.path.join(d, ".#%s.py" % "lock"), "user@host.1234:1700000000")
            proj.add(os.path.join(d, "README"), "revision = 'zzz'\n")
            proj.add(os.path.join(d, "stale.pyc"), b"\x00\x01junk")
            proj.add(os.path.join(d, "notes.txt"), "down_revision = 'q'\n")
            if not has:
                env.kinds.append("location-without-migrations")
    for name in getattr(env, "extra_dirs", []):
        proj.add(os.path.join(locs[0], name, "data.txt"), "not a module\n")
    for name, target in getattr(env, "extra_links", []):
        if target.startswith("migration_store/"):
            target = os.path.relpath(target, locs[0])
        proj.symlinks[os.path.join(locs[0], name)] = target


# ---------------------------------------------------------------------------
# predicting Alembic's outcome (used by --selfcheck to validate the generator)


class Tree:
    """A project's files, symlinks and the directories they imply, as a file system."""

    def __init__(self, proj):
        self.files = set(proj.files)
        self.links = dict(proj.symlinks)
        self.dirs = {""}
        self.children = {}
        for p in list(self.files) + list(self.links):
            self.children.setdefault(posixpath.dirname(p), set()).add(posixpath.basename(p))
            d = posixpath.dirname(p)
            while d not in self.dirs:
                self.dirs.add(d)
                self.children.setdefault(posixpath.dirname(d), set()).add(posixpath.basename(d))
                d = posixpath.dirname(d)

    @staticmethod
    def norm(p):
        p = posixpath.normpath(p)
        return "" if p == "." else p

    def real(self, p):
        p = self.norm(p)
        for _ in range(40):
            if p not in self.links:
                break
            p = self.norm(posixpath.join(posixpath.dirname(p), self.links[p]))
        return p

    def kind(self, p):
        """"file", "dir" or None (missing), symlinks followed."""
        p = self.real(p)
        return "file" if p in self.files else "dir" if p in self.dirs else None

    def listdir(self, p):
        return sorted(self.children.get(self.norm(p), ()))


def alembic_locations(env, version):
    """The version locations this Alembic reads for env, [(repo-relative path, is the default)],
    or the problem code of the config error it raises first."""
    def resolve(item):
        # relative to the directory Alembic runs in; %(here)s is that directory, absolute
        here = "/R" + ("/" + env.ini_dir if env.ini_dir else "")
        item = item.replace("%(here)s", here)
        full = posixpath.normpath(item if item.startswith("/") else posixpath.join(here, item))
        return "" if full == "/R" else full[3:] if full.startswith("/R/") else "../outside" + full

    default = [(posixpath.join(env.script_dir, "versions"), True)]
    if env.toml_only:
        return [(resolve(x), False) for x in env.toml_vl] if env.toml_vl else default
    if env.vl:
        if re.search(r"%(?!%|\(here\)s)", env.vl):
            return "unreadable-config"     # configparser: InterpolationSyntaxError
        # 1.16 reads path_separator first, then version_path_separator; before, only the latter
        key = next((k for k in ([env.ps] if version >= V1_16 else []) + [env.vps] if k is not None), None)
        chars = {"space": " ", "os": os.pathsep, ":": ":", ";": ";"}
        if version >= V1_13_3:
            chars["newline"] = "\n"
        if key is None:
            items = re.split(r", *|(?: +)", env.vl)    # the legacy split
        elif key not in chars:
            return "unreadable-config"     # ValueError: not a valid value for ...
        else:
            items = [x for x in env.vl.split(chars[key]) if x]
            if version >= V1_13_3:
                items = [x.strip() for x in items]
        return [(resolve(x), False) for x in items]
    if version >= V1_16 and env.toml_vl is not None:
        # [tool.alembic] fills what the ini lacks; a str is iterated, a location per character
        return [(resolve(x), False) for x in env.toml_vl]
    return default


_ONLY_SOURCE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


def alembic_listing(tree, env, version, junk=()):
    """(the revisions this Alembic loads for env, in its order; the problem codes it raises
    on the way).  The revisions are None when it fails before listing (a config error)."""
    locs = alembic_locations(env, version)
    if isinstance(locs, str):
        return None, {locs}
    recursive = since(version, env.recursive_table) if env.recursive_table else False
    if recursive == "unreadable-config":
        return None, {recursive}
    by_path = {r.path: r for r in env.revs}
    loaded, errors, seen = [], set(), set()

    def load(listed_name, real):
        if real in seen:
            return     # "File ... loaded twice! ignoring"
        seen.add(real)
        if not _ONLY_SOURCE.match(listed_name if version < V1_10 else posixpath.basename(real)):
            return
        k = tree.kind(real)
        if k != "file" or real in junk:
            # ImportError "Can't find Python file" (a dangling link), IsADirectoryError (<1.10),
            # SyntaxError (text behind a *.py link, <1.10)
            errors.add("unparsable-migration")
            return
        assert real in by_path, "%s loads %s, which is no migration of the environment" % (version, real)
        loaded.append(by_path[real])

    def walk(d):
        # os.walk(top_down): a directory's files by name (a symlink to a directory is not one,
        # a dangling link is), then, only when recursive, each sub-directory whole, by name.
        names = tree.listdir(d)
        for n in names:
            if tree.kind(posixpath.join(d, n)) != "dir":
                load(n, tree.real(posixpath.join(d, n)))
        if recursive:
            for n in names:
                if tree.kind(posixpath.join(d, n)) == "dir" and not posixpath.join(d, n) in tree.links:
                    walk(posixpath.join(d, n))

    for loc, default in locs:
        k = tree.kind(loc)
        if version < V1_10:
            if k is None and not default:
                continue          # a configured location that is not there: skipped
            if k != "dir":
                errors.add("unreadable-config")   # FileNotFoundError / NotADirectoryError
                break
            for n in tree.listdir(loc):           # os.listdir, sorted by the oracle
                load(n, tree.real(posixpath.join(loc, n)))
        elif k == "dir":
            walk(loc)
    # a loaded revision naming one that is not loaded (it is in a directory or behind a link
    # this version does not read): "Revision X referenced from Y is not present", KeyError
    names = {r.id for r in loaded} | {lab for r in loaded for lab in r.labels}
    known = {r.id for r in env.revs} | {lab for r in env.revs for lab in r.labels}
    for r in loaded:
        if any(d in known and d not in names for d in r.downs() + list(r.deps)):
            errors.add("missing-revision")
    return loaded, errors


def intended_for(proj, env, version):
    """The problem codes env is written to make this Alembic raise (one of them; none: it loads)."""
    loaded, errors = alembic_listing(Tree(proj), env, version, proj.junk)
    if loaded is None:
        return errors
    codes = set(env.intended) | errors
    for table in env.version_intents:
        if since(version, table):
            codes.add(since(version, table))
    return codes


def predict(env, order):
    """Predicted heads/bases multiset for an environment that loads `order` (alembic_listing)."""
    map_ = {}
    for r in order:
        map_[r.id] = r
    # Alembic also maps every branch label to the revision object carrying it
    # -- including an earlier copy of a duplicated ID, which is how such a copy
    # can still un-head its parent.
    for r in order:
        for lab in r.labels:
            map_[lab] = r
    heads = list(order)
    for r in list(map_.values()):
        for d in r.downs():
            tgt = map_.get(d)
            if tgt is None:
                tgt = next((x for x in map_.values() if d in x.labels), None)
            if tgt in heads:
                heads.remove(tgt)
    bases = [r for r in order if not r.downs()]
    return sorted(r.id for r in heads), sorted(r.id for r in bases)


def oracle_env(alembic_path):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    if alembic_path:
        env["PYTHONPATH"] = alembic_path
    return env


def selfcheck(count, seed, verbose=False, alembic_path=None):
    import shutil
    import subprocess
    import tempfile
    oracle = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "oracle.py")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=oracle_env(alembic_path))

    def ask(req):
        oracle.stdin.write(json.dumps(req) + "\n")
        oracle.stdin.flush()
        return json.loads(oracle.stdout.readline())

    version_text = ask({"op": "ping"})["alembic"]
    version = parse_version(version_text)
    tmp = tempfile.mkdtemp(prefix="ag-gen-selfcheck-")
    bad = 0
    envs = 0
    shaped = 0
    tally = {}
    for i in range(count):
        s = seed * 100000 + i
        proj = generate(s)
        shaped += any(k.startswith(("version:", "pyproject-only")) or k[len("separator:"):] in VERSION_SEPARATORS
                      for e in proj.envs for k in e.kinds)
        root = os.path.join(tmp, str(s))
        proj.write(root)
        tree = Tree(proj)
        for env in proj.envs:
            envs += 1
            resp = ask(dict(env.request_for(version), dir=root))
            if resp.get("status") == "fatal":
                print("seed %d: the oracle failed: %s" % (s, resp.get("error")), file=sys.stderr)
                bad += 1
                continue
            got = resp["error"]["code"] if resp["status"] == "error" else "ok"
            intended = intended_for(proj, env, version) - {"duplicate-revision"}
            if resp["status"] == "error":
                good = got in intended
            else:
                good = not intended
                loaded, _ = alembic_listing(tree, env, version, proj.junk)
                loaded = loaded or []
                exp_dups = set()
                seen = set()
                for r in loaded:
                    if r.id in seen:
                        exp_dups.add(r.id)
                    seen.add(r.id)
                if good and set(resp["duplicates"]) != exp_dups:
                    good = False
                    got = "ok but duplicates %s, predicted %s" % (sorted(resp["duplicates"]), sorted(exp_dups))
                if good:
                    ph, pb = predict(env, loaded)
                    if ph != sorted(resp["heads"]) or pb != sorted(resp["bases"]):
                        good = False
                        got = "ok but heads %s bases %s, predicted %s %s" % (
                            sorted(resp["heads"]), sorted(resp["bases"]), ph, pb)
            for k in env.kinds:
                tally.setdefault(k, {}).setdefault(got, 0)
                tally[k][got] += 1
            if not good:
                bad += 1
                print("seed %d env %s: intended %s, Alembic %s %s %s" % (
                    s, env.request_for(version), sorted(intended), version_text, got,
                    resp["error"]["message"][:200] if resp["error"] else resp["heads"]), file=sys.stderr)
                print("   kinds %s  tree %s" % (env.kinds, root), file=sys.stderr)
    oracle.stdin.close()
    oracle.wait()
    if verbose:
        for k in sorted(tally):
            print("%-40s %s" % (k, tally[k]))
    print("Alembic %s: %d projects (%d with a version-sensitive shape), %d environments, %d disagreeing with the intent"
          % (version_text, count, shaped, envs, bad))
    if not bad:
        shutil.rmtree(tmp)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--selfcheck", action="store_true")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--alembic-path", metavar="DIR",
                    help="with --selfcheck: PYTHONPATH of the oracle's Alembic (default: the system's)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.selfcheck:
        import subprocess

        def skip(line):
            print(line.replace("SKIP:", "FAIL:", 1) + " -- a skip is a failure under CI=true"
                  if os.environ.get("CI") == "true" else line)
            sys.exit(1 if os.environ.get("CI") == "true" else 77)

        if args.alembic_path:
            args.alembic_path = os.path.abspath(args.alembic_path)
            if not os.path.isdir(os.path.join(args.alembic_path, "alembic")):
                skip("SKIP: no Alembic in %s (bash tests/differential/alembic_oracles.sh prepares 1.13.2 and 1.18.4)"
                     % args.alembic_path)
        if subprocess.run(["/usr/bin/python3", "-c", "import alembic.script"], env=oracle_env(args.alembic_path),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            if args.alembic_path:
                print("FAIL: %s holds an Alembic that /usr/bin/python3 cannot import" % args.alembic_path)
                sys.exit(1)
            skip("SKIP: python3-alembic not installed (apt-get install python3-alembic)")
        sys.exit(1 if selfcheck(args.count, args.seed, args.verbose, args.alembic_path) else 0)
    if not args.out:
        ap.error("--out DIR or --selfcheck")
    proj = generate(args.seed)
    proj.write(args.out)
    print(json.dumps(proj.manifest(), indent=2))


if __name__ == "__main__":
    main()
