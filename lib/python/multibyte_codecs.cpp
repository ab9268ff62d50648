#include "python/multibyte_codecs.hpp"

#include "python/iso2022_codecs.hpp"
#include "python/unicode_text.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace ag::py {
namespace {

// What a byte means after the bytes of its sequence before it (tools/gen_cjk_codec_tables.py
// says how the tables are probed).
struct Row {
    uint32_t offset;  // kPool[offset + b - lo] for lo <= b <= hi; any other byte is illegal
    uint8_t lo;
    uint8_t hi;
    uint8_t need;  // bytes from the sequence's first the codec requires before reading this one
};
struct Special {
    uint32_t sequence;  // its bytes, big-endian
    char32_t first;     // 0: the sequence is illegal, `second` bytes long
    char32_t second;    // 0: one code point
};
struct Gb18030Range {
    uint16_t base;
    uint16_t first;
};
enum class Algorithm : uint8_t {
    None,
    Gb18030FourByte,  // a second byte '0'..'9' starts a four-byte sequence
    EucKrMakeUp,      // 0xA4 0xD4 starts an eight-byte KS X 1001:1998 Annex 3 syllable
};
struct CjkCodec {
    std::string_view name;
    uint16_t first_row;  // its first byte's row; child rows are numbered from it
    uint16_t first_special;
    uint16_t end_special;
    Algorithm algorithm;
};

constexpr uint16_t kIllegal = 0xFFFE;
constexpr uint16_t kSpecial = 0xFFFF;
constexpr uint16_t kChild = 0xD800;  // .. 0xDFFF: no codec here decodes to a surrogate
constexpr uint16_t kChildEnd = 0xE000;

#include "python/cjk_codec_tables.inc"

constexpr std::string_view kIllegalSequence = "illegal multibyte sequence";
constexpr std::string_view kIncompleteSequence = "incomplete multibyte sequence";

const CjkCodec* find_cjk(std::string_view name) {
    const auto* it = std::lower_bound(std::begin(kCjkCodecs), std::end(kCjkCodecs), name,
                                      [](const CjkCodec& c, std::string_view n) { return c.name < n; });
    return it != std::end(kCjkCodecs) && it->name == name ? it : nullptr;
}

const Special* find_special(const CjkCodec& codec, uint32_t sequence) {
    const Special* begin = kSpecials + codec.first_special;
    const Special* end = kSpecials + codec.end_special;
    const Special* it =
        std::lower_bound(begin, end, sequence, [](const Special& s, uint32_t key) { return s.sequence < key; });
    return it != end && it->sequence == sequence ? it : nullptr;
}

bool fail(CodecFailure& failure, std::string_view encoding, size_t start, size_t end, std::string_view reason) {
    failure = {encoding, start, end, reason};
    return false;
}

uint8_t byte_at(std::string_view bytes, size_t i) { return static_cast<uint8_t>(bytes[i]); }

// CPython's gb18030 decoder on c1 c2 c3 c4 with c2 a digit: BMP code points through the range
// table, U+10000.. from lead byte 0x90 on, in order.
bool decode_gb18030_four(std::string_view bytes, size_t p, std::string& out, CodecFailure& failure) {
    constexpr std::string_view kName = "gb18030";
    if (bytes.size() - p < 4) return fail(failure, kName, p, bytes.size(), kIncompleteSequence);
    const uint32_t c1 = byte_at(bytes, p), c2 = byte_at(bytes, p + 1), c3 = byte_at(bytes, p + 2),
                   c4 = byte_at(bytes, p + 3);
    if (c1 < 0x81 || c1 > 0xFE || c3 < 0x81 || c3 > 0xFE || c4 < 0x30 || c4 > 0x39)
        return fail(failure, kName, p, p + 1, kIllegalSequence);
    const uint32_t index = (((c1 - 0x81) * 10 + c2 - 0x30) * 126 + c3 - 0x81) * 10 + c4 - 0x30;
    constexpr uint32_t kBmpSequences = 39420;
    constexpr uint32_t kFirstSupplementary = 15 * 12600;  // 0x90308130
    if (index < kBmpSequences) {
        const auto* range = std::upper_bound(std::begin(kGb18030Ranges), std::end(kGb18030Ranges), index,
                                             [](uint32_t i, const Gb18030Range& r) { return i < r.base; });
        --range;  // kGb18030Ranges[0].base is 0
        append_utf8(out, range->first + (index - range->base));
        return true;
    }
    if (index >= kFirstSupplementary && index - kFirstSupplementary <= 0x10FFFF - 0x10000) {
        append_utf8(out, 0x10000 + (index - kFirstSupplementary));
        return true;
    }
    return fail(failure, kName, p, p + 1, kIllegalSequence);
}

// euc_kr's 0xA4 0xD4 0xA4 x 0xA4 y 0xA4 z: one Hangul syllable from three jamo.
bool decode_euc_kr_make_up(std::string_view bytes, size_t p, std::string& out, CodecFailure& failure) {
    constexpr std::string_view kName = "euc_kr";
    if (bytes.size() - p < 8) return fail(failure, kName, p, bytes.size(), kIncompleteSequence);
    const auto jamo = [&](size_t i, const uint8_t* table) -> uint32_t {
        const uint8_t b = byte_at(bytes, p + i);
        return b >= 0xA1 && b <= 0xD4 ? table[b - 0xA1] : 0xFF;
    };
    const uint32_t initial = jamo(3, kMakeUpInitial), medial = jamo(5, kMakeUpMedial), final = jamo(7, kMakeUpFinal);
    if (byte_at(bytes, p + 2) != 0xA4 || byte_at(bytes, p + 4) != 0xA4 || byte_at(bytes, p + 6) != 0xA4 ||
        initial == 0xFF || medial == 0xFF || final == 0xFF)
        return fail(failure, kName, p, p + 1, kIllegalSequence);
    append_utf8(out, 0xAC00 + initial * 588 + medial * 28 + final);
    return true;
}

// hz (RFC 1843) as CPython 3.11 reads it: ASCII, where "~~" is '~', "~\n" nothing and "~{"
// switches to pairs of 7-bit bytes, GB2312 with the high bits off, until "~}". Only "~}" is
// read in GB mode: '~' followed by anything else, or a newline, there is illegal.
bool decode_hz(std::string_view bytes, std::string& out, CodecFailure& failure) {
    constexpr std::string_view kName = "hz";
    const Row* gb2312 = kRows + find_cjk("gb2312")->first_row;
    const auto gb2312_value = [&](uint8_t lead, uint8_t trail) -> uint16_t {
        const uint16_t child = kPool[gb2312->offset + lead - gb2312->lo];
        if (child < kChild || child >= kChildEnd) return kIllegal;
        const Row& row = gb2312[child - kChild];
        return trail >= row.lo && trail <= row.hi ? kPool[row.offset + trail - row.lo] : kIllegal;
    };
    bool gb = false;
    size_t p = 0;
    while (p < bytes.size()) {
        const uint8_t c = byte_at(bytes, p);
        if (c == '~') {
            if (bytes.size() - p < 2) return fail(failure, kName, p, bytes.size(), kIncompleteSequence);
            const uint8_t c2 = byte_at(bytes, p + 1);
            if (!gb && c2 == '~')
                out += '~';
            else if (!gb && c2 == '{')
                gb = true;
            else if (gb && c2 == '}')
                gb = false;
            else if (gb || c2 != '\n')
                return fail(failure, kName, p, p + 1, kIllegalSequence);
            p += 2;
            continue;
        }
        if (c >= 0x80) return fail(failure, kName, p, p + 1, kIllegalSequence);
        if (!gb) {
            out += static_cast<char>(c);
            ++p;
            continue;
        }
        if (bytes.size() - p < 2) return fail(failure, kName, p, bytes.size(), kIncompleteSequence);
        const uint8_t c2 = byte_at(bytes, p + 1);
        // gb2312's table is EUC-CN's: both bytes with the high bit set, none below 0xA1.
        const uint16_t v = c2 < 0x80 ? gb2312_value(c | 0x80, c2 | 0x80) : kIllegal;
        if (v == kIllegal || v == kSpecial) return fail(failure, kName, p, p + 1, kIllegalSequence);
        append_utf8(out, v);
        p += 2;
    }
    return true;
}

}  // namespace

