#pragma once
// The words of the hooks: what pre-receive and pre-push print for a push they judged, refused,
// let through on a bypass, or could not judge; and what a command says when its deadline ends
// it. The hooks decide and record the facts (hooks/); the sentences are made here.
#include "report/push_report.hpp"

#include <string>
#include <vector>

namespace ag {

enum class HookSide { server, client };  // pre-receive (and the web UI's merges) / pre-push

// How a refused update reached the server: its header names it as the person saw it.
struct Arrival {
    enum class Kind { push, forgejo_pull_request_merge, github_merge, gitlab_web_merge } kind = Kind::push;
    std::string pull_request;  // Forgejo's PR number, when it says one
};

// What the pusher asked for and who they are, as the host told the hook.
struct BypassFacts {
    bool requested = false;
    bool deploy_key = false;  // never bypasses
    bool listed = false;      // the pusher is in alembicGuard.bypassUsers
    std::string pusher;
    std::string source;       // where the pusher's name came from
    bool granted() const { return requested && !deploy_key && listed; }
};

// The reason a run did not finish: alembicGuard.timeout passed.
std::string timeout_reason(unsigned seconds);
// What a command (`what`: "the check", "check-merge", ...) prints when its deadline ends it.
std::string command_timeout_text(const std::string& what, unsigned seconds);
// The lines of a hook that could not judge a push: why, and whether the push goes through
// unchecked (`accept`, alembicGuard.onError) or is stopped.
std::vector<std::string> could_not_check_lines(HookSide side, const std::string& why, bool accept);

// Everything pre-receive prints to the pusher for `judged` (no lines for JSON-only output of
// an accepted push).
std::vector<std::string> pre_receive_lines(const std::vector<RefJudgement>& judged, const Arrival& arrival,
                                           const BypassFacts& bypass, bool json);
// Everything pre-push prints when it refuses (`remote`: the remote's name, or empty).
std::vector<std::string> pre_push_lines(const std::vector<RefJudgement>& judged, const std::string& remote);

// Lines as the host shows them: GitLab shows a hook's stderr only on lines prefixed
// "GL-HOOK-ERR: ".
std::string hook_text(const std::vector<std::string>& lines, bool gitlab);

}  // namespace ag
