"""Fixture builders for alembic-guard's server-hook integration tests.

Everything a test needs lives here, in one place:
  * an isolated environment for every git call (and for the hook git runs): a temporary HOME,
    XDG_CONFIG_HOME/XDG_CACHE_HOME, GIT_CONFIG_NOSYSTEM=1, GIT_CONFIG_GLOBAL pointing at a
    temporary file, a fixed user name/email, C locale, and none of the caller's GIT_*/GITEA_*/GL_*
    variables;
  * bare repositories and work clones;
  * realistic Alembic projects and migration files, including the incident history of
    ../../shared/incident.md (001..005 -> e09c9e678004 -> 007..030), from tests/alembic_projects,
    which the differential and adversarial suites share;
  * hook installers: plain `hooks/pre-receive`, Forgejo <= v15's per-repository dispatcher with
    Forgejo's own `gitea` hook beside ours, Forgejo >= v16's central dispatcher under HOME_PATH
    with core.hooksPath, and a stand-in for GitLab's (Gitaly's) custom-hook chain;
  * servers on 127.0.0.1 free ports: `git daemon --enable=receive-pack` and smart HTTP
    (`git http-backend` as CGI behind Debian's lighttpd);
  * snapshots of a bare repository (a hash of every file under objects/ and refs/, plus
    packed-refs and HEAD) to prove that a rejected push changed nothing;
  * a tiny runner: each test script registers cases, runs them, and ends with `N passed, M failed`.

Python 3 standard library only. Run the scripts with /usr/bin/python3 SCRIPT --binary PATH.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ZERO = "0" * 40

# How hooks are installed. True: through the product's own `alembic-guard install-hook ...` (what a
# server admin runs). False: the fixture writes `#!/bin/sh\nexec <binary> pre-receive` itself.
# This is the one line to flip.
USE_INSTALL_HOOK = True

HERE = Path(__file__).resolve().parent
DEFAULT_BINARY = HERE.parent.parent / "build" / "alembic-guard"

# The variables a test's environment must never inherit from the caller.
_SCRUB_PREFIXES = ("GIT_", "GITEA_", "GL_", "GITHUB_", "PRE_COMMIT", "XDG_")
_SCRUB_EXACT = {"HOME", "USER", "LOGNAME", "EMAIL", "LANG", "LANGUAGE", "CDPATH"}


# --------------------------------------------------------------------------------------------
# Results and assertions
# --------------------------------------------------------------------------------------------


class Result:
    """What a command printed and how it exited."""

    def __init__(self, args, returncode, stdout, stderr, seconds):
        self.args = list(map(str, args))
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds

    @property
    def ok(self):
        return self.returncode == 0

    @property
    def remote_lines(self):
        """The lines the server sent back (`remote: ` prefix removed, git's padding stripped)."""
        out = []
        for line in self.stderr.splitlines():
            if line.startswith("remote:"):
                out.append(line[len("remote:"):].removeprefix(" ").rstrip())
        return out

    @property
    def remote_text(self):
        return "\n".join(self.remote_lines)

    @property
    def json_lines(self):
        """JSON objects among the remote lines (the hook's --format json stdout)."""
        out = []
        for line in self.remote_lines:
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def describe(self):
        return (f"$ {' '.join(self.args)}\n[exit {self.returncode}]\n--- stdout ---\n{self.stdout}"
                f"--- stderr ---\n{self.stderr}")


class CheckFailed(AssertionError):
    pass


def check(condition, message, result=None):
    if not condition:
        raise CheckFailed(message + ("\n" + result.describe() if result is not None else ""))


def check_in(needle, haystack, what, result=None):
    check(needle in haystack, f"expected {needle!r} in {what}", result)


def check_not_in(needle, haystack, what, result=None):
    check(needle not in haystack, f"did not expect {needle!r} in {what}", result)


def check_accepted(result, what="push"):
    check(result.returncode == 0, f"{what} should have been ACCEPTED", result)
    check("[remote rejected]" not in result.stderr, f"{what}: a ref was rejected", result)


def check_rejected(result, what="push"):
    check(result.returncode != 0, f"{what} should have been REJECTED", result)
    check("pre-receive hook declined" in result.stderr,
          f"{what}: expected git's 'pre-receive hook declined' (rejected by the hook, not by git)", result)


def check_refused_locally(result, what="push"):
    """Refused by the client's pre-push hook: git stops before sending anything (no `remote:`
    lines, no server hook involved)."""
    check(result.returncode != 0, f"{what} should have been REFUSED by the pre-push hook", result)
    check("failed to push some refs" in result.stderr,
          f"{what}: expected git's 'failed to push some refs' (refused by the pre-push hook)", result)
    check("pre-receive hook declined" not in result.stderr,
          f"{what}: refused by the server, not by the client's pre-push hook", result)


def forgejo_rejection_message(stderr: str) -> str:
    """What Forgejo shows as "Full rejection message" when a web merge's push is refused: the
    first unbroken run of lines starting with `remote: `, prefix stripped (Gitea/Forgejo
    modules/git ErrPushRejected.GenerateMessage)."""
    i = stderr.find("remote: ")
    if i < 0:
        return ""
    out = []
    while len(stderr) > i + 8 and stderr[i:i + 8] == "remote: ":
        i += 8
        nl = stderr.find("\n", i)
        if nl >= 0:
            out.append(stderr[i:nl + 1])
            i = nl + 1
        else:
            out.append(stderr[i:])
            i = len(stderr)
    return "".join(out)


_GITLAB_UI = re.compile(r"^(GitLab:|GL-HOOK-ERR:)\s*(.+)")


def gitlab_ui_lines(result: Result):
    """What GitLab's web UI shows of a refused push: only lines matching
    ^(GitLab:|GL-HOOK-ERR:)\\s*(.+), prefix removed (gitlab pre_receive_error.rb)."""
    out = []
    for line in result.remote_lines:
        m = _GITLAB_UI.match(line)
        if m:
            out.append(m.group(2))
    return out


# --------------------------------------------------------------------------------------------
# Snapshots: prove that a rejected push leaves the repository byte-identical
# --------------------------------------------------------------------------------------------


def snapshot(bare) -> dict:
    """Hash of every file (and the name of every directory) under objects/, refs/ and logs/, plus
    packed-refs, HEAD, config and (for a work repository's .git) index, ORIG_HEAD, MERGE_HEAD and
    FETCH_HEAD."""
    root = Path(bare.path if hasattr(bare, "path") else bare)
    # receive-pack removes its quarantine directory just after the hook refuses a push (a
    # moment later over git daemon): that is git's own bookkeeping, so wait for it.
    deadline = time.monotonic() + 5
    while list((root / "objects").glob("tmp_objdir-incoming-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    snap = {}
    for sub in ("objects", "refs", "logs"):
        base = root / sub
        for dirpath, dirnames, filenames in os.walk(base):
            rel = os.path.relpath(dirpath, root)
            for d in dirnames:
                snap[os.path.join(rel, d) + "/"] = "dir"
            for f in filenames:
                p = os.path.join(dirpath, f)
                with open(p, "rb") as fh:
                    snap[os.path.join(rel, f)] = hashlib.sha256(fh.read()).hexdigest()
    for f in ("packed-refs", "HEAD", "index", "ORIG_HEAD", "MERGE_HEAD", "FETCH_HEAD", "config"):
        p = root / f
        if p.exists():
            snap[f] = hashlib.sha256(p.read_bytes()).hexdigest()
    return snap


def check_unchanged(before: dict, after: dict, result=None):
    if before == after:
        return
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    check(False, f"the repository changed: added {added[:10]}, removed {removed[:10]}, changed {changed[:10]}",
          result)


# --------------------------------------------------------------------------------------------
# Realistic Alembic projects
# --------------------------------------------------------------------------------------------

# The Alembic project the tests write, and its migrations: one place for every suite
# (tests/alembic_projects).
sys.path.append(str(HERE.parent))
from alembic_projects import (ALEMBIC_INI, ENV_PY, HASH_REV, SCRIPT_MAKO, VERSIONS, incident_chain,  # noqa: E402,F401
                              migration_filename, migration_text, project_files)


# --------------------------------------------------------------------------------------------
# The isolated world: environment, git, repositories
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc=None, timeout=10.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on {port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout}s")


class World:
    """A temporary directory with its own HOME and global git config; every command run through
    it (git, the guard, the servers) gets the same isolated environment."""

    def __init__(self, binary: Path, root: Path):
        self.binary = Path(binary).resolve()
        self.root = Path(root)
        self.home = self.root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        (self.root / "cache").mkdir(exist_ok=True)
        (self.home / ".config").mkdir(exist_ok=True)
        self.gitconfig = self.home / ".gitconfig"
        self.gitconfig.write_text(
            "[user]\n\tname = Test Developer\n\temail = dev@example.test\n"
            "[init]\n\tdefaultBranch = main\n"
            "[advice]\n\tdetachedHead = false\n\tpushUpdateRejected = false\n"
            "[core]\n\tautocrlf = false\n"
            "[gc]\n\tauto = 0\n")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(_SCRUB_PREFIXES) and k not in _SCRUB_EXACT}
        env.update({
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(self.gitconfig),
            "GIT_AUTHOR_NAME": "Test Developer", "GIT_AUTHOR_EMAIL": "dev@example.test",
            "GIT_COMMITTER_NAME": "Test Developer", "GIT_COMMITTER_EMAIL": "dev@example.test",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C", "LANG": "C",
            "USER": "tester", "LOGNAME": "tester",
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        })
        self.env = env
        self._servers = []
        self._counter = 0
        self.git_exe = shutil.which("git") or "/usr/bin/git"

    # -- running things ----------------------------------------------------------------------

    def run(self, args, cwd=None, env=None, input=None, timeout=60, unset=()):
        e = dict(self.env)
        for k in unset:
            e.pop(k, None)
        if env:
            e.update({k: str(v) for k, v in env.items()})
        args = [str(a) for a in args]
        if args and args[0] == "git":
            args[0] = self.git_exe   # by absolute path: a test may empty PATH
        t0 = time.monotonic()
        p = subprocess.run(args, cwd=str(cwd) if cwd else str(self.root), env=e,
                           input=input, capture_output=True, text=True, timeout=timeout)
        return Result(args, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)

    def git(self, *args, cwd=None, env=None, input=None, check_ok=True):
        r = self.run(["git", *args], cwd=cwd, env=env, input=input)
        if check_ok and r.returncode != 0:
            raise RuntimeError(f"git failed:\n{r.describe()}")
        return r

    def guard(self, *args, cwd=None, env=None, input=None):
        return self.run([self.binary, *args], cwd=cwd, env=env, input=input)

    def guard_on_path(self) -> Path:
        """Puts `alembic-guard` (a link to the binary under test) first on this world's PATH, as an
        installed guard would be for tools that call it by name (pre-commit, CI snippets)."""
        bindir = self.root / "bin"
        bindir.mkdir(exist_ok=True)
        link = bindir / "alembic-guard"
        if not link.exists():
            link.symlink_to(self.binary)
        if not self.env["PATH"].startswith(f"{bindir}:"):
            self.env["PATH"] = f"{bindir}:{self.env['PATH']}"
        return link

    def unique(self, stem):
        self._counter += 1
        return f"{stem}{self._counter}"

    # -- repositories ------------------------------------------------------------------------

    def bare(self, name="server.git", parent=None, object_format=None) -> "Bare":
        path = (parent or (self.root / "srv")) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        args = ["init", "-q", "--bare", "-b", "main"]
        if object_format:
            args.append(f"--object-format={object_format}")
        self.git(*args, str(path))
        return Bare(self, path)

    def work(self, bare: "Bare" = None, name=None, url=None, object_format=None) -> "Work":
        """A work repository with `origin` pointing at the bare repository (or URL)."""
        path = self.root / (name or self.unique("work"))
        args = ["init", "-q", "-b", "main"]
        if object_format:
            args.append(f"--object-format={object_format}")
        self.git(*args, str(path))
        w = Work(self, path)
        if bare is not None or url is not None:
            w.git("remote", "add", "origin", url or bare.url)
            if bare is not None and bare.has_commits():
                w.git("fetch", "-q", "origin")
                w.git("checkout", "-q", "-B", "main", "origin/main")
        return w

    # -- servers -----------------------------------------------------------------------------

    def git_daemon(self, base: Path, env=None) -> "Server":
        base = Path(base)
        last_err = None
        for _ in range(5):
            port = free_port()
            e = dict(self.env)
            if env:
                e.update(env)
            log = open(self.root / f"git-daemon-{port}.log", "w")
            proc = subprocess.Popen(
                ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                 f"--base-path={base}", "--export-all", "--enable=receive-pack", "--informative-errors",
                 str(base)], env=e, stdout=log, stderr=subprocess.STDOUT, cwd=str(self.root))
            try:
                wait_for_port(port, proc, what="git daemon")
            except RuntimeError as err:
                last_err = err
                proc.kill()
                proc.wait()
                log.close()
                continue
            server = Server("git daemon", proc, port, f"git://127.0.0.1:{port}", log)
            self._servers.append(server)
            return server
        raise RuntimeError(f"cannot start git daemon: {last_err}")

    def http_server(self, base: Path, extra_env=None) -> "Server":
        """Smart HTTP: `git http-backend` as a CGI behind lighttpd on 127.0.0.1. The CGI (and so
        the hook) gets only what lighttpd passes plus the isolation variables below."""
        lighttpd = shutil.which("lighttpd") or next(
            (c for c in ("/usr/sbin/lighttpd", "/sbin/lighttpd", "/usr/local/sbin/lighttpd") if os.access(c, os.X_OK)),
            "lighttpd")
        backend = Path(self.run(["git", "--exec-path"]).stdout.strip()) / "git-http-backend"
        base = Path(base)
        cgi_env = {
            "GIT_PROJECT_ROOT": str(base), "GIT_HTTP_EXPORT_ALL": "1",
            "HOME": self.env["HOME"], "XDG_CONFIG_HOME": self.env["XDG_CONFIG_HOME"],
            "XDG_CACHE_HOME": self.env["XDG_CACHE_HOME"], "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": self.env["GIT_CONFIG_GLOBAL"], "PATH": self.env["PATH"],
            "LC_ALL": "C", "USER": "www-data", "LOGNAME": "www-data",
        }
        for k, v in (extra_env or {}).items():
            if v is None:
                cgi_env.pop(k, None)   # not passed at all, as lighttpd passes none of its own
            else:
                cgi_env[k] = v
        setenv = ", ".join(f'"{k}" => "{v}"' for k, v in cgi_env.items())
        last_err = None
        for _ in range(5):
            port = free_port()
            d = self.root / f"lighttpd-{port}"
            d.mkdir()
            (d / "www").mkdir()
            conf = d / "lighttpd.conf"
            conf.write_text(f"""\
server.modules = ("mod_alias", "mod_setenv", "mod_cgi")
server.document-root = "{d / 'www'}"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{d / 'error.log'}"
server.max-request-size = 0
alias.url = ( "/git/" => "{backend}/" )
$HTTP["url"] =~ "^/git/" {{
    cgi.assign = ( "" => "" )
    setenv.set-environment = ( {setenv} )
}}
""")
            log = open(d / "stdout.log", "w")
            proc = subprocess.Popen([lighttpd, "-D", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                    env=self.env, cwd=str(d))
            try:
                wait_for_port(port, proc, what="lighttpd")
            except RuntimeError as err:
                last_err = f"{err}\n{(d / 'stdout.log').read_text()}"
                if (d / "error.log").exists():
                    last_err += (d / "error.log").read_text()
                proc.kill()
                proc.wait()
                log.close()
                continue
            server = Server("lighttpd", proc, port, f"http://127.0.0.1:{port}/git", log)
            self._servers.append(server)
            return server
        raise RuntimeError(f"cannot start lighttpd: {last_err}")

    def close(self):
        for s in self._servers:
            s.stop()
        self._servers.clear()


class Server:
    def __init__(self, name, proc, port, url, log):
        self.name, self.proc, self.port, self.url, self.log = name, proc, port, url, log

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Bare:
    """A bare repository on the 'server'."""

    def __init__(self, world: World, path: Path):
        self.world = world
        self.path = Path(path)

    @property
    def url(self):
        return f"file://{self.path}"

    def git(self, *args, **kw):
        return self.world.git(*args, cwd=self.path, **kw)

    def config(self, key, value, add=False):
        self.git("config", *(["--add"] if add else []), key, value)

    def has_commits(self):
        return bool(self.refs())

    def refs(self) -> dict:
        r = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        return {line.split(" ")[0]: line.split(" ")[1] for line in r.stdout.splitlines() if line}

    def rev(self, ref):
        r = self.git("rev-parse", "--verify", "-q", ref, check_ok=False)
        return r.stdout.strip() if r.ok else None

    def snapshot(self):
        return snapshot(self)

    def install_guard(self, layout="pre-receive"):
        return install_guard(self.world, self.path, layout)


class Work:
    """A work repository: writes files, commits, merges and pushes."""

    def __init__(self, world: World, path: Path):
        self.world = world
        self.path = Path(path)

    def git(self, *args, **kw):
        return self.world.git(*args, cwd=self.path, **kw)

    def write(self, rel, text):
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return rel

    def rm(self, rel):
        self.git("rm", "-q", rel)

    def mv(self, src, dst):
        self.git("mv", src, dst)

    def commit(self, message, allow_empty=False):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, *(["--allow-empty"] if allow_empty else []))
        return self.head()

    def head(self, rev="HEAD"):
        return self.git("rev-parse", rev).stdout.strip()

    def checkout(self, branch, new=False, start=None):
        self.git("checkout", "-q", *(["-b"] if new else []), branch, *([start] if start else []))

    def merge(self, branch, message):
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch)
        return self.head()

    def push(self, *refspecs, remote="origin", options=(), env=None, force=False, unset=()):
        args = ["push"]
        for o in options:
            args += ["-o", o]
        if force:
            args.append("--force")
        args.append(remote)
        args += list(refspecs)
        return self.world.run(["git", *args], cwd=self.path, env=env, unset=unset)

    def make_branch(self, name, message, migrations=(), files=None, deletes=(), start="main"):
        """A pull-request branch `name` from `start` with one commit: `migrations` is a list of
        (revision, down_revision, slug), `files` {path: text}, `deletes` paths. Returns the commit
        ID; the work tree is back on the branch it was on."""
        current = self.git("symbolic-ref", "-q", "--short", "HEAD", check_ok=False).stdout.strip() or self.head()
        self.git("checkout", "-q", "-b", name, start)
        for rev, down, slug in migrations:
            self.add_migration(rev, down, slug, annotated=True)
        for path, text in (files or {}).items():
            self.write(path, text)
        for path in deletes:
            self.rm(path)
        oid = self.commit(message)
        self.git("checkout", "-q", current)
        return oid

    # -- Alembic ---------------------------------------------------------------------------

    def write_project(self):
        self.write("alembic.ini", ALEMBIC_INI)
        self.write("alembic/env.py", ENV_PY)
        self.write("alembic/script.py.mako", SCRIPT_MAKO)
        self.write("alembic/README", "Generic single-database configuration.\n")
        self.write("app/__init__.py", "")
        self.write("app/db.py", "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n")
        self.write("README.md", "# basketball-api\n\nStats API for the league.\n")

    def add_migration(self, rev, down, slug, filename=None, annotated=False, directory=VERSIONS):
        rel = filename or migration_filename(rev, slug, directory)
        self.write(rel, migration_text(rev, down, slug, annotated=annotated))
        return rel

    def build_incident_history(self, upto=30):
        """The project plus the chain 001..005 -> e09c9e678004 -> 007..`upto`, in a few commits
        as a team would have made them; migrations from 020 on use Alembic 1.11's annotated
        template."""
        self.write_project()
        self.commit("Initial project layout")
        chain = [c for c in incident_chain() if c[0] == HASH_REV or int(c[0]) <= upto]
        for i, (rev, down, slug) in enumerate(chain):
            annotated = rev != HASH_REV and int(rev) >= 20
            self.add_migration(rev, down, slug, annotated=annotated)
            if rev in ("005", HASH_REV, "015", "025") or i == len(chain) - 1:
                self.commit(f"Add migrations up to {rev}")
        if self.git("status", "--porcelain").stdout.strip():
            self.commit("Add remaining migrations")
        return self.head()


