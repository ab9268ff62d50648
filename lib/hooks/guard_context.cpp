#include "hooks/guard_context.hpp"

#include "report/hook_report.hpp"
#include "support/deadline.hpp"

namespace ag {

GuardContext::GuardContext(const std::string& repo_path, const EnvLookup& env,
                           const std::function<DeadlineAction(const ServerPolicy&)>& on_deadline)
    : repo_(GitRepository::open(repo_path)), policy_(ServerPolicy::from_repository(repo_)) {
    // Armed before anything is read: a damaged object can make libgit2 loop.
    DeadlineAction late = on_deadline(policy_);
    arm_deadline(policy_.timeout_seconds, std::move(late.text), late.exit_code);
    try {
        cache_ = std::make_unique<ResultCache>(result_cache_dir(policy_.cache_dir, env),
                                               result_cache_limits(policy_.cache_max_size));
    } catch (...) {
        disarm_deadline();  // no destructor runs for a constructor that throws
        throw;
    }
}

GuardContext::GuardContext(const std::string& repo_path, const std::string& what)
    : GuardContext(repo_path, process_environment(), [&what](const ServerPolicy& policy) {
          return DeadlineAction{command_timeout_text(what, policy.timeout_seconds), 2};
      }) {}

GuardContext::~GuardContext() { disarm_deadline(); }

std::optional<AlembicChoice> GuardContext::alembic() const {
    if (auto chosen = operator_alembic(policy_.alembic_version)) return chosen;
    if (command_alembic_) return choose_alembic(*command_alembic_, "--alembic-version");
    return std::nullopt;
}

PolicyOptions GuardContext::policy_options() {
    PolicyOptions o = ag::policy_options(policy_, *cache_);
    o.alembic = alembic();
    return o;
}

CheckOptions GuardContext::check_options() {
    CheckOptions o;
    o.allow_multiple_heads = policy_.allow_multiple_heads;
    o.python = operator_python(policy_.python_version);
    o.alembic = alembic();
    if (!cache_->dir().empty()) o.cache = cache_.get();
    return o;
}

}  // namespace ag
