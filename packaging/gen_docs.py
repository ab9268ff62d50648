#!/usr/bin/env python3
"""Generates alembic-guard's man page (roff) and bash completion from the binary's own --help.

ONE source: the command line is defined once, in the CLI11 code under hook/; this script runs
`alembic-guard --help` and `alembic-guard <command> --help` for every command the top-level help
lists, and renders what they say. Run at build time (packaging/packaging.cmake):

  gen_docs.py --binary build/alembic-guard --man OUT.1 [--man-gz OUT.1.gz] --completion OUT.bash

Only the prose sections that --help has no place for (exit status, environment, hook layouts)
are written here; every command, option, argument and choice comes from --help.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import re
import subprocess
import sys


# ------------------------------------------------------------------------------------------
# Reading --help (CLI11's formatter)
# ------------------------------------------------------------------------------------------

class Option:
    def __init__(self, names, metavar, description):
        self.names = names            # ["-h", "--help"]
        self.metavar = metavar        # "TEXT", "TEXT:{text,json}", "" for a flag
        self.description = description
        m = re.search(r"\{([^}]*)\}", metavar)
        self.choices = m.group(1).split(",") if m else []

    @property
    def takes_value(self):
        return bool(self.metavar)

    @property
    def value_name(self):
        if self.choices:
            return "|".join(self.choices)
        return self.metavar.split(":")[0]


class Positional:
    def __init__(self, name, kind, description):
        self.name = name              # "REV"
        self.required = "REQUIRED" in kind
        self.many = "..." in kind
        self.description = description


class Command:
    def __init__(self, name):
        self.name = name
        self.summary = ""
        self.usage = ""
        self.positionals: list[Positional] = []
        self.options: list[Option] = []
        self.groups: list[tuple[str, str, list[Option]]] = []   # (title, description, options)

    def all_options(self):
        return self.options + [o for _, _, opts in self.groups for o in opts]


ENTRY = re.compile(r"^(?P<indent> +)(?P<head>\S.*?)(?: {2,}(?P<desc>\S.*))?$")


def run_help(binary, *args):
    p = subprocess.run([binary, *args, "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "200", "LC_ALL": "C"})
    if p.returncode != 0:
        sys.exit(f"gen_docs.py: `{binary} {' '.join(args)} --help` exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def parse_entries(lines):
    """[(indent, head, description)] of a section's lines; deeper-indented lines without a head
    continue the previous entry's description."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        m = ENTRY.match(line.rstrip())
        indent = len(m.group("indent")) if m else 0
        if out and indent >= 10:
            head, desc = out[-1][1], out[-1][2]
            out[-1] = (out[-1][0], head, (desc + " " + line.strip()).strip())
            continue
        out.append((indent, m.group("head").strip(), (m.group("desc") or "").strip()))
    return out


def parse_option(head, desc):
    first, _, metavar = head.partition(" ")
    return Option(first.split(","), metavar.strip(), desc)


def parse_command_help(name, text) -> Command:
    cmd = Command(name)
    lines = text.splitlines()
    cmd.summary = lines[0].strip() if lines and not lines[0].startswith("Usage:") else ""
    section, group = None, None
    buf: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("Usage:"):
            cmd.usage = line[len("Usage:"):].strip()
            section = None
            continue
        if line in ("Positionals:", "Options:", "Subcommands:"):
            section, group = line[:-1], None
            buf.setdefault(section, [])
            continue
        m = re.match(r"^\[Option Group: (.*)\]$", line)
        if m:
            group = m.group(1)
            section = f"group:{group}"
            buf[section] = []
            continue
        if section:
            buf[section].append(line)
    for indent, head, desc in parse_entries(buf.get("Positionals", [])):
        pname, _, kind = head.partition(" ")
        cmd.positionals.append(Positional(pname, kind, desc))
    for indent, head, desc in parse_entries(buf.get("Options", [])):
        cmd.options.append(parse_option(head, desc))
    for key, glines in buf.items():
        if not key.startswith("group:"):
            continue
        title, description, opts = key[len("group:"):], [], []
        for indent, head, desc in parse_entries(glines):
            if head == "Options:":
                continue
            if head.startswith("-"):
                opts.append(parse_option(head, desc))
            else:
                description.append(head.strip("[] ") + (" " + desc if desc else ""))
        cmd.groups.append((title, "; ".join(d for d in description if d), opts))
    return cmd


