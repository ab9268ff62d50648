#!/usr/bin/env python3
"""The "would it introduce?" verdict of design.md through real pushes: a push onto an already
broken history that makes it no worse passes, a merge migration that repairs it passes, a third
head or a third copy of a duplicated ID does not; 50 refs at once where one is bad reject all;
tags and deletions pass; a first push into an empty repository."""

import sys

from fixtures import (HASH_REV, ZERO, Suite, check, check_accepted, check_in, check_not_in, check_one_block,
                      check_rejected, check_unchanged, install_guard, migration_filename)

suite = Suite("pre-receive: verdicts")

OTHER_HEAD = "a3f9c2b1d4e7"   # a hash-named second head next to 031, both on 030


def clean(world, install=True):
    """A bare repository holding the clean history 001..030, the guard installed."""
    bare = world.bare()
    w = world.work(bare)
    w.build_incident_history()
    r = w.push("main")
    check(r.ok, "initial push failed", r)
    if install:
        install_guard(world, bare.path, "pre-receive")
    return bare, w


def two_heads(world):
    """A history that already forks: 031 and a3f9c2b1d4e7 both on 030 (landed before the guard)."""
    bare, w = clean(world, install=False)
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration(OTHER_HEAD, "030", "add_player_height", annotated=True)
    w.commit("Two migrations on 030")
    check(w.push("main").ok, "pushing the two-headed history failed")
    install_guard(world, bare.path, "pre-receive")
    return bare, w


def duplicated(world):
    """A history that already has two files claiming 031 on 030 (landed before the guard)."""
    bare, w = clean(world, install=False)
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration("031", "030", "add_player_height", annotated=True)
    w.commit("Two 031s")
    check(w.push("main").ok, "pushing the duplicated history failed")
    install_guard(world, bare.path, "pre-receive")
    return bare, w


def rejected_and_unchanged(bare, w, what, *refspecs):
    before = bare.snapshot()
    refs = bare.refs()
    r = w.push(*(refspecs or ("main",)))
    check_rejected(r, what)
    check(bare.refs() == refs, f"{what}: refs changed although the push was rejected", r)
    check_unchanged(before, bare.snapshot(), r)
    check_one_block(r)
    check_not_in("non-fast-forward", r.stderr, "the output", r)
    return r


# --- already broken histories -----------------------------------------------------------------


@suite.case
def unrelated_change_on_two_headed_history_is_accepted(world):
    bare, w = two_heads(world)
    w.write("README.md", "# basketball-api\n\nNow with standings.\n")
    w.commit("Docs")
    r = w.push("main")
    check_accepted(r, "a README change on a history that already has two heads")


@suite.case
def chaining_onto_one_of_two_heads_is_no_worse_and_accepted(world):
    bare, w = two_heads(world)
    w.add_migration("032", "031", "add_team_colors", annotated=True)
    w.commit("Add 032 on 031")
    r = w.push("main")
    check_accepted(r, "chaining 032 onto 031 (still two heads: no worse)")
    check(bare.rev("main") == w.head(), "main not updated", r)


@suite.case
def merge_migration_repairing_two_heads_is_accepted(world):
    bare, w = two_heads(world)
    w.add_migration("b7c1d2e3f4a5", ("031", OTHER_HEAD), "merge_heads", annotated=True)
    w.commit("Merge heads 031 and a3f9c2b1d4e7")
    r = w.push("main")
    check_accepted(r, "the merge migration that repairs the two heads")
    heads = world.guard("heads", "--repo", str(bare.path), "main")
    check("b7c1d2e3f4a5" in heads.stdout and OTHER_HEAD not in heads.stdout, "expected one head after the repair",
          heads)


@suite.case
def third_head_is_rejected(world):
    bare, w = two_heads(world)
    w.add_migration("c0ffee123456", "029", "add_game_broadcaster", annotated=True)
    w.commit("Add a migration on 029")
    r = rejected_and_unchanged(bare, w, "a third head")
    check_in("multiple-heads", r.remote_text, "the rejection", r)
    check_in("c0ffee123456", r.remote_text, "the rejection (the new head)", r)
    check("(2)" in r.remote_text and "(3)" in r.remote_text, "the rejection should give heads before (2) and after (3)", r)


@suite.case
def third_copy_of_duplicated_id_is_rejected(world):
    bare, w = duplicated(world)
    w.add_migration("031", "030", "add_game_broadcaster", annotated=True)
    w.commit("A third 031")
    r = rejected_and_unchanged(bare, w, "a third copy of 031")
    check_in(migration_filename("031", "add_game_broadcaster"), r.remote_text, "the rejection (the new copy)", r)
    check_in("031", r.remote_text, "the rejection", r)


