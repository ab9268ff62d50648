#pragma once
// `alembic-guard demo`: replays the incident (two pull requests that each add revision 031
// on 030) against a throw-away bare repository guarded by this binary, in a temporary
// directory, and shows the refused merge and the accepted renumbered fix.
#include <string>

namespace ag {

struct DemoOptions {
    std::string binary;  // the alembic-guard the hook calls
    bool keep = false;   // keep the temporary directory
};

// Prints as it goes; returns 0 when the guard behaved as it must (refused, then accepted).
int run_demo(const DemoOptions& options);

}  // namespace ag