# --------------------------------------------------------------------------------------------
# Hook installers
# --------------------------------------------------------------------------------------------


def write_exec(path: Path, text: str):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def guard_hook_script(binary, *args, command="pre-receive") -> str:
    extra = "".join(f" '{a}'" for a in args)
    passthrough = ' "$@"' if command == "pre-push" else ""
    return f"#!/bin/sh\nexec '{binary}' {command}{extra}{passthrough}\n"


def install_guard(world: World, target: Path, layout: str):
    """Installs the guard. layout: 'pre-receive' (plain hooks/pre-receive), 'forgejo'
    (hooks/pre-receive.d/alembic-guard of one repository), 'forgejo-server' (target is Forgejo
    >= v16's HOME_PATH), 'gitlab' (custom_hooks/pre-receive.d/alembic-guard), 'gitlab-server'
    (target is GitLab's custom_hooks_dir: <dir>/pre-receive.d/alembic-guard), 'pre-push' (the
    client hook of a work repository: <hooks dir>/pre-push, core.hooksPath honoured)."""
    target = Path(target)
    if USE_INSTALL_HOOK:
        if layout in ("forgejo-server", "gitlab-server"):
            r = world.guard("install-hook", f"--{layout}", str(target))
        else:
            r = world.guard("install-hook", f"--{layout}", str(target))
        if r.returncode != 0:
            raise CheckFailed(f"alembic-guard install-hook --{layout} failed\n{r.describe()}")
        return r
    path = {
        "pre-receive": target / "hooks" / "pre-receive",
        "forgejo": target / "hooks" / "pre-receive.d" / "alembic-guard",
        "forgejo-server": target / "hooks" / "pre-receive.d" / "alembic-guard",
        "gitlab": target / "custom_hooks" / "pre-receive.d" / "alembic-guard",
        "gitlab-server": target / "pre-receive.d" / "alembic-guard",
        "pre-push": hooks_dir(world, target) / "pre-push",
    }[layout]
    write_exec(path, guard_hook_script(world.binary, command="pre-push" if layout == "pre-push" else "pre-receive"))
    return None


