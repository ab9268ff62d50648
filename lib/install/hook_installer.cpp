#include "install/hook_installer.hpp"

#include "support/guard_error.hpp"
#include "git/repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace ag {

namespace fs = std::filesystem;

namespace {

constexpr const char* kChainedSuffix = ".chained-by-alembic-guard";

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool is_ours(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(p, ec))) return false;
    return read_file(p).find(kHookMarker) != std::string::npos;
}

void write_executable(const fs::path& p, const std::string& content) {
    const fs::path tmp = p.string() + ".tmp-alembic-guard";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw GuardError(fmt::format("cannot write {}", tmp.string()));
        out << content;
        if (!out) throw GuardError(fmt::format("cannot write {}", tmp.string()));
    }
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    fs::rename(tmp, p);
}

std::string dispatcher_script(const std::string& binary) {
    return fmt::format("#!/bin/sh\n{} (pre-receive.d)\n# Remove with: alembic-guard install-hook --uninstall ...\n"
                       "exec {} pre-receive\n",
                       kHookMarker, shell_quote(binary));
}

// A plain hooks/<name>: runs the hook that was there before (if any) with the same
// arguments and input, then the guard; either can refuse the push. Shell builtins only
// (read, printf, [): a hook that runs with an empty PATH must still judge, never pass.
std::string chaining_script(const std::string& binary, const std::string& hook, const std::string& call,
                            const std::string& uninstall_flag) {
    return fmt::format(
        "#!/bin/sh\n{} ({})\n# Remove with: alembic-guard install-hook {} --uninstall\n"
        "input=\n"
        "while IFS= read -r line || [ -n \"$line\" ]; do input=\"$input$line\n\"; done\n"
        "status=0\n"
        "case \"$0\" in */*) dir=\"${{0%/*}}\" ;; *) dir=. ;; esac\n"
        "chained=\"$dir/{}{}\"\n"
        "if [ -x \"$chained\" ]; then\n  printf '%s' \"$input\" | \"$chained\" \"$@\" || status=$?\nfi\n"
        "printf '%s' \"$input\" | {} {} || {{ rc=$?; [ \"$status\" -eq 0 ] && status=$rc; }}\n"
        "exit \"$status\"\n",
        kHookMarker, hook, uninstall_flag, hook, kChainedSuffix, shell_quote(binary), call);
}

std::string git_dir_of(const std::string& target) {
    GitLibrary lib;
    auto repo = GitRepository::open(target.empty() ? std::string(".") : target);
    return fs::path(git_repository_path(repo.get())).lexically_normal().string();
}

InstallResult install_in_directory(const fs::path& dir, const std::string& binary, bool uninstall,
                                   const std::string& what) {
    InstallResult r;
    const fs::path hook = dir / "alembic-guard";
    std::error_code ec;
    if (uninstall) {
        if (!fs::exists(fs::symlink_status(hook, ec))) {
            r.events.push_back({InstallEvent::Kind::nothing_to_remove, hook.string()});
        } else if (!is_ours(hook)) {
            r.events.push_back({InstallEvent::Kind::kept_foreign, hook.string()});
            r.exit_code = 2;
        } else {
            fs::remove(hook);
            r.events.push_back({InstallEvent::Kind::removed, hook.string()});
        }
        return r;
    }
    if (fs::exists(fs::symlink_status(hook, ec)) && !is_ours(hook)) {
        r.events.push_back({InstallEvent::Kind::skipped_foreign, hook.string()});
        r.exit_code = 2;
        return r;
    }
    const bool existed = fs::exists(hook, ec);
    fs::create_directories(dir, ec);
    if (ec) {
        r.events.push_back({InstallEvent::Kind::cannot_create, dir.string(), ec.message()});
        r.exit_code = 2;
        return r;
    }
    const std::string content = dispatcher_script(binary);
    if (existed && read_file(hook) == content) {
        r.events.push_back({InstallEvent::Kind::kept_installed, hook.string(), what});
    } else {
        write_executable(hook, content);
        r.events.push_back({existed ? InstallEvent::Kind::updated : InstallEvent::Kind::installed, hook.string(), what, binary});
    }
    return r;
}

InstallResult install_plain(const fs::path& hooks, const std::string& name, const std::string& content,
                            bool uninstall) {
    InstallResult r;
    const fs::path hook = hooks / name;
    const fs::path chained = hooks / (name + kChainedSuffix);
    std::error_code ec;
    const bool hook_exists = fs::exists(fs::symlink_status(hook, ec));
    if (uninstall) {
        if (!hook_exists || !is_ours(hook)) {
            r.events.push_back({InstallEvent::Kind::nothing_ours, hook.string()});
            return r;
        }
        fs::remove(hook);
        r.events.push_back({InstallEvent::Kind::removed, hook.string()});
        if (fs::exists(fs::symlink_status(chained, ec))) {
            fs::rename(chained, hook);
            r.events.push_back({InstallEvent::Kind::restored_previous, hook.string()});
        }
        return r;
    }
    fs::create_directories(hooks, ec);
    if (hook_exists && !is_ours(hook)) {
        if (fs::exists(fs::symlink_status(chained, ec))) {
            r.events.push_back({InstallEvent::Kind::skipped_both_exist, hook.string(), "", chained.string()});
            r.exit_code = 2;
            return r;
        }
        fs::rename(hook, chained);
        r.events.push_back({InstallEvent::Kind::chained_existing, hook.string(), "", chained.string()});
    }
    if (hook_exists && is_ours(hook) && read_file(hook) == content) {
        r.events.push_back({InstallEvent::Kind::kept_installed, hook.string()});
    } else {
        write_executable(hook, content);
        r.events.push_back({InstallEvent::Kind::installed, hook.string()});
    }
    return r;
}

}  // namespace

