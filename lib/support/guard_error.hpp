#pragma once
// The one error type that crosses lib/'s boundary: "the guard could not do its job".
// Anything thrown as GuardError ends as exit code 2 with its message, never a stack trace.
#include <stdexcept>
#include <string>

namespace ag {

class GuardError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace ag