def hooks_dir(world: World, repo: Path) -> Path:
    """The directory git runs `repo`'s hooks from (core.hooksPath honoured), as git itself says."""
    r = world.git("rev-parse", "--git-path", "hooks", cwd=repo)
    d = Path(r.stdout.strip())
    return d if d.is_absolute() else Path(repo) / d


# --- Forgejo ---------------------------------------------------------------------------------

# Forgejo <= v15 (and Gitea): hooks/pre-receive of every repository, as Forgejo generates it.
FORGEJO_V15_DISPATCHER = """\
#!/usr/bin/env bash
# AUTO GENERATED BY GITEA, DO NOT MODIFY
data=$(cat)
exitcodes=""
hookname=$(basename $0)
GIT_DIR=${GIT_DIR:-$(dirname $0)/..}

for hook in ${GIT_DIR}/hooks/${hookname}.d/*; do
test -x "${hook}" && test -f "${hook}" || continue
echo "${data}" | "${hook}"
exitcodes="${exitcodes} $?"
done

for i in ${exitcodes}; do
[ ${i} -eq 0 ] || exit ${i}
done
"""

# Forgejo >= v16: the central dispatcher at <HOME_PATH>/hooks/pre-receive (core.hooksPath points
# at its directory): the central pre-receive.d/* first, then the repository's own
# ./hooks/pre-receive.d/* except a file named `gitea`; every hook runs, the first non-zero exit
# code wins.
FORGEJO_V16_DISPATCHER = """\
#!/usr/bin/env bash
# AUTO GENERATED BY FORGEJO, DO NOT MODIFY
data=$(cat)
exitcodes=""
hookname=$(basename "$0")
hookdir=$(dirname "$0")
GIT_DIR=${GIT_DIR:-.}

for hook in "${hookdir}/${hookname}.d"/*; do
test -x "${hook}" && test -f "${hook}" || continue
echo "${data}" | "${hook}"
exitcodes="${exitcodes} $?"
done

for hook in "${GIT_DIR}/hooks/${hookname}.d"/*; do
test "$(basename "${hook}")" = "gitea" && continue
test -x "${hook}" && test -f "${hook}" || continue
echo "${data}" | "${hook}"
exitcodes="${exitcodes} $?"
done

for i in ${exitcodes}; do
[ ${i} -eq 0 ] || exit ${i}
done
"""

