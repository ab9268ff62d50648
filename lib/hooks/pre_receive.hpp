#pragma once
// The server-side hook: reads git's `<old> <new> <ref>` lines, judges every guarded ref
// by the push verdict, and decides the push as a whole. Never writes to the repository.
#include "hooks/server_policy.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ag {

struct RefUpdateLine {
    std::string old_hex;
    std::string new_hex;
    std::string ref;
};

// Throws GuardError naming the line when a line is not `<oid> <oid> <ref>`.
std::vector<RefUpdateLine> parse_ref_update_lines(std::string_view input);

bool is_zero_oid(std::string_view hex);
// An object ID of a hook's input line; nullopt for the zero (or an empty) ID. Throws GuardError for
// anything else that is no SHA-1 object ID (SHA-256 ones included: libgit2 1.5 cannot read them).
std::optional<git_oid> parse_push_oid(const std::string& hex);

struct HookResult {
    int exit_code = 0;
    std::string out;  // stdout (JSON Lines with --format json)
    std::string err;  // stderr (what the pusher reads after "remote: ")
};

// `repo_path` empty: open the repository from the environment (quarantine included).
HookResult run_pre_receive(const std::string& repo_path, bool json, std::string_view input, const EnvLookup& env);

}  // namespace ag
