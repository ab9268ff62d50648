#include "hooks/ref_updates.hpp"

#include <map>

namespace ag {

std::vector<RefJudgement> judge_ref_updates(GuardContext& ctx, const std::vector<RefUpdate>& updates,
                                            const FindBefore& find_before) {
    const PolicyOptions options = ctx.policy_options();
    std::map<std::string, std::optional<git_oid>, std::less<>> peeled;
    const PeelToCommit peel = [&](const git_oid& oid) {
        const std::string key = oid_hex(oid);
        auto it = peeled.find(key);
        if (it == peeled.end()) it = peeled.emplace(key, ctx.repo().peel_to_commit(oid)).first;
        return it->second;
    };
    std::map<std::string, Verdict> memo;
    std::vector<RefJudgement> judged;
    for (const auto& u : updates) {
        if (!u.after || !ctx.policy().guards(u.ref)) continue;
        const auto after = peel(*u.after);
        if (!after) continue;  // a tag of a tree or blob carries no history to judge
        const std::optional<git_oid> before = find_before(u, *after, peel);
        const std::string key = (before ? oid_hex(*before) : std::string("-")) + ":" + oid_hex(*after);
        auto it = memo.find(key);
        if (it == memo.end()) it = memo.emplace(key, judge_update(ctx.repo().get(), before, *after, options)).first;
        judged.push_back({u.ref, u.old_hex, u.new_hex, it->second});
    }
    return judged;
}

}  // namespace ag
