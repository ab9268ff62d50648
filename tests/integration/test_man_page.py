#!/usr/bin/env python3
"""The man page and the bash completion (generated at build time by packaging/gen_docs.py into
<build>/packaging/) say what the binary's --help says: every command, every option of every
command, every choice; they are what the generator makes of the CURRENT binary (not stale); the
page renders without groff warnings; the completion offers every command and option.

The check of --help here is deliberately independent of the generator's parser (a regex over
the help text), so a parser bug cannot hide an option.
  /usr/bin/python3 tests/integration/test_man_page.py --binary build/alembic-guard
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import Suite, check, check_in

HERE = Path(__file__).resolve().parent
GEN = HERE.parent.parent / "packaging" / "gen_docs.py"
suite = Suite("man page and bash completion from --help")


def help_of(binary, *args):
    p = subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True)
    check(p.returncode == 0, f"{binary} {' '.join(args)} --help exited {p.returncode}: {p.stderr}")
    return p.stdout


def subcommands(binary):
    text = help_of(binary)
    body = text.split("\nSubcommands:\n", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  ([a-z][\w-]*)\s", body, re.M)]


def options_in(help_text):
    """Every option name a --help lists (everything after the Usage line's sections)."""
    body = help_text.split("Options:", 1)[-1].split("\nSubcommands:", 1)[0]
    return sorted(set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", body)))


def choices_in(help_text):
    return sorted({c for group in re.findall(r"\{([^}]*)\}", help_text) for c in group.split(",")})


def docs_of(world):
    d = world.binary.parent / "packaging"
    man, comp = d / "alembic-guard.1", d / "alembic-guard.bash"
    check(man.exists() and comp.exists(),
          f"no generated man page/completion in {d} (the alembic-guard-docs target; needs python3)")
    return man, comp


def man_sections(man_text):
    """{command: its .SS section} with roff's \\- turned back into -."""
    plain = man_text.replace("\\-", "-").replace("\\fB", "").replace("\\fI", "").replace("\\fR", "")
    parts = re.split(r"^\.SS (.+)$", plain, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}, plain


@suite.case
def man_page_lists_every_command_and_option(world):
    man, _ = docs_of(world)
    sections, plain = man_sections(man.read_text())
    cmds = subcommands(world.binary)
    check(len(cmds) >= 8, f"too few commands found in --help: {cmds}")
    for cmd in cmds:
        check(cmd in sections, f"the man page has no section for `{cmd}` (sections: {sorted(sections)})")
        h = help_of(world.binary, cmd)
        for opt in options_in(h):
            check(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", sections[cmd]),
                  f"the man page's `{cmd}` section does not list {opt}")
        for choice in choices_in(h):
            check_in(choice, sections[cmd], f"the man page's `{cmd}` section (choice of an option)")
        for pos in re.findall(r"^  ([A-Z][A-Z_]*) ", h.split("Positionals:", 1)[1] if "Positionals:" in h else "", re.M):
            check_in(pos, sections[cmd], f"the man page's `{cmd}` section (argument)")
    for opt in options_in(help_of(world.binary)):
        check_in(opt, plain.split(".SH OPTIONS", 1)[1], "the man page's OPTIONS")
    version = subprocess.run([str(world.binary), "--version"], capture_output=True, text=True).stdout.split()[-1]
    check_in(f'"alembic-guard {version}"', plain.splitlines()[0], "the man page's .TH line (the version)")
    for section in ("NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "SEE ALSO"):
        check_in(f".SH {section}", plain, "the man page")


@suite.case
def generated_files_are_current(world):
    """What the build installed is what the generator makes of this binary now."""
    man, comp = docs_of(world)
    out = world.root / "gen"
    r = world.run([sys.executable, GEN, "--binary", world.binary, "--man", out / "a.1", "--completion", out / "a.bash"])
    check(r.ok, "gen_docs.py failed", r)
    check((out / "a.1").read_text() == man.read_text(), f"{man} is stale: rebuild (cmake --build)")
    check((out / "a.bash").read_text() == comp.read_text(), f"{comp} is stale: rebuild (cmake --build)")


@suite.case
def man_page_renders_without_warnings(world):
    man, _ = docs_of(world)
    if shutil.which("groff"):
        r = world.run(["groff", "-man", "-ww", "-z", man])
        check(r.ok and not r.stderr.strip(), "groff warns about the man page", r)
    if shutil.which("man"):
        r = world.run(["man", "-l", man], env={"MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"})
        check(r.ok and "alembic-guard" in r.stdout and "install-hook" in r.stdout, "man -l cannot render it", r)


def complete(world, comp, words):
    """COMPREPLY of the completion function for the command line `words` (the last is the word
    being completed)."""
    script = (f"source '{comp}'\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\n_alembic_guard\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    r = world.run(["bash", "--norc", "--noprofile", "-c", script])
    check(r.ok, "the completion script failed", r)
    return set(r.stdout.split())


@suite.case
def completion_offers_every_command_and_option(world):
    _, comp = docs_of(world)
    r = world.run(["bash", "-n", comp])
    check(r.ok, "the completion script has a syntax error", r)
    cmds = subcommands(world.binary)
    got = complete(world, comp, ["alembic-guard", ""])
    check(set(cmds) <= got, f"completion of the command misses {sorted(set(cmds) - got)}")
    check({"check", "check-merge"} == complete(world, comp, ["alembic-guard", "check"]), "prefix completion of 'check'")
    for cmd in cmds:
        h = help_of(world.binary, cmd)
        got = complete(world, comp, ["alembic-guard", cmd, "-"])
        missing = set(options_in(h)) - got
        check(not missing, f"completion of `{cmd} -` misses {sorted(missing)}")
        if "--format" in h:
            fmt_choices = re.search(r"--format TEXT:\{([^}]*)\}", h).group(1).split(",")
            got = complete(world, comp, ["alembic-guard", cmd, "--format", ""])
            check(got == set(fmt_choices), f"`{cmd} --format` completes to {sorted(got)}, not {fmt_choices}")


if __name__ == "__main__":
    sys.exit(suite.main())
