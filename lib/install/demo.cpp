#include "install/demo.hpp"

#include "support/guard_error.hpp"
#include "install/hook_installer.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>

namespace ag {

namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string output;
};

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Run run(const fs::path& cwd, const std::string& command) {
    const std::string full = fmt::format("cd {} && {} 2>&1", quote(cwd.string()), command);
    FILE* p = popen(full.c_str(), "r");
    if (!p) throw GuardError(fmt::format("cannot run: {}", command));
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, out};
}

void must(const fs::path& cwd, const std::string& command) {
    auto r = run(cwd, command);
    if (r.status != 0) throw GuardError(fmt::format("demo step failed: {}\n{}", command, r.output));
}

void show(const Run& r) {
    for (size_t pos = 0; pos < r.output.size();) {
        auto nl = r.output.find('\n', pos);
        if (nl == std::string::npos) nl = r.output.size();
        std::string line = r.output.substr(pos, nl - pos);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
        if (!line.empty()) fmt::print("     {}\n", line);
        pos = nl + 1;
    }
}

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string migration(const std::string& rev, const std::string& down, const std::string& message,
                      const std::string& body) {
    return fmt::format(R"("""{msg}

Revision ID: {rev}
Revises: {down}
Create Date: 2026-03-0{day} 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: Union[str, None] = {down_py}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    {body}


def downgrade() -> None:
    pass
)",
                       fmt::arg("msg", message), fmt::arg("rev", rev), fmt::arg("down", down.empty() ? "" : down),
                       fmt::arg("day", 1 + rev.size() % 8),
                       fmt::arg("down_py", down.empty() ? std::string("None") : fmt::format("\"{}\"", down)),
                       fmt::arg("body", body));
}

void isolate_git(const fs::path& home) {
    // The demo must not depend on, or change, the caller's git configuration.
    setenv("HOME", home.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (home / ".config").c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_AUTHOR_NAME", "Demo Developer", 1);
    setenv("GIT_AUTHOR_EMAIL", "dev@example.invalid", 1);
    setenv("GIT_COMMITTER_NAME", "Demo Developer", 1);
    setenv("GIT_COMMITTER_EMAIL", "dev@example.invalid", 1);
    for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                          "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG_GLOBAL", "GIT_QUARANTINE_PATH"})
        unsetenv(v);
}

}  // namespace

int run_demo(const DemoOptions& options) {
    std::string tmpl = (fs::temp_directory_path() / "alembic-guard-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw GuardError("cannot create a temporary directory for the demo");
    const fs::path root(tmpl);
    isolate_git(root / "home");
    fs::create_directories(root / "home");
    const fs::path server = root / "server.git";
    const fs::path work = root / "basketball-api";
    int result = 1;
    try {
        fmt::print("alembic-guard demo: replaying the basketball-api incident in {}\n", root.string());
        fmt::print("(a throw-away bare repository guarded by this alembic-guard as its pre-receive hook)\n\n");
        must(root, fmt::format("git init -q --bare -b main {}", quote(server.string())));
        must(root, fmt::format("git --git-dir={} config alembicGuard.cacheDir {}", quote(server.string()),
                               quote((root / "cache").string())));
        InstallRequest req{HookLayout::PreReceive, server.string(), options.binary, false};
        const auto inst = install_hook(req);
        const std::string said = inst.events.empty() ? std::string() : install_line(inst.events.front());
        if (inst.exit_code != 0) throw GuardError(fmt::format("cannot install the hook: {}", said));
        fmt::print("   $ alembic-guard install-hook --pre-receive server.git\n     {}\n\n", said);

        must(root, fmt::format("git init -q -b main {}", quote(work.string())));
        must(work, fmt::format("git remote add origin {}", quote(server.string())));
        write(work / "alembic.ini", "[alembic]\nscript_location = alembic\nprepend_sys_path = .\n"
                                    "sqlalchemy.url = postgresql://localhost/basketball\n");
        write(work / "alembic" / "env.py", "from alembic import context\n");
        write(work / "alembic" / "script.py.mako", "# template\n");
        std::string prev;
        auto add = [&](const std::string& rev, const std::string& name, const std::string& msg) {
            write(work / "alembic" / "versions" / fmt::format("{}_{}.py", rev, name),
                  migration(rev, prev, msg, fmt::format("op.execute(\"SELECT 1\")  # {}", name)));
            prev = rev;
        };
        for (int i = 1; i <= 5; ++i) add(fmt::format("{:03}", i), fmt::format("step_{}", i), "Early schema");
        add("e09c9e678004", "add_games_index", "Add games index (a hash-named revision in the chain)");
        for (int i = 7; i <= 30; ++i) add(fmt::format("{:03}", i), fmt::format("step_{}", i), "Schema change");
        must(work, "git add -A && git commit -q -m 'Schema up to 030'");
        fmt::print("1. main holds 001 -> ... -> 005 -> e09c9e678004 -> 007 -> ... -> 030 (one head: 030)\n");
        fmt::print("   $ git push origin main\n");
        auto r1 = run(work, "git push origin main");
        show(r1);

        must(work, "git checkout -q -b pr-335 main");
        prev = "030";
        add("031", "add_team_logo", "Add team logo");
        must(work, "git add -A && git commit -q -m 'Add team logo (#335)'");
        must(work, "git checkout -q -b pr-336 main");
        prev = "030";
        add("031", "add_player_height", "Add player height");
        must(work, "git add -A && git commit -q -m 'Add player height (#336)'");
        fmt::print("\n2. Pull requests #335 and #336 each add a migration with revision \"031\" on \"030\";\n"
                   "   each is green on its own.\n");

        must(work, "git checkout -q main && git merge -q --no-ff -m 'Merge pull request #335 from pr-335' pr-335");
        fmt::print("\n3. #335 is merged into main:\n   $ git push origin main\n");
        auto r3 = run(work, "git push origin main");
        show(r3);

        must(work, "git merge -q --no-ff -m 'Merge pull request #336 from pr-336' pr-336");
        fmt::print("\n4. #336 is merged after it. Git sees no conflict (two different files), but Alembic would see\n"
                   "   two revisions \"031\" and `alembic upgrade head` would crash the pod:\n"
                   "   $ git push origin main\n");
        auto r4 = run(work, "git push origin main");
        show(r4);

        fmt::print("\n5. The fix from the incident: renumber #336's migration to 032 and chain it onto 031:\n");
        must(work, "git mv alembic/versions/031_add_player_height.py alembic/versions/032_add_player_height.py");
        prev = "031";
        write(work / "alembic" / "versions" / "032_add_player_height.py",
              migration("032", "031", "Add player height", "op.execute(\"SELECT 1\")  # add_player_height"));
        must(work, "git add -A && git commit -q -m 'Renumber player height migration to 032 on 031'");
        fmt::print("   $ git push origin main\n");
        auto r5 = run(work, "git push origin main");
        show(r5);

        const bool ok = r1.status == 0 && r3.status == 0 && r4.status != 0 && r5.status == 0;
        if (ok) {
            fmt::print("\nResult: the merge that would have taken production down was refused at the server, naming\n"
                       "both files that claim 031 and the parent they share (030); the renumbered fix was accepted.\n");
            result = 0;
        } else {
            fmt::print("\nResult: the demo did NOT behave as expected (push exit codes {}, {}, {}, {}).\n", r1.status,
                       r3.status, r4.status, r5.status);
        }
    } catch (...) {
        if (!options.keep) fs::remove_all(root);
        throw;
    }
    if (options.keep) fmt::print("(kept {})\n", root.string());
    else fs::remove_all(root);
    return result;
}

}  // namespace ag
