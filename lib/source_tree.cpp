#include "source_tree.hpp"

namespace ag {

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

}  // namespace ag
