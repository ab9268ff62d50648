#pragma once
// The words of every problem: what is wrong (its message) and the edit or command that repairs
// it (its fix), made from the facts the graph, the verdict and the hooks record (problem.hpp).
// Every output (text, JSON, GitHub annotations, the push report) words a problem here.
#include "alembic/migration.hpp"
#include "alembic/problem.hpp"

#include <string>

namespace ag {

// One sentence or a few joined by ";", naming the files, revisions and the parent they share.
std::string problem_message(const Problem& p);
// The exact edit or command for a person whose deploy is blocked; empty when there is none.
std::string problem_fix(const Problem& p);
// What a note says (without its file and line).
std::string note_message(const Note& n);

}  // namespace ag
