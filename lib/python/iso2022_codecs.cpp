#include "python/iso2022_codecs.hpp"

#include "python/multibyte_codecs.hpp"
#include "python/unicode_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <span>

namespace ag::py {
namespace {

// The character sets a designation can name. The first eight take two bytes, the rest one.
enum class Set : uint8_t {
    JisX0208,
    JisX0212,
    KsX1001,
    Gb2312,
    JisX0213_2000_1,
    JisX0213_2000_2,
    JisX0213_2004_1,
    JisX0213_2004_2,
    JisX0201Roman,
    JisX0201Katakana,
    G2Only,  // ISO 8859-1 and -7: meant for G2; designated into G0 or G1 they decode nothing
};

struct EucSource {
    Set set;
    std::string_view codec;           // the EUC codec whose cells hold the set
    std::string_view prefix;          // before c1|0x80 c2|0x80 there
    std::string_view without;         // a codec whose cells (after `without_prefix`) the set lacks
    std::string_view without_prefix;
};
struct Override {
    Set set;
    uint16_t cell;    // c1 << 8 | c2
    char32_t first;   // 0: unmappable
    char32_t second;  // 0: one code point
};

constexpr uint16_t kUnmappable = 0xFFFF;

#include "python/iso2022_codec_tables.inc"

// kEucSources is indexed by Set.
constexpr bool sources_in_set_order() {
    for (size_t i = 0; i < std::size(kEucSources); ++i)
        if (static_cast<size_t>(kEucSources[i].set) != i) return false;
    return std::size(kEucSources) == static_cast<size_t>(Set::JisX0201Roman);
}
static_assert(sources_in_set_order());

// A designation's final byte, with this bit for the two-byte sets: "ESC ( B" is ASCII,
// "ESC $ B" JIS X 0208 (CPython keeps G0..G2 as these marks).
constexpr uint8_t kTwoBytes = 0x80;
constexpr uint8_t kAscii = 'B';
constexpr uint8_t kLatin1 = 'A';  // in G2
constexpr uint8_t kGreek = 'F';   // in G2

struct Designation {
    uint8_t mark;
    Set set;
};

// What each codec may designate, as _codecs_iso2022.c configures it. Only iso2022_kr reads SO
// and SI; only iso2022_jp_2 has G2 and its single shift; the Japanese ones accept JIS X 0208
// designated with the "ESC & @" revision prefix.
constexpr Designation kKr[] = {{'C' | kTwoBytes, Set::KsX1001}};
constexpr Designation kJp[] = {
    {'B' | kTwoBytes, Set::JisX0208}, {'J', Set::JisX0201Roman}, {'@' | kTwoBytes, Set::JisX0208}};
constexpr Designation kJp1[] = {{'B' | kTwoBytes, Set::JisX0208},
                                {'D' | kTwoBytes, Set::JisX0212},
                                {'J', Set::JisX0201Roman},
                                {'@' | kTwoBytes, Set::JisX0208}};
constexpr Designation kJp2[] = {{'B' | kTwoBytes, Set::JisX0208}, {'D' | kTwoBytes, Set::JisX0212},
                                {'C' | kTwoBytes, Set::KsX1001},  {'A' | kTwoBytes, Set::Gb2312},
                                {'J', Set::JisX0201Roman},        {'@' | kTwoBytes, Set::JisX0208},
                                {kLatin1, Set::G2Only},           {kGreek, Set::G2Only}};
constexpr Designation kJp2004[] = {
    {'Q' | kTwoBytes, Set::JisX0213_2004_1}, {'B' | kTwoBytes, Set::JisX0208}, {'P' | kTwoBytes, Set::JisX0213_2004_2}};
constexpr Designation kJp3[] = {
    {'O' | kTwoBytes, Set::JisX0213_2000_1}, {'B' | kTwoBytes, Set::JisX0208}, {'P' | kTwoBytes, Set::JisX0213_2000_2}};
constexpr Designation kJpExt[] = {{'B' | kTwoBytes, Set::JisX0208},
                                  {'D' | kTwoBytes, Set::JisX0212},
                                  {'J', Set::JisX0201Roman},
                                  {'I', Set::JisX0201Katakana},
                                  {'@' | kTwoBytes, Set::JisX0208}};

struct Iso2022Codec {
    std::string_view name;
    bool shifts;           // SO and SI switch between G0 and G1 (otherwise they are C0 bytes)
    bool single_shift;     // "ESC . F" designates G2, "ESC N x" reads x in it
    bool revision_prefix;  // "ESC & @ ESC $ B" designates JIS X 0208
    std::span<const Designation> designations;
};

// By name.
constexpr Iso2022Codec kCodecs[] = {
    {"iso2022_jp", false, false, true, kJp},          {"iso2022_jp_1", false, false, true, kJp1},
    {"iso2022_jp_2", false, true, true, kJp2},        {"iso2022_jp_2004", false, false, true, kJp2004},
    {"iso2022_jp_3", false, false, true, kJp3},       {"iso2022_jp_ext", false, false, true, kJpExt},
    {"iso2022_kr", true, false, false, kKr},
};

constexpr uint8_t kEsc = 0x1B;
constexpr uint8_t kSo = 0x0E;
constexpr uint8_t kSi = 0x0F;
constexpr size_t kMaxEscape = 16;  // CPython looks for an escape sequence's end this far

constexpr std::string_view kIllegalSequence = "illegal multibyte sequence";
constexpr std::string_view kIncompleteSequence = "incomplete multibyte sequence";

const Iso2022Codec* find_iso2022(std::string_view name) {
    const auto* it = std::lower_bound(std::begin(kCodecs), std::end(kCodecs), name,
                                      [](const Iso2022Codec& c, std::string_view n) { return c.name < n; });
    return it != std::end(kCodecs) && it->name == name ? it : nullptr;
}

// The final byte of an escape sequence, as CPython recognizes one.
bool ends_escape(uint8_t c) { return (c >= 'A' && c <= 'Z') || c == '@'; }

// The bytes after ESC that start a designation.
bool starts_designation(uint8_t c) { return c == '(' || c == ')' || c == '$' || c == '.' || c == '&'; }

uint8_t byte_at(std::string_view bytes, size_t i) { return static_cast<uint8_t>(bytes[i]); }

// Appends what the two-byte set decodes c1 c2 to; false when it is unmappable.
bool decode_two_bytes(Set set, uint8_t c1, uint8_t c2, std::string& out) {
    const uint16_t cell = static_cast<uint16_t>(c1 << 8 | c2);
    const auto* over = std::find_if(std::begin(kOverrides), std::end(kOverrides),
                                    [&](const Override& o) { return o.set == set && o.cell == cell; });
    if (over != std::end(kOverrides)) {
        if (over->first == 0) return false;
        append_utf8(out, over->first);
        if (over->second != 0) append_utf8(out, over->second);
        return true;
    }
    if (c1 < 0x21 || c1 > 0x7E || c2 < 0x21 || c2 > 0x7E) return false;
    const EucSource& source = kEucSources[static_cast<size_t>(set)];
    std::string sequence(source.prefix);
    sequence += static_cast<char>(c1 | 0x80);
    sequence += static_cast<char>(c2 | 0x80);
    CodecFailure ignored;
    std::string scratch;
    if (!source.without.empty()) {
        std::string other(source.without_prefix);
        other.append(sequence, source.prefix.size());
        if (decode_multibyte(source.without, other, scratch, ignored)) return false;
    }
    // A complete EUC sequence decodes or fails as a whole: nothing is appended when it fails.
    return decode_multibyte(source.codec, sequence, out, ignored);
}

// What the one-byte set decodes c (0x20..0x7f) to, or kUnmappable.
uint16_t decode_one_byte(Set set, uint8_t c) {
    switch (set) {
    case Set::JisX0201Roman: return kJisX0201Roman[c - 0x20];
    case Set::JisX0201Katakana: return kJisX0201Katakana[c - 0x20];
    default: return kUnmappable;
    }
}

class Decoder {
public:
    Decoder(const Iso2022Codec& codec, std::string_view bytes, std::string& out, CodecFailure& failure)
        : codec_(codec), bytes_(bytes), out_(out), failure_(failure) {}

