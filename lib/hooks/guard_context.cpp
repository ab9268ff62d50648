#include "hooks/guard_context.hpp"

#include "support/deadline.hpp"

#include <fmt/format.h>

namespace ag {

GuardContext::GuardContext(const std::string& repo_path, const std::string& what)
    : repo_(GitRepository::open(repo_path)), policy_(ServerPolicy::from_repository(repo_)) {
    // Armed before anything is read: a damaged object can make libgit2 loop.
    arm_deadline(policy_.timeout_seconds,
                 fmt::format("alembic-guard: error: {} did not finish within {} s (alembicGuard.timeout; a damaged "
                             "object can make libgit2 loop)\n",
                             what, policy_.timeout_seconds),
                 2);
    cache_ = std::make_unique<ResultCache>(result_cache_dir(policy_.cache_dir, process_environment()),
                                           result_cache_limits(policy_.cache_max_size));
}

GuardContext::~GuardContext() { disarm_deadline(); }

CheckOptions GuardContext::check_options() {
    CheckOptions o;
    o.allow_multiple_heads = policy_.allow_multiple_heads;
    o.python = operator_python(policy_.python_version);
    if (!cache_->dir().empty()) o.cache = cache_.get();
    return o;
}

}  // namespace ag
