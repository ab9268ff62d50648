// libFuzzer target: one migration file, every way the guard can judge it (issue 24). The input
// is the bytes of alembic/versions/004_x.py, committed on top of a clean history
// 001 <- 002 <- 003 in a throw-away repository (created once, in a temporary directory), and
// judged by
//   A. check_tree with no cache (what `check` does with alembicGuard.cacheDir none);
//   B. check_tree through a result cache, twice: the first run fills it, the second is answered
//      from the stored parse and environment result;
//   C. run_pre_receive of a push main: 003 -> the commit, with no cache (judged in full);
//   D. the same push with a cache that knows the old tip (judged from the old tip's result and the
//      added file: lib/verdict/push_extension).
// Invariants: never throws; A and B agree on heads and on every problem (code, revisions, files);
// the push is accepted exactly when A finds no problem (the old tip is clean, so everything the
// new tip has is introduced), and C and D say the same (exit code, problem codes, heads).
#include "fuzz_common.hpp"
#include "source/git_tree.hpp"
#include "hooks/pre_receive.hpp"
#include "git/repository.hpp"
#include "verdict/environment_check.hpp"

#include <git2.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

std::string g_dir;
std::string g_repo;
std::string g_cache_home;  // XDG_CACHE_HOME of the cached runs
git_oid g_base_commit;
git_oid g_base_tree;

const char* const kIni = "[alembic]\nscript_location = alembic\n";
const char* const kMigration =
    "\"\"\"{rev}\"\"\"\nfrom alembic import op\n\nrevision = \"{rev}\"\ndown_revision = {down}\n"
    "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";

std::string migration(const std::string& rev, const std::string& down) {
    std::string s = kMigration;
    for (auto [key, value] : {std::pair<std::string, std::string>{"{rev}", rev}, {"{down}", down}})
        for (size_t at; (at = s.find(key)) != std::string::npos;) s.replace(at, key.size(), value);
    return s;
}

void ok(int rc, const char* what) {
    if (rc < 0) ag::fuzz::fail(what, git_error_last() ? git_error_last()->message : "");
}

git_oid blob(git_repository* repo, std::string_view bytes) {
    git_oid id;
    ok(git_blob_create_from_buffer(&id, repo, bytes.data(), bytes.size()), "blob");
    return id;
}

// A tree of `entries` (name, oid, mode) on top of `base` (may be null).
git_oid tree(git_repository* repo, const git_tree* base, const std::vector<std::tuple<std::string, git_oid, git_filemode_t>>& entries) {
    git_treebuilder* b = nullptr;
    ok(git_treebuilder_new(&b, repo, base), "treebuilder");
    for (const auto& [name, id, mode] : entries) ok(git_treebuilder_insert(nullptr, b, name.c_str(), &id, mode), "insert");
    git_oid out;
    ok(git_treebuilder_write(&out, b), "tree write");
    git_treebuilder_free(b);
    return out;
}

git_oid commit(git_repository* repo, const git_oid& tree_id, const git_commit* parent, const char* ref) {
    git_tree* t = nullptr;
    ok(git_tree_lookup(&t, repo, &tree_id), "tree lookup");
    git_signature* sig = nullptr;
    ok(git_signature_new(&sig, "fuzz", "fuzz@example.invalid", 1700000000, 0), "signature");
    git_oid out;
    const git_commit* parents[1] = {parent};
    ok(git_commit_create(&out, repo, ref, sig, sig, nullptr, "fuzz", t, parent ? 1 : 0, parents), "commit");
    git_signature_free(sig);
    git_tree_free(t);
    return out;
}

git_tree* subtree(git_repository* repo, const git_oid& root, const char* path) {
    git_tree* top = nullptr;
    ok(git_tree_lookup(&top, repo, &root), "tree lookup");
    git_tree_entry* e = nullptr;
    ok(git_tree_entry_bypath(&e, top, path), path);
    git_tree* out = nullptr;
    ok(git_tree_lookup(&out, repo, git_tree_entry_id(e)), "subtree lookup");
    git_tree_entry_free(e);
    git_tree_free(top);
    return out;
}

// The commit whose versions/ holds the base history plus 004_x.py = `bytes`.
git_oid commit_case(git_repository* repo, std::string_view bytes) {
    git_tree* versions = subtree(repo, g_base_tree, "alembic/versions");
    git_tree* alembic = subtree(repo, g_base_tree, "alembic");
    git_tree* top = nullptr;
    ok(git_tree_lookup(&top, repo, &g_base_tree), "tree lookup");
    const git_oid v = tree(repo, versions, {{"004_x.py", blob(repo, bytes), GIT_FILEMODE_BLOB}});
    const git_oid a = tree(repo, alembic, {{"versions", v, GIT_FILEMODE_TREE}});
    const git_oid t = tree(repo, top, {{"alembic", a, GIT_FILEMODE_TREE}});
    git_commit* parent = nullptr;
    ok(git_commit_lookup(&parent, repo, &g_base_commit), "commit lookup");
    const git_oid c = commit(repo, t, parent, nullptr);
    git_commit_free(parent);
    git_tree_free(top);
    git_tree_free(alembic);
    git_tree_free(versions);
    return c;
}

