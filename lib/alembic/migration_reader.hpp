#pragma once
// Reads and interprets many migration files at once, on the cores the machine offers.
// A tree that can read concurrently (prepare_concurrent_reads: a GitTree from its packs) is
// read on every thread; otherwise reading is serialised (libgit2 is not thread-safe), and
// interpreting the bytes runs in parallel.
#include "alembic/migration.hpp"
#include "source/source_tree.hpp"

#include <string>
#include <vector>

namespace ag {

struct MigrationSource {
    std::string_view dir;   // the version location (both outlive the call)
    const DirEntry* entry;  // a regular file listed in it
    py::PythonVersion python = py::kUndeclaredPython;  // the grammar it is read by
};

// read_migration() of every source, in the order given, stored through `into` (one
// destination per source): the same result as reading them one by one. `threads` 0: one
// per core, at most 4. When files cannot be read it throws what the tree threw for the
// first of them (in the order given), after every thread has stopped.
void read_migrations(const SourceTree& tree, const std::vector<MigrationSource>& sources,
                     const std::vector<Migration*>& into, unsigned threads = 0);
// The same, into a new vector.
std::vector<Migration> read_migrations(const SourceTree& tree, const std::vector<MigrationSource>& sources,
                                       unsigned threads = 0);

}  // namespace ag
