#pragma once
// Fixture builders shared by the unit tests: an in-memory SourceTree and migration text.
#include "source/source_tree.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace ag::test {

// A SourceTree held in memory: files by path; directories implied by their files (or added
// explicitly); symlinks and submodules by path.
class MemoryTree final : public SourceTree {
public:
    MemoryTree& file(const std::string& path, std::string content);
    MemoryTree& entry(const std::string& path, EntryKind kind);
    MemoryTree& symlink(const std::string& path, std::string target);
    MemoryTree& remove(const std::string& path);  // a file or entry
    // "revision = '<rev>'\ndown_revision = <down>\n" with down rendered as Python.
    MemoryTree& migration(const std::string& path, const std::string& rev, const std::string& down_python);

    Listing list(std::string_view dir) const override;
    std::optional<EntryKind> kind(std::string_view path) const override;
    std::string read(std::string_view path) const override;
    std::optional<std::string> link_target(std::string_view path) const override;
    void walk_files(const std::function<void(std::string_view, std::string_view)>& visit) const override;
    std::string describe() const override { return "memory tree"; }

private:
    std::map<std::string, std::string> files_;
    std::map<std::string, EntryKind> others_;
    std::map<std::string, std::string> links_;
};

// A fresh empty temporary directory, removed with everything in it with the object.
struct TempDir {
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path path;
};

// A scratch git repository in a fresh temporary directory, removed with the object; git
// itself builds it (commands run with `sh -c` inside it, failing the test when they fail).
class GitRepo {
public:
    GitRepo();
    ~GitRepo();
    GitRepo(const GitRepo&) = delete;
    GitRepo& operator=(const GitRepo&) = delete;
    const std::string& dir() const { return dir_; }
    // Runs `command` in the repository; returns its standard output.
    std::string git(const std::string& command) const;
    void write(const std::string& path, const std::string& content) const;

private:
    std::string dir_;
};

// Python source of a migration: revision and down_revision as given (Python expressions).
std::string migration_source(const std::string& rev_python, const std::string& down_python,
                             const std::string& extra = "");

}  // namespace ag::test