@suite.case
def chaining_onto_duplicated_history_is_accepted(world):
    bare, w = duplicated(world)
    w.write("app/api.py", "def health():\n    return 200\n")
    w.commit("An unrelated change")
    check_accepted(w.push("main"), "an unrelated change on a duplicated history")


@suite.case
def renaming_a_duplicate_keeps_its_key_and_is_accepted(world):
    """design.md: messages, lines and file lists are not part of a key, so a renamed migration keeps
    an ID-keyed problem's key."""
    bare, w = duplicated(world)
    w.mv(migration_filename("031", "add_player_height"), migration_filename("031", "add_player_height_cm"))
    w.commit("Rename a migration file")
    check_accepted(w.push("main"), "renaming one of the two 031 files")


@suite.case
def new_duplicate_key_without_a_new_head_is_rejected(world):
    """Two heads (031, a3f9c2b1d4e7) stay two heads when a3f9c2b1d4e7 is edited to claim 031 too — but
    duplicate-revision 031 is a new problem key."""
    bare, w = two_heads(world)
    path = migration_filename(OTHER_HEAD, "add_player_height")
    text = (w.path / path).read_text().replace(f"'{OTHER_HEAD}'", "'031'").replace(f"Revision ID: {OTHER_HEAD}",
                                                                                     "Revision ID: 031")
    w.write(path, text)
    w.commit("Give the second head the ID 031")
    r = rejected_and_unchanged(bare, w, "a new duplicate-revision key on a two-headed history")
    check_in("duplicate-revision", r.remote_text, "the rejection", r)


@suite.case
def missing_parent_is_rejected(world):
    bare, w = clean(world)
    w.add_migration("031", "029a", "add_team_logo", annotated=True)
    w.commit("031 on a typo")
    r = rejected_and_unchanged(bare, w, "a migration whose down_revision names no revision")
    check_in("missing-revision", r.remote_text, "the rejection", r)
    check_in("029a", r.remote_text, "the rejection", r)


@suite.case
def computed_revision_is_rejected(world):
    bare, w = clean(world)
    w.write(migration_filename("031", "add_team_logo"),
            '"""add team logo\n\nRevision ID: 031\nRevises: 030\n"""\nfrom alembic import op\n'
            'from app.migrations import next_revision\n\n'
            'revision = next_revision(__file__)\ndown_revision = "030"\n\n\ndef upgrade():\n    pass\n\n\n'
            'def downgrade():\n    pass\n')
    w.commit("Computed revision")
    r = rejected_and_unchanged(bare, w, "a revision computed at import time")
    check_in("unparsable-migration", r.remote_text, "the rejection", r)


@suite.case
def clean_new_migration_is_accepted(world):
    bare, w = clean(world)
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.commit("031")
    r = w.push("main")
    check_accepted(r, "a clean 031 on 030")
    check_not_in(HASH_REV, r.remote_text, "the output", r)


# --- new refs, many refs -------------------------------------------------------------------------


@suite.case
def new_branch_is_judged_against_its_merge_base_with_main(world):
    bare, w = clean(world)
    w.checkout("feature/ok", new=True, start="main")
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.commit("031")
    check_accepted(w.push("feature/ok"), "a new branch adding one clean migration")
    w.checkout("feature/bad", new=True, start="main")
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration(OTHER_HEAD, "030", "add_player_height", annotated=True)
    w.commit("two heads")
    r = rejected_and_unchanged(bare, w, "a new branch adding two heads", "feature/bad")
    check(bare.rev("refs/heads/feature/bad") is None, "the bad branch was created", r)
    w.checkout("feature/same", new=True, start="main")
    check_accepted(w.push("feature/same"), "a new branch at main's commit")


def fifty_branches(w, bad_index=None, second=False):
    """50 branches off main; each adds its own migration on 030 (first round) or chains a second
    one onto its own (second round). `bad_index` instead adds a second head on 029."""
    for k in range(50):
        b = f"team/feature-{k:02d}"
        first_id = f"f{k:02d}a0000000{k:01d}"[:12]
        if not second:
            w.checkout(b, new=True, start="main")
            if k == bad_index:
                w.add_migration(first_id, "030", f"add_feature_{k:02d}", annotated=True)
                w.add_migration(f"bad{k:02d}0000000"[:12], "029", f"add_bad_{k:02d}", annotated=True)
            else:
                w.add_migration(first_id, "030", f"add_feature_{k:02d}", annotated=True)
        else:
            w.checkout(b)
            if k == bad_index:
                w.add_migration(f"e{k:02d}b0000000"[:12], "029", f"add_fork_{k:02d}", annotated=True)
            else:
                w.add_migration(f"e{k:02d}b0000000"[:12], first_id, f"add_more_{k:02d}", annotated=True)
        w.commit(f"feature {k}")
    w.checkout("main")
    return [f"refs/heads/team/feature-{k:02d}" for k in range(50)]


