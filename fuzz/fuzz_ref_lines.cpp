// libFuzzer target: the pre-receive hook's stdin parser (`<old> <new> <ref>` lines).
// Invariants: only GuardError escapes; every accepted line has two hex IDs of the same
// length (40 or 64), a non-empty ref without a newline; no more updates than lines.
#include "fuzz_common.hpp"
#include "support/guard_error.hpp"
#include "hooks/pre_receive.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    ag::fuzz::never_throws("parse_ref_update_lines threw something other than GuardError", [&] {
        try {
            const auto updates = ag::parse_ref_update_lines(in);
            const auto lines = static_cast<size_t>(std::count(in.begin(), in.end(), '\n')) + 1;
            AG_FUZZ_CHECK(updates.size() <= lines, "more updates than lines");
            for (const auto& u : updates) {
                AG_FUZZ_CHECK(u.old_hex.size() == 40 || u.old_hex.size() == 64, u.old_hex);
                AG_FUZZ_CHECK(u.new_hex.size() == u.old_hex.size(), u.new_hex);
                AG_FUZZ_CHECK(!u.ref.empty() && u.ref.find('\n') == std::string::npos, u.ref);
                (void)ag::is_zero_oid(u.old_hex);
                (void)ag::is_zero_oid(u.new_hex);
            }
        } catch (const ag::GuardError& e) {
            AG_FUZZ_CHECK(std::string_view(e.what()).find("input line") != std::string_view::npos, e.what());
        }
    });
    return 0;
}
