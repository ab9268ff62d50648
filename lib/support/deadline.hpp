#pragma once
// A hook must never hang a push: some damaged objects make libgit2 1.5 loop forever
// (libgit2#7342, a truncated loose object). When the deadline passes, the process writes
// its prepared message and ends with the prepared exit code — what alembicGuard.onError
// says to do when the guard cannot do its job.
#include <string>

namespace ag {

// Arms (or re-arms) the process-wide deadline. `seconds` 0 disarms it.
void arm_deadline(unsigned seconds, std::string message, int exit_code);
void disarm_deadline();

}  // namespace ag
