// libFuzzer target: the pre-push hook's stdin (`<local-ref> <local-oid> <remote-ref>
// <remote-oid>` lines). Its line parser is internal to run_pre_push, so this target drives
// run_pre_push itself against a throw-away repository holding one commit (created once, in
// a temporary directory). The first input line may carry `PRE_COMMIT_*=value` settings,
// separated by spaces, for the pre-commit framework's path.
// Invariants: never throws; exit code 0, 1 or 2; a failure (2) always says why on stderr.
#include "fuzz_common.hpp"
#include "hooks/pre_push.hpp"

#include <git2.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

namespace {

std::string g_repo;

void make_repo() {
    char tmpl[] = "/tmp/ag-fuzz-pre-push-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) ag::fuzz::fail("mkdtemp failed");
    git_libgit2_init();
    git_repository* repo = nullptr;
    if (git_repository_init(&repo, dir, 0) < 0) ag::fuzz::fail("git_repository_init failed");
    git_index* index = nullptr;
    git_oid blob, tree, commit;
    const std::string mig = "revision = '001'\ndown_revision = None\n";
    const std::string ini = "[alembic]\nscript_location = db\n";
    git_treebuilder *top = nullptr, *db = nullptr, *versions = nullptr;
    git_oid t_versions, t_db, b_ini, b_env;
    git_blob_create_from_buffer(&blob, repo, mig.data(), mig.size());
    git_blob_create_from_buffer(&b_ini, repo, ini.data(), ini.size());
    git_blob_create_from_buffer(&b_env, repo, "", 0);
    git_treebuilder_new(&versions, repo, nullptr);
    git_treebuilder_insert(nullptr, versions, "001_init.py", &blob, GIT_FILEMODE_BLOB);
    git_treebuilder_write(&t_versions, versions);
    git_treebuilder_new(&db, repo, nullptr);
    git_treebuilder_insert(nullptr, db, "env.py", &b_env, GIT_FILEMODE_BLOB);
    git_treebuilder_insert(nullptr, db, "versions", &t_versions, GIT_FILEMODE_TREE);
    git_treebuilder_write(&t_db, db);
    git_treebuilder_new(&top, repo, nullptr);
    git_treebuilder_insert(nullptr, top, "alembic.ini", &b_ini, GIT_FILEMODE_BLOB);
    git_treebuilder_insert(nullptr, top, "db", &t_db, GIT_FILEMODE_TREE);
    git_treebuilder_write(&tree, top);
    git_tree* t = nullptr;
    git_tree_lookup(&t, repo, &tree);
    git_signature* sig = nullptr;
    git_signature_new(&sig, "fuzz", "fuzz@example.invalid", 1700000000, 0);
    if (git_commit_create_v(&commit, repo, "refs/heads/main", sig, sig, nullptr, "init", t, 0) < 0)
        ag::fuzz::fail("commit failed");
    // Never let the fuzzer write a result cache outside its temporary directory.
    git_config* cfg = nullptr;
    if (git_repository_config(&cfg, repo) == 0) {
        git_config_set_string(cfg, "alembicGuard.cacheDir", "none");
        git_config_free(cfg);
    }
    git_reference* r = nullptr;
    git_reference_create(&r, repo, "refs/remotes/origin/main", &commit, 1, nullptr);
    git_reference_free(r);
    git_signature_free(sig);
    git_tree_free(t);
    git_treebuilder_free(top);
    git_treebuilder_free(db);
    git_treebuilder_free(versions);
    git_index_free(index);
    git_repository_free(repo);
    git_libgit2_shutdown();
    g_repo = dir;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_repo();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::map<std::string, std::string, std::less<>> vars;
    if (in.rfind("PRE_COMMIT_", 0) == 0) {
        const auto nl = in.find('\n');
        std::string_view first = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
        while (!first.empty()) {
            const auto sp = first.find(' ');
            const auto kv = first.substr(0, sp);
            first = sp == std::string_view::npos ? std::string_view() : first.substr(sp + 1);
            if (const auto eq = kv.find('='); eq != std::string_view::npos)
                vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
        }
    }
    const ag::EnvLookup env = [&](std::string_view k) -> std::optional<std::string> {
        if (auto it = vars.find(k); it != vars.end()) return it->second;
        return std::nullopt;
    };
    ag::PrePushArgs args;
    args.repo = g_repo;
    args.remote = "origin";
    ag::fuzz::never_throws("run_pre_push threw", [&] {
        const ag::HookResult r = ag::run_pre_push(args, in, env);
        AG_FUZZ_CHECK(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2, r.err);
        if (r.exit_code != 0) AG_FUZZ_CHECK(!r.err.empty(), "a non-zero exit without a word");
    });
    return 0;
}
