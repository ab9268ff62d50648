// libFuzzer target: environment discovery (alembic.ini, pyproject.toml [tool.alembic],
// .alembic-guard.toml), Alembic's load order, and the whole `check` of the tree.
//
// Input: parts separated by a line "--8<--":
//   0: alembic.ini          1: pyproject.toml          2: .alembic-guard.toml
//   3: extra tree entries, one per line:  `path` (a small migration file), `path := text`
//      (a file holding text, `\n` for newlines), `path/` (a directory), `@path` (a symlink),
//      `!path` (a submodule).
// An empty or missing part leaves that file out. A fixed skeleton (two script directories
// with env.py and versions/) is always there, so configs have something to point at.
// Invariants: never throws; version locations are listed once each; every listed migration
// lies directly in one of its environment's version locations.
#include "alembic/environment.hpp"
#include "alembic/version_listing.hpp"
#include "fixtures.hpp"
#include "fuzz_common.hpp"
#include "verdict/environment_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string_view> split_parts(std::string_view in) {
    static constexpr std::string_view kSep = "\n--8<--\n";
    std::vector<std::string_view> parts;
    while (parts.size() < 4) {
        const auto at = in.find(kSep);
        if (at == std::string_view::npos) break;
        parts.push_back(in.substr(0, at));
        in.remove_prefix(at + kSep.size());
    }
    parts.push_back(in);
    return parts;
}

std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

// toml++ 3.3.0 (Debian) reaches TOML_UNREACHABLE (__builtin_unreachable: undefined behaviour)
// in is_non_ascii_horizontal_whitespace() for a code point in U+00A1..U+0499 where the parser
// expects whitespace, e.g. a TOML file holding just "\xc3\xa9" (upstream marzer/tomlplusplus
// #295, fixed by #305), also inside a would-be string after a malformed value. lib/ now gives
// toml++ only ASCII (toml_as_ascii), so the mask is off; -DAG_FUZZ_MASK_TOMLPP_295=1 turns it
// back on.
#ifndef AG_FUZZ_MASK_TOMLPP_295
#define AG_FUZZ_MASK_TOMLPP_295 0
#endif
std::string toml_text(std::string_view s) {
    std::string out(s);
    if (AG_FUZZ_MASK_TOMLPP_295)
        for (char& c : out)
            if (static_cast<unsigned char>(c) >= 0xC2 && static_cast<unsigned char>(c) <= 0xD2) c = '?';
    return out;
}

bool usable_path(std::string_view p) {
    if (p.empty() || p.size() > 200 || p.front() == '/' || p.back() == '/') return false;
    if (p.find("//") != std::string_view::npos || p.find('\0') != std::string_view::npos) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parts = split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
    ag::test::MemoryTree tree;
    tree.file("db/env.py", "").migration("db/versions/001_init.py", "001", "None")
        .migration("db/versions/002_more.py", "002", "'001'").file("migrations/env.py", "")
        .migration("migrations/versions/a.py", "a", "None").file("migrations/versions/README", "x");
    const char* names[] = {"alembic.ini", "pyproject.toml", ".alembic-guard.toml"};
    for (size_t i = 0; i < 3 && i < parts.size(); ++i)
        if (!parts[i].empty()) tree.file(names[i], i == 0 ? std::string(parts[i]) : toml_text(parts[i]));
    if (parts.size() > 3) {
        std::string_view lines = parts[3];
        int count = 0, rev = 0;
        while (!lines.empty() && count < 64) {
            auto nl = lines.find('\n');
            std::string_view line = lines.substr(0, nl);
            lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
            ++count;
            if (line.empty()) continue;
            if (line.front() == '@' || line.front() == '!') {
                const auto p = line.substr(1);
                if (usable_path(p))
                    tree.entry(std::string(p), line.front() == '@' ? ag::EntryKind::Symlink : ag::EntryKind::Submodule);
                continue;
            }
            if (line.back() == '/') {
                line.remove_suffix(1);
                if (usable_path(line)) tree.entry(std::string(line), ag::EntryKind::Directory);
                continue;
            }
            if (const auto eq = line.find(" := "); eq != std::string_view::npos) {
                const auto path = line.substr(0, eq);
                if (!usable_path(path)) continue;
                const bool toml = path.size() >= 5 && path.substr(path.size() - 5) == ".toml";
                tree.file(std::string(path), toml ? toml_text(unescape(line.substr(eq + 4))) : unescape(line.substr(eq + 4)));
                continue;
            }
            if (!usable_path(line)) continue;
            const std::string id = "r" + std::to_string(rev);
            tree.migration(std::string(line), id, rev ? "'r" + std::to_string(rev - 1) + "'" : "None");
            ++rev;
        }
    }
    ag::fuzz::never_throws("environment discovery threw", [&] {
        const auto envs = ag::discover_environments(tree);
        for (const auto& env : envs) {
            std::set<std::string> seen(env.version_locations.begin(), env.version_locations.end());
            AG_FUZZ_CHECK(seen.size() == env.version_locations.size(), env.name);
            (void)env.identity();
            for (const auto& loc : env.version_locations)
                for (const ag::VersionListing listing(tree, loc, env.sourceless, env.alembic.version); const auto& f : listing.files()) {
                    const auto path = listing.path(f);
                    const auto dir = ag::parent_path(path);
                    AG_FUZZ_CHECK(seen.count(dir) == 1 || seen.count(ag::parent_path(dir)) == 1, path);
                }
        }
        // The whole `check`, and a push judged under this tree's declarations.
        (void)ag::check_tree(tree);
        ag::test::MemoryTree empty;
        ag::CheckOptions opts;
        opts.declarations = &empty;
        (void)ag::check_tree(tree, opts);
    });
    return 0;
}
