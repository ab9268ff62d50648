#pragma once
// What is wrong with an environment, in the vocabulary of design.md (problem codes, keys,
// locations). Messages are for a person whose deploy is blocked.
#include <string>
#include <vector>

namespace ag {

namespace code {
inline constexpr const char* multiple_heads = "multiple-heads";
inline constexpr const char* duplicate_revision = "duplicate-revision";
inline constexpr const char* missing_revision = "missing-revision";
inline constexpr const char* cycle = "cycle";
inline constexpr const char* branch_label_conflict = "branch-label-conflict";
inline constexpr const char* unparsable_migration = "unparsable-migration";
inline constexpr const char* unreadable_config = "unreadable-config";
inline constexpr const char* merge_conflict = "merge-conflict";
}  // namespace code

struct ProblemLocation {
    std::string file;
    int line = 0;
    std::string revision;
    std::vector<std::string> down_revision;
};

struct Problem {
    std::string code;
    std::string message;
    std::vector<std::string> revisions;  // the IDs the problem is about (see key())
    std::vector<std::string> files;
    std::vector<ProblemLocation> locations;
    std::string fix;  // the edit or command that repairs it, for people (text output only)
    // design.md's problem key: (code, IDs) — or (code, path) for path-keyed codes.
    std::string key() const;
};

}  // namespace ag
