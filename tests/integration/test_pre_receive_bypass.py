#!/usr/bin/env python3
"""Who may bypass (design.md): alembicGuard.bypassUsers names pushers; with
receive.advertisePushOptions=true a listed pusher's `git push -o alembic-guard.bypass` is honoured
and announced; anyone else's is refused with a line and the push is judged as usual; a Forgejo
deploy-key push (GITEA_DEPLOY_KEY_ID non-zero, GITEA_PUSHER_NAME = the owner) never bypasses. The
pusher: GITEA_PUSHER_NAME, else GL_USERNAME, else GL_USER, else GITHUB_USER_LOGIN, else $USER/$LOGNAME."""

import sys

from fixtures import (FILE_B, Forgejo, Suite, check, check_accepted, check_in, check_not_in, check_rejected,
                      check_unchanged, incident_second_merge, incident_setup, install_guard)

suite = Suite("pre-receive: the bypass allowlist")

BYPASS = "alembic-guard.bypass"


def broken_pending(world, users=("alice", "bob"), advertise=True):
    """The incident with the second 031 merged locally, not yet pushed; bypassUsers set."""
    bare = world.bare()
    w = incident_setup(world, bare)
    check_accepted(w.push("main"), "landing #335")
    if advertise:
        bare.config("receive.advertisePushOptions", "true")
    if users:
        bare.config("alembicGuard.bypassUsers", users[0])
        for u in users[1:]:
            bare.config("alembicGuard.bypassUsers", u, add=True)
    incident_second_merge(w)
    return bare, w


def check_bypass_refused(r, who):
    check_rejected(r, f"a bypass by {who!r}, who is not allowed")
    check_in("bypass refused", r.remote_text, "the output (a line saying the bypass was refused)", r)
    check_in(FILE_B, r.remote_text, "the output (the push is judged as usual)", r)
    check_not_in("BYPASS by", r.remote_text, "the output", r)


@suite.case
def listed_os_user_bypass_is_honoured_and_announced(world):
    bare, w = broken_pending(world)
    r = w.push("main", options=[BYPASS], env={"USER": "alice", "LOGNAME": "alice"})
    check_accepted(r, "a bypass by alice (listed)")
    check_in("BYPASS", r.remote_text, "the output (the bypass is announced)", r)
    check_in("alice", r.remote_text, "the output (who bypassed)", r)
    check_in(FILE_B, r.remote_text, "the output (what was let through)", r)
    check(bare.rev("main") == w.head(), "main not updated by an honoured bypass", r)


@suite.case
def second_listed_user_from_multivalued_key(world):
    bare, w = broken_pending(world)
    r = w.push("main", options=[BYPASS], env={"USER": "bob", "LOGNAME": "bob"})
    check_accepted(r, "a bypass by bob (second value of the multi-valued key)")


@suite.case
def comma_separated_list(world):
    bare, w = broken_pending(world, users=("carol, alice",))
    r = w.push("main", options=[BYPASS], env={"USER": "alice", "LOGNAME": "alice"})
    check_accepted(r, "a bypass by alice listed in 'carol, alice'")


@suite.case
def unlisted_user_is_refused_and_judged_normally(world):
    bare, w = broken_pending(world)
    before = bare.snapshot()
    r = w.push("main", options=[BYPASS], env={"USER": "mallory", "LOGNAME": "mallory"})
    check_bypass_refused(r, "mallory")
    check_in("mallory", r.remote_text, "the refusal line", r)
    check_unchanged(before, bare.snapshot(), r)


@suite.case
def unlisted_user_with_clean_push_is_accepted_with_refusal_line(world):
    bare = world.bare()
    w = incident_setup(world, bare)
    bare.config("receive.advertisePushOptions", "true")
    bare.config("alembicGuard.bypassUsers", "alice")
    r = w.push("main", options=[BYPASS], env={"USER": "mallory"})
    check_accepted(r, "a clean push with a refused bypass option")
    check_in("bypass refused", r.remote_text, "the output", r)


@suite.case
def listed_user_without_the_option_is_judged(world):
    bare, w = broken_pending(world)
    r = w.push("main", env={"USER": "alice", "LOGNAME": "alice"})
    check_rejected(r, "alice without -o alembic-guard.bypass")
    check_not_in("BYPASS", r.remote_text, "the output", r)


@suite.case
def other_push_options_do_not_bypass(world):
    bare, w = broken_pending(world)
    for opt in ("ci.skip", "alembic-guard.bypassx", "xalembic-guard.bypass", "merge_request.create"):
        r = w.push("main", options=[opt], env={"USER": "alice", "LOGNAME": "alice"})
        check_rejected(r, f"-o {opt}")


