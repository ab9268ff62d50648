#!/usr/bin/python3
"""Differential test: alembic-guard against real Alembic (Debian's python3-alembic).

    run_differential.py --binary build/alembic-guard --count 200 --seed 1
    run_differential.py --binary build/alembic-guard --only 100042   # one history again
    run_differential.py --binary build/alembic-guard \
        --alembic-path build/oracles/alembic-1.18.4/usr/lib/python3/dist-packages

--alembic-path puts another Alembic first on the oracle's PYTHONPATH
(tests/differential/alembic_oracles.sh unpacks Debian's 1.13.2 and 1.18.4);
without it the oracle is the system's python3-alembic (1.8.1 on Debian 12).
The guard is asked to judge as the Alembic the oracle runs (--alembic-version
V to the guard; the oracle's own version unless --alembic-version says
otherwise).

For each of COUNT generated histories (history seeds SEED*100000 + 0 .. COUNT-1):
write the project to a temporary directory, commit it to a fresh git
repository, ask the Alembic oracle (one long-lived /usr/bin/python3 process)
about every environment, then run

    alembic-guard check --format json --repo DIR HEAD      (git objects)
    alembic-guard check --worktree DIR --format json       (files on disk)

and compare each with the oracle (see compare_env).  Every disagreement is
printed with the history seed and the kept tree; the last line is
"N passed, M failed".  Exit 0 when all agree, 1 otherwise, 77 (skip) when
/usr/bin/python3 cannot import alembic or --alembic-path does not exist --
except under CI=true, where that is a failure.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import generate  # noqa: E402

PYTHON = "/usr/bin/python3"
SKIP_LINE = "SKIP: python3-alembic not installed (apt-get install python3-alembic)"
SKIP_PATH_LINE = "SKIP: no Alembic in %s (bash tests/differential/alembic_oracles.sh prepares 1.13.2 and 1.18.4)"


def oracle_env(alembic_path):
    """The oracle's environment: the Alembic of alembic_path first on the path (only it: a
    PYTHONPATH of the caller's could bring in another Alembic), else the system's."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    if alembic_path:
        env["PYTHONPATH"] = alembic_path
    return env


class Oracle:
    def __init__(self, alembic_path=None):
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(HERE, "oracle.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=oracle_env(alembic_path))
        self.lock = threading.Lock()

    def ask(self, req):
        with self.lock:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the oracle process died")
        return json.loads(line)

    def close(self):
        try:
            self.proc.stdin.write('{"op": "quit"}\n')
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(timeout=30)


def isolated_env(base):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    home = os.path.join(base, "home")
    os.makedirs(os.path.join(home, ".config"), exist_ok=True)
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(base, "cache"),   # the guard's result cache, shared by the run
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    })
    return env


GIT_C = ["-c", "user.name=Differential Test", "-c", "user.email=diff@example.invalid",
         "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-c", "init.defaultBranch=main"]


