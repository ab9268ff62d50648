#include "python/unicode_text.hpp"

#include "support/utf8.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace ag::py {

namespace {

struct Decomposition {
    uint32_t code;
    uint32_t offset;
    uint32_t size;
};
struct CombiningClass {
    uint32_t code;
    uint32_t ccc;
};
struct Composition {
    uint32_t first;
    uint32_t second;
    uint32_t composite;
};
#include "python/unicode_nfkc.inc"

// Hangul syllables decompose and compose by formula (Unicode 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint32_t combining_class(uint32_t cp) {
    if (cp < 0x300) return 0;
    auto it = std::lower_bound(std::begin(kCombiningClass), std::end(kCombiningClass), cp,
                               [](const CombiningClass& c, uint32_t v) { return c.code < v; });
    return it != std::end(kCombiningClass) && it->code == cp ? it->ccc : 0;
}

void decompose(uint32_t cp, std::u32string& out) {
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const uint32_t s = cp - kSBase;
        out.push_back(static_cast<char32_t>(kLBase + s / kNCount));
        out.push_back(static_cast<char32_t>(kVBase + (s % kNCount) / kTCount));
        if (s % kTCount) out.push_back(static_cast<char32_t>(kTBase + s % kTCount));
        return;
    }
    if (cp >= 0xA0) {
        auto it = std::lower_bound(std::begin(kNfkd), std::end(kNfkd), cp,
                                   [](const Decomposition& d, uint32_t v) { return d.code < v; });
        if (it != std::end(kNfkd) && it->code == cp) {
            for (uint32_t k = 0; k < it->size; ++k) out.push_back(static_cast<char32_t>(kNfkdPool[it->offset + k]));
            return;
        }
    }
    out.push_back(static_cast<char32_t>(cp));
}

// The composite of a starter and a following character, or 0.
uint32_t compose(uint32_t first, uint32_t second) {
    if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount)
        return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
    if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
        second < kTBase + kTCount)
        return first + (second - kTBase);
    auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions), std::pair{first, second},
                               [](const Composition& c, std::pair<uint32_t, uint32_t> v) {
                                   return c.first != v.first ? c.first < v.first : c.second < v.second;
                               });
    return it != std::end(kCompositions) && it->first == first && it->second == second ? it->composite : 0;
}

}  // namespace

uint32_t next_code_point(std::string_view s, size_t& i) {
    // What is well-formed UTF-8 is decided in one place (utf8.hpp); here only decoded.
    const size_t len = utf8_length_at(s, i);
    if (len == 0) {
        ++i;
        return kInvalidCodePoint;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += len;
    return cp;
}

std::vector<size_t> invalid_utf8_offsets(std::string_view s) {
    std::vector<size_t> out;
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        // Eight ASCII bytes at a time: migrations are almost always plain ASCII.
        while (i + 8 <= n) {
            uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        const size_t at = i;
        if (next_code_point(s, i) == kInvalidCodePoint) out.push_back(at);
    }
    return out;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode_utf8(uint32_t cp) {
    std::string out;
    append_utf8(out, cp);
    return out;
}

std::string encode_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) append_utf8(out, static_cast<uint32_t>(c));
    return out;
}

std::u32string nfkc(std::u32string_view text) {
    // Decompose fully, order each run of non-starters by combining class (stable), then
    // compose every character not blocked from the last starter.
    std::u32string d;
    d.reserve(text.size());
    for (char32_t c : text) decompose(static_cast<uint32_t>(c), d);
    for (size_t i = 0; i < d.size();) {
        if (combining_class(static_cast<uint32_t>(d[i])) == 0) { ++i; continue; }
        size_t j = i;
        while (j < d.size() && combining_class(static_cast<uint32_t>(d[j])) != 0) ++j;
        std::stable_sort(d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(j),
                         [](char32_t a, char32_t b) {
                             return combining_class(static_cast<uint32_t>(a)) < combining_class(static_cast<uint32_t>(b));
                         });
        i = j;
    }
    std::u32string out;
    out.reserve(d.size());
    size_t starter = std::u32string::npos;
    uint32_t last_class = 0;
    for (char32_t ch : d) {
        const uint32_t c = static_cast<uint32_t>(ch);
        const uint32_t cc = combining_class(c);
        if (starter != std::u32string::npos) {
            const bool adjacent = starter + 1 == out.size();
            if (adjacent || (last_class != 0 && last_class < cc)) {
                if (const uint32_t composite = compose(static_cast<uint32_t>(out[starter]), c)) {
                    out[starter] = static_cast<char32_t>(composite);
                    continue;
                }
            }
        }
        if (cc == 0) starter = out.size();
        last_class = cc;
        out.push_back(ch);
    }
    return out;
}

}  // namespace ag::py