@suite.case
def no_bypass_users_configured_refuses(world):
    bare, w = broken_pending(world, users=())
    r = w.push("main", options=[BYPASS], env={"USER": "alice"})
    check_bypass_refused(r, "alice")


@suite.case
def forgejo_pusher_name_wins_over_os_user(world):
    """Under Forgejo the OS user is `git` (or whoever runs Forgejo): GITEA_PUSHER_NAME decides."""
    f = Forgejo(world, 15)
    bare = f.create_repo("league", "api")
    install_guard(world, bare.path, "forgejo")
    bare.config("alembicGuard.bypassUsers", "alice")
    w = world.work(url=str(bare.path))
    w.build_incident_history()
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("031", "030", "add_player_height")
    w.commit("two 031s")
    env = f.env(bare, pusher="mallory")
    env["USER"] = env["LOGNAME"] = "alice"
    r = w.push("main", options=[BYPASS], env=env)
    check_bypass_refused(r, "mallory (OS user alice)")
    r = w.push("main", options=[BYPASS], env=f.env(bare, pusher="alice"))
    check_accepted(r, "a bypass by GITEA_PUSHER_NAME=alice (listed), SSH key push")
    check_in("BYPASS", r.remote_text, "the output", r)


@suite.case
def forgejo_deploy_key_push_never_bypasses(world):
    """With a deploy key Forgejo reports the repository OWNER as GITEA_PUSHER_NAME."""
    f = Forgejo(world, 16)
    install_guard(world, f.home_path, "forgejo-server")
    bare = f.create_repo("alice", "api")   # owned by alice, who is on the allowlist
    bare.config("alembicGuard.bypassUsers", "alice")
    w = world.work(url=str(bare.path))
    w.build_incident_history()
    check_accepted(w.push("main", env=f.env(bare, pusher="alice")), "the clean history")
    w.add_migration("031", "030", "add_team_logo")
    w.add_migration("031", "030", "add_player_height")
    w.commit("two 031s")
    before = bare.snapshot()
    env = f.env(bare, pusher="alice", deploy_key_id=17, key_id=31)
    env["USER"] = env["LOGNAME"] = "alice"   # not even the OS user may stand in
    r = w.push("main", options=[BYPASS], env=env)
    check_rejected(r, "a deploy-key push with -o alembic-guard.bypass")
    check_in("bypass refused", r.remote_text, "the output", r)
    check_in("deploy", r.remote_text.lower(), "the refusal line (why)", r)
    check_not_in("BYPASS by", r.remote_text, "the output", r)
    check_unchanged(before, bare.snapshot(), r)
    env = f.env(bare, pusher="alice", deploy_key_id=0, key_id=31)
    r = w.push("main", options=[BYPASS], env=env)
    check_accepted(r, "the owner's own key (GITEA_DEPLOY_KEY_ID=0) with a bypass")


@suite.case
def gitlab_username_is_the_pusher(world):
    bare, w = broken_pending(world)
    env = {"GL_ID": "user-9", "GL_USERNAME": "mallory", "GL_PROTOCOL": "ssh", "USER": "alice", "LOGNAME": "alice"}
    r = w.push("main", options=[BYPASS], env=env)
    check_bypass_refused(r, "GL_USERNAME=mallory (OS user alice)")
    check(all(l.startswith("GL-HOOK-ERR: ") for l in r.remote_lines), "GitLab lines without the prefix", r)
    env = {"GL_ID": "user-7", "GL_USERNAME": "alice", "GL_PROTOCOL": "ssh", "USER": "git", "LOGNAME": "git"}
    r = w.push("main", options=[BYPASS], env=env)
    check_accepted(r, "GL_USERNAME=alice (listed)")
    check_in("BYPASS", r.remote_text, "the output", r)
    check(all(l.startswith("GL-HOOK-ERR: ") for l in r.remote_lines), "GitLab lines without the prefix", r)


@suite.case
def gitolite_gl_user_is_the_pusher(world):
    bare, w = broken_pending(world)
    env = {"GL_USER": "bob", "GL_REPO": "api", "USER": "gitolite3", "LOGNAME": "gitolite3"}
    check_accepted(w.push("main", options=[BYPASS], env=env), "GL_USER=bob (listed)")


@suite.case
def github_user_login_is_the_pusher(world):
    bare, w = broken_pending(world)
    env = {"GITHUB_USER_LOGIN": "mallory", "USER": "alice", "LOGNAME": "alice"}
    check_bypass_refused(w.push("main", options=[BYPASS], env=env), "GITHUB_USER_LOGIN=mallory")


if __name__ == "__main__":
    sys.exit(suite.main())
