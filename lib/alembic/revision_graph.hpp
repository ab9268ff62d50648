#pragma once
// The revision graph of one environment, built exactly as Alembic 1.8.1's RevisionMap builds
// it (files in load order; the last copy of a duplicated ID wins the map, the earlier copy
// stays a head), plus every problem that would make `alembic upgrade head` fail. Pure: no I/O.
#include "alembic/migration.hpp"
#include "alembic/problem.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag {

struct RevisionGraph {
    size_t revision_count = 0;        // loaded migrations (copies of a duplicated ID each count)
    std::vector<std::string> heads;   // sorted, each ID once
    size_t head_count = 0;            // as Alembic's get_heads() counts them
    std::vector<std::string> bases;   // sorted, each ID once
    std::vector<std::string> merge_points;
    // The branch labels of each head that has some, as `alembic heads` prints them.
    std::map<std::string, std::vector<std::string>> head_labels;
    std::vector<ProblemLocation> head_locations;  // one per counted head, in load order
    std::vector<Problem> problems;    // graph problems, then unparsable files
    std::vector<Note> notes;          // things worth knowing that block nothing
};

// `migrations` in Alembic's load order (version locations in order, names sorted).
// Unloadable migrations (error set) take no part in the graph and become problems.
RevisionGraph build_revision_graph(const std::vector<Migration>& migrations, bool allow_multiple_heads);

// Every revision ID and branch label of the migrations a graph was built from.
struct KnownRevisions {
    std::function<bool(std::string_view)> has_id;
    std::function<bool(std::string_view)> has_label;
};

// Where Alembic loads a file: its version location's index, then its name (bytes); nullopt
// for a file in none of them.
using LoadPosition = std::pair<size_t, std::string>;
using LoadOrder = std::function<std::optional<LoadPosition>(const std::string& path)>;

// The graph build_revision_graph gives for the migrations `before` was built from plus
// `added` (each placed by `position_of`), computed from `before` and `added` alone, so its
// cost grows with what is added, not with the history. Given only when the answer is sure
// to be a graph without problems: `before` has none and no notes, and every added migration
// loads, declares a new plain ID (no branch labels, no depends_on) and names as parents
// distinct existing or added IDs, without a loop among the added, and the heads that result
// are allowed. Otherwise nullopt: build the whole graph.
std::optional<RevisionGraph> extend_revision_graph(const RevisionGraph& before, const KnownRevisions& known,
                                                   const std::vector<Migration>& added, const LoadOrder& position_of,
                                                   bool allow_multiple_heads);

}  // namespace ag