# A stand-in for the forgejo binary: `forgejo hook --config=<app.ini> pre-receive` records that it
# ran (with the ref lines it got and the pusher) and accepts.
FAKE_FORGEJO = """\
#!/bin/sh
# stand-in for the forgejo binary's `hook` subcommand
log="{log}"
case "$*" in
  *pre-receive*)
    lines=$(cat)
    printf '%s\\n' "ran pre-receive repo=${{GITEA_REPO_USER_NAME}}/${{GITEA_REPO_NAME}} pusher=${{GITEA_PUSHER_NAME}} cwd=$(pwd)" >> "$log"
    printf '%s\\n' "$lines" | sed 's/^/  stdin: /' >> "$log"
    ;;
esac
exit 0
"""


class Forgejo:
    """A Forgejo server laid out on disk: APP_DATA_PATH with HOME_PATH (its git HOME, with the
    gitconfig Forgejo writes) and the repository root. `version` 15: per-repository dispatchers;
    16: central dispatcher and core.hooksPath."""

    def __init__(self, world: World, version: int):
        assert version in (15, 16)
        self.world = world
        self.version = version
        self.data = world.root / world.unique("forgejo-data")
        self.home_path = self.data / "home"
        self.repo_root = self.data / "forgejo-repositories"
        self.app_ini = self.data / "custom" / "conf" / "app.ini"
        self.binary = self.data / "bin" / "forgejo"
        self.hook_log = self.data / "forgejo-hook.log"
        self.app_ini.parent.mkdir(parents=True)
        self.app_ini.write_text(f"[repository]\nROOT = {self.repo_root}\n[git]\nHOME_PATH = {self.home_path}\n")
        write_exec(self.binary, FAKE_FORGEJO.format(log=self.hook_log))
        self.home_path.mkdir(parents=True)
        gitconfig = ("[core]\n\tquotePath = false\n\tcommitGraph = true\n\tlogAllRefUpdates = true\n"
                     "[gc]\n\twriteCommitGraph = true\n\tauto = 0\n"
                     "[receive]\n\tadvertisePushOptions = true\n\tprocReceiveRefs = refs/for\n"
                     "[fetch]\n\twriteCommitGraph = true\n"
                     "[user]\n\tname = Forgejo\n\temail = forgejo@noreply.example.test\n")
        if version >= 16:
            gitconfig += f"[core]\n\thooksPath = {self.home_path / 'hooks'}\n"
            write_exec(self.home_path / "hooks" / "pre-receive", FORGEJO_V16_DISPATCHER)
            write_exec(self.home_path / "hooks" / "pre-receive.d" / "gitea", self._gitea_hook())
        (self.home_path / ".gitconfig").write_text(gitconfig)
        self.repo_root.mkdir(parents=True)

    def _gitea_hook(self):
        return (f"#!/usr/bin/env bash\n# AUTO GENERATED BY GITEA, DO NOT MODIFY\n"
                f"\"{self.binary}\" hook --config='{self.app_ini}' pre-receive\n")

    def create_repo(self, owner, name) -> Bare:
        bare = self.world.bare(f"{name}.git", parent=self.repo_root / owner)
        if self.version <= 15:
            write_exec(bare.path / "hooks" / "pre-receive", FORGEJO_V15_DISPATCHER)
            write_exec(bare.path / "hooks" / "pre-receive.d" / "gitea", self._gitea_hook())
        else:
            # v16 leaves no per-repository dispatcher to run: core.hooksPath wins. A stale one from
            # an upgrade would not run either; keep one to prove it.
            write_exec(bare.path / "hooks" / "pre-receive",
                       "#!/bin/sh\necho 'STALE PER-REPOSITORY DISPATCHER RAN'\nexit 1\n")
        bare.owner = owner
        bare.name = name
        return bare

    def hook_runs(self):
        if not self.hook_log.exists():
            return []
        return [l for l in self.hook_log.read_text().splitlines() if l.startswith("ran ")]

    def hook_log_text(self):
        return self.hook_log.read_text() if self.hook_log.exists() else ""

    def env(self, bare: Bare, pusher="alice", pusher_id=2, trigger=None, pr_id=None, pr_index=None,
            deploy_key_id=0, key_id=0, protocol="ssh"):
        """The environment Forgejo gives git (and so the hooks) for a push into `bare`."""
        e = {
            "HOME": str(self.home_path),
            "GIT_CONFIG_GLOBAL": str(self.home_path / ".gitconfig"),
            "XDG_CONFIG_HOME": str(self.home_path / ".config"),
            "GITEA_ROOT_URL": "https://forge.example.test/",
            "GITEA_REPO_USER_NAME": bare.owner,
            "GITEA_REPO_NAME": bare.name,
            "GITEA_REPO_ID": "42",
            "GITEA_REPO_IS_WIKI": "false",
            "GITEA_PUSHER_NAME": pusher,
            "GITEA_PUSHER_ID": str(pusher_id),
            "GITEA_PUSHER_EMAIL": f"{pusher}@example.test",
            "GITEA_ACTION_PERM": "write",
            "USER": "git", "LOGNAME": "git",
        }
        if protocol == "ssh":
            e["GITEA_KEY_ID"] = str(key_id)
            e["GITEA_DEPLOY_KEY_ID"] = str(deploy_key_id)
            e["GITEA_PR_ID"] = "0"
        if trigger:
            e["GITEA_PUSH_TRIGGER"] = trigger
        if pr_id is not None:
            e["GITEA_PR_ID"] = str(pr_id)
        if pr_index is not None:
            e["GITEA_PR_INDEX"] = str(pr_index)
        return e

    def web_merge(self, bare: Bare, work: "Work", head_branch, pr_id, pr_index=None, merger="alice",
                  base="main", gitea=False):
        """What Forgejo does when someone presses "Merge" on a pull request: in a temporary clone,
        merge the head branch into the base with a merge commit, then `git push` the base back
        into the repository by path with the pusher's GITEA_* environment (no push options)."""
        tmp = self.world.root / self.world.unique("forgejo-merge-tmp")
        env = self.env(bare, pusher=merger, trigger="pr-merge-to-base", pr_id=pr_id,
                       pr_index=pr_index if gitea else None, protocol="internal")
        w = self.world
        w.git("clone", "-q", "--no-checkout", "-b", base, str(bare.path), str(tmp), env=env)
        w.git("fetch", "-q", str(work.path), f"{head_branch}:refs/remotes/head_repo/{head_branch}", cwd=tmp, env=env)
        w.git("checkout", "-q", base, cwd=tmp, env=env)
        w.git("merge", "--no-ff", "--no-edit", "-q", "-m",
              f"Merge pull request '{head_branch}' (#{pr_index or pr_id}) from {head_branch} into {base}",
              f"refs/remotes/head_repo/{head_branch}", cwd=tmp, env=env)
        r = w.run(["git", "push", "origin", f"{base}:refs/heads/{base}"], cwd=tmp, env=env)
        shutil.rmtree(tmp, ignore_errors=True)
        return r


