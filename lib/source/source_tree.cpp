#include "source/source_tree.hpp"

#include "git/repository.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <deque>

namespace ag {

std::string DirEntry::id_hex() const {
    if (!id) return {};
    git_oid oid;
    std::copy(id, id + GIT_OID_RAWSZ, oid.id);
    return oid_hex(oid);
}

Listing Listing::of_names(std::vector<std::pair<std::string, EntryKind>> names) {
    std::sort(names.begin(), names.end());
    // A deque never moves what it holds, so views of its strings stay put.
    auto owned = std::make_shared<std::deque<std::string>>();
    std::vector<DirEntry> entries;
    entries.reserve(names.size());
    for (auto& [name, kind] : names) {
        owned->push_back(std::move(name));
        entries.push_back({owned->back(), kind, nullptr});
    }
    return Listing(std::move(entries), std::move(owned));
}

std::optional<std::string> SourceTree::link_target(std::string_view) const { return std::nullopt; }

std::string SourceTree::read_entry(std::string_view dir, const DirEntry& entry) const {
    return read(join_path(dir, entry.name));
}

std::string join_path(std::string_view dir, std::string_view name) {
    if (dir.empty()) return std::string(name);
    if (name.empty()) return std::string(dir);
    std::string out;
    out.reserve(dir.size() + 1 + name.size());
    out += dir;
    if (out.back() != '/') out += '/';
    out += name;
    return out;
}

std::string parent_path(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string_view base_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> normalize_path(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        const auto part = path.substr(i, j - i);
        if (part == "..") {
            if (parts.empty()) return std::nullopt;
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    return fmt::format("{}", fmt::join(parts, "/"));
}

}  // namespace ag