    bool run() {
        out_.reserve(out_.size() + bytes_.size());
        while (p_ < bytes_.size()) {
            const uint8_t c = byte_at(bytes_, p_);
            if (escape_throughout_) {
                // After ESC and a byte that starts no designation CPython copies bytes as
                // Latin-1 up to and including the next final byte.
                append_utf8(out_, c);
                ++p_;
                if (ends_escape(c)) escape_throughout_ = false;
                continue;
            }
            if (c == kEsc) {
                if (!escape()) return false;
            } else if ((c == kSo || c == kSi) && codec_.shifts) {
                shifted_ = c == kSo;
                ++p_;
            } else if (c == '\n') {
                shifted_ = false;  // G0 stays designated: only the shift ends at a newline
                out_ += '\n';
                ++p_;
            } else if (c < 0x20) {
                out_ += static_cast<char>(c);
                ++p_;
            } else if (c >= 0x80) {
                return fail(p_, p_ + 1, kIllegalSequence);
            } else if (!character(shifted_ ? g_[1] : g_[0])) {
                return false;
            }
        }
        return true;
    }

private:
    bool fail(size_t start, size_t end, std::string_view reason) {
        failure_ = {codec_.name, start, end, reason};
        return false;
    }
    bool incomplete() { return fail(p_, bytes_.size(), kIncompleteSequence); }
    size_t left() const { return bytes_.size() - p_; }

    const Designation* designation(uint8_t mark) const {
        const auto it = std::find_if(codec_.designations.begin(), codec_.designations.end(),
                                     [&](const Designation& d) { return d.mark == mark; });
        return it != codec_.designations.end() ? &*it : nullptr;
    }

