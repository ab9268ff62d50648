#include "hooks/server_policy.hpp"

#include "git/git_handle.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fnmatch.h>

namespace ag {

EnvLookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

namespace {

bool parse_on_error(const std::optional<std::string>& v) {
    return v && (*v == "accept" || *v == "allow" || *v == "open");
}

void apply(ServerPolicy& p, const std::vector<std::string>& refs, const std::optional<std::string>& on_error,
           const std::vector<std::string>& bypass, const std::vector<std::string>& allow,
           const std::optional<std::string>& cache, const std::optional<std::string>& cache_max_size,
           const std::optional<std::string>& timeout, const std::optional<std::string>& python_version,
           const std::optional<std::string>& alembic_version) {
    p.python_version = python_version;
    p.alembic_version = alembic_version;
    if (timeout) {
        try {
            const long t = std::stol(*timeout);
            if (t >= 0 && t < 86400) p.timeout_seconds = static_cast<unsigned>(t);
        } catch (...) {
        }
    }
    if (!refs.empty()) p.ref_globs = refs;
    p.on_error_accept = parse_on_error(on_error);
    // bypassUsers may be multi-valued or a comma/space separated list.
    for (const auto& entry : bypass) {
        std::string cur;
        for (char c : entry + ",") {
            if (c == ',' || c == ' ') {
                if (!cur.empty()) p.bypass_users.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
    }
    if (!allow.empty()) p.allow_multiple_heads = std::set<std::string>(allow.begin(), allow.end());
    p.cache_dir = cache;
    p.cache_max_size = cache_max_size;
}

std::vector<std::string> multivar(git_config* cfg, const char* key) {
    std::vector<std::string> out;
    git_config_get_multivar_foreach(
        cfg, key, nullptr,
        [](const git_config_entry* e, void* payload) {
            static_cast<std::vector<std::string>*>(payload)->push_back(e->value ? e->value : "");
            return 0;
        },
        &out);
    return out;
}

std::optional<std::string> single(git_config* cfg, const char* key) {
    git_buf buf = GIT_BUF_INIT;
    if (git_config_get_string_buf(&buf, cfg, key) < 0) return std::nullopt;
    std::string s(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    return s;
}

}  // namespace

ServerPolicy ServerPolicy::from_repository(const GitRepository& repo) {
    ServerPolicy p;
    apply(p, repo.config_multivar("alembicGuard.refs"), repo.config_string("alembicGuard.onError"),
          repo.config_multivar("alembicGuard.bypassUsers"), repo.config_multivar("alembicGuard.allowMultipleHeads"),
          repo.config_string("alembicGuard.cacheDir"), repo.config_string("alembicGuard.cacheMaxSize"),
          repo.config_string("alembicGuard.timeout"), repo.config_string("alembicGuard.pythonVersion"),
          repo.config_string("alembicGuard.alembicVersion"));
    return p;
}

ServerPolicy ServerPolicy::from_files(const EnvLookup& env) {
    ServerPolicy p;
    git_config* raw = nullptr;
    if (git_config_open_default(&raw) < 0) return p;
    Config cfg(raw);
    const std::string dir = env("GIT_DIR").value_or(".");
    const std::string local = dir + "/config";
    git_config_add_file_ondisk(cfg.get(), local.c_str(), GIT_CONFIG_LEVEL_LOCAL, nullptr, 0);
    apply(p, multivar(cfg.get(), "alembicGuard.refs"), single(cfg.get(), "alembicGuard.onError"),
          multivar(cfg.get(), "alembicGuard.bypassUsers"), multivar(cfg.get(), "alembicGuard.allowMultipleHeads"),
          single(cfg.get(), "alembicGuard.cacheDir"), single(cfg.get(), "alembicGuard.cacheMaxSize"),
          single(cfg.get(), "alembicGuard.timeout"), single(cfg.get(), "alembicGuard.pythonVersion"),
          single(cfg.get(), "alembicGuard.alembicVersion"));
    return p;
}

bool ServerPolicy::guards(std::string_view ref) const {
    const std::string r(ref);
    for (const auto& g : ref_globs)
        if (fnmatch(g.c_str(), r.c_str(), 0) == 0) return true;
    return false;
}

std::string result_cache_dir(const std::optional<std::string>& configured, const EnvLookup& env) {
    if (configured) return *configured == "none" ? std::string() : *configured;
    if (auto x = env("XDG_CACHE_HOME"); x && !x->empty() && x->front() == '/') return *x + "/alembic-guard";
    if (auto h = env("HOME"); h && !h->empty()) return *h + "/.cache/alembic-guard";
    return {};
}

CacheLimits result_cache_limits(const std::optional<std::string>& configured_max_size) {
    CacheLimits limits;
    if (configured_max_size)
        if (const auto bytes = result_cache_size(*configured_max_size)) limits.max_bytes = *bytes;
    return limits;
}

std::optional<PythonChoice> operator_python(const std::optional<std::string>& configured) {
    if (!configured) return std::nullopt;
    const auto v = py::parse_python_version(*configured);
    if (!v) return std::nullopt;  // the operator's typo is reported by the hook's header, not a verdict
    return choose_python(*v, "alembicGuard.pythonVersion");
}

std::optional<AlembicChoice> operator_alembic(const std::optional<std::string>& configured) {
    if (!configured) return std::nullopt;
    const auto v = parse_alembic_version(*configured);
    if (!v) return std::nullopt;
    return choose_alembic(*v, "alembicGuard.alembicVersion");
}

PolicyOptions policy_options(const ServerPolicy& policy, ResultCache& cache) {
    PolicyOptions o;
    o.allow_multiple_heads = policy.allow_multiple_heads;
    o.python = operator_python(policy.python_version);
    o.alembic = operator_alembic(policy.alembic_version);
    o.cache = &cache;
    return o;
}

Pusher identify_pusher(const EnvLookup& env) {
    Pusher p;
    auto nonzero = [](const std::optional<std::string>& v) { return v && !v->empty() && *v != "0"; };
    if (auto v = env("GITEA_PUSHER_NAME"); v && !v->empty()) {
        p.name = *v;
        p.source = "GITEA_PUSHER_NAME";
        p.deploy_key = nonzero(env("GITEA_DEPLOY_KEY_ID"));
        return p;
    }
    for (const char* var : {"GL_USERNAME", "GL_USER", "GITHUB_USER_LOGIN", "USER", "LOGNAME"}) {
        if (auto v = env(var); v && !v->empty()) {
            p.name = *v;
            p.source = var;
            return p;
        }
    }
    return p;
}

bool bypass_requested(const EnvLookup& env) {
    const auto count = env("GIT_PUSH_OPTION_COUNT");
    if (!count) return false;
    int n = 0;
    try {
        n = std::stoi(*count);
    } catch (...) {
        return false;
    }
    for (int i = 0; i < n && i < 1000; ++i) {
        const auto v = env(fmt::format("GIT_PUSH_OPTION_{}", i));
        if (v && (*v == "alembic-guard.bypass" || v->rfind("alembic-guard.bypass=", 0) == 0)) return true;
    }
    return false;
}

Host detect_host(const EnvLookup& env) {
    if (env("GL_ID")) return Host::GitLab;
    if (env("GITEA_REPO_NAME") || env("GITEA_PUSHER_NAME") || env("GITEA_PUSH_TRIGGER")) return Host::Forgejo;
    if (env("GITHUB_USER_LOGIN") || env("GITHUB_REPO_NAME")) return Host::GitHub;
    return Host::Plain;
}

}  // namespace ag