bool has_multibyte_decoder(std::string_view name) {
    return name == "hz" || is_iso2022_codec(name) || find_cjk(name) != nullptr;
}

bool decode_multibyte(std::string_view name, std::string_view bytes, std::string& out, CodecFailure& failure) {
    if (name == "hz") return decode_hz(bytes, out, failure);
    if (is_iso2022_codec(name)) return decode_iso2022(name, bytes, out, failure);
    const CjkCodec& codec = *find_cjk(name);
    const Row* rows = kRows + codec.first_row;
    out.reserve(out.size() + bytes.size() + bytes.size() / 2);
    size_t p = 0;
    while (p < bytes.size()) {
        const uint8_t lead = byte_at(bytes, p);
        const Row* row = rows;
        size_t depth = 0;
        while (true) {
            if (bytes.size() - p < row->need) return fail(failure, name, p, bytes.size(), kIncompleteSequence);
            const uint8_t b = byte_at(bytes, p + depth);
            if (depth == 1 && codec.algorithm == Algorithm::Gb18030FourByte && b >= 0x30 && b <= 0x39) {
                if (!decode_gb18030_four(bytes, p, out, failure)) return false;
                p += 4;
                break;
            }
            if (depth == 1 && codec.algorithm == Algorithm::EucKrMakeUp && lead == 0xA4 && b == 0xD4) {
                if (!decode_euc_kr_make_up(bytes, p, out, failure)) return false;
                p += 8;
                break;
            }
            const uint16_t v = b >= row->lo && b <= row->hi ? kPool[row->offset + b - row->lo] : kIllegal;
            if (v >= kChild && v < kChildEnd) {
                row = rows + (v - kChild);
                ++depth;
                continue;
            }
            if (v == kIllegal) return fail(failure, name, p, p + 1, kIllegalSequence);
            if (v == kSpecial) {
                uint32_t sequence = 0;
                for (size_t i = 0; i <= depth; ++i) sequence = sequence << 8 | byte_at(bytes, p + i);
                const Special* special = find_special(codec, sequence);
                if (special->first == 0) return fail(failure, name, p, p + special->second, kIllegalSequence);
                append_utf8(out, special->first);
                if (special->second != 0) append_utf8(out, special->second);
            } else {
                append_utf8(out, v);
            }
            p += depth + 1;
            break;
        }
    }
    return true;
}

}  // namespace ag::py
