#!/usr/bin/env python3
"""The ready-to-copy CI configurations in docs/ci/: each parses as YAML, is shaped as its host
expects (GitHub merge_group with base_sha/head_sha, GitLab merge trains with
CI_MERGE_REQUEST_TARGET_BRANCH_SHA / CI_MERGE_REQUEST_DIFF_BASE_SHA, Forgejo on pull_request),
invokes alembic-guard only with subcommands and options that exist; and the steps that call
alembic-guard are RUN (bash, with the host's expressions and variables filled in as the host would)
against a real repository where the candidate adds a second revision 031: they fail for it and pass
for the renumbered fix. Installation steps are not run (alembic-guard under test is on PATH)."""

import re
import shlex
import sys
from pathlib import Path

from fixtures import (Suite, check, check_in, incident_fix, incident_second_merge, incident_setup,
                      require_program)

suite = Suite("docs/ci configurations")

TOP = Path(__file__).resolve().parent.parent.parent
CI = TOP / "docs" / "ci"
FILES = ("github-merge-queue.yml", "gitlab-merge-train.yml", "forgejo-actions.yml")


def yaml_module():
    try:
        import yaml  # noqa: PLC0415
        return yaml
    except ImportError:
        require_program("/nonexistent/python3-yaml", "python3-yaml")   # skip (77), or fail under CI=true


def load(name):
    yaml = yaml_module()
    doc = yaml.safe_load((CI / name).read_text())
    check(isinstance(doc, dict), f"{name} is not a YAML mapping")
    return doc


def on_key(doc):
    # YAML 1.1 (PyYAML) reads a bare `on` as the boolean True.
    return doc.get("on", doc.get(True))


def shell_snippets(doc):
    """Every shell text of a workflow (steps' run) or of a GitLab job (before_script, script,
    after_script)."""
    out = []
    for job in (doc.get("jobs") or {}).values():
        for step in job.get("steps", []):
            if "run" in step:
                out.append(step["run"])
    for key, job in doc.items():
        if isinstance(job, dict):
            for part in ("before_script", "script", "after_script"):
                v = job.get(part)
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, list):
                    out.extend(str(x) for x in v)
    return out


def guard_invocations(text):
    """[argv] of every `alembic-guard ...` command in a shell text."""
    out = []
    for line in text.splitlines():
        for m in re.finditer(r"(?:^|[;&|(]\s*|\s)alembic-guard\s+([^;&|>\n]*)", line):
            try:
                out.append(shlex.split(m.group(1)))
            except ValueError:
                out.append(m.group(1).split())
    return out


def subcommands(world):
    r = world.guard("--help")
    text = r.stdout
    part = text.split("Subcommands:", 1)[1] if "Subcommands:" in text else text
    return {l.split()[0] for l in part.splitlines() if l.startswith("  ") and l.split()}


def check_invocations(world, name, doc):
    subs = subcommands(world)
    calls = [c for s in shell_snippets(doc) for c in guard_invocations(s)]
    check(calls, f"{name} never calls alembic-guard")
    for argv in calls:
        check(argv and argv[0] in subs, f"{name}: `alembic-guard {' '.join(argv)}` - no such subcommand "
                                        f"(the binary has {sorted(subs)})")
        h = world.guard(argv[0], "--help")
        check(h.returncode == 0, f"alembic-guard {argv[0]} --help", h)
        for i, a in enumerate(argv[1:], 1):
            if a.startswith("--"):
                opt = a.split("=", 1)[0]
                check(opt in h.stdout, f"{name}: `alembic-guard {' '.join(argv)}`: {opt} is not an option of "
                                       f"{argv[0]}", h)
                if opt == "--format":
                    value = a.split("=", 1)[1] if "=" in a else argv[i + 1]
                    check(re.search(r"\b" + re.escape(value) + r"\b", h.stdout),
                          f"{name}: {argv[0]} --format {value} is not offered", h)
    return calls


def expand(expr_text, context):
    """Fills in ${{ ... }} as the host would; an unknown expression fails the test."""
    def sub(m):
        key = m.group(1).strip()
        check(key in context, f"unknown expression ${{{{ {key} }}}} (the test knows {sorted(context)})")
        return context[key]
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", sub, expr_text)


def run_workflow_steps(world, w, doc, event, context):
    """Runs the steps of every job that would run for `event` and call alembic-guard (no install
    or checkout steps, no `if: failure()` steps); returns the first failing result, or the last."""
    last = None
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if "run" not in step or "alembic-guard" not in step["run"] or "install.sh" in step["run"]:
                continue
            cond = str(step.get("if", ""))
            if "failure()" in cond or "always()" in cond:
                continue
            m = re.search(r"github\.event_name\s*==\s*'([^']+)'", cond)
            if m and m.group(1) != event:
                continue
            env = {k: expand(str(v), context) for k, v in (step.get("env") or {}).items()}
            env["GITHUB_PATH"] = str(world.root / "github_path")
            script = expand(step["run"], context)
            r = world.run(["bash", "-eo", "pipefail", "-c", script], cwd=w.path, env=env, input="")
            last = r
            if r.returncode != 0:
                return r
    check(last is not None, f"no step calling alembic-guard runs on {event}")
    return last


