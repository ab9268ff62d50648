#pragma once
// The one pipeline that judges the refs a push moves, for pre-receive and pre-push alike:
// each update of a guarded ref to a commit is judged by the push verdict against the tip it
// is compared from; the hooks differ only in how they find that tip.
#include "hooks/guard_context.hpp"
#include "report/push_report.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ag {

// One ref a push moves, as the hook was told.
struct RefUpdate {
    std::string ref;      // the ref on the receiving side (what the guard's settings protect)
    std::string old_hex;  // as received: zeros for a new ref, empty when unknown
    std::string new_hex;
    std::optional<git_oid> before;  // the object the ref points at now; nullopt: a new ref, or unknown
    std::optional<git_oid> after;   // the object the ref moves to; nullopt: deleted
};

// Peels an object to the commit it names (tags followed), nullopt for a tree or a blob;
// remembered, as a mirror push names the same few objects for every ref.
using PeelToCommit = std::function<std::optional<git_oid>(const git_oid&)>;
// The commit the new tip `after` is compared from for `u`; nullopt: none (judged alone).
using FindBefore = std::function<std::optional<git_oid>(const RefUpdate& u, const git_oid& after, const PeelToCommit& peel)>;

// Judges every update in `updates` whose ref the operator guards and whose new object is a
// commit, in order; updates moving to the same commit from the same one share a verdict.
// Throws GuardError when an object cannot be read.
std::vector<RefJudgement> judge_ref_updates(GuardContext& ctx, const std::vector<RefUpdate>& updates,
                                            const FindBefore& find_before);

}  // namespace ag
