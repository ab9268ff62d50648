#include "python/unicode_names.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace ag::py {
namespace {

// Words of one length that follow each other in the dictionary, so a word's place follows
// from its number without a table of offsets.
struct WordGroup {
    uint32_t first_number;
    uint32_t offset;
    uint32_t length;
};
struct BlockStart {
    uint16_t chunk;
    uint16_t offset;
};
struct CodeRange {
    char32_t first;
    char32_t last;
};

#include "python/unicode_names.inc"

constexpr unsigned kBase = static_cast<unsigned>(kAlphabet.size());
constexpr auto kDigitOf = [] {
    std::array<uint8_t, 128> digits{};
    for (size_t i = 0; i < kAlphabet.size(); ++i) digits[static_cast<unsigned char>(kAlphabet[i])] = static_cast<uint8_t>(i);
    return digits;
}();

// Names CPython computes instead of listing; it compares these prefixes case-sensitively
// (measured: "\N{cjk unified ideograph-4E00}" and "\N{hangul syllable GA}" are refused).
constexpr std::string_view kCjkPrefix = "CJK UNIFIED IDEOGRAPH-";
constexpr std::string_view kHangulPrefix = "HANGUL SYLLABLE ";

std::string_view word(unsigned number) {
    const auto* group = std::upper_bound(std::begin(kWordGroups), std::end(kWordGroups), number,
                                         [](unsigned n, const WordGroup& g) { return n < g.first_number; }) -
                        1;
    return kDictionary.substr(group->offset + (number - group->first_number) * group->length, group->length);
}

// Walks one block of the sorted, front-coded name list: each entry is the count of leading
// words shared with the previous entry, its other words, an end token, and its code point
// as a zigzag delta from the previous entry's.
class BlockReader {
public:
    explicit BlockReader(size_t block)
        : text_(kNameChunks[kBlocks[block].chunk]),
          pos_(kBlocks[block].offset),
          left_(std::min(kBlockSize, kNameCount - block * kBlockSize)) {}

    // Decodes the next entry; false past the block's last one.
    bool next() {
        if (left_ == 0) return false;
        --left_;
        token_count_ = digit();
        for (unsigned t = token(); t != kEndToken; t = token()) tokens_[token_count_++] = t;
        const uint32_t zigzag = varint();
        const auto delta = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
        code_ = static_cast<char32_t>(static_cast<int64_t>(code_) + delta);
        return true;
    }

    char32_t code() const { return code_; }

    // The entry's name: words joined by a space, except after a word that ends in '-'.
    std::string_view name() {
        size_t n = 0;
        const auto append = [&](std::string_view s) {
            std::copy(s.begin(), s.end(), name_.begin() + static_cast<std::ptrdiff_t>(n));
            n += s.size();
        };
        std::array<char, 8> hex{};
        std::string_view prev;
        for (size_t i = 0; i < token_count_; ++i) {
            std::string_view w;
            if (tokens_[i] == kSelfHexToken) {
                w = own_hex(hex);
            } else {
                w = word(tokens_[i]);
            }
            if (i > 0 && !prev.ends_with('-')) append(" ");
            append(w);
            prev = w;
        }
        return {name_.data(), n};
    }

private:
    unsigned digit() { return kDigitOf[static_cast<unsigned char>(text_[pos_++])]; }

    unsigned token() {
        const unsigned d = digit();
        if (d < kTierOne) return d;
        if (d < kTierTwo) return kTierOne + (d - kTierOne) * kBase + digit();
        const unsigned high = (d - kTierTwo) * kBase + digit();
        return kTierOne + (kTierTwo - kTierOne) * kBase + high * kBase + digit();
    }

    uint32_t varint() {
        uint32_t value = 0;
        uint32_t scale = 1;
        for (;;) {
            const unsigned d = digit();
            if (d < kVarintFinal) return value + d * scale;
            value += (d - kVarintFinal) * scale;
            scale *= kBase - kVarintFinal;
        }
    }