def git(env, cwd, *args):
    return subprocess.run(["git"] + GIT_C + list(args), cwd=cwd, env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_guard(binary, args, env, cwd, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run([binary] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds (a hang)" % timeout, time.monotonic() - t0
    except OSError as exc:
        return None, "could not run %s: %s" % (binary, exc), time.monotonic() - t0
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1):
        return None, "exit %d; stderr: %s; stdout: %s" % (p.returncode, err.strip()[:600], out.strip()[:300]), time.monotonic() - t0
    try:
        data = json.loads(out)
    except ValueError as exc:
        return None, "exit %d but stdout is not JSON (%s): %r; stderr: %s" % (
            p.returncode, exc, out[:300], err.strip()[:300]), time.monotonic() - t0
    data["_exit"] = p.returncode
    return data, None, time.monotonic() - t0


def problems_by_code(env):
    out = {}
    for pr in env.get("problems") or []:
        out.setdefault(pr.get("code"), []).append(pr)
    return out


def describe_ours(env):
    probs = ["%s%s" % (p.get("code"), p.get("revisions") or p.get("files") or "") for p in env.get("problems") or []]
    return "heads=%s head_count=%s bases=%s problems=%s" % (
        env.get("heads"), env.get("head_count"), env.get("bases"), probs)


def describe_alembic(resp):
    if resp["status"] == "error":
        e = resp["error"]
        return "%s: %s -> %s" % (e["type"], e["message"].splitlines()[0][:200], e["code"])
    return "heads=%s bases=%s duplicates=%s" % (resp["heads"], resp["bases"], resp["duplicates"])


def compare_env(resp, ours):
    """Disagreements (list of strings) between the oracle and one of our environments."""
    bad = []
    codes = problems_by_code(ours)
    if resp["status"] == "error":
        code = resp["error"]["code"]
        if code == "other":
            bad.append("Alembic raised an unmapped error (fix the oracle mapping): %s" % describe_alembic(resp))
        elif code not in codes:
            bad.append("Alembic fails with %s, we report no %s problem" % (code, code))
        return bad
    heads, bases = resp["heads"], resp["bases"]
    if ours.get("head_count") != len(heads):
        bad.append("head_count %s, Alembic get_heads() has %d" % (ours.get("head_count"), len(heads)))
    if ours.get("heads") != sorted(set(heads)):
        bad.append("heads %s, Alembic %s" % (ours.get("heads"), sorted(set(heads))))
    if ours.get("bases") != sorted(set(bases)):
        bad.append("bases %s, Alembic %s" % (ours.get("bases"), sorted(set(bases))))
    our_dups = set()
    for pr in codes.get("duplicate-revision", []):
        our_dups.update(pr.get("revisions") or [])
    if our_dups != set(resp["duplicates"]):
        bad.append("duplicate-revision for %s, Alembic warned for %s" % (sorted(our_dups), sorted(resp["duplicates"])))
    multi = "multiple-heads" in codes
    if multi != (len(heads) > 1):
        bad.append("multiple-heads %s, Alembic has %d heads" % ("reported" if multi else "not reported", len(heads)))
    extra = sorted(set(codes) - {"duplicate-revision", "multiple-heads"})
    if extra:
        msgs = ["%s: %s" % (c, (codes[c][0].get("message") or "")[:200]) for c in extra]
        bad.append("problems Alembic does not have: %s" % "; ".join(msgs))
    return bad


def request_label(req):
    if req.get("ini"):
        return "%s [%s]" % (req["ini"], req["section"])
    return req.get("pyproject") or req["script_location"]


def match_envs(project, requests, responses, data):
    """Pair each generated environment with one of ours. Returns (pairs, problems)."""
    ours = list(data.get("environments") or [])
    used = set()
    pairs = []
    bad = []
    by_loc = {}
    for i, e in enumerate(ours):
        by_loc.setdefault(tuple(sorted(e.get("version_locations") or [])), []).append(i)
    broken_locs = set()
    for genv, req, resp in zip(project.envs, requests, responses):
        label = request_label(req)
        idx = None
        if resp["status"] == "error" and resp["error"].get("stage") == "config":
            ini = req.get("ini") or req.get("pyproject")
            broken_locs.update(genv.locations)
            for i, e in enumerate(ours):
                if i in used:
                    continue
                cfg = (e.get("config") or "") + " " + (e.get("name") or "")
                files = [f for p in e.get("problems") or [] if p.get("code") == "unreadable-config" for f in (p.get("files") or [])]
                if ini and (ini in cfg or ini in files):
                    idx = i
                    break
        else:
            for key in (tuple(resp["version_locations"] or []), tuple(resp["existing_version_locations"] or [])):
                for i in by_loc.get(key, []):
                    if i not in used:
                        idx = i
                        break
                if idx is not None:
                    break
        if idx is None:
            bad.append("environment %s (version_locations %s) missing from our output (ours: %s)" % (
                label, resp.get("version_locations") or sorted(genv.locations),
                [e.get("version_locations") for e in ours]))
            continue
        used.add(idx)
        pairs.append((genv, label, resp, ours[idx]))
    for i, e in enumerate(ours):
        if i in used:
            continue
        locs = set(e.get("version_locations") or [])
        if locs and locs <= broken_locs:
            continue   # discovered by convention beside an unreadable config: tolerated
        bad.append("extra environment in our output: name=%s version_locations=%s %s" % (
            e.get("name"), e.get("version_locations"), describe_ours(e)))
    return pairs, bad


def check_history(hseed, args, oracle, workdir, env):
    project = generate.generate(hseed)
    hdir = os.path.join(workdir, "h%d" % hseed)
    root = os.path.join(hdir, "repo")
    os.makedirs(root)
    project.write(root)
    git(env, root, "init", "-q")
    git(env, root, "add", "-A")
    git(env, root, "commit", "-q", "--no-verify", "-m", "history %d" % hseed)

    requests = [genv.request_for(args.oracle_version) for genv in project.envs]
    responses = []
    fatal = []
    for req in requests:
        resp = oracle.ask(dict(req, dir=root))
        if resp.get("status") == "fatal":
            fatal.append("oracle failed: %s" % resp.get("error"))
            resp = None
        responses.append(resp)
    findings = list(fatal)
    timings = []
    per_mode = {}
    if not fatal:
        # The guard judges as the Alembic the oracle runs (its default is the newest it knows).
        av = args.alembic_version
        for mode, gargs in (("HEAD", ["check", "--format", "json", "--alembic-version", av, "--repo", root, "HEAD"]),
                            ("worktree", ["check", "--worktree", root, "--format", "json", "--alembic-version", av])):
            data, err, dt = run_guard(args.binary, gargs, env, hdir, args.timeout)
            timings.append(dt)
            if err:
                findings.append("[%s] %s" % (mode, err))
                continue
            pairs, bad = match_envs(project, requests, responses, data)
            mine = list(bad)
            for genv, label, resp, ours in pairs:
                diffs = compare_env(resp, ours)
                if diffs:
                    mine.append("env %s: %s\n        kinds:   %s\n        Alembic: %s\n        ours:    %s" % (
                        label, "\n          and ".join(diffs), ", ".join(genv.kinds), describe_alembic(resp), describe_ours(ours)))
            any_problem = any(e.get("problems") for e in data.get("environments") or [])
            if data.get("ok") is not (not any_problem):
                mine.append("\"ok\": %s while problems are %s" % (data.get("ok"), "present" if any_problem else "absent"))
            if data["_exit"] != (1 if any_problem else 0):
                mine.append("exit code %d while problems are %s" % (data["_exit"], "present" if any_problem else "absent"))
            per_mode[mode] = mine
            if mode == "HEAD":
                # The same check again reads the result cache the first run filled: the
                # cache may only make the guard faster, never change what it says.
                warm, werr, _ = run_guard(args.binary, gargs, env, hdir, args.timeout)
                if werr or warm != data:
                    findings.append("[HEAD, warm result cache] the result differs from the cold run: %s" %
                                    (werr or json.dumps(warm)[:400]))
        if per_mode.get("HEAD") == per_mode.get("worktree"):
            findings += ["[HEAD and worktree] " + f for f in per_mode.get("HEAD") or []]
        else:
            for mode in ("HEAD", "worktree"):
                findings += ["[%s] %s" % (mode, f) for f in per_mode.get(mode) or []]
    st = git(env, root, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    if st.strip():
        findings.append("the tree was modified during the run (by the oracle or the guard):\n" + st.rstrip())
    if findings:
        with open(os.path.join(hdir, "DISAGREEMENT.txt"), "w") as fh:
            fh.write("history seed %d\n" % hseed + "\n".join(findings) + "\n")
            fh.write("\noracle responses:\n" + "\n".join(json.dumps(r) for r in responses) + "\n")
    else:
        if not args.keep:
            shutil.rmtree(hdir, ignore_errors=True)
    return hseed, project, findings, timings


def alembic_available(alembic_path=None):
    if not os.path.exists(PYTHON):
        return False
    p = subprocess.run([PYTHON, "-c", "import alembic.script, alembic.config"], env=oracle_env(alembic_path),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def skip(line):
    if os.environ.get("CI") == "true":
        print(line.replace("SKIP:", "FAIL:", 1) + " -- a skip is a failure under CI=true")
        return 1
    print(line)
    return 77


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="path of the alembic-guard binary")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int, action="append", help="run just this history seed (repeatable)")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 2))
    ap.add_argument("--timeout", type=int, default=60, help="seconds per alembic-guard run")
    ap.add_argument("--keep", action="store_true", help="keep every tree, not only failing ones")
    ap.add_argument("--workdir", help="where to put the trees (default: a new temporary directory)")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--alembic-path", metavar="DIR",
                    help="PYTHONPATH of the oracle's Alembic (default: the system's python3-alembic)")
    ap.add_argument("--alembic-version", metavar="V",
                    help="the guard judges as this Alembic (default: the version the oracle runs)")
    args = ap.parse_args()

    if args.alembic_path:
        args.alembic_path = os.path.abspath(args.alembic_path)
        if not os.path.isdir(os.path.join(args.alembic_path, "alembic")):
            return skip(SKIP_PATH_LINE % args.alembic_path)
        if not alembic_available(args.alembic_path):
            print("FAIL: %s holds an Alembic that %s cannot import" % (args.alembic_path, PYTHON))
            return 1
    elif not alembic_available():
        return skip(SKIP_LINE)
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        print("FAIL: %s is not an executable file" % args.binary)
        return 1

    workdir = args.workdir or tempfile.mkdtemp(prefix="alembic-guard-differential-")
    os.makedirs(workdir, exist_ok=True)
    env = isolated_env(workdir)
    seeds = args.only or [args.seed * 100000 + i for i in range(args.count)]
    oracle = Oracle(args.alembic_path)
    ping = oracle.ask({"op": "ping"})
    if ping.get("status") != "ok":
        print("FAIL: the oracle did not start: %s" % ping)
        return 1
    args.oracle_version = ping["alembic"]
    args.alembic_version = args.alembic_version or ping["alembic"]
    if not args.quiet:
        print("oracle: Alembic %s (%s); the guard judges as %s" % (
            ping["alembic"], args.alembic_path or "the system's", args.alembic_version))
    t0 = time.monotonic()
    passed = failed = 0
    guard_time = 0.0
    guard_runs = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = [pool.submit(check_history, s, args, oracle, workdir, env) for s in seeds]
            for s, fut in zip(seeds, futs):
                try:
                    hseed, project, findings, timings = fut.result()
                except Exception:  # noqa: BLE001 - a harness error is a failure too
                    failed += 1
                    print("harness error on history seed %d (rerun: --only %d):\n%s" % (
                        s, s, traceback.format_exc()))
                    continue
                guard_time += sum(timings)
                guard_runs += len(timings)
                if findings:
                    failed += 1
                    print("DISAGREEMENT history seed %d (rerun: --only %d; tree kept: %s)" % (
                        hseed, hseed, os.path.join(workdir, "h%d" % hseed, "repo")))
                    for f in findings:
                        print("    " + f)
                else:
                    passed += 1
    finally:
        oracle.close()
    elapsed = time.monotonic() - t0
    if not args.quiet:
        print("%d histories in %.1f s (%d alembic-guard runs, %.3f s each on average); trees under %s" % (
            len(seeds), elapsed, guard_runs, guard_time / max(1, guard_runs), workdir))
    if not failed and not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
