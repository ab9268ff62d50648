#include "python/python_version.hpp"

#include <fmt/format.h>

namespace ag::py {

std::string PythonVersion::text() const { return fmt::format("{}.{}", major, minor); }

std::optional<PythonVersion> parse_python_version(std::string_view text) {
    PythonVersion v{0, 0};
    size_t i = 0;
    auto number = [&](int& out) {
        const size_t start = i;
        out = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4) out = out * 10 + (text[i++] - '0');
        return i > start;
    };
    if (!number(v.major) || i >= text.size() || text[i] != '.') return std::nullopt;
    ++i;
    if (!number(v.minor)) return std::nullopt;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i != text.size()) return std::nullopt;
    return v;
}

PythonVersion clamp_python_version(PythonVersion v) {
    if (v.major < 3 || (v.major == 3 && v.minor < kOldestPython.minor)) return kOldestPython;
    if (v.major > 3 || v.minor > kNewestPython.minor) return kNewestPython;
    return v;
}

}  // namespace ag::py
