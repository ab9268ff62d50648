#include "hooks/merge_queue.hpp"

#include "git/memory_merge.hpp"

namespace ag {

namespace {

Problem conflict_problem(const std::string& candidate, const std::vector<std::string>& files) {
    Problem p;
    p.code = code::merge_conflict;
    p.situation = Situation::merge_conflict;
    p.subject = candidate;
    p.files = files;
    return p;
}

}  // namespace

std::vector<CandidateOutcome> check_merge(const GitRepository& repo, const std::string& base,
                                          const std::vector<std::string>& candidates, const PolicyOptions& options) {
    MemoryMerger merger(repo);
    git_oid so_far = repo.resolve_commit(base);
    std::vector<CandidateOutcome> out;
    for (const auto& name : candidates) {
        CandidateOutcome c;
        c.judgement.ref = name;
        c.judgement.old_hex = oid_hex(so_far);
        const MergeOutcome merged = merger.merge(so_far, repo.resolve_commit(name), name);
        if (!merged.commit) {
            c.conflict_files = merged.conflict_files;
            c.judgement.verdict.ok = false;
            c.judgement.verdict.introduced.push_back({"", conflict_problem(name, c.conflict_files)});
            out.push_back(std::move(c));
            continue;
        }
        c.judgement.new_hex = oid_hex(*merged.commit);
        c.judgement.verdict = judge_update(repo.get(), so_far, *merged.commit, options);
        if (c.judgement.verdict.ok) {
            so_far = *merged.commit;
            c.included = true;
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace ag
