#include "fixtures.hpp"

#include "support/guard_error.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>

namespace ag::test {

MemoryTree& MemoryTree::file(const std::string& path, std::string content) {
    files_[path] = std::move(content);
    return *this;
}

MemoryTree& MemoryTree::remove(const std::string& path) {
    files_.erase(path);
    others_.erase(path);
    return *this;
}

MemoryTree& MemoryTree::symlink(const std::string& path, std::string target) {
    entry(path, EntryKind::Symlink);
    links_[path] = std::move(target);
    return *this;
}

std::optional<std::string> MemoryTree::link_target(std::string_view path) const {
    const auto it = links_.find(std::string(path));
    if (it == links_.end()) return std::nullopt;
    return it->second;
}

MemoryTree& MemoryTree::entry(const std::string& path, EntryKind kind) {
    others_[path] = kind;
    return *this;
}

MemoryTree& MemoryTree::migration(const std::string& path, const std::string& rev, const std::string& down_python) {
    return file(path, migration_source(fmt::format("'{}'", rev), down_python));
}

Listing MemoryTree::list(std::string_view dir) const {
    if (kind(dir) != EntryKind::Directory) return {};
    std::map<std::string, EntryKind> out;
    const std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
    auto add = [&](const std::string& path, EntryKind k) {
        if (path.rfind(prefix, 0) != 0 || path.size() == prefix.size()) return;
        const auto rest = path.substr(prefix.size());
        const auto slash = rest.find('/');
        if (slash == std::string::npos) out[rest] = k;
        else out.emplace(rest.substr(0, slash), EntryKind::Directory);
    };
    for (const auto& [p, _] : files_) add(p, EntryKind::File);
    for (const auto& [p, k] : others_) add(p, k);
    return Listing::of_names({out.begin(), out.end()});
}

std::optional<EntryKind> MemoryTree::kind(std::string_view path) const {
    if (path.empty()) return EntryKind::Directory;
    const std::string p(path);
    if (files_.count(p)) return EntryKind::File;
    if (auto it = others_.find(p); it != others_.end()) return it->second;
    const std::string prefix = p + "/";
    for (const auto& [f, _] : files_)
        if (f.rfind(prefix, 0) == 0) return EntryKind::Directory;
    for (const auto& [f, _] : others_)
        if (f.rfind(prefix, 0) == 0) return EntryKind::Directory;
    return std::nullopt;
}

std::string MemoryTree::read(std::string_view path) const {
    auto it = files_.find(std::string(path));
    if (it == files_.end()) throw GuardError(fmt::format("no file '{}'", path));
    return it->second;
}

void MemoryTree::walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const {
    for (const auto& [p, _] : files_) {
        const auto name = base_name(p);
        visit(std::string_view(p).substr(0, p.size() - name.size()), name);
    }
}

std::string migration_source(const std::string& rev_python, const std::string& down_python, const std::string& extra) {
    return fmt::format("\"\"\"A migration.\n\nRevision ID: x\n\"\"\"\nfrom alembic import op\n\nrevision = {}\n"
                       "down_revision = {}\nbranch_labels = None\ndepends_on = None\n{}\n\ndef upgrade():\n    pass\n",
                       rev_python, down_python, extra);
}

TempDir::TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ag-unit-dir-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp failed for a scratch directory");
    path = t;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

GitRepo::GitRepo() {
    char tmpl[] = "/tmp/ag-unit-repo-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    // No doctest here: the fuzz targets link these fixtures without a test runner, and doctest
    // reports an exception escaping a test case as that case's failure.
    if (d == nullptr) throw std::runtime_error("mkdtemp failed for a scratch repository");
    dir_ = d;
    git("git init -q -b main . && git config user.name t && git config user.email t@t");
}

GitRepo::~GitRepo() { std::system(fmt::format("rm -rf '{}'", dir_).c_str()); }

std::string GitRepo::git(const std::string& command) const {
    const std::string full = fmt::format("cd '{}' && GIT_CONFIG_NOSYSTEM=1 HOME='{}' {}", dir_, dir_, command);
    FILE* p = ::popen(full.c_str(), "r");
    if (p == nullptr) throw std::runtime_error(fmt::format("cannot run: {}", command));
    std::string out;
    std::array<char, 4096> buf;
    while (const size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    const int rc = ::pclose(p);
    if (rc != 0) throw std::runtime_error(fmt::format("exit status {} from: {}", rc, command));
    return out;
}

void GitRepo::write(const std::string& path, const std::string& content) const {
    std::system(fmt::format("mkdir -p \"$(dirname '{}/{}')\"", dir_, path).c_str());
    std::ofstream(dir_ + "/" + path, std::ios::binary) << content;
}

}  // namespace ag::test
