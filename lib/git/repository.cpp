#include "git/repository.hpp"

#include "support/guard_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace ag {

std::string branch_of_ref(const std::string& ref) {
    return ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref;
}

std::string oid_hex(const git_oid& oid) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

GitRepository GitRepository::open(const std::string& path) {
    git_repository* r = nullptr;
    const int rc = path.empty() ? git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr)
                                : git_repository_open_ext(&r, path.c_str(), 0, nullptr);
    if (rc < 0) {
        const git_error* e = git_error_last();
        const std::string msg = e && e->message ? e->message : "unknown error";
        const std::string where = path.empty() ? std::string("the current directory") : fmt::format("'{}'", path);
        if (msg.find("objectformat") != std::string::npos)
            throw GuardError(fmt::format("cannot open the repository at {}: it uses SHA-256 object IDs "
                                         "(extensions.objectformat), which libgit2 1.5 cannot read", where));
        if (msg.find("not owned by current user") != std::string::npos)
            throw GuardError(fmt::format("cannot open the repository at {}: {} (run the guard as the repository's "
                                         "owner, or mark it with git config --global --add safe.directory)", where, msg));
        if (rc == GIT_ENOTFOUND)
            throw GuardError(fmt::format("no git repository at {} (use --repo DIR)", where));
        throw GuardError(fmt::format("cannot open the repository at {}: {}", where, msg));
    }
    return GitRepository(Repository(r));
}

git_oid GitRepository::resolve_commit(const std::string& rev) const {
    git_object* obj = nullptr;
    if (git_revparse_single(&obj, repo_.get(), rev.c_str()) < 0) {
        const git_error* e = git_error_last();
        throw GuardError(fmt::format("unknown revision '{}': {}", rev, e && e->message ? e->message : "not found"));
    }
    Object o(obj);
    git_object* peeled = nullptr;
    git_check(git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT), fmt::format("'{}' does not name a commit", rev));
    Object p(peeled);
    return *git_object_id(peeled);
}

std::optional<git_oid> GitRepository::peel_to_commit(const git_oid& oid) const {
    git_object* obj = nullptr;
    git_check(git_object_lookup(&obj, repo_.get(), &oid, GIT_OBJECT_ANY),
              fmt::format("cannot read object {}", oid_hex(oid)));
    Object o(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) return std::nullopt;
    Object p(peeled);
    return *git_object_id(peeled);
}

std::optional<git_oid> GitRepository::merge_base(const git_oid& a, const git_oid& b) const {
    git_oid base;
    const int rc = git_merge_base(&base, repo_.get(), &a, &b);
    if (rc == GIT_ENOTFOUND) return std::nullopt;
    git_check(rc, "cannot compute a merge base");
    return base;
}

std::optional<git_oid> GitRepository::ref_commit(const std::string& name) const {
    git_reference* ref = nullptr;
    if (git_reference_lookup(&ref, repo_.get(), name.c_str()) < 0) return std::nullopt;
    Reference r(ref);
    git_reference* resolved = nullptr;
    if (git_reference_resolve(&resolved, ref) < 0) return std::nullopt;
    Reference rr(resolved);
    const git_oid* target = git_reference_target(resolved);
    if (!target) return std::nullopt;
    return peel_to_commit(*target);
}

std::vector<std::string> GitRepository::ref_names(const std::string& glob) const {
    std::vector<std::string> names;
    git_check(git_reference_foreach_glob(
                  repo_.get(), glob.c_str(),
                  [](const char* name, void* out) {
                      static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                      return 0;
                  },
                  &names),
              [&] { return fmt::format("cannot list the references matching '{}'", glob); });
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<std::string> GitRepository::head_branch() const {
    git_reference* head = nullptr;
    if (git_reference_lookup(&head, repo_.get(), "HEAD") < 0) return std::nullopt;
    Reference owned(head);
    if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) return std::nullopt;
    return std::string(git_reference_symbolic_target(head));
}

std::optional<std::int64_t> GitRepository::oldest_commit_time(const git_oid& tip, const git_oid& hide) const {
    git_revwalk* walk_raw = nullptr;
    git_check(git_revwalk_new(&walk_raw, repo_.get()), "cannot walk the history");
    RevWalk walk(walk_raw);
    git_check(git_revwalk_push(walk.get(), &tip), [&] { return fmt::format("cannot walk from {}", oid_hex(tip)); });
    git_check(git_revwalk_hide(walk.get(), &hide), [&] { return fmt::format("cannot walk from {}", oid_hex(hide)); });
    std::optional<std::int64_t> oldest;
    git_oid id;
    while (git_revwalk_next(&id, walk.get()) == 0) {
        git_commit* c = nullptr;
        git_check(git_commit_lookup(&c, repo_.get(), &id), [&] { return fmt::format("cannot read commit {}", oid_hex(id)); });
        Commit owned(c);
        const std::int64_t t = git_commit_time(c);
        if (!oldest || t < *oldest) oldest = t;
    }
    return oldest;
}

bool GitRepository::has_object(const git_oid& oid) const {
    git_odb* odb = nullptr;
    git_check(git_repository_odb(&odb, repo_.get()), "cannot open the object database");
    Odb o(odb);
    return git_odb_exists(odb, &oid) == 1;
}

std::optional<std::string> GitRepository::workdir() const {
    const char* w = git_repository_workdir(repo_.get());
    if (!w) return std::nullopt;
    return std::string(w);
}

namespace {
Config snapshot(git_repository* repo) {
    git_config* c = nullptr;
    git_check(git_repository_config_snapshot(&c, repo), "cannot read the repository's git config");
    return Config(c);
}
}  // namespace

std::optional<std::string> GitRepository::config_string(const std::string& key) const {
    auto cfg = snapshot(repo_.get());
    const char* out = nullptr;
    const int rc = git_config_get_string(&out, cfg.get(), key.c_str());
    if (rc == GIT_ENOTFOUND) return std::nullopt;
    git_check(rc, fmt::format("cannot read git config {}", key));
    return std::string(out);
}

std::vector<std::string> GitRepository::config_multivar(const std::string& key) const {
    auto cfg = snapshot(repo_.get());
    std::vector<std::string> out;
    const int rc = git_config_get_multivar_foreach(
        cfg.get(), key.c_str(), nullptr,
        [](const git_config_entry* e, void* payload) {
            static_cast<std::vector<std::string>*>(payload)->push_back(e->value ? e->value : "");
            return 0;
        },
        &out);
    if (rc == GIT_ENOTFOUND) return {};
    git_check(rc, fmt::format("cannot read git config {}", key));
    return out;
}

std::optional<bool> GitRepository::config_bool(const std::string& key) const {
    auto cfg = snapshot(repo_.get());
    int v = 0;
    const int rc = git_config_get_bool(&v, cfg.get(), key.c_str());
    if (rc == GIT_ENOTFOUND) return std::nullopt;
    git_check(rc, fmt::format("git config {} is not a boolean", key));
    return v != 0;
}

}  // namespace ag