    // As Python's "%04X": at least four upper-case digits.
    std::string_view own_hex(std::array<char, 8>& out) const {
        size_t n = 0;
        for (int shift = 20; shift >= 0; shift -= 4) {
            const auto nibble = (code_ >> shift) & 0xF;
            if (n == 0 && nibble == 0 && shift >= 16) continue;
            out[n++] = "0123456789ABCDEF"[nibble];
        }
        return {out.data(), n};
    }

    std::string_view text_;
    size_t pos_;
    size_t left_;
    char32_t code_ = 0;
    std::array<unsigned, kMostTokens> tokens_{};
    size_t token_count_ = 0;
    std::array<char, kLongestName> name_{};
};

std::optional<char32_t> cjk_unified(std::string_view hex) {
    if (hex.size() != 4 && hex.size() != 5) return std::nullopt;
    char32_t code = 0;
    for (char c : hex) {
        if (c >= '0' && c <= '9') {
            code = code * 16 + static_cast<char32_t>(c - '0');
        } else if (c >= 'A' && c <= 'F') {
            code = code * 16 + static_cast<char32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;  // lower-case hex digits are refused too
        }
    }
    const auto* range = std::upper_bound(std::begin(kCjkUnified), std::end(kCjkUnified), code,
                                         [](char32_t c, const CodeRange& r) { return c < r.first; });
    if (range == std::begin(kCjkUnified) || code > (range - 1)->last) return std::nullopt;
    return code;
}

// Each of the three jamo is the longest one the rest of the name starts with (the empty
// leading and trailing jamo always match); the name must end right after the trailing one.
template <size_t N>
std::optional<size_t> take_jamo(std::string_view& rest, const std::string_view (&jamo)[N]) {
    std::optional<size_t> best;
    for (size_t i = 0; i < N; ++i) {
        if (rest.starts_with(jamo[i]) && (!best || jamo[i].size() > jamo[*best].size())) best = i;
    }
    if (best) rest.remove_prefix(jamo[*best].size());
    return best;
}

std::optional<char32_t> hangul_syllable(std::string_view rest) {
    const auto leading = take_jamo(rest, kHangulLeading);
    const auto vowel = take_jamo(rest, kHangulVowel);
    const auto trailing = take_jamo(rest, kHangulTrailing);
    if (!leading || !vowel || !trailing || !rest.empty()) return std::nullopt;
    constexpr auto kVowels = std::size(kHangulVowel);
    constexpr auto kTrailings = std::size(kHangulTrailing);
    return static_cast<char32_t>(0xAC00 + (*leading * kVowels + *vowel) * kTrailings + *trailing);
}

std::string_view first_name_of(size_t block, BlockReader& reader) {
    reader = BlockReader(block);
    reader.next();
    return reader.name();
}

}  // namespace

std::optional<char32_t> code_point_by_name(std::string_view name) {
    if (name.starts_with(kCjkPrefix)) return cjk_unified(name.substr(kCjkPrefix.size()));
    if (name.starts_with(kHangulPrefix)) return hangul_syllable(name.substr(kHangulPrefix.size()));
    if (name.empty() || name.size() > kLongestName) return std::nullopt;
    // The listed names are upper-case ASCII and CPython upper-cases only ASCII letters, so any
    // other byte can only fail to match.
    std::array<char, kLongestName> upper{};
    std::transform(name.begin(), name.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    const std::string_view key(upper.data(), name.size());

    // The last block whose first name is <= key holds key if any block does.
    size_t lo = 0;
    size_t hi = std::size(kBlocks);
    BlockReader reader(0);
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (first_name_of(mid, reader) <= key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) return std::nullopt;
    reader = BlockReader(lo - 1);
    while (reader.next()) {
        const auto candidate = reader.name();
        if (candidate == key) return reader.code();
        if (candidate > key) break;
    }
    return std::nullopt;
}

}  // namespace ag::py