# --- GitLab ----------------------------------------------------------------------------------

# A stand-in for Gitaly's hook runner, installed as the repository's hooks/pre-receive: the
# built-in checks, then custom_hooks/pre-receive, then custom_hooks/pre-receive.d/* in order,
# then the server-wide <custom_hooks_dir>/pre-receive.d/*; the chain stops at the first non-zero
# exit and returns it.
GITALY_CHAIN = """\
#!/usr/bin/env bash
# stand-in for Gitaly's pre-receive hook runner
data=$(cat)
run_one() {{
  printf '%s\\n' "${{data}}" | "$1"
  rc=$?
  [ $rc -eq 0 ] || exit $rc
}}
printf '%s\\n' "builtin ran" >> "{log}"
for hook in custom_hooks/pre-receive custom_hooks/pre-receive.d/* "{global_dir}"/pre-receive.d/*; do
  test -f "${{hook}}" && test -x "${{hook}}" || continue
  run_one "${{hook}}"
done
exit 0
"""


class GitLab:
    def __init__(self, world: World):
        self.world = world
        self.root = world.root / world.unique("gitlab")
        self.repo_root = self.root / "repositories"
        self.global_dir = self.root / "custom_hooks"
        self.log = self.root / "chain.log"
        (self.global_dir / "pre-receive.d").mkdir(parents=True)
        write_exec(self.global_dir / "pre-receive.d" / "zz-global-audit",
                   f"#!/bin/sh\ncat >/dev/null\necho 'global audit ran' >> '{self.log}'\nexit 0\n")

    def create_repo(self, path="@hashed/6b/86/6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
                    object_format=None):
        bare = self.world.bare(f"{path}.git", parent=self.repo_root, object_format=object_format)
        write_exec(bare.path / "hooks" / "pre-receive",
                   GITALY_CHAIN.format(log=self.log, global_dir=self.global_dir))
        # An existing project hook that must keep working beside the guard.
        write_exec(bare.path / "custom_hooks" / "pre-receive",
                   f"#!/bin/sh\ncat >/dev/null\necho 'project hook ran' >> '{self.log}'\nexit 0\n")
        return bare

    def log_lines(self):
        return self.log.read_text().splitlines() if self.log.exists() else []

    @staticmethod
    def env(user_id=7, username="alice", protocol="ssh", project="league/basketball-api"):
        return {"GL_ID": f"user-{user_id}", "GL_USERNAME": username, "GL_PROTOCOL": protocol,
                "GL_PROJECT_PATH": project, "GL_REPOSITORY": "project-1"}


# --------------------------------------------------------------------------------------------
# Scenarios shared by several scripts
# --------------------------------------------------------------------------------------------

PR_A = ("pr-335-team-logo", "031", "add_team_logo")
PR_B = ("pr-336-player-height", "031", "add_player_height")
FILE_A = migration_filename("031", "add_team_logo")
FILE_B = migration_filename("031", "add_player_height")


def incident_setup(world: World, bare: Bare, url=None, layout="pre-receive", install=True):
    """Pushes the clean history 001..030 into `bare`, installs the guard, prepares the two pull
    request branches (#335 and #336, each adding revision 031 on 030) and lands #335.
    Returns the work clone (on main, with #335 merged and pushed)."""
    w = world.work(bare, url=url)
    w.build_incident_history()
    r = w.push("main")
    check(r.ok, "pushing the clean history (before the guard) failed", r)
    if install:
        install_guard(world, bare.path, layout)
    for branch, rev, slug in (PR_A, PR_B):
        w.checkout(branch, new=True, start="main")
        w.add_migration(rev, "030", slug, annotated=True)
        w.commit(f"Add {slug.replace('_', ' ')} ({rev})")
        w.checkout("main")
    w.merge(PR_A[0], "Merge pull request #335 from league/pr-335-team-logo")
    return w


def incident_second_merge(w: Work):
    return w.merge(PR_B[0], "Merge pull request #336 from league/pr-336-player-height")


def incident_fix(w: Work, upstream="origin/main"):
    """The fix of incident.md: the second pull request's file renumbered to 032 and chained onto
    031; then merged onto what the server has."""
    w.git("reset", "-q", "--hard", upstream)
    w.checkout(PR_B[0])
    w.git("rm", "-q", FILE_B)
    w.add_migration("032", "031", "add_player_height", annotated=True)
    w.commit("Renumber add_player_height to 032 and chain it onto 031")
    w.checkout("main")
    return w.merge(PR_B[0], "Merge pull request #336 from league/pr-336-player-height")


def check_incident_rejection(r: Result, lines=None):
    """The second 031 is rejected with a message that names both files, the shared parent 030,
    and the fix; e09c9e678004 is never mentioned; no `non-fast-forward`."""
    check_rejected(r, "the second merge adding another revision 031")
    text = "\n".join(lines) if lines is not None else r.remote_text
    for needle in (FILE_A, FILE_B, "030", "031", "duplicate-revision", "renumber"):
        check_in(needle, text, "the rejection message", r)
    check_in("down_revision", text, "the rejection message (the fix names the edit)", r)
    check_not_in(HASH_REV, text, "the rejection message (the hash-named revision must not be blamed)", r)
    check_not_in("non-fast-forward", r.stderr, "the push output", r)
    check_not_in("Traceback", r.stderr, "the push output", r)


def check_one_block(r: Result):
    """The whole rejection is one unbroken run of `remote:` lines (what Forgejo shows)."""
    block = forgejo_rejection_message(r.stderr)
    n_remote = len(r.remote_lines)
    n_block = len(block.splitlines())
    check(n_remote > 0 and n_block == n_remote,
          f"the rejection is not one unbroken block of remote: lines ({n_block} of {n_remote} in the first block)", r)
    return block


