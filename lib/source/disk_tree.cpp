#include "source/disk_tree.hpp"

#include "support/guard_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ag {

namespace fs = std::filesystem;

namespace {
EntryKind kind_of(const fs::file_status& st) {
    switch (st.type()) {
    case fs::file_type::regular: return EntryKind::File;
    case fs::file_type::directory: return EntryKind::Directory;
    case fs::file_type::symlink: return EntryKind::Symlink;
    default: return EntryKind::Other;
    }
}

// Directories that are never part of a project's own sources: the git directory,
// virtual environments and caches. Walking them would find other projects' files.
bool skipped_directory(const fs::path& dir) {
    const auto name = dir.filename().string();
    if (name == ".git" || name == "node_modules" || name == "__pycache__" || name == ".tox" ||
        name == ".mypy_cache" || name == ".pytest_cache")
        return true;
    std::error_code ec;
    return fs::exists(dir / "pyvenv.cfg", ec);
}
}  // namespace

DiskTree::DiskTree(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    if (!fs::is_directory(root_, ec))
        throw GuardError(fmt::format("'{}' is not a directory", root_.string()));
}

Listing DiskTree::list(std::string_view dir) const {
    std::vector<std::pair<std::string, EntryKind>> out;
    std::error_code ec;
    const fs::path p = root_ / fs::path(std::string(dir));
    auto st = fs::symlink_status(p, ec);
    if (ec || st.type() != fs::file_type::directory) return {};
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        auto est = it->symlink_status(ec2);
        EntryKind k = ec2 ? EntryKind::Other : kind_of(est);
        // A directory holding a .git file or directory is a submodule's work tree.
        if (k == EntryKind::Directory && fs::exists(it->path() / ".git", ec2)) k = EntryKind::Submodule;
        out.emplace_back(it->path().filename().string(), k);
    }
    return Listing::of_names(std::move(out));
}

std::optional<EntryKind> DiskTree::kind(std::string_view path) const {
    std::error_code ec;
    const fs::path p = root_ / fs::path(std::string(path));
    auto st = fs::symlink_status(p, ec);
    if (ec || st.type() == fs::file_type::not_found) return std::nullopt;
    return kind_of(st);
}

std::string DiskTree::read(std::string_view path) const {
    const fs::path p = root_ / fs::path(std::string(path));
    std::ifstream in(p, std::ios::binary);
    if (!in) throw GuardError(fmt::format("cannot read '{}'", p.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw GuardError(fmt::format("cannot read '{}'", p.string()));
    return std::move(ss).str();
}

std::optional<std::string> DiskTree::link_target(std::string_view path) const {
    std::error_code ec;
    const auto target = fs::read_symlink(root_ / fs::path(std::string(path)), ec);
    if (ec) return std::nullopt;
    return target.string();
}

void DiskTree::walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const {
    std::error_code ec;
    fs::recursive_directory_iterator it(root_, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        const auto st = it->symlink_status(ec2);
        if (ec2) continue;
        if (st.type() == fs::file_type::directory) {
            if (skipped_directory(it->path())) it.disable_recursion_pending();
            continue;
        }
        if (st.type() != fs::file_type::regular) continue;
        const std::string p = fs::relative(it->path(), root_, ec2).generic_string();
        const auto name = base_name(p);
        visit(std::string_view(p).substr(0, p.size() - name.size()), name);
    }
}

std::string DiskTree::describe() const { return root_.string(); }

}  // namespace ag
