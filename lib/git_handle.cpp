#include "git_handle.hpp"

#include "guard_error.hpp"

#include <fmt/format.h>

namespace ag {

int git_check(int rc, std::string_view what) {
    if (rc >= 0) return rc;
    const git_error* e = git_error_last();
    throw GuardError(fmt::format("{}: {}", what, e && e->message ? e->message : "unknown libgit2 error"));
}

GitLibrary::GitLibrary() { git_libgit2_init(); }
GitLibrary::~GitLibrary() { git_libgit2_shutdown(); }

}  // namespace ag
