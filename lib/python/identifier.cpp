#include "python/identifier.hpp"

#include "python/unicode_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace ag::py {

namespace {

struct CodeRange {
    uint32_t first;
    uint32_t last;
};
#include "python/identifier_tables.inc"

bool in_ranges(const CodeRange* b, const CodeRange* e, uint32_t c) {
    auto it = std::upper_bound(b, e, c, [](uint32_t v, const CodeRange& r) { return v < r.first; });
    return it != b && c <= (it - 1)->last;
}

}  // namespace

bool verify_identifier(std::string_view raw, std::string& folded, std::string& message) {
    size_t k = 0;
    bool first = true;
    std::u32string points;
    while (k < raw.size()) {
        const uint32_t cp = next_code_point(raw, k);
        if (cp == kInvalidCodePoint) {
            message = "the file is not valid UTF-8 and declares no other encoding";
            return false;
        }
        if (cp >= 0x80) {
            const bool ok = first ? in_ranges(std::begin(kXidStart), std::end(kXidStart), cp)
                                  : in_ranges(std::begin(kXidContinue), std::end(kXidContinue), cp);
            if (!ok) {
                message = fmt::format("invalid character '{}' (U+{:04X})", encode_utf8(cp), cp);
                return false;
            }
        }
        points.push_back(static_cast<char32_t>(cp));
        first = false;
    }
    folded = encode_utf8(nfkc(points));
    return true;
}

}  // namespace ag::py
