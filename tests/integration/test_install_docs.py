#!/usr/bin/env python3
"""The installation guides of docs/install/ are commands a server admin runs: every ```sh block
(tagged <!-- test: ID -->) runs here verbatim, with bash -euo pipefail, against repositories laid
out as each host lays them out (fixtures.py: both Forgejo layouts with Forgejo's own dispatcher
and `gitea` hook, GitLab's hook chain, a plain bare repository, and — as root, with the static
build present — GitHub Enterprise's chroot environment built by packaging/ghes-environment.sh),
then the incident (incident.md) is pushed through what they installed: the second 031 rejected,
the renumbered fix accepted. gitolite.md is run by test_gitolite_ssh.py (a real sshd).

Blocks written as ```console need a host these tests cannot run; each page says which.
  /usr/bin/python3 tests/integration/test_install_docs.py --binary build/alembic-guard
"""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from fixtures import (FILE_A, FILE_B, PR_A, PR_B, Bare, Forgejo, GitLab, Suite, check, check_accepted, check_in,
                      check_incident_rejection, check_unchanged, doc_blocks, gitlab_ui_lines, incident_fix,
                      incident_second_merge, incident_setup, run_doc_block)

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
STATIC = Path(os.environ.get("ALEMBIC_GUARD_STATIC_BINARY") or SOURCE / "build-static" / "alembic-guard")
suite = Suite("docs/install: every command of the guides, run")

# Which blocks each page has and who runs them (checked by the last case).
RUN_HERE = {
    "plain-git.md": {"install", "bypass", "check", "pre-push", "uninstall"},
    "forgejo.md": {"version", "v16-install", "v16-uninstall", "v15-install", "v15-one", "v15-uninstall", "upgrade"},
    "gitlab.md": {"version", "global-install", "global-uninstall", "tarball", "project-install"},
    "github-enterprise.md": {"build"},
}
RUN_ELSEWHERE = {
    "gitolite.md": ({"version", "install", "verify", "uninstall"}, "test_gitolite_ssh.py"),
    "github-enterprise.md": ({"static"}, "CI's static stage (./install.sh --static)"),
}


def landing_335(world, w, env=None):
    r = w.push("main", env=env)
    check_accepted(r, "landing #335")


def second_031_rejected(world, w, bare, env=None):
    before = bare.snapshot()
    main_before = bare.rev("main")
    incident_second_merge(w)
    r = w.push("main", env=env)
    check_incident_rejection(r)
    check(bare.rev("main") == main_before, "main moved although the push was rejected", r)
    check_unchanged(before, bare.snapshot(), r)
    return r


def fix_accepted(world, w, bare, env=None):
    fixed = incident_fix(w)
    r = w.push("main", env=env)
    check_accepted(r, "the renumbered fix")
    check(bare.rev("main") == fixed, "main is not the fix", r)


# ---- plain git --------------------------------------------------------------------------------

@suite.case
def plain_git_guide(world):
    page = "plain-git.md"
    bare = world.bare("basketball-api.git")
    w = incident_setup(world, bare, install=False)
    clone = world.work(bare)
    env = {"REPO": str(bare.path), "CLONE": str(clone.path)}
    run_doc_block(world, page, "install", env=env)
    check((bare.path / "hooks" / "pre-receive").exists(), "no hooks/pre-receive after the guide's install")
    run_doc_block(world, page, "bypass", env=env)
    r = run_doc_block(world, page, "check", env=env)
    check(r.returncode == 0, "the guide's check of a clean main", r)
    run_doc_block(world, page, "pre-push", env=env)
    check((clone.path / ".git" / "hooks" / "pre-push").exists(), "no pre-push hook in the clone")
    landing_335(world, w)
    second_031_rejected(world, w, bare)
    fix_accepted(world, w, bare)
    run_doc_block(world, page, "uninstall", env=env)
    check(not (bare.path / "hooks" / "pre-receive").exists(), "hooks/pre-receive left after the guide's uninstall")


# ---- Forgejo ----------------------------------------------------------------------------------

def forgejo_repo_with_history(world, f, owner="league", name="basketball-api"):
    bare = f.create_repo(owner, name)
    w = world.work(url=str(bare.path))
    w.build_incident_history()
    check_accepted(w.push("main", env=f.env(bare)), "the clean history")
    for branch, rev, slug in (PR_A, PR_B):
        w.checkout(branch, new=True, start="main")
        w.add_migration(rev, "030", slug, annotated=True)
        w.commit(f"Add {slug} ({rev})")
    w.checkout("main")
    w.merge(PR_A[0], "Merge pull request #335 from league/pr-335-team-logo")
    return bare, w


def forgejo_env(f):
    return {"FORGEJO_HOME_PATH": str(f.home_path), "FORGEJO_REPOS": str(f.repo_root)}


