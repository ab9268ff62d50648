#pragma once
// SourceTree over a directory on disk (for `check --worktree` and pre-commit).
// Symlinks are reported as symlinks, never followed, so a tree on disk is judged like
// the same tree committed.
#include "source/source_tree.hpp"

#include <filesystem>

namespace ag {

class DiskTree final : public SourceTree {
public:
    explicit DiskTree(std::filesystem::path root);
    Listing list(std::string_view dir) const override;
    std::optional<EntryKind> kind(std::string_view path) const override;
    std::string read(std::string_view path) const override;
    std::optional<std::string> link_target(std::string_view path) const override;
    void walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const override;
    std::string describe() const override;

private:
    std::filesystem::path root_;
};

}  // namespace ag
