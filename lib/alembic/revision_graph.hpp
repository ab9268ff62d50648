#pragma once
// The revision graph of one environment, built exactly as Alembic 1.8.1's RevisionMap builds
// it (files in load order; the last copy of a duplicated ID wins the map, the earlier copy
// stays a head), plus every problem that would make `alembic upgrade head` fail. Pure: no I/O.
#include "alembic/migration.hpp"
#include "alembic/problem.hpp"

#include <string>
#include <vector>

namespace ag {

struct RevisionGraph {
    size_t revision_count = 0;        // loaded migrations (copies of a duplicated ID each count)
    std::vector<std::string> heads;   // sorted, each ID once
    size_t head_count = 0;            // as Alembic's get_heads() counts them
    std::vector<std::string> bases;   // sorted, each ID once
    std::vector<std::string> merge_points;
    std::vector<ProblemLocation> head_locations;  // one per counted head, in load order
    std::vector<Problem> problems;    // graph problems, then unparsable files
    std::vector<Note> notes;          // things worth knowing that block nothing
};

// `migrations` in Alembic's load order (version locations in order, names sorted).
// Unloadable migrations (error set) take no part in the graph and become problems.
RevisionGraph build_revision_graph(const std::vector<Migration>& migrations, bool allow_multiple_heads);

}  // namespace ag