def queue_state(world):
    """A repository where main has 001..030 and #335 (one 031); a candidate merge commit adding
    #336 (a second 031) on top; and the renumbered fix's merge."""
    bare = world.bare()
    w = incident_setup(world, bare, install=False)
    w.push("main")
    base = w.head()
    bad = incident_second_merge(w)
    good = incident_fix(w)            # resets main to origin/main and merges the renumbered #336
    return w, base, bad, good


@suite.case
def all_parse_and_call_existing_commands(world):
    for name in FILES:
        doc = load(name)
        text = (CI / name).read_text()
        check(text.lstrip().startswith("#"), f"{name} should open with a comment header")
        calls = check_invocations(world, name, doc)
        check(any(c[0] in ("check-merge", "check") for c in calls), f"{name} calls neither check-merge nor check")


@suite.case
def github_merge_queue(world):
    name = "github-merge-queue.yml"
    doc = load(name)
    on = on_key(doc)
    check(isinstance(on, dict) and "merge_group" in on, f"{name}: no merge_group trigger")
    text = (CI / name).read_text()
    for needle in ("github.event.merge_group.base_sha", "github.event.merge_group.head_sha", "check-merge",
                   "fetch-depth: 0"):
        check_in(needle, text, name)
    world.guard_on_path()
    w, base, bad, good = queue_state(world)
    for head, want in ((bad, 1), (good, 0)):
        ctx = {"github.event.merge_group.base_sha": base, "github.event.merge_group.head_sha": head,
               "github.event.pull_request.base.sha": base, "github.event.pull_request.head.sha": head}
        for event in ("merge_group", "pull_request"):
            r = run_workflow_steps(world, w, doc, event, ctx)
            check((r.returncode != 0) == bool(want),
                  f"{name} on {event}: the steps should {'FAIL' if want else 'pass'} for "
                  f"{'the second 031' if want else 'the renumbered fix'}", r)
    r = world.guard("check", "--format", "github", cwd=w.path, input="")
    check(r.returncode == 0, "the annotation step's command on the fixed main", r)


@suite.case
def gitlab_merge_train(world):
    name = "gitlab-merge-train.yml"
    doc = load(name)
    text = (CI / name).read_text()
    for needle in ("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "check-merge",
                   "merge_request_event"):
        check_in(needle, text, name)
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    check(len(jobs) == 1, f"{name}: one job expected, got {sorted(jobs)}")
    job = next(iter(jobs.values()))
    check(str((job.get("variables") or {}).get("GIT_DEPTH")) == "0", f"{name}: GIT_DEPTH should be 0 (full history)")
    script = "\n".join(job["script"]) if isinstance(job["script"], list) else job["script"]
    world.guard_on_path()
    w, base, bad, good = queue_state(world)
    common = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "336",
              "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_DEFAULT_BRANCH": "main"}
    for head, want in ((bad, 1), (good, 0)):
        cases = {
            "merge train (TARGET_BRANCH_SHA)": {"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": base, "CI_COMMIT_SHA": head},
            "merge request pipeline (target fetched)": {"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": "",
                                                        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head},
            "merge request pipeline (DIFF_BASE_SHA)": {"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": "",
                                                       "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "no-such-branch",
                                                       "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head},
        }
        for what, env in cases.items():
            e = dict(common)
            e.update(env)
            r = world.run(["bash", "-eo", "pipefail", "-c", script], cwd=w.path, env=e, input="")
            check((r.returncode != 0) == bool(want),
                  f"{name}, {what}: the job should {'FAIL' if want else 'pass'}", r)
    check((w.path / "alembic-guard.json").exists(), f"{name}: the artifact alembic-guard.json was not written")
    # The default branch's pipeline: `check` of the checked-out (fixed) main.
    w.git("checkout", "-q", "main")
    r = world.run(["bash", "-eo", "pipefail", "-c", script], cwd=w.path,
                  env={"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"})
    check(r.returncode == 0, f"{name}: the default branch pipeline on the fixed main should pass", r)


@suite.case
def forgejo_actions_pull_request(world):
    name = "forgejo-actions.yml"
    doc = load(name)
    on = on_key(doc)
    check(isinstance(on, dict) and "pull_request" in on, f"{name}: no pull_request trigger")
    text = (CI / name).read_text()
    for needle in ("github.event.pull_request.base.sha", "github.event.pull_request.head.sha", "fetch-depth: 0"):
        check_in(needle, text, name)
    world.guard_on_path()
    w, base, bad, good = queue_state(world)
    for head, want in ((bad, 1), (good, 0)):
        ctx = {"github.event.pull_request.base.sha": base, "github.event.pull_request.head.sha": head}
        r = run_workflow_steps(world, w, doc, "pull_request", ctx)
        check((r.returncode != 0) == bool(want),
              f"{name} on pull_request: should {'FAIL' if want else 'pass'}", r)
    r = run_workflow_steps(world, w, doc, "push", {})
    check(r.returncode == 0, f"{name} on push to the fixed main should pass", r)


if __name__ == "__main__":
    sys.exit(suite.main())