@suite.case
def forgejo_v16_guide(world):
    page = "forgejo.md"
    f = Forgejo(world, 16)
    bare, w = forgejo_repo_with_history(world, f)
    run_doc_block(world, page, "version", env=forgejo_env(f))
    r = run_doc_block(world, page, "v16-install", env=forgejo_env(f))
    check_in("installed", r.stdout, "what install-hook printed", r)
    check((f.home_path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "no central hook")
    landing_335(world, w, env=f.env(bare))
    runs = len(f.hook_runs())
    second_031_rejected(world, w, bare, env=f.env(bare))
    check(len(f.hook_runs()) > runs, "Forgejo's own `gitea` hook did not run beside ours")
    fix_accepted(world, w, bare, env=f.env(bare))
    run_doc_block(world, page, "v16-uninstall", env=forgejo_env(f))
    check(not (f.home_path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "central hook left")
    check((f.home_path / "hooks" / "pre-receive.d" / "gitea").exists(), "Forgejo's own hook was removed")


@suite.case
def forgejo_v15_guide(world):
    page = "forgejo.md"
    f = Forgejo(world, 15)
    bare, w = forgejo_repo_with_history(world, f)
    wiki = f.create_repo("league", "basketball-api.wiki")
    r = run_doc_block(world, page, "v15-install", env=forgejo_env(f))
    for repo in (bare, wiki):
        check((repo.path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), f"not installed in {repo.path}", r)
        check((repo.path / "hooks" / "pre-receive.d" / "gitea").exists(), f"Forgejo's hook gone in {repo.path}", r)
    r2 = run_doc_block(world, page, "v15-install", env=forgejo_env(f))
    check_in("kept", r2.stdout, "a second run (idempotent, for cron)", r2)
    landing_335(world, w, env=f.env(bare))
    second_031_rejected(world, w, bare, env=f.env(bare))
    fix_accepted(world, w, bare, env=f.env(bare))
    run_doc_block(world, page, "v15-uninstall", env=forgejo_env(f))
    check(not (bare.path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "per-repository hook left")
    run_doc_block(world, page, "v15-one", env=forgejo_env(f))
    check((bare.path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "the one-repository install")
    check(not (wiki.path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "one repository only")


@suite.case
def forgejo_upgrade_v15_to_v16_guide(world):
    """A v15 server with the per-repository hook, upgraded to v16 (central dispatcher, core.hooksPath):
    the old hook still guards; the guide's upgrade step moves to the central file."""
    page = "forgejo.md"
    f = Forgejo(world, 16)
    bare, w = forgejo_repo_with_history(world, f)
    r = world.guard("install-hook", "--forgejo", str(bare.path))   # what v15's `--all` left behind
    check(r.ok, "per-repository install (the v15 state)", r)
    landing_335(world, w, env=f.env(bare))
    second_031_rejected(world, w, bare, env=f.env(bare))
    run_doc_block(world, page, "upgrade", env=forgejo_env(f))
    check((f.home_path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "no central hook after the upgrade")
    check(not (bare.path / "hooks" / "pre-receive.d" / "alembic-guard").exists(), "per-repository hook left")
    # The same push again, now judged by the central hook only.
    main_before = bare.rev("main")
    r = w.push("main", env=f.env(bare))
    check_incident_rejection(r)
    check(bare.rev("main") == main_before, "main moved although the push was rejected", r)
    fix_accepted(world, w, bare, env=f.env(bare))


# ---- GitLab -----------------------------------------------------------------------------------

@suite.case
def gitlab_global_guide(world):
    page = "gitlab.md"
    gl = GitLab(world)
    bare = gl.create_repo()
    env = {"GITLAB_CUSTOM_HOOKS_DIR": str(gl.global_dir)}
    run_doc_block(world, page, "version", env=env)
    run_doc_block(world, page, "global-install", env=env)
    w = incident_setup(world, bare, install=False)
    landing_335(world, w, env=GitLab.env())
    r = second_031_rejected(world, w, bare, env=GitLab.env())
    ui = gitlab_ui_lines(r)
    check(any(FILE_B in l for l in ui) and any(FILE_A in l for l in ui),
          "GitLab's web UI would not show both files (GL-HOOK-ERR lines)", r)
    fix_accepted(world, w, bare, env=GitLab.env())
    check("project hook ran" in gl.log_lines(), "the project's own hook stopped running")
    run_doc_block(world, page, "global-uninstall", env=env)
    check(not (gl.global_dir / "pre-receive.d" / "alembic-guard").exists(), "global hook left")
    check((gl.global_dir / "pre-receive.d" / "zz-global-audit").exists(), "another global hook was removed")


@suite.case
def gitlab_project_guide(world):
    page = "gitlab.md"
    gl = GitLab(world)
    # `gitaly hooks set`: the tarball replaces the project's custom_hooks/ (unpacked here as Gitaly does).
    bare = gl.create_repo()
    work_dir = world.root / "tarball"
    work_dir.mkdir()
    run_doc_block(world, page, "tarball", cwd=work_dir)
    shutil.rmtree(bare.path / "custom_hooks")
    with tarfile.open(work_dir / "custom_hooks.tar") as t:
        names = t.getnames()
        check("custom_hooks/pre-receive.d/alembic-guard" in names, f"the tarball holds {names}")
        t.extractall(bare.path)
    w = incident_setup(world, bare, install=False)
    landing_335(world, w, env=GitLab.env())
    second_031_rejected(world, w, bare, env=GitLab.env())
    fix_accepted(world, w, bare, env=GitLab.env())
    # The on-disk layout (GitLab before 15.11).
    other = gl.create_repo("@hashed/d4/73/d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35")
    run_doc_block(world, page, "project-install", env={"GITLAB_PROJECT_REPO": str(other.path)})
    check((other.path / "custom_hooks" / "pre-receive.d" / "alembic-guard").exists(), "on-disk install")
    check((other.path / "custom_hooks" / "pre-receive").exists(), "the project's own hook was removed")


# ---- GitHub Enterprise ------------------------------------------------------------------------

@suite.case
def github_enterprise_guide(world):
    page = "github-enterprise.md"
    if not os.access(STATIC, os.X_OK) or os.geteuid() != 0 or not os.access("/bin/busybox", os.X_OK):
        why = ("no static build (./install.sh --static)" if not os.access(STATIC, os.X_OK) else
               "not root (chroot)" if os.geteuid() != 0 else "no /bin/busybox (apt-get install busybox-static)")
        if os.environ.get("CI") == "true" and os.environ.get("ALEMBIC_GUARD_EXPECT_STATIC") == "1":
            check(False, f"the GitHub Enterprise environment cannot be tested: {why}")
        print(f"    (skipped the GitHub Enterprise environment: {why})")
        return
    out_dir = world.root / "ghes"
    # The guide's command, run from the source tree; its output goes to build-static/.
    run_doc_block(world, page, "build", cwd=SOURCE)
    tarball = SOURCE / "build-static" / "alembic-guard-ghes-env.tar.gz"
    hook_script = SOURCE / "build-static" / "alembic-guard-pre-receive.sh"
    check(tarball.exists() and hook_script.exists(), "ghes-environment.sh wrote no tarball or hook script")
    jail = out_dir / "env"
    jail.mkdir(parents=True)
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(jail)], check=True)
    # GHES: the hook repository's script, run inside the environment with the pushed repository.
    shutil.copy(hook_script, jail / "pre-receive-hook.sh")
    bare = world.bare("repo.git", parent=jail / "data")
    w = incident_setup(world, bare, install=False)
    check_accepted(w.push("main"), "landing #335 (before the hook)")
    main_before = bare.rev("main")
    bad = incident_second_merge(w)
    w.push(f"{bad}:refs/heads/pr-336-merged")
    env = {"GIT_DIR": "/data/repo.git", "GITHUB_USER_LOGIN": "alice", "GITHUB_REPO_NAME": "league/basketball-api",
           "GITHUB_VIA": "pull request merge button"}
    p = subprocess.run([CHROOT, str(jail), "/pre-receive-hook.sh"], env=env, input=f"{main_before} {bad} refs/heads/main\n",
                       capture_output=True, text=True, timeout=60)
    text = p.stdout + p.stderr
    check(p.returncode == 1, f"the hook in the GHES environment did not reject the second 031: exit {p.returncode}\n{text}")
    for needle in (FILE_A, FILE_B, "030", "renumber"):
        check_in(needle, text, "the rejection inside the GHES environment")
    fixed = incident_fix(w, upstream=main_before)
    w.push(f"{fixed}:refs/heads/pr-336-fixed")
    p = subprocess.run([CHROOT, str(jail), "/pre-receive-hook.sh"], env=env, input=f"{main_before} {fixed} refs/heads/main\n",
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"the fix was not accepted in the GHES environment: exit {p.returncode}\n{p.stdout}{p.stderr}")


# ---- coverage ---------------------------------------------------------------------------------

@suite.case
def every_sh_block_of_every_guide_is_run(world):
    pages = sorted(p.name for p in (SOURCE / "docs" / "install").glob("*.md"))
    check(pages == ["forgejo.md", "github-enterprise.md", "gitlab.md", "gitolite.md", "plain-git.md"],
          f"docs/install holds {pages}")
    for page in pages:
        ids = set(doc_blocks(page))
        covered = set(RUN_HERE.get(page, set())) | set(RUN_ELSEWHERE.get(page, (set(), ""))[0])
        check(ids == covered, f"docs/install/{page}: sh blocks {sorted(ids)}, run by tests {sorted(covered)}")
        text = (SOURCE / "docs" / "install" / page).read_text()
        check(text.count("```sh") == len(ids), f"docs/install/{page}: a ```sh block without <!-- test: ID -->")
    gitolite_test = (HERE / "test_gitolite_ssh.py").read_text()
    for block_id in RUN_ELSEWHERE["gitolite.md"][0]:
        check(f'"{block_id}"' in gitolite_test, f"test_gitolite_ssh.py does not run gitolite.md's {block_id}")


if __name__ == "__main__":
    sys.exit(suite.main())