@suite.case
def fifty_new_refs_with_one_bad_reject_all(world):
    bare, w = clean(world)
    refs = fifty_branches(w, bad_index=37)
    r = rejected_and_unchanged(bare, w, "50 new refs, one adding a head", *[f"{x}:{x}" for x in refs])
    check_in("team/feature-37", r.remote_text, "the rejection (names the bad ref)", r)
    check("1 of 50" in r.remote_text or "whole push" in r.remote_text,
          "the rejection should say the whole push was refused", r)
    check(not any(x.startswith("refs/heads/team/") for x in bare.refs()), "some branch was created", r)


@suite.case
def fifty_updates_with_one_bad_reject_all(world):
    bare, w = clean(world)
    refs = fifty_branches(w)
    r = w.push(*[f"{x}:{x}" for x in refs])
    check_accepted(r, "50 new clean branches")
    fifty_branches(w, bad_index=12, second=True)
    r = rejected_and_unchanged(bare, w, "50 updates, one adding a head", *[f"{x}:{x}" for x in refs])
    check_in("team/feature-12", r.remote_text, "the rejection (names the bad ref)", r)
    for x in refs:
        if x.endswith("-05"):
            check_not_in(x + " ", r.remote_text, "the rejection (a good ref blamed)", r)
    # Without the bad one, the 49 others land.
    good = [f"{x}:{x}" for x in refs if not x.endswith("-12")]
    r = w.push(*good)
    check_accepted(r, "the 49 good updates")


# --- refs the guard does not judge --------------------------------------------------------------


@suite.case
def tags_pointing_at_a_broken_commit_pass(world):
    bare, w = clean(world)
    w.checkout("broken", new=True, start="main")
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration("031", "030", "add_player_height", annotated=True)
    w.commit("two 031s")
    w.git("tag", "lightweight-broken")
    w.git("tag", "-a", "-m", "annotated", "v2.0-broken")
    w.checkout("main")
    r = w.push("refs/tags/lightweight-broken", "refs/tags/v2.0-broken")
    check_accepted(r, "tags (not judged by default)")
    check(bare.rev("refs/tags/v2.0-broken") is not None, "tag not created", r)


@suite.case
def branch_deletions_pass(world):
    bare, w = two_heads(world)
    w.checkout("old-feature", new=True, start="main")
    w.write("notes.txt", "x\n")
    w.commit("notes")
    check_accepted(w.push("old-feature"), "a new branch on the (already two-headed) history")
    r = w.push(":old-feature")
    check_accepted(r, "deleting a branch")
    check(bare.rev("refs/heads/old-feature") is None, "branch not deleted", r)
    # Deleting one branch while updating another in the same push.
    w.checkout("main")
    w.checkout("b1", new=True)
    check_accepted(w.push("b1"), "creating b1")
    w.checkout("main")
    w.write("notes.txt", "y\n")
    w.commit("more notes")
    r = w.push(":b1", "main")
    check_accepted(r, "a deletion together with an update")


@suite.case
def review_refs_are_not_judged_by_default(world):
    bare, w = clean(world)
    w.checkout("broken", new=True, start="main")
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration("031", "030", "add_player_height", annotated=True)
    w.commit("two 031s")
    r = w.push("broken:refs/for/main", "broken:refs/merge-requests/7/head")
    check_accepted(r, "review refs (refs/for/*, refs/merge-requests/*)")
    r = w.push("broken:refs/heads/main")
    check_rejected(r, "the same commit onto refs/heads/main")


# --- first push into an empty repository ---------------------------------------------------------


@suite.case
def first_push_of_broken_history_into_empty_repo_is_rejected(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = world.work(bare)
    w.build_incident_history()
    w.add_migration("031", "030", "add_team_logo", annotated=True)
    w.add_migration("031", "030", "add_player_height", annotated=True)
    w.commit("two 031s")
    before = bare.snapshot()
    r = w.push("main")
    check_rejected(r, "first push of a history with a duplicate 031")
    check_in("duplicate-revision", r.remote_text, "the rejection", r)
    check_not_in(HASH_REV, r.remote_text, "the rejection", r)
    check(bare.refs() == {}, "a ref was created", r)
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def first_push_of_clean_history_into_empty_repo_is_accepted(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = world.work(bare)
    w.build_incident_history()
    w.checkout("develop", new=True)
    r = w.push("main", "develop")
    check_accepted(r, "first push of a clean history (two refs)")
    check(set(bare.refs()) == {"refs/heads/main", "refs/heads/develop"}, "refs not created", r)


@suite.case
def first_push_of_repository_without_migrations_is_accepted(world):
    bare = world.bare()
    install_guard(world, bare.path, "pre-receive")
    w = world.work(bare)
    w.write("README.md", "# tools\n")
    w.commit("init")
    check_accepted(w.push("main"), "a repository without Alembic")


if __name__ == "__main__":
    sys.exit(suite.main())