def environment_name(world: World, repo, rev="HEAD") -> str:
    """The display name `check --format json` gives the (single) environment at `rev` of `repo`
    (design.md: the .alembic-guard.toml name, else the config path, else the script directory)."""
    r = world.guard("check", rev, "--repo", str(repo), "--format", "json")
    envs = json.loads(r.stdout)["environments"]
    check(len(envs) == 1, f"expected one environment, got {[e.get('name') for e in envs]}", r)
    return envs[0]["name"]


# --------------------------------------------------------------------------------------------
# Generated histories (git fast-import): long, reproducible, with merges and a known culprit
# --------------------------------------------------------------------------------------------


class FastHistory:
    """Writes a history as one `git fast-import` stream: mainline commits, pull-request branches
    and their merges, each with a fixed time (a clock that advances 10 minutes per commit), so the
    same calls give the same commit IDs every time. Marks are returned by every call; `load`
    imports the stream into a repository and returns {mark: commit id}.

    A merge's tree is the first parent's tree plus the branch's own changes (the branches here only
    touch files nobody else changes after they branched, as a clean git merge would give)."""

    START = 1_600_000_000   # 2020-09-13T12:26:40Z

    def __init__(self, project_files: dict = None):
        self.chunks = []
        self.marks = 0
        self.clock = self.START
        self.times = {}                 # mark -> committer time
        self.tip = None                 # mainline tip mark
        self.main_files = {}            # path -> text on the mainline tip
        self.commits = 0
        if project_files:
            self.main_commit("Initial project layout", project_files)

    def _commit(self, ref, message, parents, files=None, deletes=(), author="Test Developer <dev@example.test>"):
        self.marks += 1
        mark = self.marks
        self.clock += 600
        self.times[mark] = self.clock
        msg = message.encode()
        out = [f"commit {ref}\nmark :{mark}\n"
               f"author {author} {self.clock} +0000\ncommitter {author} {self.clock} +0000\n"
               f"data {len(msg)}\n".encode(), msg, b"\n"]
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            for extra in parents[1:]:
                out.append(f"merge :{extra}\n".encode())
        for path in deletes:
            out.append(f"D {path}\n".encode())
        for path, text in (files or {}).items():
            data = text.encode()
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
            out.append(data)
            out.append(b"\n")
        out.append(b"\n")
        self.chunks.append(b"".join(out))
        self.commits += 1
        return mark

    def main_commit(self, message, files=None, deletes=()):
        """A commit straight on the mainline."""
        self.tip = self._commit("refs/heads/main", message, [self.tip] if self.tip else [], files, deletes)
        for d in deletes:
            self.main_files.pop(d, None)
        self.main_files.update(files or {})
        return self.tip

    def branch(self, name, commits, base=None):
        """A pull-request branch from `base` (default: the mainline tip): commits is a list of
        (message, files, deletes). Returns (branch tip mark, [marks], {path: text changed},
        [paths deleted])."""
        parent = base if base is not None else self.tip
        marks, changed, deleted = [], {}, []
        for message, files, deletes in commits:
            parent = self._commit(f"refs/heads/{name}", message, [parent], files, deletes)
            marks.append(parent)
            for d in deletes:
                changed.pop(d, None)
                deleted.append(d)
            changed.update(files or {})
        return parent, marks, changed, deleted

    def merge(self, branch, message):
        """Merges a branch made by `branch()` into the mainline with a merge commit."""
        tip, _marks, changed, deleted = branch
        deletes = [d for d in deleted if d in self.main_files and d not in changed]
        self.tip = self._commit("refs/heads/main", message, [self.tip, tip], changed, deletes)
        for d in deletes:
            self.main_files.pop(d, None)
        self.main_files.update(changed)
        return self.tip

    def load(self, work: "Work") -> dict:
        """Imports the stream into `work` (an empty repository) and returns {mark: commit id}."""
        marks_file = work.path / ".git" / "fast-import-marks"
        stream = b"".join(self.chunks) + b"done\n"
        p = subprocess.run([work.world.git_exe, "fast-import", "--quiet", "--done",
                            f"--export-marks={marks_file}"], cwd=str(work.path), env=work.world.env,
                           input=stream, capture_output=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"git fast-import failed: {p.stderr.decode(errors='replace')}")
        out = {}
        for line in marks_file.read_text().splitlines():
            m, oid = line.split()
            out[int(m[1:])] = oid
        marks_file.unlink()
        return out


PR_MESSAGE_STYLES = ("github", "gitlab", "squash-title")


def pr_merge_message(style, number, branch, title):
    """A merge commit's message as each host writes it."""
    if style == "github":
        return f"Merge pull request #{number} from league/{branch}\n\n{title}\n"
    if style == "gitlab":
        return (f"Merge branch '{branch}' into 'main'\n\n{title}\n\n"
                f"See merge request league/basketball-api!{number}\n")
    if style == "squash-title":   # a merge queue / bors style title ending in (#N)
        return f"{title} (#{number})\n"
    raise ValueError(style)


class AuditHistory:
    """What generate_audit_history built: commit IDs of the events a test asserts on."""

    def __init__(self):
        self.commits = 0
        self.marks = {}
        self.culprit_merge = None       # mainline merge that brought the duplicate in
        self.culprit_pr = None
        self.culprit_added = None       # the branch commit that added the duplicate file
        self.culprit_file = None
        self.culprit_time = None        # committer time (epoch) of the culprit merge
        self.first_file = None          # the file that declared the duplicated ID first
        self.duplicate_id = None
        self.repair_merge = None
        self.repaired_file = None
        self.reintroduce_merge = None
        self.reintroduce_pr = None
        self.reintroduce_added = None
        self.reintroduce_time = None
        self.tip = None


