#pragma once
// Files Python runs in place of a module's source, which the guard cannot read: a committed
// __pycache__ copy that Python trusts, an extension module, a sourceless .pyc. Migrations and
// the repository's modules they import are refused when one stands beside or instead of them.
#include "source/source_tree.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ag {

// A committed __pycache__ copy of `source_name` ("x.py" -> "x.<tag>.pyc") that Python may run
// instead of the source, if any. PEP 552: a copy stamped with the source's mtime is used only
// when the checkout's mtime equals it (a fresh checkout has the time of the checkout); a
// hash-stamped one is used whenever its hash matches (which its bytecode need not honour), or
// always when unchecked. So only hash-stamped copies (flags bit 0 of the header) count, and
// whatever in __pycache__ by that name is no regular file (Python may read through it).
// `pycache`: the listing of `pycache_dir`.
std::optional<std::string> hash_stamped_copy(const SourceTree& tree, const std::string& pycache_dir,
                                             const Listing& pycache, std::string_view source_name);

// Whether `file` is an extension module that Python's path finder loads for module `stem`
// before `stem.py`: "stem.so", "stem.pyd", or with a tag between ("stem.cpython-311-x86_64-
// linux-gnu.so", "stem.abi3.so"): any tag counts, whichever platform it was built for.
bool is_extension_module_for(std::string_view file, std::string_view stem);

}  // namespace ag
