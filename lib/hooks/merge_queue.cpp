#include "hooks/merge_queue.hpp"

#include "support/guard_error.hpp"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <fmt/format.h>

#include <ctime>
#include <set>

namespace ag {

namespace {

using Signature = std::unique_ptr<git_signature, GitDeleter<git_signature_free>>;

// Routes every object the merges create into memory: the highest-priority backend gets
// the writes, and libgit2 never dumps a mempack unless asked to.
void write_to_memory(git_repository* repo) {
    git_odb* odb = nullptr;
    git_check(git_repository_odb(&odb, repo), "cannot open the object database");
    Odb owned(odb);
    git_odb_backend* mempack = nullptr;
    git_check(git_mempack_new(&mempack), "cannot create an in-memory object store");
    const int rc = git_odb_add_backend(odb, mempack, 1000);
    if (rc < 0) {
        mempack->free(mempack);
        git_check(rc, "cannot add the in-memory object store");
    }
}

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
    write_to_memory(repo.get());
    git_oid so_far = repo.resolve_commit(base);
    git_signature* sig_raw = nullptr;
    git_check(git_signature_new(&sig_raw, "alembic-guard check-merge", "alembic-guard@localhost",
                                static_cast<git_time_t>(std::time(nullptr)), 0),
              "cannot create a signature");
    Signature sig(sig_raw);
    std::vector<CandidateOutcome> out;
    for (const auto& name : candidates) {
        CandidateOutcome c;
        c.judgement.ref = name;
        c.judgement.old_hex = oid_hex(so_far);
        const git_oid theirs = repo.resolve_commit(name);
        git_commit* ours_c = nullptr;
        git_check(git_commit_lookup(&ours_c, repo.get(), &so_far), "cannot read the result so far");
        Commit ours_owned(ours_c);
        git_commit* theirs_c = nullptr;
        git_check(git_commit_lookup(&theirs_c, repo.get(), &theirs), fmt::format("cannot read {}", name));
        Commit theirs_owned(theirs_c);

        git_oid merged;
        const auto base_of = repo.merge_base(so_far, theirs);
        if (base_of && git_oid_equal(&*base_of, &theirs)) {
            merged = so_far;  // already contained: nothing to merge
        } else if (base_of && git_oid_equal(&*base_of, &so_far)) {
            merged = theirs;  // fast-forward
        } else {
            git_merge_options mopts;
            git_check(git_merge_options_init(&mopts, GIT_MERGE_OPTIONS_VERSION), "cannot set up the merge");
            git_index* idx = nullptr;
            git_check(git_merge_commits(&idx, repo.get(), ours_c, theirs_c, &mopts),
                      fmt::format("cannot merge {} onto the result so far", name));
            Index index(idx);
            if (git_index_has_conflicts(idx)) {
                std::set<std::string> files;
                git_index_conflict_iterator* it = nullptr;
                git_check(git_index_conflict_iterator_new(&it, idx), "cannot list merge conflicts");
                const git_index_entry *a = nullptr, *o = nullptr, *t = nullptr;
                while (git_index_conflict_next(&a, &o, &t, it) == 0) {
                    const git_index_entry* e = o ? o : t ? t : a;
                    if (e) files.insert(e->path);
                }
                git_index_conflict_iterator_free(it);
                c.conflict_files.assign(files.begin(), files.end());
                c.judgement.new_hex = "";
                c.judgement.verdict.ok = false;
                c.judgement.verdict.introduced.push_back({"", conflict_problem(name, c.conflict_files)});
                out.push_back(std::move(c));
                continue;
            }
            git_oid tree_id;
            git_check(git_index_write_tree_to(&tree_id, idx, repo.get()), "cannot build the merged tree in memory");
            git_tree* tree = nullptr;
            git_check(git_tree_lookup(&tree, repo.get(), &tree_id), "cannot read the merged tree");
            Tree tree_owned(tree);
            const git_commit* parents[] = {ours_c, theirs_c};
            git_check(git_commit_create(&merged, repo.get(), nullptr, sig.get(), sig.get(), nullptr,
                                        fmt::format("Merge {} (alembic-guard check-merge, in memory)", name).c_str(),
                                        tree, 2, parents),
                      "cannot create the merge commit in memory");
        }
        c.judgement.new_hex = oid_hex(merged);
        c.judgement.verdict = judge_update(repo.get(), so_far, merged, options);
        if (c.judgement.verdict.ok) {
            so_far = merged;
            c.included = true;
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace ag