def read_cli(binary):
    top_text = run_help(binary)
    top = parse_command_help("alembic-guard", top_text)
    subs = []
    in_subs = False
    for line in top_text.splitlines():
        if line == "Subcommands:":
            in_subs = True
            continue
        if in_subs and line and not line.startswith(" "):
            in_subs = False
        if in_subs and line.strip():
            m = ENTRY.match(line.rstrip())
            if m and len(m.group("indent")) < 10:
                subs.append(m.group("head").strip())
    if not subs:
        sys.exit("gen_docs.py: no subcommands found in --help")
    commands = [parse_command_help(s, run_help(binary, s)) for s in subs]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    version = version.split()[-1] if version else "unknown"
    return top, commands, version


# ------------------------------------------------------------------------------------------
# The man page
# ------------------------------------------------------------------------------------------

def roff(text):
    """Escapes text for a roff line (backslashes, leading dots/quotes, hyphens in options)."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"(?<![\w])-", r"\\-", text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def opt_synopsis(o: Option):
    names = ", ".join(f"\\fB{roff(n)}\\fR" for n in o.names)
    if o.takes_value:
        names += f" \\fI{roff(o.value_name)}\\fR"
    return names


PROSE_EXIT = """\
.TP
.B 0
Nothing to report; a hook accepts the push.
.TP
.B 1
Problems found (a duplicate revision, a new head, a missing or cyclic revision, ...); a hook
rejects the push.
.TP
.B 2
Usage error, or the guard could not do its job (unreadable repository, unsupported object format).
What a hook does then is the operator's choice: \\fBgit config alembicGuard.onError reject\\fR
(default) or \\fBaccept\\fR.
"""

PROSE_ENV = """\
.TP
.B GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_QUARANTINE_PATH
Set by git for hooks: the repository and the quarantine holding a push's objects.
.TP
.B GITEA_PUSHER_NAME, GL_USERNAME, GL_USER, GITHUB_USER_LOGIN, USER, LOGNAME
The pusher, for \\fBalembicGuard.bypassUsers\\fR (Forgejo/Gitea, GitLab, gitolite, GitHub
Enterprise, then the operating-system user). No user database is consulted.
.TP
.B GIT_PUSH_OPTION_COUNT, GIT_PUSH_OPTION_\\fIn\\fR
Push options; \\fB\\-o alembic\\-guard.bypass\\fR asks for a bypass.
.TP
.B PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF
Under the pre\\-commit framework, the range \\fBpre\\-push\\fR judges.
.TP
.B XDG_CACHE_HOME, HOME
The result cache lives in \\fI$XDG_CACHE_HOME/alembic\\-guard\\fR (or \\fI~/.cache/alembic\\-guard\\fR),
outside the repository; \\fBalembicGuard.cacheDir\\fR moves it (\\fBnone\\fR switches it off),
\\fBalembicGuard.cacheMaxSize\\fR bounds it (default 256m; the least recently used files go first).
"""

PROSE_FILES = """\
.TP
.I <repo>.git/hooks/pre-receive
Plain git (\\fBinstall\\-hook \\-\\-pre\\-receive\\fR).
.TP
.I <repo>.git/hooks/pre-receive.d/alembic-guard
Forgejo and Gitea, every version (\\fBinstall\\-hook \\-\\-forgejo\\fR).
.TP
.I <HOME_PATH>/hooks/pre-receive.d/alembic-guard
Forgejo \\(>= v16, every repository (\\fBinstall\\-hook \\-\\-forgejo\\-server\\fR).
.TP
.I <repo>.git/custom_hooks/pre-receive.d/alembic-guard
GitLab, one project (\\fBinstall\\-hook \\-\\-gitlab\\fR).
.TP
.I <custom_hooks_dir>/pre-receive.d/alembic-guard
GitLab, every project (\\fBinstall\\-hook \\-\\-gitlab\\-server\\fR).
.TP
.I .alembic-guard.toml
In the repository: environments declared explicitly (\\fB[[environment]]\\fR with \\fBname\\fR,
\\fBversion_locations\\fR, \\fBallow_multiple_heads\\fR).
.PP
Installation on each host: \\fI/usr/share/doc/alembic\\-guard/\\fR and docs/install/ in the source.
"""


def render_man(top: Command, commands: list[Command], version: str) -> str:
    date = datetime.datetime.utcfromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or 0)
    date_s = date.strftime("%Y-%m-%d") if os.environ.get("SOURCE_DATE_EPOCH") else ""
    out = []
    out.append(f'.TH ALEMBIC\\-GUARD 1 "{date_s}" "alembic\\-guard {roff(version)}" "User Commands"')
    out.append(".\\\" Generated by packaging/gen_docs.py from `alembic-guard --help`; do not edit.")
    out.append(".SH NAME")
    summary = top.summary.split(":", 1)[-1].strip() if ":" in top.summary else top.summary
    out.append(f"alembic\\-guard \\- {roff(summary)}")
    out.append(".SH SYNOPSIS")
    for c in commands:
        syn = [f"\\fBalembic\\-guard {roff(c.name)}\\fR"]
        for o in c.options:
            if o.names == ["-h", "--help"]:
                continue
            syn.append(f"[{opt_synopsis(o)}]")
        for title, _, opts in c.groups:
            syn.append("{" + " | ".join(opt_synopsis(o) for o in opts) + "}")
        for p in c.positionals:
            arg = f"\\fI{roff(p.name)}\\fR" + ("..." if p.many else "")
            syn.append(arg if p.required else f"[{arg}]")
        out.append(".br")
        out.append(" ".join(syn))
    for o in top.options:
        out.append(".br")
        out.append(f"\\fBalembic\\-guard\\fR {opt_synopsis(o)}")
    out.append(".SH DESCRIPTION")
    out.append(roff(top.summary))
    out.append(".PP")
    out.append("Every command takes \\fB\\-\\-help\\fR. The commands:")
    out.append(".SH COMMANDS")
    for c in commands:
        out.append(f".SS {roff(c.name)}")
        out.append(f"\\fBUsage:\\fR {roff(c.usage)}")
        out.append(".PP")
        out.append(roff(c.summary))
        for p in c.positionals:
            out.append(".TP")
            out.append(f"\\fI{roff(p.name)}\\fR" + ("..." if p.many else "") + (" (required)" if p.required else ""))
            out.append(roff(p.description))
        for o in c.options:
            out.append(".TP")
            out.append(opt_synopsis(o))
            out.append(roff(o.description))
        for title, description, opts in c.groups:
            out.append(".PP")
            out.append(f"\\fI{roff(description or title)}\\fR:")
            for o in opts:
                out.append(".TP")
                out.append(opt_synopsis(o))
                out.append(roff(o.description))
    out.append(".SH OPTIONS")
    for o in top.options:
        out.append(".TP")
        out.append(opt_synopsis(o))
        out.append(roff(o.description))
    out.append(".SH EXIT STATUS")
    out.append(PROSE_EXIT.rstrip())
    out.append(".SH ENVIRONMENT")
    out.append(PROSE_ENV.rstrip())
    out.append(".SH FILES")
    out.append(PROSE_FILES.rstrip())
    out.append(".SH EXAMPLES")
    out.append(".nf")
    out.append("alembic\\-guard demo")
    out.append("alembic\\-guard check \\-\\-repo /srv/git/app.git main")
    out.append("alembic\\-guard install\\-hook \\-\\-pre\\-receive /srv/git/app.git")
    out.append(".fi")
    out.append(".SH SEE ALSO")
    out.append("\\fBgit\\-receive\\-pack\\fR(1), \\fBgithooks\\fR(5), \\fBalembic\\fR(1)")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------
# Bash completion
# ------------------------------------------------------------------------------------------

# What a positional argument completes to, by its name in --help.
POSITIONAL_KIND = {"REV": "refs", "REF": "refs", "BASE": "refs", "CANDIDATE": "refs",
                   "REPO": "dirs", "REMOTE": "remotes", "URL": "none"}
# What an option's value completes to, by the option's name (otherwise: files).
OPTION_KIND = {"--repo": "dirs", "--all": "dirs", "--forgejo-server": "dirs", "--gitlab-server": "dirs",
               "--binary": "files", "--since": "refs"}


def render_completion(top: Command, commands: list[Command]) -> str:
    def q(words):
        return " ".join(words)

    lines = [
        "# bash completion for alembic-guard",
        "# Generated by packaging/gen_docs.py from `alembic-guard --help`; do not edit.",
        "",
        "_alembic_guard_refs() {",
        "    local refs",
        "    refs=$(git for-each-ref --format='%(refname:short)' 2>/dev/null)",
        "    COMPREPLY=($(compgen -W \"HEAD $refs\" -- \"$1\"))",
        "}",
        "",
        "_alembic_guard() {",
        "    local cur prev cmd i",
        "    cur=${COMP_WORDS[COMP_CWORD]}",
        "    prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    cmd=",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        case ${COMP_WORDS[i]} in",
        "            -*) ;;",
        "            *) cmd=${COMP_WORDS[i]}; break ;;",
        "        esac",
        "    done",
        "    if [[ -z $cmd ]]; then",
        f"        COMPREPLY=($(compgen -W \"{q(c.name for c in commands)} {q(n for o in top.options for n in o.names)}\" -- \"$cur\"))",
        "        return",
        "    fi",
        "    case $cmd in",
    ]
    for c in commands:
        opts = c.all_options()
        lines.append(f"        {c.name})")
        # The value of an option.
        value_cases = []
        for o in opts:
            if not o.takes_value:
                continue
            pat = "|".join(o.names)
            if o.choices:
                value_cases.append(f"                {pat}) COMPREPLY=($(compgen -W \"{q(o.choices)}\" -- \"$cur\")); return ;;")
            else:
                kind = OPTION_KIND.get(o.names[-1], "files")
                action = {"dirs": "COMPREPLY=($(compgen -d -- \"$cur\"))",
                          "refs": "_alembic_guard_refs \"$cur\"",
                          "files": "COMPREPLY=($(compgen -f -- \"$cur\"))"}[kind]
                value_cases.append(f"                {pat}) {action}; return ;;")
        if value_cases:
            lines.append("            case $prev in")
            lines.extend(value_cases)
            lines.append("            esac")
        all_names = [n for o in opts for n in o.names]
        lines.append("            if [[ $cur == -* ]]; then")
        lines.append(f"                COMPREPLY=($(compgen -W \"{q(all_names)}\" -- \"$cur\"))")
        lines.append("                return")
        lines.append("            fi")
        kinds = [POSITIONAL_KIND.get(p.name, "files") for p in c.positionals]
        if "refs" in kinds:
            lines.append("            _alembic_guard_refs \"$cur\"")
        elif "remotes" in kinds:
            lines.append("            COMPREPLY=($(compgen -W \"$(git remote 2>/dev/null)\" -- \"$cur\"))")
        elif "dirs" in kinds:
            lines.append("            COMPREPLY=($(compgen -d -- \"$cur\"))")
        elif kinds:
            lines.append("            COMPREPLY=($(compgen -f -- \"$cur\"))")
        lines.append("            ;;")
    lines += [
        "    esac",
        "}",
        "complete -F _alembic_guard alembic-guard",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------

def write_if_changed(path, data: bytes):
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--man", help="write the man page (roff) here")
    ap.add_argument("--man-gz", help="also write it gzip-compressed here (reproducibly)")
    ap.add_argument("--completion", help="write the bash completion script here")
    ap.add_argument("--dump", action="store_true", help="print what was read from --help (debugging)")
    args = ap.parse_args(argv)
    top, commands, version = read_cli(args.binary)
    if args.dump:
        for c in [top] + commands:
            print(c.name, "|", c.usage)
            for p in c.positionals:
                print("   pos", p.name, p.required, p.many)
            for o in c.all_options():
                print("   opt", o.names, repr(o.metavar), o.choices)
    if args.man or args.man_gz:
        page = render_man(top, commands, version).encode()
        if args.man:
            write_if_changed(args.man, page)
        if args.man_gz:
            write_if_changed(args.man_gz, gzip.compress(page, compresslevel=9, mtime=0))
    if args.completion:
        write_if_changed(args.completion, render_completion(top, commands).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