def generate_audit_history(work: "Work", target_commits=1000, culprit_pr=None, repair=False, reintroduce=False,
                           seed=20240611, style="github") -> AuditHistory:
    """A reproducible mainline of about `target_commits` commits: pull requests (2-4 commits each,
    numbered #101, #102, ...) merged with `style` messages, direct mainline commits, migrations
    chained one after another (4-digit IDs), edits of existing migrations (touching the version
    locations without changing the graph), and one known culprit:

      * pull request #`culprit_pr` (default: the one landing at about 60% of the history) branched
        off long before it landed, adding revision N on N-1; meanwhile another pull request landed
        its own revision N on N-1 (the incident), and later ones chained N+1, N+2, ... onto it.
        Its merge brings in a duplicate ID (and so a second head) that stands at the tip.
      * repair: a later pull request renumbers the culprit's file onto the current head (nothing
        stands at the tip any more).
      * reintroduce (with repair): a still later pull request reverts that renumbering, bringing
        the same duplicate back: it stands at the tip since THAT merge.
    """
    import random
    rng = random.Random(seed)
    h = FastHistory(project_files())
    info = AuditHistory()
    chain = []                          # mainline migration chain, in order
    mig_files = {}                      # rev -> path on the mainline
    pr_no = 100
    per_pr = 4.0                        # average commits per PR cycle (branch + merge + direct)
    n_prs = int(target_commits / per_pr)
    culprit_at = int(n_prs * 0.6) if culprit_pr is None else culprit_pr - 101
    culprit_branch_at = culprit_at - 12      # branched off 12 pull requests earlier
    repair_at = culprit_at + int((n_prs - culprit_at) * 0.4) if repair else None
    reintroduce_at = repair_at + int((n_prs - repair_at) * 0.5) if (repair and reintroduce) else None
    culprit_branch = None

    def next_rev():
        return f"{len(chain) + 1:04d}"

    def new_migration(rev, down, slug, n):
        path = f"{VERSIONS}/{rev}_{slug}.py"
        return path, migration_text(rev, down, slug, annotated=(n % 2 == 0))

    # The first migrations, straight on the mainline.
    for i in range(5):
        rev, down = next_rev(), (chain[-1] if chain else None)
        path, text = new_migration(rev, down, f"create_{['teams', 'players', 'games', 'seasons', 'arenas'][i]}", i)
        chain.append(rev)
        mig_files[rev] = path
        h.main_commit(f"Add migration {rev}", {path: text})

    k = 0
    while k < n_prs or h.commits < target_commits:
        pr_no += 1
        title_no = pr_no
        branch = f"feature-{pr_no}"
        if k == culprit_branch_at:
            # The culprit pull request branches off now, and takes the next number.
            rev, down = next_rev(), chain[-1]
            path, text = new_migration(rev, down, "add_player_height", k)
            culprit_branch = h.branch("feature-culprit", [
                (f"Add player height ({rev})", {path: text}, ()),
                ("Expose player height in the API", {"app/players_height.py": "HEIGHT_FIELD = 'height'\n"}, ()),
                ("Address review comments", {"app/players_height.py": "HEIGHT_FIELD = 'height_cm'\n"}, ()),
            ])
            info.culprit_added = culprit_branch[1][0]
            info.culprit_file = path
            info.duplicate_id = rev
        if k == culprit_at:
            info.culprit_pr = pr_no
            info.culprit_merge = h.merge(culprit_branch,
                                         pr_merge_message(style, pr_no, "feature-culprit", "Add player height"))
            k += 1
            continue
        if repair_at is not None and k == repair_at:
            rev, down = next_rev(), chain[-1]
            path, text = new_migration(rev, down, "add_player_height", k)
            br = h.branch(branch, [(f"Renumber add_player_height to {rev} and chain it onto {down}",
                                    {path: text}, (info.culprit_file,))])
            info.repair_merge = h.merge(br, pr_merge_message(style, pr_no, branch, "Fix duplicate migration ID"))
            chain.append(rev)
            mig_files[rev] = path
            info.repaired_file = path
            k += 1
            continue
        if reintroduce_at is not None and k == reintroduce_at:
            # A revert of the renumbering brings the culprit's file back (and drops the renumbered one).
            _rev, _down = info.duplicate_id, f"{int(info.duplicate_id) - 1:04d}"
            path, text = new_migration(_rev, _down, "add_player_height", culprit_branch_at)
            # The later migrations chained onto the renumbered revision: keep the chain linear by
            # leaving the renumbered file in place and re-adding the old one (what a bad revert does).
            br = h.branch(branch, [('Revert "Renumber add_player_height"', {path: text}, ())])
            info.reintroduce_pr = pr_no
            info.reintroduce_added = br[1][0]
            info.reintroduce_merge = h.merge(br, pr_merge_message(style, pr_no, branch, 'Revert "Fix duplicate migration ID"'))
            info.reintroduce_time = h.times[info.reintroduce_merge]
            k += 1
            continue
        # An ordinary pull request: 1-3 commits of application code, and (one in three) a migration
        # chained onto the current head, written on a fresh branch.
        commits = []
        for c in range(rng.randint(1, 3)):
            commits.append((f"Work on feature {pr_no} ({c + 1})",
                            {f"app/feature_{pr_no}.py": f"# feature {pr_no}\nSTEP = {c + 1}\n"}, ()))
        adds_migration = (k % 3 == 0)
        if k == culprit_branch_at + 3:
            adds_migration = True       # the other pull request that takes the culprit's number
        if adds_migration:
            rev, down = next_rev(), chain[-1]
            path, text = new_migration(rev, down, f"add_feature_{pr_no}_column", k)
            commits.insert(rng.randint(0, len(commits)), (f"Add migration {rev}", {path: text}, ()))
            chain.append(rev)
            mig_files[rev] = path
            if rev == info.duplicate_id:
                info.first_file = path
        br = h.branch(branch, commits)
        h.merge(br, pr_merge_message(style, title_no, branch, f"Feature {pr_no}"))
        # Between pull requests: a direct mainline commit now and then; one in five edits an
        # existing migration's body (touches the version locations, changes no graph).
        r = rng.random()
        if r < 0.35:
            h.main_commit(f"Update changelog for #{pr_no}", {"CHANGELOG.md": f"- #{pr_no}\n"})
        elif r < 0.45 and len(chain) > 3:
            old = chain[rng.randrange(len(chain) - 1)]
            p = mig_files[old]
            text = h.main_files[p].replace("# ### end Alembic commands ###",
                                           f"# reviewed in #{pr_no}\n    # ### end Alembic commands ###", 1)
            h.main_commit(f"Document migration {old}", {p: text})
        k += 1
    marks = h.load(work)
    info.commits = h.commits
    info.marks = marks
    for attr in ("culprit_merge", "culprit_added", "repair_merge", "reintroduce_merge", "reintroduce_added"):
        v = getattr(info, attr)
        if v is not None:
            setattr(info, attr, marks[v])
    if info.culprit_merge:
        info.culprit_time = h.times[[m for m, oid in marks.items() if oid == info.culprit_merge][0]]
    info.tip = marks[h.tip]
    work.git("checkout", "-q", "-f", "main")
    return info


# --------------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------------


def require_program(path_or_name, package):
    """A missing tool skips the script (exit 77) with a line naming the package, except under
    CI=true where a skip is a failure."""
    candidates = [path_or_name] if os.path.isabs(path_or_name) else \
        [f"/usr/sbin/{path_or_name}", f"/sbin/{path_or_name}", f"/usr/local/sbin/{path_or_name}"]
    if shutil.which(path_or_name) or any(os.access(c, os.X_OK) for c in candidates):
        return
    name = os.path.basename(path_or_name)
    if os.environ.get("CI") == "true":
        print(f"FAIL: {name} not installed (apt-get install {package}); under CI=true a skip is a failure")
        print("0 passed, 1 failed")
        sys.exit(1)
    print(f"SKIP: {name} not installed (apt-get install {package})")
    sys.exit(77)


class Suite:
    def __init__(self, title):
        self.title = title
        self.cases = []

    def case(self, fn):
        self.cases.append(fn)
        return fn

    def main(self, argv=None):
        ap = argparse.ArgumentParser(description=self.title)
        ap.add_argument("--binary", default=os.environ.get("ALEMBIC_GUARD_BINARY", str(DEFAULT_BINARY)))
        ap.add_argument("-k", dest="pattern", help="run only cases whose name contains this")
        ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
        ap.add_argument("-v", "--verbose", action="store_true", help="print the output of failures in full")
        args = ap.parse_args(argv)
        binary = Path(args.binary).resolve()
        if not os.access(binary, os.X_OK):
            print(f"FAIL: no alembic-guard binary at {binary} (build it, or pass --binary)")
            print("0 passed, 1 failed")
            return 1
        if shutil.which("git") is None:
            require_program("git", "git")
        top = Path(tempfile.mkdtemp(prefix="ag-it-"))
        passed = failed = 0
        t_start = time.monotonic()
        print(f"# {self.title} ({binary})")
        for fn in self.cases:
            name = fn.__name__
            if args.pattern and args.pattern not in name:
                continue
            world = World(binary, top / name)
            t0 = time.monotonic()
            try:
                fn(world)
            except Exception as e:  # noqa: BLE001 - a case fails on anything
                failed += 1
                detail = str(e) if isinstance(e, CheckFailed) else traceback.format_exc()
                if not args.verbose and len(detail) > 6000:
                    detail = detail[:6000] + "\n... (truncated; -v prints everything)"
                print(f"FAIL {name} ({time.monotonic() - t0:.2f}s)\n" + "\n".join("    " + l for l in detail.splitlines()))
            else:
                passed += 1
                print(f"ok   {name} ({time.monotonic() - t0:.2f}s)")
            finally:
                world.close()
        if args.keep:
            print(f"# kept {top}")
        else:
            shutil.rmtree(top, ignore_errors=True)
        print(f"# {time.monotonic() - t_start:.2f}s")
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0


