#pragma once
// What is wrong with an environment, in the vocabulary of design.md (problem codes, keys,
// locations) and facts; the words are the report layer's (report/problem_wording.hpp).
#include <cstddef>
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
inline constexpr const char* invalid_revision_id = "invalid-revision-id";
}  // namespace code

// Which of its code's situations a problem is. The graph, the verdict and the hooks say only
// this and the facts below; report/problem_wording turns them into words, for every output.
enum class Situation : unsigned char {
    heads,                     // multiple-heads: the tree has more than one head
    heads_added,               // multiple-heads: a push adds a head (heads_before, added locations)
    heads_added_by_duplicate,  // ... and the extra head is a duplicated revision ID
    duplicate,                 // duplicate-revision (a location marked `added`: the copy a push adds)
    self_loop,                 // cycle: a revision names itself in down_revision
    dependency_self_loop,      // cycle: ... in depends_on
    cycle,                     // cycle: Alembic's _detect_cycles, through down_revision
    dependency_cycle,          // cycle: ... through down_revision and depends_on
    label_is_revision,         // branch-label-conflict: a label that is another revision's ID
    label_used_twice,          // branch-label-conflict: two revisions claim one label
    missing_down,              // missing-revision: down_revision names an ID nobody declares
    missing_down_is_label,     // missing-revision: down_revision names a branch label
    missing_dependency,        // missing-revision: depends_on names neither an ID nor a label
    unparsable,                // unparsable-migration (reason: what the reader could not read)
    ini_syntax,                // unreadable-config: configparser refuses the file
    ini_section,               // unreadable-config: one section of alembic.ini (subject: its name)
    toml_syntax,               // unreadable-config: not valid TOML
    pyproject_section,         // unreadable-config: [tool.alembic] of pyproject.toml
    guard_settings,            // unreadable-config: .alembic-guard.toml
    merge_conflict,            // merge-conflict (subject: the candidate)
    location_fails,            // unreadable-config: a version location Alembic fails on (subject: it;
                               // reason: the Python exception)
    invalid_id,                // invalid-revision-id: an ID with characters the Alembic version refuses
                               // (subject: those characters; reason: the version)
    heads_labelled,            // multiple-heads: every head carries branch labels of its own (a
                               // deliberate layout, such as expand/contract, that is not declared)
};

struct ProblemLocation {
    std::string file;
    int line = 0;
    std::string revision;
    std::vector<std::string> down_revision;
    bool added = false;  // the file is new in the push being judged
};

struct Problem {
    std::string code;
    Situation situation = Situation::unparsable;
    std::vector<std::string> revisions;  // the IDs the problem is about (see key())
    std::vector<std::string> files;
    std::vector<ProblemLocation> locations;
    std::string subject;  // the one name beyond the IDs: a missing target, an INI section, a candidate
    std::string reason;   // what a reader found wrong, in its own terms (a Python or config diagnostic)
    std::string new_id;   // duplicate-revision in a push: the next free ID for the added copy
    std::vector<std::string> heads_before;  // heads_added*: the heads at the old tip
    size_t head_count_before = 0;           // (a duplicated ID counts once per copy)
    size_t head_count = 0;                  // multiple-heads: heads now, copies counted
    // design.md's problem key: (code, IDs) — or (code, path) for path-keyed codes.
    std::string key() const;
};

}  // namespace ag
