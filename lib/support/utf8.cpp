#include "support/utf8.hpp"

namespace ag {

size_t utf8_length_at(std::string_view s, size_t i) {
    if (i >= s.size()) return 0;
    const auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const auto in = [&](size_t k, unsigned lo, unsigned hi) { return byte(k) >= lo && byte(k) <= hi; };
    const auto tail = [&](size_t from, size_t to) {
        for (size_t k = from; k < to; ++k)
            if (!in(k, 0x80, 0xBF)) return false;
        return true;
    };
    const unsigned c = byte(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return tail(1, 2) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && tail(2, 3) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && tail(2, 3) ? 3 : 0;  // not U+D800..U+DFFF
    if (c >= 0xE1 && c <= 0xEF) return tail(1, 3) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && tail(2, 4) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return tail(1, 4) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && tail(2, 4) ? 4 : 0;  // not above U+10FFFF
    return 0;
}

bool is_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_length_at(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

}  // namespace ag