std::string current_executable() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw GuardError("cannot find the path of the running alembic-guard (/proc/self/exe)");
    return p.string();
}

InstallResult install_hook(const InstallRequest& req) {
    try {
        switch (req.layout) {
        case HookLayout::PreReceive: {
            const std::string git_dir = git_dir_of(req.target);
            auto r = install_plain(fs::path(git_dir) / "hooks", "pre-receive",
                                   chaining_script(req.binary, "pre-receive", "pre-receive", "--pre-receive"),
                                   req.uninstall);
            if (!req.uninstall && r.exit_code == 0) {
                GitLibrary lib;
                auto repo = GitRepository::open(git_dir);
                if (auto hp = repo.config_string("core.hooksPath"))
                    r.events.push_back({InstallEvent::Kind::hooks_path_set, git_dir, *hp});
                if (!repo.config_bool("receive.advertisePushOptions").value_or(false))
                    r.events.push_back({InstallEvent::Kind::push_options_off, git_dir});
            }
            return r;
        }
        case HookLayout::Forgejo: {
            const std::string git_dir = git_dir_of(req.target);
            auto r = install_in_directory(fs::path(git_dir) / "hooks" / "pre-receive.d", req.binary, req.uninstall,
                                          "Forgejo/Gitea per-repository hook");
            std::error_code ec;
            if (!req.uninstall && !fs::exists(fs::path(git_dir) / "hooks" / "pre-receive", ec))
                r.events.push_back({InstallEvent::Kind::no_forgejo_dispatcher});
            return r;
        }
        case HookLayout::PrePush: {
            GitLibrary lib;
            auto repo = GitRepository::open(req.target.empty() ? std::string(".") : req.target);
            fs::path hooks = fs::path(git_repository_path(repo.get())) / "hooks";
            // git runs hooks from core.hooksPath when it is set (relative to the work tree).
            if (auto hp = repo.config_string("core.hooksPath")) {
                fs::path p(*hp);
                if (p.is_relative()) p = fs::path(repo.workdir().value_or(git_repository_path(repo.get()))) / p;
                hooks = p;
            }
            return install_plain(hooks, "pre-push",
                                 chaining_script(req.binary, "pre-push", "pre-push \"$@\"", "--pre-push"),
                                 req.uninstall);
        }
        case HookLayout::ForgejoAll: {
            // Forgejo <= v15 / Gitea lay repositories out as <root>/<owner>/<name>.git (wikis
            // as <name>.wiki.git). Safe to run again from cron: new repositories get the hook.
            InstallResult all;
            std::error_code ec;
            if (!fs::is_directory(req.target, ec)) return InstallResult{2, {{InstallEvent::Kind::not_a_directory, req.target}}};
            size_t done = 0, kept = 0, failed = 0;
            std::vector<fs::path> repos;
            for (const auto& owner : fs::directory_iterator(req.target, ec)) {
                if (!owner.is_directory(ec)) continue;
                for (const auto& repo : fs::directory_iterator(owner.path(), ec))
                    if (repo.is_directory(ec) && repo.path().extension() == ".git") repos.push_back(repo.path());
            }
            std::sort(repos.begin(), repos.end());
            for (const auto& repo : repos) {
                InstallRequest one = req;
                one.layout = HookLayout::Forgejo;
                one.target = repo.string();
                auto r = install_hook(one);
                for (auto& e : r.events)
                    if (e.kind != InstallEvent::Kind::no_forgejo_dispatcher) all.events.push_back(e);
                if (r.exit_code != 0) ++failed;
                else if (!r.events.empty() && r.events.front().kind == InstallEvent::Kind::kept_installed) ++kept;
                else ++done;
            }
            InstallEvent summary{InstallEvent::Kind::summary, req.target};
            summary.count = repos.size();
            summary.done = done;
            summary.kept = kept;
            summary.failed = failed;
            summary.uninstall = req.uninstall;
            all.events.push_back(summary);
            all.exit_code = failed ? 2 : 0;
            return all;
        }
        case HookLayout::ForgejoServer:
            return install_in_directory(fs::path(req.target) / "hooks" / "pre-receive.d", req.binary, req.uninstall,
                                        "Forgejo >= v16 server-wide hook: every repository on the server");
        case HookLayout::GitLab: {
            const std::string git_dir = git_dir_of(req.target);
            return install_in_directory(fs::path(git_dir) / "custom_hooks" / "pre-receive.d", req.binary, req.uninstall,
                                        "GitLab per-repository custom hook");
        }
        case HookLayout::GitLabServer:
            return install_in_directory(fs::path(req.target) / "pre-receive.d", req.binary, req.uninstall,
                                        "GitLab server-wide custom hook: every repository");
        }
    } catch (const GuardError& e) {
        return InstallResult{2, {{InstallEvent::Kind::error, "", e.what()}}};
    } catch (const fs::filesystem_error& e) {
        return InstallResult{2, {{InstallEvent::Kind::error, "", e.what()}}};
    }
    return InstallResult{2, {{InstallEvent::Kind::error, "", "unknown hook layout"}}};
}

}  // namespace ag