    // A printable byte (0x20..0x7f) in the set `mark` designates.
    bool character(uint8_t mark) {
        if (mark == kAscii) {
            out_ += bytes_[p_++];
            return true;
        }
        // Only designations of this codec reach G0 and G1.
        const Designation& d = *designation(mark);
        const bool two = d.set < Set::JisX0201Roman;
        if (left() < (two ? 2u : 1u)) return incomplete();
        if (two) {
            // CPython hands the set the second byte as it is, whatever it is (a newline too).
            if (!decode_two_bytes(d.set, byte_at(bytes_, p_), byte_at(bytes_, p_ + 1), out_))
                return fail(p_, p_ + 2, kIllegalSequence);
            p_ += 2;
            return true;
        }
        const uint16_t v = decode_one_byte(d.set, byte_at(bytes_, p_));
        if (v == kUnmappable) return fail(p_, p_ + 1, kIllegalSequence);
        append_utf8(out_, v);
        ++p_;
        return true;
    }

    // At an ESC.
    bool escape() {
        if (left() < 2) return incomplete();
        const uint8_t c2 = byte_at(bytes_, p_ + 1);
        if (starts_designation(c2)) return designate();
        if (codec_.single_shift && c2 == 'N') return single_shift();
        out_ += '\x1B';
        escape_throughout_ = true;
        ++p_;
        return true;
    }

    // "ESC N x": x in G2.
    bool single_shift() {
        if (left() < 3) return incomplete();
        const uint8_t x = byte_at(bytes_, p_ + 2);
        const uint16_t* table = g_[2] == kAscii    ? kG2Ascii
                                : g_[2] == kLatin1 ? kG2Latin1
                                : g_[2] == kGreek  ? kG2Greek
                                                   : nullptr;
        if (table == nullptr) {
            // G2 holds JIS X 0201 Roman ("ESC . J"), which CPython's single shift has no
            // branch for: RuntimeError, not UnicodeDecodeError.
            failure_ = {codec_.name, p_, p_ + 2, "internal codec error", true};
            return false;
        }
        if (table[x] == kUnmappable) return fail(p_, p_ + 3, kIllegalSequence);
        append_utf8(out_, table[x]);
        p_ += 3;
        return true;
    }

    // ESC followed by a byte that starts a designation. CPython finds the sequence's length
    // first (up to its final byte, skipping "& @" and the byte after it on the codecs that
    // know the revision prefix) and then reads it by its length; a sequence it cannot read is
    // illegal as a whole.
    bool designate() {
        size_t length = 0;
        for (size_t i = 1; i < kMaxEscape; ++i) {
            if (i >= left()) return incomplete();
            const uint8_t b = byte_at(bytes_, p_ + i);
            if (ends_escape(b)) {
                length = i + 1;
                break;
            }
            if (codec_.revision_prefix && i + 1 < left() && b == '&' && byte_at(bytes_, p_ + i + 1) == '@') i += 2;
        }
        if (length == 0) return fail(p_, p_ + 1, kIllegalSequence);  // no final byte in 16
        const auto at = [&](size_t i) { return byte_at(bytes_, p_ + i); };
        uint8_t mark = 0;
        size_t g = 0;
        switch (length) {
        case 3:
            if (at(1) == '$') {
                mark = static_cast<uint8_t>(at(2) | kTwoBytes);
            } else {
                mark = at(2);
                if (at(1) == '(')
                    g = 0;
                else if (at(1) == ')')
                    g = 1;
                else if (codec_.single_shift && at(1) == '.')
                    g = 2;
                else
                    return fail(p_, p_ + 3, kIllegalSequence);
            }
            break;
        case 4:
            if (at(1) != '$' || (at(2) != '(' && at(2) != ')')) return fail(p_, p_ + 4, kIllegalSequence);
            mark = static_cast<uint8_t>(at(3) | kTwoBytes);
            g = at(2) == '(' ? 0 : 1;
            break;
        case 6:
            // "ESC & @ ESC $ B": JIS X 0208 revised, read as JIS X 0208.
            if (!codec_.revision_prefix || at(3) != kEsc || at(4) != '$' || at(5) != 'B')
                return fail(p_, p_ + 6, kIllegalSequence);
            mark = static_cast<uint8_t>('B' | kTwoBytes);
            break;
        default: return fail(p_, p_ + length, kIllegalSequence);
        }
        // A set the codec does not have (ASCII is always there) makes the sequence illegal.
        if (mark != kAscii && designation(mark) == nullptr) return fail(p_, p_ + length, kIllegalSequence);
        g_[g] = mark;
        p_ += length;
        return true;
    }

    const Iso2022Codec& codec_;
    std::string_view bytes_;
    std::string& out_;
    CodecFailure& failure_;
    size_t p_ = 0;
    std::array<uint8_t, 3> g_{kAscii, kAscii, kAscii};  // the marks G0, G1, G2 hold
    bool shifted_ = false;        // SO read: printable bytes are in G1
    bool escape_throughout_ = false;
};

}  // namespace

bool is_iso2022_codec(std::string_view name) { return find_iso2022(name) != nullptr; }

bool decode_iso2022(std::string_view name, std::string_view bytes, std::string& out, CodecFailure& failure) {
    return Decoder(*find_iso2022(name), bytes, out, failure).run();
}

}  // namespace ag::py