# --------------------------------------------------------------------------------------------
# Installation guides (docs/install/*.md): their commands, run verbatim
# --------------------------------------------------------------------------------------------

DOCS_INSTALL = HERE.parent.parent / "docs" / "install"
_DOC_BLOCK = re.compile(r"<!-- test: (?P<id>[\w.-]+) -->\s*\n```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def doc_blocks(page: str) -> dict:
    """{id: shell text} of docs/install/<page>: each ```sh block preceded by `<!-- test: ID -->`.
    Blocks written as ```console need a host these tests cannot run (the page says which)."""
    text = (DOCS_INSTALL / page).read_text()
    return {m.group("id"): m.group("body") for m in _DOC_BLOCK.finditer(text) if m.group("lang") == "sh"}


def run_doc_block(world: World, page: str, block_id: str, env=None, cwd=None, check_ok=True) -> Result:
    """Runs one block of an installation guide, verbatim, with bash -euo pipefail, the world's
    isolated environment plus `env` (the variables the guide tells the admin to set), and the
    binary under test on PATH as `alembic-guard`."""
    blocks = doc_blocks(page)
    check(block_id in blocks, f"docs/install/{page} has no ```sh block tagged <!-- test: {block_id} -->")
    world.guard_on_path()
    r = world.run(["bash", "-euo", "pipefail", "-c", blocks[block_id]], cwd=cwd, env=env)
    if check_ok:
        check(r.ok, f"docs/install/{page}, block {block_id} failed", r)
    return r


# --------------------------------------------------------------------------------------------
# gitolite3 behind sshd on 127.0.0.1 (Debian's gitolite3 and openssh-server)
# --------------------------------------------------------------------------------------------

SSHD = "/usr/sbin/sshd"


class Gitolite:
    """A real gitolite3 installation served by a private sshd on a free 127.0.0.1 port.

    Everything lives under world.root/gitolite: the hosting user's HOME (~/.gitolite.rc,
    ~/repositories, ~/.ssh/authorized_keys written by gitolite), sshd's own config, host key and
    pid file, and the users' keys. sshd runs as the current user (root or not) and only lets that
    user in; sshd's SetEnv gives the session the hosting HOME, so gitolite never touches the real
    one. `ssh_env(user)` is the environment for a client `git` acting as that gitolite user."""

    def __init__(self, world: World):
        self.world = world
        self.base = world.root / "gitolite"
        self.home = self.base / "home"          # the gitolite hosting user's HOME
        self.sshd_dir = self.base / "sshd"
        self.keys = self.base / "keys"
        for d in (self.home, self.sshd_dir, self.keys):
            d.mkdir(parents=True, exist_ok=True)
        self.unix_user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True,
                                                                    text=True).stdout.strip()
        self.server = None
        self.port = None
        self._made_privsep_dir = False

    # -- as the hosting user ----------------------------------------------------------------

    def host_env(self, extra=None):
        """The hosting user's environment for commands run on the server (gitolite setup, the
        guide's commands)."""
        e = {"HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / ".config"),
             "XDG_CACHE_HOME": str(self.home / ".cache"), "GIT_CONFIG_GLOBAL": str(self.home / ".gitconfig"),
             "USER": self.unix_user, "LOGNAME": self.unix_user}
        if extra:
            e.update(extra)
        return e

    def keygen(self, name) -> Path:
        key = self.keys / name
        if not key.exists():
            r = self.world.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(key)])
            check(r.ok, "ssh-keygen failed", r)
        return key

    def setup(self, admin="admin"):
        """`gitolite setup -pk admin.pub`, as the Debian package's postinst would."""
        (self.home / ".gitconfig").write_text("[user]\n\tname = gitolite\n\temail = git@example.test\n")
        pub = Path(f"{self.keygen(admin)}.pub")      # gitolite names the user after the file: admin.pub
        r = self.world.run(["gitolite", "setup", "-pk", str(pub)], env=self.host_env(), cwd=self.home)
        check(r.ok, "gitolite setup failed", r)
        return r

    # -- sshd ----------------------------------------------------------------------------------

    def start(self):
        host_key = self.sshd_dir / "ssh_host_ed25519_key"
        if not host_key.exists():
            r = self.world.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
            check(r.ok, "ssh-keygen (host key) failed", r)
        if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
            os.makedirs("/run/sshd", mode=0o755)       # sshd's privilege separation directory
            self._made_privsep_dir = True
        setenv = " ".join(f'"{k}={v}"' for k, v in {
            "HOME": self.home, "XDG_CACHE_HOME": self.home / ".cache", "XDG_CONFIG_HOME": self.home / ".config",
            "GIT_CONFIG_GLOBAL": self.home / ".gitconfig", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}.items())
        last = None
        for _ in range(5):
            port = free_port()
            conf = self.sshd_dir / "sshd_config"
            conf.write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {self.sshd_dir / 'sshd.pid'}
AuthorizedKeysFile {self.home / '.ssh' / 'authorized_keys'}
AllowUsers {self.unix_user}
PermitRootLogin forced-commands-only
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitUserEnvironment no
SetEnv {setenv}
LogLevel VERBOSE
""")
            log = open(self.sshd_dir / f"sshd-{port}.log", "w")
            proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                    env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                                    cwd=str(self.sshd_dir))
            try:
                wait_for_port(port, proc, what="sshd")
            except RuntimeError as err:
                last = f"{err}\n{(self.sshd_dir / f'sshd-{port}.log').read_text()}"
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                log.close()
                continue
            self.port = port
            self.server = Server("sshd", proc, port, f"ssh://{self.unix_user}@127.0.0.1:{port}", log)
            self.world._servers.append(self.server)
            kh = self.sshd_dir / "known_hosts"
            kh.write_text(f"[127.0.0.1]:{port} " + " ".join(Path(f"{host_key}.pub").read_text().split()[:2]) + "\n")
            return self.server
        raise RuntimeError(f"cannot start sshd: {last}")

    def stop(self):
        if self.server is not None:
            self.server.stop()
        if self._made_privsep_dir:
            shutil.rmtree("/run/sshd", ignore_errors=True)
            self._made_privsep_dir = False

    def url(self, repo):
        return f"ssh://{self.unix_user}@127.0.0.1:{self.port}/{repo}"

    def ssh_env(self, user):
        """GIT_SSH_COMMAND for a client acting as gitolite user `user` (its own key, this server's
        host key only, no ~/.ssh/config, no agent, no prompt)."""
        key = self.keygen(user)
        return {"GIT_SSH_COMMAND": (f"ssh -F /dev/null -i {key} -o IdentitiesOnly=yes -o IdentityAgent=none "
                                    f"-o BatchMode=yes -o StrictHostKeyChecking=yes "
                                    f"-o UserKnownHostsFile={self.sshd_dir / 'known_hosts'} -o LogLevel=ERROR"),
                "SSH_AUTH_SOCK": ""}

    def sshd_log(self):
        return "".join(p.read_text() for p in sorted(self.sshd_dir.glob("sshd-*.log")))
