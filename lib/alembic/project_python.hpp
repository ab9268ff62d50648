#pragma once
// Which Python a project runs its migrations with, as its own files say: the grammar its
// migrations are judged by. The nearest declaration going up from an environment's config
// wins: .python-version (pyenv, uv), pyproject.toml (requires-python, Poetry's python
// dependency), .tool-versions (asdf), runtime.txt, Pipfile. A range counts by its lower
// bound: the oldest Python the project accepts must compile the file too.
#include "python/python_version.hpp"
#include "source/source_tree.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ag {

struct PythonChoice {
    py::PythonVersion version = py::kUndeclaredPython;
    std::string from;  // the file or setting that said so; "" for the default
    // Set when the declared version is one the guard does not know: it judges by `version`,
    // the nearest grammar it knows.
    std::optional<py::PythonVersion> declared;
};

// The version a file of this name and content declares, or nullopt when it declares none
// the guard can read.
std::optional<py::PythonVersion> declared_python_version(std::string_view file_name, std::string_view text);

// The Python declared for `dir` (repository-relative) or the nearest directory above it.
// nullopt when nothing declares one.
std::optional<PythonChoice> project_python(const SourceTree& tree, std::string_view dir);

// `version` as judged: a version outside the known grammars is judged by the nearest one,
// with a note saying so.
PythonChoice choose_python(py::PythonVersion version, std::string from);

}  // namespace ag
