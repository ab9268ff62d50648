#pragma once
// Shared by the libFuzzer targets: a loud failure for a broken invariant (libFuzzer turns
// the abort into a crash report with the input that caused it).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace ag::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "\n*** alembic-guard fuzz invariant failed: %s %.*s\n", what, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
}

#define AG_FUZZ_CHECK(cond, detail)                                                       \
    do {                                                                                  \
        if (!(cond)) ::ag::fuzz::fail("CHECK(" #cond ") at " __FILE__, (detail));         \
    } while (0)

// Runs `f`; any exception escaping it is a bug (the readers promise never to throw).
template <class F>
void never_throws(const char* what, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        fail(what, e.what());
    } catch (...) {
        fail(what, "non-std exception");
    }
}

}  // namespace ag::fuzz
