#include "python/utf7_codec.hpp"

#include "python/unicode_text.hpp"

#include <cstdint>

namespace ag::py {
namespace {

constexpr std::string_view kEncoding = "utf7";

bool is_base64(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

uint32_t from_base64(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : 63;
}

// What stands for itself outside a shift sequence.
bool decodes_direct(uint8_t c) { return c < 0x80 && c != '+'; }

bool is_high_surrogate(uint32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low_surrogate(uint32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

}  // namespace

bool decode_utf7(std::string_view bytes, std::string& out, CodecFailure& failure) {
    const auto fail = [&](size_t start, size_t end, std::string_view reason) {
        failure = {kEncoding, start, end, reason};
        return false;
    };
    bool in_shift = false;
    size_t shift_start = 0;  // the '+' that opened the shift sequence: where its errors start
    uint32_t bits = 0;
    uint32_t buffer = 0;
    uint32_t surrogate = 0;  // a high surrogate waiting for its low half
    size_t s = 0;
    while (s < bytes.size()) {
        const auto c = static_cast<uint8_t>(bytes[s]);
        if (in_shift) {
            if (is_base64(c)) {
                buffer = buffer << 6 | from_base64(c);
                bits += 6;
                ++s;
                if (bits < 16) continue;
                const uint32_t unit = buffer >> (bits - 16);
                bits -= 16;
                buffer &= (1u << bits) - 1;
                if (surrogate != 0) {
                    if (is_low_surrogate(unit)) {
                        append_utf8(out, 0x10000 + ((surrogate - 0xD800) << 10) + (unit - 0xDC00));
                        surrogate = 0;
                        continue;
                    }
                    append_utf8(out, surrogate);
                    surrogate = 0;
                }
                if (is_high_surrogate(unit))
                    surrogate = unit;
                else
                    append_utf8(out, unit);
                continue;
            }
            // Leaving the shift sequence: what is left of the bits must be fewer than one
            // base-64 character's, and zero.
            in_shift = false;
            if (bits >= 6) return fail(shift_start, s + 1, "partial character in shift sequence");
            if (bits > 0 && buffer != 0) return fail(shift_start, s + 1, "non-zero padding bits in shift sequence");
            if (surrogate != 0 && decodes_direct(c)) append_utf8(out, surrogate);
            surrogate = 0;
            if (c == '-') ++s;  // absorbed; any other character is read again, outside
            continue;
        }
        if (c == '+') {
            shift_start = s;
            ++s;
            if (s < bytes.size() && bytes[s] == '-') {
                ++s;
                out += '+';
            } else if (s < bytes.size() && !is_base64(static_cast<uint8_t>(bytes[s]))) {
                return fail(shift_start, s + 1, "ill-formed sequence");
            } else {
                in_shift = true;
                surrogate = 0;
                bits = 0;
                buffer = 0;
            }
            continue;
        }
        if (!decodes_direct(c)) return fail(s, s + 1, "unexpected special character");
        out += static_cast<char>(c);
        ++s;
    }
    if (in_shift && (surrogate != 0 || bits >= 6 || (bits > 0 && buffer != 0)))
        return fail(shift_start, bytes.size(), "unterminated shift sequence");
    return true;
}

}  // namespace ag::py
