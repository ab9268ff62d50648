#!/usr/bin/env python3
"""The incident of incident.md, replayed through real `git push` into a bare repository with the
guard installed as hooks/pre-receive: the second pull request adding revision 031 on 030 is
refused, naming both files, the parent 030 and the fix; the renumbered fix is accepted; the
hash-named e09c9e678004 is never blamed."""

import sys

from fixtures import (FILE_A, FILE_B, HASH_REV, PR_B, Suite, check, check_accepted, check_in, check_incident_rejection,
                      check_not_in, check_one_block, check_rejected, check_unchanged, incident_fix, incident_second_merge,
                      incident_setup, install_guard)

suite = Suite("pre-receive: the incident")


@suite.case
def clean_history_with_hash_named_revision_is_accepted(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = world.work(bare)
    w.build_incident_history()
    r = w.push("main")
    check_accepted(r, "first push of the clean 001..030 history (with e09c9e678004 in the chain)")
    check_not_in(HASH_REV, r.remote_text, "the output of an accepted push", r)
    check_in("OK", r.remote_text, "the output of an accepted push (the guard says it checked)", r)
    check(bare.rev("main") == w.head(), "main was not updated", r)


@suite.case
def first_merge_of_031_is_accepted(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    r = w.push("main")
    check_accepted(r, "landing #335 (the first 031)")
    check(bare.rev("main") == w.head(), "main was not updated", r)


@suite.case
def second_031_is_rejected_and_repository_unchanged(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    check_accepted(w.push("main"), "landing #335")
    before = bare.snapshot()
    main_before = bare.rev("main")
    incident_second_merge(w)
    r = w.push("main")
    check_incident_rejection(r)
    check_one_block(r)
    check(bare.rev("main") == main_before, "main moved although the push was rejected", r)
    check_unchanged(before, bare.snapshot(), r)
    text = r.remote_text
    # The fix names the file this push adds (the second 031) and says to renumber it onto 031.
    fix_lines = [l for l in text.splitlines() if "fix" in l.lower() and "renumber" in l.lower()]
    check(fix_lines, "no fix line saying to renumber", r)
    check(any(FILE_B in l for l in fix_lines), f"the fix does not name the file this push adds ({FILE_B})", r)
    check_in("refs/heads/main", text, "the rejection (the ref)", r)
    check_in("heads before", text, "the rejection (heads before and after)", r)
    check("alembic merge" not in " ".join(fix_lines) or "cannot" in " ".join(fix_lines),
          "the fix for a duplicate must not recommend a merge migration as the repair", r)


@suite.case
def second_031_pushed_directly_without_merge_commit_is_rejected(world):
    """The same duplicate arriving as a plain commit on top of main (a rebase-merge)."""
    bare = world.bare()
    w = incident_setup(world, bare)
    check_accepted(w.push("main"), "landing #335")
    w.add_migration("031", "030", "add_player_height", annotated=True)
    w.commit("Add player height (031)")
    r = w.push("main")
    check_incident_rejection(r)


@suite.case
def renumbered_fix_is_accepted(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    check_accepted(w.push("main"), "landing #335")
    incident_second_merge(w)
    check(not w.push("main").ok, "the second 031 was not rejected")
    incident_fix(w)
    r = w.push("main")
    check_accepted(r, "the renumbered fix (032 on 031)")
    check(bare.rev("main") == w.head(), "main was not updated by the fix", r)
    check_not_in(HASH_REV, r.remote_text, "the output", r)
    # ... and the rest of incident.md's repair chain (033 .. 035) lands one by one.
    prev = "032"
    for n in (33, 34, 35):
        rev = f"{n:03d}"
        w.add_migration(rev, prev, f"add_player_stat_{n}", annotated=True)
        w.commit(f"Add {rev}")
        prev = rev
        check_accepted(w.push("main"), f"chaining {rev}")
    heads = world.guard("heads", "--repo", str(bare.path), "main")
    check(heads.ok and "035" in heads.stdout and "031" not in heads.stdout,
          "alembic-guard heads main should report the single head 035", heads)


@suite.case
def pull_request_branches_themselves_are_accepted(world):
    """Each pull request branch is fine on its own (that is why both were green): pushing the two
    branches as new refs is accepted (each judged against its merge base with main)."""
    bare = world.bare()
    w = incident_setup(world, bare)
    r = w.push("pr-335-team-logo", "pr-336-player-height")
    check_accepted(r, "pushing both pull request branches")
    check(bare.rev("refs/heads/pr-336-player-height") is not None, "branch not created", r)


@suite.case
def rejection_names_the_shared_parent_and_heads(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    check_accepted(w.push("main"), "landing #335")
    incident_second_merge(w)
    r = w.push("main")
    check_rejected(r)
    text = r.remote_text
    check("'030'" in text or '"030"' in text or "parent 030" in text,
          "the message should name the shared parent '030'", r)
    check(FILE_A in text and FILE_B in text, "both files claiming 031 must be named", r)


if __name__ == "__main__":
    sys.exit(suite.main())