void make_repo() {
    char tmpl[] = "/tmp/ag-fuzz-verdict-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) ag::fuzz::fail("mkdtemp failed");
    g_dir = dir;
    // Thousands of commits and cache entries pile up here: gone when the fuzzer exits.
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(g_dir, ec);
    });
    g_repo = g_dir + "/repo.git";
    g_cache_home = g_dir + "/cache";
    git_libgit2_init();
    git_repository* repo = nullptr;
    ok(git_repository_init(&repo, g_repo.c_str(), 1), "init");
    const git_oid versions =
        tree(repo, nullptr,
             {{"001_a.py", blob(repo, migration("001", "None")), GIT_FILEMODE_BLOB},
              {"002_b.py", blob(repo, migration("002", "\"001\"")), GIT_FILEMODE_BLOB},
              {"003_c.py", blob(repo, migration("003", "\"002\"")), GIT_FILEMODE_BLOB}});
    const git_oid alembic = tree(repo, nullptr,
                                 {{"env.py", blob(repo, "# env\n"), GIT_FILEMODE_BLOB},
                                  {"script.py.mako", blob(repo, "# template\n"), GIT_FILEMODE_BLOB},
                                  {"versions", versions, GIT_FILEMODE_TREE}});
    g_base_tree = tree(repo, nullptr, {{"alembic.ini", blob(repo, kIni), GIT_FILEMODE_BLOB}, {"alembic", alembic, GIT_FILEMODE_TREE}});
    g_base_commit = commit(repo, g_base_tree, nullptr, "refs/heads/main");
    git_repository_free(repo);
    git_libgit2_shutdown();
}

std::string hex(const git_oid& id) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &id);
    return buf;
}

using ProblemKeys = std::set<std::tuple<std::string, std::vector<std::string>, std::vector<std::string>>>;

struct Judgement {
    std::vector<std::string> heads;
    size_t head_count = 0;
    ProblemKeys problems;
    std::set<std::string> codes;
};

Judgement of(const ag::TreeCheck& c) {
    AG_FUZZ_CHECK(c.environments.size() == 1, "not one environment");
    const auto& e = c.environments.front();
    Judgement j{e.graph.heads, e.graph.head_count, {}, {}};
    for (const auto& p : e.problems) {
        j.problems.emplace(p.code, p.revisions, p.files);
        j.codes.insert(p.code);
    }
    return j;
}

struct Push {
    int exit_code;
    std::set<std::string> codes;
    std::vector<std::string> heads;
    std::string err;
};

Push push(const std::string& new_hex, bool cached) {
    const std::string input = hex(g_base_commit) + " " + new_hex + " refs/heads/main\n";
    const ag::EnvLookup env = [cached](std::string_view name) -> std::optional<std::string> {
        if (cached && name == "XDG_CACHE_HOME") return g_cache_home;
        return std::nullopt;  // no HOME: no cache
    };
    const ag::HookResult r = ag::run_pre_receive(g_repo, true, input, env);
    Push p{r.exit_code, {}, {}, r.err};
    if (r.exit_code == 2) return p;
    const auto line = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
    AG_FUZZ_CHECK(line.is_object(), r.out);
    for (const auto& prob : line.at("introduced")) p.codes.insert(prob.at("code").get<std::string>());
    for (const auto& h : line.at("environments").at(0).at("heads_after")) p.heads.push_back(h.get<std::string>());
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_repo();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return -1;  // the readers' size limits have fuzz_migration; this is about paths
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    ag::fuzz::never_throws("judging one migration every way threw", [&] {
        ag::GitLibrary lib;
        auto repo = ag::GitRepository::open(g_repo);
        const git_oid c = commit_case(repo.get(), bytes);
        const ag::GitTree t(repo.get(), c);

        const Judgement a = of(ag::check_tree(t));
        Judgement b_cold, b_warm;
        {
            ag::ResultCache cache(g_cache_home + "/alembic-guard");
            ag::CheckOptions o;
            o.cache = &cache;
            b_cold = of(ag::check_tree(t, o));
        }
        {
            ag::ResultCache cache(g_cache_home + "/alembic-guard");
            ag::CheckOptions o;
            o.cache = &cache;
            b_warm = of(ag::check_tree(t, o));
        }
        AG_FUZZ_CHECK(a.heads == b_cold.heads && a.problems == b_cold.problems, "check with a cold cache differs");
        AG_FUZZ_CHECK(a.heads == b_warm.heads && a.problems == b_warm.problems, "check from the cache differs");

        const Push full = push(hex(c), false);
        const Push extended = push(hex(c), true);
        AG_FUZZ_CHECK(full.exit_code == (a.problems.empty() ? 0 : 1), full.err);
        // The base has one head, so a push names multiple-heads exactly when it leaves more than
        // one (design.md), even where check derives none because the graph stopped early.
        std::set<std::string> expected = a.codes;
        if (a.head_count > 1) expected.insert(ag::code::multiple_heads);
        AG_FUZZ_CHECK(full.codes == expected, full.err);
        AG_FUZZ_CHECK(full.heads == a.heads, "pre-receive's heads differ from check's");
        AG_FUZZ_CHECK(extended.exit_code == full.exit_code, extended.err);
        AG_FUZZ_CHECK(extended.codes == full.codes && extended.heads == full.heads,
                      "pre-receive with the old tip cached differs from pre-receive in full");
    });
    return 0;
}
