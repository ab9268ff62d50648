#pragma once
// Which Python's grammar a module is judged by: what 3.11 refuses, 3.12 may accept (PEP 701
// f-strings, `type` statements, type parameters).
#include <optional>
#include <string>
#include <string_view>

namespace ag::py {

struct PythonVersion {
    int major = 3;
    int minor = 13;
    friend bool operator==(PythonVersion, PythonVersion) = default;
    bool at_least(int minor_version) const { return minor >= minor_version; }
    std::string text() const;
};

// The oldest and newest grammars the guard knows; versions outside are judged by the nearest.
constexpr PythonVersion kOldestPython{3, 11};
constexpr PythonVersion kNewestPython{3, 13};
// What a module is judged by when nothing says which Python runs it: the oldest grammar the
// guard knows, so that syntax only newer Pythons accept is refused rather than let through to
// a deploy that may run an older one (declare the version to be judged by it).
constexpr PythonVersion kUndeclaredPython = kOldestPython;

// "3.12", "3.12.4", "python3.12", ">=3.11" are not all versions: parses "X.Y[.Z...]" only.
std::optional<PythonVersion> parse_python_version(std::string_view text);
PythonVersion clamp_python_version(PythonVersion v);

}  // namespace ag::py
